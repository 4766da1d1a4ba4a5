#pragma once
// How many CUDA devices this process can use. 0 when myelin was built without
// CUDA, or when no driver or device is present (CI machines): never throws.
namespace myelin::cuda {

int device_count() noexcept;
bool compiled() noexcept;

} // namespace myelin::cuda
