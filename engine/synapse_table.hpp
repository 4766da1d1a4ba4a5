#pragma once
// Incoming synapses of one thread's target neurons, indexed by source gid and
// grouped by delay: a spike walks its source's segments and adds each weight
// to ring[(step + delay) mod R][target]. 8 bytes a synapse; delays live in the
// segments, not in the synapses.
#include <cstdint>
#include <vector>

namespace myelin {

struct synapse {
  std::uint32_t target; // local neuron index
  float weight;         // pA (current synapses) or mV (delta synapses)
};
static_assert(sizeof(synapse) == 8);

struct synapse_table {
  std::vector<std::uint64_t> source_segments;  // [gid] -> first segment; size n_sources + 1
  std::vector<std::uint16_t> segment_delay;    // steps
  std::vector<std::uint64_t> segment_synapses; // [segment] -> first synapse; size n_segments + 1
  std::vector<synapse> synapses;

  std::uint64_t bytes() const {
    return source_segments.capacity() * 8 + segment_delay.capacity() * 2 + segment_synapses.capacity() * 8 +
           synapses.capacity() * sizeof(synapse);
  }
};

} // namespace myelin
