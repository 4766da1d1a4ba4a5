#pragma once
// Everything one rank needs to simulate its neurons: groups (state), per-thread
// synapse shards, subscriptions, the ring buffer of pending input and the
// multimeter buffers.
#include "engine/neuron_group.hpp"
#include "engine/plastic_projection.hpp"
#include "engine/post_history.hpp"
#include "engine/synapse_table.hpp"
#include "partition/decomposition.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace myelin {

// One thread's target neurons [first_local, end_local) and their incoming
// synapses. A thread delivers only into its own targets: no atomics, no races.
struct thread_shard {
  std::uint64_t first_local = 0, end_local = 0;
  synapse_table table;                                      // static synapses
  std::vector<std::unique_ptr<plastic_projection>> plastic; // one per plastic projection
  // Postsynaptic history entries kept by this thread's neurons, and the count
  // at which they are next pruned.
  std::uint64_t history_entries = 0, prune_at = 0;
};

// When a shard's postsynaptic histories are next pruned: when they have
// doubled since the last pruning, and not before they average 16 entries.
inline std::uint64_t prune_threshold(const thread_shard& sh, std::uint64_t entries_now) {
  return std::max<std::uint64_t>(2 * entries_now, 16 * (sh.end_local - sh.first_local) + 1024);
}

struct local_network {
  int rank = 0, n_ranks = 1;
  double dt = 0.1;
  std::uint64_t n_global = 0;                        // neurons in the whole network
  std::uint64_t n_local = 0;                         // neurons on this rank
  std::vector<std::uint64_t> population_offsets;     // first gid per population, plus the total
  std::vector<partition::slice> slices;              // this rank's neurons, ascending gid
  std::vector<std::size_t> population_slices;        // slices of population p: [ps[p], ps[p + 1])
  std::vector<std::unique_ptr<neuron_group>> groups; // one per slice
  std::vector<std::vector<std::string>> raw_fields;  // per population: its groups' state fields
  std::vector<thread_shard> shards;
  std::vector<std::unique_ptr<trace_buffer>> traces; // one per multimeter, in spec order
  std::vector<std::vector<std::uint64_t>>
      trace_columns; // per multimeter: positions in its ids list held here

  // Ranks that hold targets of local neuron l (its subscribers):
  // subscriber_ranks[subscriber_offsets[l] .. subscriber_offsets[l + 1]).
  std::vector<std::uint64_t> subscriber_offsets;
  std::vector<std::uint32_t> subscriber_ranks;

  std::int64_t min_delay = 0;   // smallest delay of any synapse in the network, steps (0: none)
  std::int64_t max_delay = 0;   // largest delay of this rank's synapses, steps
  std::int64_t epoch_steps = 1; // steps advanced between spike exchanges
  bool overlap = false;         // the exchange of epoch k runs during epoch k+1
  std::int64_t ring_slots = 1;
  std::vector<std::int64_t> ring; // [2][ring_slots][n_local]
  post_histories post;            // postsynaptic spikes of STDP targets

  std::uint64_t n_synapses() const;
  std::uint64_t synapse_bytes() const;
  ring_view ring_access() { return {ring.data(), n_local, ring_slots}; }

  // Whether this rank owns gid, a neuron of population p.
  bool owns(std::size_t p, std::uint64_t gid) const { return slice_of(p, gid) != no_slice; }
  // Local index of a gid this rank owns (population p).
  std::uint64_t local_index(std::size_t p, std::uint64_t gid) const {
    const auto& s = slices[slice_of(p, gid)];
    return s.first_local + (gid - s.first_gid) / s.stride;
  }
  // The slice holding gid (a neuron of population p), or no_slice.
  static constexpr std::size_t no_slice = static_cast<std::size_t>(-1);
  std::size_t slice_of(std::size_t p, std::uint64_t gid) const;
  // Local indices of population p's neurons here: [first, end) (a population's
  // slices are consecutive in local numbering).
  std::pair<std::uint64_t, std::uint64_t> local_range(std::size_t p) const;
  // Index within its population of the neuron with local index l.
  std::uint64_t index_in_population(std::uint64_t local) const;
  std::size_t population_of(std::uint64_t gid) const;
};

} // namespace myelin
