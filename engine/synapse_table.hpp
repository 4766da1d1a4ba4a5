#pragma once
// Incoming synapses of a block of target neurons, indexed by the source's
// subscription row and grouped by delay and receptor port: a spike walks its
// source's segments and adds each weight to ring[channel][(step + delay) mod
// R][target]. 8 bytes a synapse; delays and ports live in the segments, not
// in the synapses.
#include <cstdint>
#include <vector>

namespace myelin {

struct synapse {
  std::uint32_t target; // local neuron index
  float weight;         // pA (current synapses) or mV (delta synapses)
};
static_assert(sizeof(synapse) == 8);

struct synapse_table {
  std::vector<std::uint64_t> source_segments; // [row] -> first segment; size n_rows + 1
  std::vector<std::uint16_t> segment_delay;   // steps
  // Receptor port of each segment (engine/ring_layout.hpp); empty when every
  // segment is on port 0, as in networks without typed receptors.
  std::vector<std::uint8_t> segment_port;
  std::vector<std::uint64_t> segment_synapses; // [segment] -> first synapse; size n_segments + 1
  std::vector<synapse> synapses;

  std::uint64_t bytes() const {
    return source_segments.capacity() * 8 + segment_delay.capacity() * 2 + segment_port.capacity() +
           segment_synapses.capacity() * 8 + synapses.capacity() * sizeof(synapse);
  }
};

} // namespace myelin
