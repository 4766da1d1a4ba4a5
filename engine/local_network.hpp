#pragma once
// Everything one rank needs to simulate its neurons: groups (state), per-thread
// synapse shards, the ring buffer of pending input and the multimeter buffers.
#include "engine/neuron_group.hpp"
#include "engine/synapse_table.hpp"

#include <memory>
#include <vector>

namespace myelin {

// One thread's target neurons [first_local, end_local) and their incoming
// synapses. A thread delivers only into its own targets: no atomics, no races.
struct thread_shard {
  std::uint64_t first_local = 0, end_local = 0;
  synapse_table table;
};

struct local_network {
  double dt = 0.1;
  std::uint64_t n_global = 0;                        // neurons in the whole network
  std::uint64_t n_local = 0;                         // neurons on this rank
  std::vector<std::uint64_t> population_offsets;     // first gid per population, plus the total
  std::vector<std::unique_ptr<neuron_group>> groups; // one per population (slice on this rank)
  std::vector<thread_shard> shards;
  std::vector<std::unique_ptr<trace_buffer>> traces; // one per multimeter, in spec order
  std::vector<std::uint64_t> trace_columns;          // recorded neurons per multimeter

  std::int64_t min_delay = 0, max_delay = 0; // over all synapses, steps (0: no synapses)
  std::int64_t epoch_steps = 1;              // steps advanced between spike exchanges
  std::int64_t ring_slots = 1;
  std::vector<std::int64_t> ring; // [2][ring_slots][n_local]

  std::uint64_t n_synapses() const;
  std::uint64_t synapse_bytes() const;
  ring_view ring_access() { return {ring.data(), n_local, ring_slots}; }
};

} // namespace myelin
