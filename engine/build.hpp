#pragma once
// Builds a rank's local_network from the spec. Synapses are generated per
// target from their keys in two passes (count, then fill in place), so peak
// memory stays near the final table: no transient copy of all synapses.
#include "engine/comm/communicator.hpp"
#include "engine/listed_synapses.hpp"
#include "engine/local_network.hpp"
#include "engine/spec.hpp"
#include "partition/decomposition.hpp"

namespace myelin {

// Collective: every rank calls it with the same spec and decomposition. Each
// rank generates only the incoming synapses of its own neurons, then tells the
// owners of their sources which ranks need their spikes.
// `listed`: this rank's synapses given one by one (its targets' SONATA edges).
local_network build(const spec::network& net, const partition::decomposition& decomp,
                    comm::communicator& comm, unsigned threads,
                    const std::vector<listed_synapse>& listed = {});

// One rank, for tools and tests.
local_network build(const spec::network& net, unsigned threads,
                    const std::vector<listed_synapse>& listed = {});

// Steps between exchanges for a given smallest synaptic delay, and whether the
// exchange of one epoch can overlap the next (epochs of half the delay).
std::int64_t choose_epoch_steps(std::int64_t min_delay, bool overlap);

} // namespace myelin
