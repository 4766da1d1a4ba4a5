#pragma once
// Which Thrust system this translation unit's device code runs on. The device
// backend's sources are compiled twice: by g++ into backend_omp.cpp
// (MYELIN_DEVICE_CUDA 0, Thrust's OpenMP system: `--backend omp`; its
// sequential CPP system where the compiler has no OpenMP) and by nvcc
// into backend_cuda.cu (MYELIN_DEVICE_CUDA 1: `--backend cuda`). Each build
// lands in its own namespace and names its Thrust system explicitly (never
// thrust::device_vector), so both link into one binary.
#include "models/host_device.hpp"

#if !MYELIN_DEVICE_CUDA
#include "engine/device/cpu_radix_sort.hpp"
#endif

#if MYELIN_DEVICE_CUDA
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/memory.h>
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

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sort.h>
#include <thrust/transform.h>
#include <utility>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

#if MYELIN_DEVICE_CUDA
template <class T>
using device_vector = thrust::cuda::vector<T>;

// Temporary storage for Thrust's algorithms (a scan's partial sums) from
// blocks kept for reuse, as in Thrust's custom_temporary_allocation example:
// the default allocator frees after every algorithm, and cudaFree waits for
// the whole device, which would put a host wait into every epoch.
class scratch_blocks {
public:
  using value_type = char;
  char* allocate(std::ptrdiff_t n) {
    for (auto& b : blocks_)
      if (!b.used && b.size >= n) {
        b.used = true;
        return b.data;
      }
    char* p = thrust::raw_pointer_cast(thrust::cuda::malloc<char>(static_cast<std::size_t>(n)));
    blocks_.push_back({p, n, true});
    return p;
  }
  void deallocate(char* p, std::size_t) {
    for (auto& b : blocks_)
      if (b.data == p)
        b.used = false;
  }

private:
  struct block {
    char* data;
    std::ptrdiff_t size;
    bool used;
  };
  std::vector<block> blocks_;
};

// The stream every launch and Thrust algorithm of the backend queues on. Its
// own because the legacy default stream cannot be captured into a graph
// (engine/device/epoch_graph.hpp); a blocking one, so that the copies which
// go through the legacy stream (thrust::copy, device_vector) stay ordered
// with it both ways. Made on first use, after the device was chosen
// (engine/make_backend.cpp); never destroyed, as the scratch blocks below.
inline cudaStream_t device_stream() {
  static const cudaStream_t stream = [] {
    cudaStream_t s = nullptr;
    if (cudaStreamCreate(&s) != cudaSuccess) {
      (void)cudaGetLastError();
      return cudaStream_t{}; // the legacy stream: correct, never captured
    }
    return s;
  }();
  return stream;
}

