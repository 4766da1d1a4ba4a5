#pragma once
// Builds a rank's local_network from the spec. Synapses are generated per
// target from their keys in two passes (count, then fill in place), so peak
// memory stays near the final table: no transient copy of all synapses.
#include "engine/local_network.hpp"
#include "engine/spec.hpp"

namespace myelin {

local_network build(const spec::network& net, unsigned threads);

// Steps between exchanges for a given smallest synaptic delay.
std::int64_t choose_epoch_steps(std::int64_t min_delay);

} // namespace myelin
