#pragma once
// The CPU systems' stable sort by unsigned integer key (engine/device/system.hpp's
// stable_sort_by_key off the GPU): an LSD radix sort over the bits the keys
// use, at most 16 a pass, on the OpenMP team where there is one. Each thread
// counts and scatters one contiguous run of the input, and the cursors are
// laid out digit by digit, thread by thread, so equal keys keep their order
// whatever the number of threads: the result is the sequential sort's.
// Parallel because construction on CPU threads sorts every drawn synapse, and
// a sequential scatter also takes every first touch of the new pages alone.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#if MYELIN_DEVICE_THREADS
#include <omp.h>
#define MYELIN_CPU_RADIX_OMP(directive) _Pragma(#directive)
#else // one thread; no unknown-pragma warnings
#define MYELIN_CPU_RADIX_OMP(directive)
#endif

namespace myelin::cpu_radix {

// Below this many keys one thread sorts: waking the team costs more.
inline constexpr std::uint64_t parallel_from = std::uint64_t{1} << 16;

inline int team_size(std::uint64_t n) {
#if MYELIN_DEVICE_THREADS
  return n >= parallel_from ? std::max(1, omp_get_max_threads()) : 1;
#else
  (void)n;
  return 1;
#endif
}
inline int thread_index() {
#if MYELIN_DEVICE_THREADS
  return omp_get_thread_num();
#else
  return 0;
#endif
}
inline int threads_running() {
#if MYELIN_DEVICE_THREADS
  return omp_get_num_threads();
#else
  return 1;
#endif
}

// Thread t's run of [0, n) among `team` threads.
inline std::pair<std::uint64_t, std::uint64_t> run_of(int t, int team, std::uint64_t n) {
  const auto per = n / static_cast<std::uint64_t>(team), extra = n % static_cast<std::uint64_t>(team);
  const auto tt = static_cast<std::uint64_t>(t);
  const std::uint64_t first = tt * per + std::min(tt, extra);
  return {first, first + per + (tt < extra ? 1 : 0)};
}

template <class K, class V>
void stable_sort_by_key(K* keys, V* values, std::uint64_t n) {
  const int team = team_size(n);
  std::vector<K> top(static_cast<std::size_t>(team), 0);
  MYELIN_CPU_RADIX_OMP(omp parallel num_threads(team))
  {
    const auto [first, end] = run_of(thread_index(), threads_running(), n);
    K mine = 0;
    for (std::uint64_t i = first; i < end; ++i)
      mine = std::max(mine, keys[i]);
    top[static_cast<std::size_t>(thread_index())] = mine;
  }
  const K largest = *std::max_element(top.begin(), top.end());
  int bits = 0;
  while (bits < static_cast<int>(8 * sizeof(K)) && (largest >> bits) != 0)
    ++bits;
  if (bits == 0)
    return;
  const int passes = (bits + 15) / 16;
  const int digit_bits = (bits + passes - 1) / passes;
  const std::uint64_t digits = std::uint64_t{1} << digit_bits, mask = digits - 1;
  // Uninitialised: every entry is written before it is read.
  const std::unique_ptr<K[]> key_tmp(new K[n]);
  const std::unique_ptr<V[]> value_tmp(new V[n]);
  std::vector<std::uint64_t> cursor(static_cast<std::size_t>(team) * digits); // [thread][digit]
  K* from_k = keys;
  V* from_v = values;
  K* to_k = key_tmp.get();
  V* to_v = value_tmp.get();
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = pass * digit_bits;
    MYELIN_CPU_RADIX_OMP(omp parallel num_threads(team))
    {
      const int t = thread_index(), running = threads_running();
      const auto [first, end] = run_of(t, running, n);
      std::uint64_t* const mine = cursor.data() + static_cast<std::uint64_t>(t) * digits;
      std::fill(mine, mine + digits, 0);
      for (std::uint64_t i = first; i < end; ++i)
        ++mine[(from_k[i] >> shift) & mask];
      MYELIN_CPU_RADIX_OMP(omp barrier)
      MYELIN_CPU_RADIX_OMP(omp single)
      {
        std::uint64_t at = 0;
        for (std::uint64_t d = 0; d < digits; ++d)
          for (int u = 0; u < running; ++u)
            at += std::exchange(cursor[static_cast<std::uint64_t>(u) * digits + d], at);
      } // the single's barrier: every cursor is placed
      for (std::uint64_t i = first; i < end; ++i) {
        const std::uint64_t k = mine[(from_k[i] >> shift) & mask]++;
        to_k[k] = from_k[i];
        to_v[k] = from_v[i];
      }
    }
    std::swap(from_k, to_k);
    std::swap(from_v, to_v);
  }
  if (from_k != keys) {
    MYELIN_CPU_RADIX_OMP(omp parallel num_threads(team))
    {
      const auto [first, end] = run_of(thread_index(), threads_running(), n);
      std::copy(from_k + first, from_k + end, keys + first);
      std::copy(from_v + first, from_v + end, values + first);
    }
  }
}

} // namespace myelin::cpu_radix
