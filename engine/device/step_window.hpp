#pragma once
// What one launch of neuron updates sees: the ring, the steps, where spikes
// and samples go. Plain pointers into device memory, copied into every
// functor (engine/device/neuron_update.hpp).
#include "engine/device/atomics.hpp"
#include "engine/device/post_histories.hpp"
#include "engine/ring_layout.hpp"
#include "engine/spike.hpp"

#include <cstdint>

namespace myelin::MYELIN_DEVICE_NS {

// One multimeter's sample rows of the current epoch.
struct trace_target {
  double* rows;
  std::int64_t interval;     // steps between samples
  std::int64_t first_sample; // sample number of row 0
  std::uint64_t row_size;
  const int* variables; // state field indices
  int n_variables;
};

// Where a multimeter samples a neuron of a group.
struct probe_site {
  std::uint32_t multimeter;
  std::uint64_t column;
};

// An append buffer of spikes: entries [0, capacity); `count` may exceed
// capacity, which tells the owner to grow it.
struct spike_buffer {
  local_spike* spikes;
  unsigned long long* count;
  unsigned long long capacity;

  MYELIN_HD void push(std::uint64_t local, std::int64_t step, unsigned long long n = 1) const {
    const unsigned long long at = reserve(count, n);
    for (unsigned long long k = 0; k < n && at + k < capacity; ++k)
      spikes[at + k] = {local, step};
  }
};

// A step given as an offset from the backend call's first step in device
// memory (below), for launches that must read the replaying call's.
struct step_origin {
  const std::int64_t* call_first;
  std::int64_t offset;
  MYELIN_HD std::int64_t value() const { return *call_first + offset; }
};

// The steps come as an offset from the backend call's first step, which lies
// in device memory (written once per call): a launch captured once into a
// CUDA graph (engine/device/epoch_graph.hpp) then steps whichever call
// replays it, where a step number held by value would replay the capture's.
struct step_window {
  std::int64_t* ring;
  ring_layout rl;
  const std::int64_t* call_first; // device memory: the call's first step
  std::int64_t offset, n_steps;   // steps [*call_first + offset, ... + n_steps)
  spike_buffer neuron_spikes;     // at most max_spikes_per_step per neuron and step (1; parrot 8, AdEx 2)
  spike_buffer source_spikes;     // spike and Poisson sources: any number
  unsigned long long* saturated;
  const trace_target* traces;
  post_record post; // postsynaptic histories of STDP targets

  MYELIN_HD std::int64_t first_step() const { return *call_first + offset; }
};

} // namespace myelin::MYELIN_DEVICE_NS
