#pragma once
// spike_source neurons: emit precomputed steps. Stateless (the window is found
// by binary search), so nothing needs saving in a checkpoint.
#include "engine/cpu/stateless_group.hpp"

#include <algorithm>
#include <vector>

namespace myelin::cpu {

class spike_source_group final : public stateless_group {
public:
  // One list shared by all neurons, or one per neuron (lists.size() == size).
  spike_source_group(std::uint64_t first_gid, std::uint64_t gid_stride, std::uint64_t first_local,
                     std::uint64_t size, std::uint64_t first_index,
                     std::vector<std::vector<std::int64_t>> emit_steps)
      : stateless_group(first_gid, gid_stride, first_local, size)
      , first_index_(first_index)
      , emit_steps_(std::move(emit_steps)) {}

  void advance(std::uint64_t begin, std::uint64_t end, const advance_window& w,
               std::vector<local_spike>& out) override {
    for (std::uint64_t i = begin; i < end; ++i) {
      if (emit_steps_.empty())
        return;
      const auto& list =
          emit_steps_.size() == 1 ? emit_steps_[0] : emit_steps_[first_index_ + i * gid_stride_];
      for (auto it = std::lower_bound(list.begin(), list.end(), w.first_step);
           it != list.end() && *it < w.first_step + w.n_steps; ++it)
        out.push_back({first_local_ + i, *it});
    }
  }

private:
  std::uint64_t first_index_; // index within the population of neuron 0 of this slice
  std::vector<std::vector<std::int64_t>> emit_steps_;
};

} // namespace myelin::cpu
