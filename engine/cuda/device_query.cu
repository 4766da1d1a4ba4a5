#include "engine/cuda/device_query.hpp"

#include <cuda_runtime.h>

namespace myelin::cuda {

int device_count() noexcept {
  // Without a driver cudaGetDeviceCount fails and leaves `n` untouched.
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError(); // clear the sticky error
    return 0;
  }
  return n;
}

bool compiled() noexcept {
  return true;
}

} // namespace myelin::cuda
