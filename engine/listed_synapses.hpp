#pragma once
// Synapses given one by one (a SONATA circuit's edges) rather than by a
// connection rule: the reader hands each rank those of its own targets, and
// build() puts them into the static synapse tables beside the rule-made ones,
// or, for plastic edge types, into their projection's plastic table.
#include <cstdint>
#include <limits>
#include <vector>

namespace myelin {

struct listed_synapse {
  static constexpr std::uint32_t in_static_table = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t source = 0, target = 0; // gids
  double weight = 0.0;
  std::int64_t delay = 1; // steps, >= 1
  int port = 0;           // receptor port (0-based) of a target with typed receptors
  // The plastic projection (index in network::projections, rule kind edges)
  // whose table holds it, or in_static_table.
  std::uint32_t projection = in_static_table;
};

} // namespace myelin