// Launches queue on the stream without waiting: the host waits only where it
// reads a result back (counts, the epoch's spikes).
inline auto policy() {
  // Kept for the process's life: freeing at exit could outlive the runtime.
  static scratch_blocks scratch;
  return thrust::cuda::par_nosync(scratch).on(device_stream());
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

#if !MYELIN_DEVICE_CUDA
// On CPU threads a CUDA graph capture is emulated (engine/device/epoch_graph.hpp):
// while a recording is set, for_each_index, exclusive_scan_in_place and sort_keys keep
// a copy of their functor and arguments, as a capture keeps a kernel's,
// instead of running; a copy between host and device memory throws, as it
// would end a capture.
struct launch_recording {
  std::vector<std::function<void()>> launches;
};
inline launch_recording*& recording() {
  static launch_recording* now = nullptr;
  return now;
}
inline void refuse_while_recording(const char* what) {
  if (recording())
    throw std::logic_error(std::string(what) + " while launches are recorded for a graph");
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

// Device memory for n values that are all written before any is read: no
// initialising pass, which a device_vector makes (a kernel on a GPU, a pass
// over fresh pages on CPU threads). For construction's transient arrays.
template <class T>
class uninitialized_array {
public:
  uninitialized_array() = default;
  explicit uninitialized_array(std::uint64_t n)
      : size_(n) {
#if MYELIN_DEVICE_CUDA
    if (n > 0)
      data_ = thrust::raw_pointer_cast(thrust::cuda::malloc<T>(n));
#else
    data_ = n > 0 ? new T[n] : nullptr;
#endif
  }
  uninitialized_array(uninitialized_array&& o) noexcept
      : data_(std::exchange(o.data_, nullptr))
      , size_(std::exchange(o.size_, 0)) {}
  uninitialized_array& operator=(uninitialized_array&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  uninitialized_array(const uninitialized_array&) = delete;
  uninitialized_array& operator=(const uninitialized_array&) = delete;
  ~uninitialized_array() {
#if MYELIN_DEVICE_CUDA
    if (data_)
      thrust::cuda::free(thrust::cuda::pointer<T>(data_));
#else
    delete[] data_;
#endif
  }
  T* data() {
    return data_;
  }
  const T* data() const {
    return data_;
  }
  std::uint64_t size() const {
    return size_;
  }

private:
  T* data_ = nullptr;
  std::uint64_t size_ = 0;
};

template <class T>
T* raw(uninitialized_array<T>& a) {
  return a.data();
}
template <class T>
const T* raw(const uninitialized_array<T>& a) {
  return a.data();
}

// Device code reaches device vectors only through raw pointers: algorithms
// get raw(v), never v.begin(), and no element is read as v[i]. Thrust's
// element references dispatch by upcasting a null pointer, which UBSan
// rejects (its CPU systems would do so inside every algorithm).
//
// Copies between host and device memory (on the CPU systems device memory
// is host memory).
template <class T>
void copy_to_host(const device_vector<T>& v, std::size_t first, std::size_t n, T* out) {
  if (n == 0)
    return;
#if MYELIN_DEVICE_CUDA
  thrust::copy_n(v.begin() + static_cast<std::ptrdiff_t>(first), n, out);
#else
  refuse_while_recording("a copy to the host");
  std::copy_n(raw(v) + first, n, out);
#endif
}
template <class T>
void copy_to_device(const T* in, std::size_t n, device_vector<T>& v, std::size_t first = 0) {
  if (n == 0)
    return;
#if MYELIN_DEVICE_CUDA
  thrust::copy_n(in, n, v.begin() + static_cast<std::ptrdiff_t>(first));
#else
  refuse_while_recording("a copy to the device");
  std::copy_n(in, n, raw(v) + first);
#endif
}
template <class T>
T read_element(const device_vector<T>& v, std::size_t i) {
  T x{};
  copy_to_host(v, i, 1, &x);
  return x;
}
template <class T>
void write_element(device_vector<T>& v, std::size_t i, const T& x) {
  copy_to_device(&x, 1, v, i);
}

template <class T>
T read_element(const uninitialized_array<T>& a, std::size_t i) {
  T x{};
#if MYELIN_DEVICE_CUDA
  thrust::copy_n(thrust::cuda::pointer<const T>(a.data() + i), 1, &x);
#else
  x = a.data()[i];
#endif
  return x;
}
template <class T>
void write_element(uninitialized_array<T>& a, std::size_t i, const T& x) {
#if MYELIN_DEVICE_CUDA
  thrust::copy_n(&x, 1, thrust::cuda::pointer<T>(a.data() + i));
#else
  a.data()[i] = x;
#endif
}

// A host vector's copy in device memory.
template <class T>
device_vector<T> upload(const std::vector<T>& host) {
  return device_vector<T>(host.begin(), host.end());
}
// The host vector's values into v, reusing v's memory: a buffer refilled
// every epoch allocates only when it grows.
template <class T>
void assign(device_vector<T>& v, const std::vector<T>& host) {
  v.resize(host.size());
  copy_to_device(host.data(), host.size(), v);
}
// Room for n entries in v, which only grows (by `spare` entries more than
// asked, where sizes creep up call after call): a buffer sized for the
// largest of several uses keeps its address and never refills, as a
// captured graph (engine/device/epoch_graph.hpp) needs. Growing is an
// allocation, which would end a capture (and fails an emulated one).
template <class T>
void hold_at_least(device_vector<T>& v, std::size_t n, std::size_t spare = 0) {
  if (v.size() >= n)
    return;
#if !MYELIN_DEVICE_CUDA
  refuse_while_recording("a device allocation");
#endif
  v = device_vector<T>(n + spare);
}
template <class T>
std::vector<T> download(const device_vector<T>& v) {
  std::vector<T> host(v.size());
  copy_to_host(v, 0, v.size(), host.data());
  return host;
}

// Sorts n integer keys in device memory. On the CPU systems std::sort: the
// memory is host memory, and Thrust's sequential radix sort goes through
// element references, which UBSan rejects (see above). Keys are integers, so
// every sort gives the same result.
template <class T>
void sort_keys(T* keys, std::uint64_t n) {
#if !MYELIN_DEVICE_CUDA
  if (launch_recording* r = recording()) {
    r->launches.push_back([keys, n] { sort_keys(keys, n); });
    return;
  }
#endif
#if MYELIN_DEVICE_CUDA
  thrust::sort(policy(), keys, keys + n);
#else
  std::sort(keys, keys + n);
#endif
}

// Sorts n unsigned integer keys and carries their values along; equal keys
// keep their values' order. A radix sort both ways: Thrust's (CUB's) on the
// GPU; on the CPU systems engine/device/cpu_radix_sort.hpp's (Thrust's CPU
// radix sort reads through element references, see above, and is sequential).
template <class K, class V>
void stable_sort_by_key(K* keys, V* values, std::uint64_t n) {
#if MYELIN_DEVICE_CUDA
  thrust::stable_sort_by_key(policy(), keys, keys + n, values);
#else
  cpu_radix::stable_sort_by_key(keys, values, n);
#endif
}

// f(i) for i in [0, n), in parallel on the device. On CPU threads a launch
// of a few items runs on the calling thread: waking the team costs more than
// the items (a small network's epochs are a handful of spikes each). The
// functors are independent of their order, so the results are the same.
template <class F>
void for_each_index(std::uint64_t n, const F& f) {
#if !MYELIN_DEVICE_CUDA
  if (launch_recording* r = recording()) {
    if (n > 0)
      r->launches.push_back([n, f] { for_each_index(n, f); });
    return;
  }
  if (n < 64) {
    for (std::uint64_t i = 0; i < n; ++i)
      f(i);
    return;
  }
#endif
  if (n > 0)
    thrust::for_each_n(policy(), thrust::counting_iterator<std::uint64_t>(0), n, f);
}

// An exclusive scan of n values in device memory, in place.
template <class T>
void exclusive_scan_in_place(T* values, std::uint64_t n) {
#if !MYELIN_DEVICE_CUDA
  if (launch_recording* r = recording()) {
    r->launches.push_back([values, n] { exclusive_scan_in_place(values, n); });
    return;
  }
#endif
  thrust::exclusive_scan(policy(), values, values + n, values);
}

} // namespace myelin::MYELIN_DEVICE_NS
