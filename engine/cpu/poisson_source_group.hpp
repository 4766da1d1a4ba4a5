#pragma once
// poisson_source neurons (models/poisson_source.hpp): independent Poisson
// trains, drawn like Poisson input (one 32-bit word per neuron and step,
// integer thresholds), so they need no state and no checkpoint data.
#include "engine/cpu/stateless_group.hpp"

#include <algorithm>

namespace myelin::cpu {

class poisson_source_group final : public stateless_group {
public:
  // Active for steps [first_step, end_step): spikes stamped in (start, stop].
  poisson_source_group(std::uint64_t first_gid, std::uint64_t gid_stride, std::uint64_t first_local,
                       std::uint64_t size, poisson_table table, rng::philox::key_type key,
                       std::int64_t first_step, std::int64_t end_step)
      : stateless_group(first_gid, gid_stride, first_local, size)
      , table_(std::move(table))
      , key_(key)
      , first_step_(first_step)
      , end_step_(end_step) {}

  void advance(std::uint64_t begin, std::uint64_t end, const advance_window& w,
               std::vector<local_spike>& out) override {
    const std::int64_t lo = std::max(w.first_step, first_step_);
    const std::int64_t hi = std::min(w.first_step + w.n_steps, end_step_);
    for (std::uint64_t i = begin; i < end; ++i) {
      const std::uint64_t g = gid(i);
      rng::philox::ctr_type words{};
      for (std::int64_t step = lo; step < hi; ++step) {
        const int lane = static_cast<int>(step & 3);
        if (lane == 0 || step == lo)
          words = rng::block(key_, static_cast<std::uint64_t>(step) >> 2, g);
        for (std::uint32_t n = table_.draw(words[lane]); n > 0; --n) // multiplicity, as a parrot neuron
          out.push_back({first_local_ + i, step});
      }
    }
  }

private:
  poisson_table table_;
  rng::philox::key_type key_;
  std::int64_t first_step_, end_step_;
};

} // namespace myelin::cpu
