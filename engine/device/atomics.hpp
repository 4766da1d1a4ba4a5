#pragma once
// The device's two atomic operations, written once with libcu++'s
// cuda::atomic_ref (lock-free on the host as on the GPU):
// - ring input added with saturation, the same in any order
//   (engine/fixed_point.hpp);
// - a slot reserved in an append buffer by a counter.
#include "engine/device/system.hpp"
#include "engine/fixed_point.hpp"

#include <cuda/atomic>

namespace myelin::MYELIN_DEVICE_NS {

// One native atomic add (atomics wrap, never undefined); the add that
// crosses an end of the range stores that end. Order-free because a channel
// only sums one sign: if the true sum overflows, some add crosses the end,
// and every later add onto the end crosses it again and stores it again, so
// the end is the last value written; if it does not overflow, no partial
// sum does, and the result is the plain sum. (A thread may meanwhile see a
// wrapped value, but only while the true sum is past the end already.)
MYELIN_HD inline void atomic_ring_add(std::int64_t* slot, std::int64_t v) {
  ::cuda::atomic_ref<std::int64_t, ::cuda::thread_scope_device> a(*slot);
  const std::int64_t old = a.fetch_add(v, ::cuda::memory_order_relaxed);
  if (v > 0 ? old > fixed_max - v : old < fixed_min - v)
    a.store(v > 0 ? fixed_max : fixed_min, ::cuda::memory_order_relaxed);
}

// Reserves n consecutive entries; the first one's index (may be >= capacity:
// the caller then writes nothing and the owner sees the overflow).
MYELIN_HD inline unsigned long long reserve(unsigned long long* counter, unsigned long long n) {
  ::cuda::atomic_ref<unsigned long long, ::cuda::thread_scope_device> a(*counter);
  return a.fetch_add(n, ::cuda::memory_order_relaxed);
}

MYELIN_HD inline void atomic_count(unsigned long long* counter, unsigned long long n) {
  ::cuda::atomic_ref<unsigned long long, ::cuda::thread_scope_device> a(*counter);
  a.fetch_add(n, ::cuda::memory_order_relaxed);
}

} // namespace myelin::MYELIN_DEVICE_NS
