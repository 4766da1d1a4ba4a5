#pragma once
// The CUDA devices this process can use, and which one it runs on. Never
// throws: without CUDA in the build, or without a driver or device (CI
// machines), there are none.
#include <string>

namespace myelin::cuda {

int device_count() noexcept;
bool compiled() noexcept;

// Makes the device of this node-local rank current (OMPI_COMM_WORLD_LOCAL_RANK,
// SLURM_LOCALID or MPI_LOCALRANKID, modulo the devices; 0 without a launcher)
// and returns it; -1 when there is none.
int select_device() noexcept;
// "cuda:N (name)" of the current device, or "" without one.
std::string current_device();
// Free memory of the current device in bytes, 0 without one.
unsigned long long free_device_memory() noexcept;

} // namespace myelin::cuda
