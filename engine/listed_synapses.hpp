#pragma once
// Synapses given one by one (a SONATA circuit's edges) rather than by a
// connection rule: the reader hands each rank those of its own targets, and
// build() puts them into the static synapse tables beside the rule-made ones.
#include <cstdint>
#include <vector>

namespace myelin {

struct listed_synapse {
  std::uint64_t source = 0, target = 0; // gids
  double weight = 0.0;
  std::int64_t delay = 1; // steps, >= 1
  int port = 0;           // receptor port (0-based) of a target with typed receptors
};

} // namespace myelin
