#pragma once
// Which Thrust system this translation unit's device code runs on. The device
// backend's sources are compiled twice: by g++ into backend_omp.cpp
// (MYELIN_DEVICE_CUDA 0, Thrust's OpenMP system: `--backend omp`; its
// sequential CPP system where the compiler has no OpenMP) and by nvcc
// into backend_cuda.cu (MYELIN_DEVICE_CUDA 1: `--backend cuda`). Each build
// lands in its own namespace and names its Thrust system explicitly (never
// thrust::device_vector), so both link into one binary.
#include "models/host_device.hpp"

#if MYELIN_DEVICE_CUDA
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>
#define MYELIN_DEVICE_NS device_cuda
#elif MYELIN_DEVICE_THREADS
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>
#define MYELIN_DEVICE_NS device_omp
#else // no OpenMP (clang without its runtime, as in the sanitizer build): one thread
#include <thrust/system/cpp/execution_policy.h>
#include <thrust/system/cpp/vector.h>
#define MYELIN_DEVICE_NS device_omp
#endif

#include <cstdint>
#include <thrust/copy.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/transform.h>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

#if MYELIN_DEVICE_CUDA
template <class T>
using device_vector = thrust::cuda::vector<T>;
// Launches queue on the stream without waiting: the host waits only where it
// reads a result back (counts, the epoch's spikes).
inline auto policy() {
  return thrust::cuda::par_nosync;
}
#elif MYELIN_DEVICE_THREADS
template <class T>
using device_vector = thrust::omp::vector<T>;
inline auto policy() {
  return thrust::omp::par;
}
#else
template <class T>
using device_vector = thrust::cpp::vector<T>;
inline auto policy() {
  return thrust::cpp::par;
}
#endif

template <class T>
T* raw(device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
template <class T>
const T* raw(const device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

// A host vector's copy in device memory.
template <class T>
device_vector<T> upload(const std::vector<T>& host) {
  return device_vector<T>(host.begin(), host.end());
}
template <class T>
std::vector<T> download(const device_vector<T>& v) {
  std::vector<T> host(v.size());
  thrust::copy(v.begin(), v.end(), host.begin());
  return host;
}

// f(i) for i in [0, n), in parallel on the device.
template <class F>
void for_each_index(std::uint64_t n, const F& f) {
  if (n > 0)
    thrust::for_each_n(policy(), thrust::counting_iterator<std::uint64_t>(0), n, f);
}

} // namespace myelin::MYELIN_DEVICE_NS
