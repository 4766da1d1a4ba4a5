#include "engine/cuda/device_query.hpp"

#include <cstdlib>
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

int select_device() noexcept {
  const int n = device_count();
  if (n == 0)
    return -1;
  int local = 0;
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"})
    if (const char* v = std::getenv(name)) {
      local = std::atoi(v);
      break;
    }
  const int device = (local < 0 ? 0 : local) % n;
  if (cudaSetDevice(device) != cudaSuccess) {
    cudaGetLastError();
    return -1;
  }
  return device;
}

std::string current_device() {
  int device = -1;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&device) != cudaSuccess || cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return "cuda:" + std::to_string(device) + " (" + prop.name + ")";
}

unsigned long long free_device_memory() noexcept {
  std::size_t free = 0, total = 0;
  if (cudaMemGetInfo(&free, &total) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return free;
}

} // namespace myelin::cuda
