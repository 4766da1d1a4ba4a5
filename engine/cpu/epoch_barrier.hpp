#pragma once
// The barrier at the end of every epoch. Epochs can be one step long (a
// 0.1 ms delay), so the barrier runs 10,000 times per simulated second; a
// futex sleep and wake-up each time costs more than the work of a small
// network. Threads therefore spin briefly (they usually arrive within
// microseconds of each other), and only then sleep.
#include <atomic>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace myelin {

template <class Completion>
class epoch_barrier {
public:
  epoch_barrier(int threads, Completion completion)
      : threads_(threads)
      , completion_(completion) {}

  // The last thread to arrive runs the completion, then releases the others.
  void arrive_and_wait() {
    const std::uint32_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
      completion_();
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(generation + 1, std::memory_order_release);
      generation_.notify_all();
      return;
    }
    for (int spin = 0; spin < spin_limit; ++spin) {
      if (generation_.load(std::memory_order_acquire) != generation)
        return;
      pause();
    }
    while (generation_.load(std::memory_order_acquire) == generation)
      generation_.wait(generation, std::memory_order_acquire);
  }

private:
  static constexpr int spin_limit = 20000; // roughly 50-500 us, depending on the CPU's pause
  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }
  const int threads_;
  Completion completion_;
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> generation_{0};
};

} // namespace myelin
