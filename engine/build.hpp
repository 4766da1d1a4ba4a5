#pragma once
// Builds a rank's share of the network from the spec (engine/built_network.hpp):
// its layout, its synapse tables (engine/synapse_tables.hpp), device inputs,
// multimeter probes, postsynaptic histories and subscriptions.
#include "engine/built_network.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/listed_synapses.hpp"
#include "engine/static_table_maker.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

namespace myelin {

// Collective: every rank calls it with the same spec and decomposition. Each
// rank generates only the incoming synapses of its own neurons, then tells the
// owners of their sources which ranks need their spikes.
// `blocks`: into how many target blocks the synapses are split (a CPU
// backend's threads); they are built in parallel, one thread each.
// `listed`: this rank's synapses given one by one (its targets' SONATA edges).
// `maker`: draws the static tables where it can (a device backend's
// construction on the device); the host's threads build the rest.
built_network build(const spec::network& net, const partition::decomposition& decomp,
                    comm::communicator& comm, unsigned blocks, const std::vector<listed_synapse>& listed = {},
                    static_table_maker* maker = nullptr);

// One rank, for tools and tests.
built_network build(const spec::network& net, unsigned blocks, const std::vector<listed_synapse>& listed = {},
                    static_table_maker* maker = nullptr);

// Ring channels every rank of this network has: two per receptor port of
// the model with the most typed ports, at least two (engine/ring_layout.hpp).
int ring_channels(const spec::network& net);

// Slots a neuron's pending input can span, counted from the step it reads
// next: max(largest delay, device delay + 1), at least one.
std::int64_t ring_slots_for(std::int64_t max_delay, std::int64_t device_delay);

// Steps between exchanges for a given smallest synaptic delay, and whether the
// exchange of one epoch can overlap the next (epochs of half the delay).
std::int64_t choose_epoch_steps(std::int64_t min_delay, bool overlap);

} // namespace myelin
