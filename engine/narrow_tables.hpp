#pragma once
// A static synapse table with 16-bit target indices: the table's synapses
// split by target into pieces of at most 65,536 neurons, each piece with the
// host table's segment structure (rows, delays, ports) restricted to its
// targets, and the synapses as two arrays (target - base, weight): 6 bytes a
// synapse instead of 8. The device backend stores its static tables so;
// within a segment of a piece the synapses keep the host table's order.
#include "engine/synapse_table.hpp"

#include <cstdint>
#include <vector>

namespace myelin {

struct narrow_table {
  static constexpr std::uint64_t span = 65536; // targets a piece may hold

  std::uint64_t target_base = 0; // local index of the piece's target 0
  synapse_table segments;        // structure only: its `synapses` stay empty
  std::vector<std::uint16_t> target;
  std::vector<float> weight;
};

// The pieces of t that hold synapses, by ascending target_base (one piece
// when every target lies in [0, 65536)).
std::vector<narrow_table> split_narrow(const synapse_table& t);

} // namespace myelin
