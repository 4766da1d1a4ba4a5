#pragma once
// The one owner of the ring buffer's arithmetic: pending synaptic input is
// int64 fixed point (engine/fixed_point.hpp) at [channel][slot][neuron], with
// n_slots > the largest delay, so step s lands in slot s mod n_slots.
//
// Channels: input is routed by the weight's sign, channel 0 positive and
// channel 1 negative. Each channel then only ever sums one sign, so a
// saturated slot is still order-free; models with separate excitatory and
// inhibitory inputs read one channel each, single-input models their sum.
#include "models/model_api.hpp"

#include <cstdint>

namespace myelin {

struct ring_layout {
  std::uint64_t n_neurons = 0;
  std::int64_t n_slots = 1;
  int n_channels = 2;

  MYELIN_HD std::uint64_t size() const {
    return static_cast<std::uint64_t>(n_channels) * static_cast<std::uint64_t>(n_slots) * n_neurons;
  }
  // Where neuron 0's input for `step` on `channel` lies; neuron l is `l` further.
  MYELIN_HD std::uint64_t slot_base(int channel, std::int64_t step) const {
    return (static_cast<std::uint64_t>(channel) * static_cast<std::uint64_t>(n_slots) +
            static_cast<std::uint64_t>(step % n_slots)) *
           n_neurons;
  }
  MYELIN_HD std::uint64_t index(int channel, std::int64_t step, std::uint64_t local) const {
    return slot_base(channel, step) + local;
  }
  // How far channel c + 1 lies from channel c, for the same step and neuron.
  MYELIN_HD std::uint64_t channel_stride() const { return static_cast<std::uint64_t>(n_slots) * n_neurons; }
  // The channel a weight is added to.
  MYELIN_HD static int channel_of(double weight) { return weight < 0.0 ? 1 : 0; }
  // Channel 0 holds only positive input, channel 1 only negative: what a
  // checkpoint reader checks.
  static bool sign_fits(int channel, std::int64_t value) { return channel == 0 ? value >= 0 : value <= 0; }
};

} // namespace myelin
