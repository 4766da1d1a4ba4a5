#pragma once
// The one owner of the ring buffer's arithmetic: pending synaptic input is
// int64 fixed point (engine/fixed_point.hpp) at [channel][slot][neuron], with
// n_slots > the largest delay, so step s lands in slot s mod n_slots.
//
// Channels: every receptor port has two, its positive input (channel
// 2 * port) and its negative input (2 * port + 1). Each channel then only
// ever sums one sign, so a saturated slot is still order-free. Sign-routed
// models (models/model_api.hpp) use port 0 only: their excitatory input is
// channel 0 and their inhibitory input channel 1 (single-input models read
// the sum); models with typed receptors read port r as the sum of its two
// channels. A rank's ring has as many channels as the network's model with
// the most ports needs (2 for today's models).
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
  // The channel a weight is added to, on receptor port `port` (0-based).
  MYELIN_HD static int channel_of(double weight, int port = 0) { return 2 * port + (weight < 0.0 ? 1 : 0); }
  // Even channels hold only positive input, odd ones only negative: what a
  // checkpoint reader checks.
  static bool sign_fits(int channel, std::int64_t value) {
    return channel % 2 == 0 ? value >= 0 : value <= 0;
  }
};

} // namespace myelin
