#pragma once
// What build() makes of one rank's share of a network, before any backend
// owns it: which neurons are here (rank_layout), their incoming synapses as
// source-indexed tables over this rank's subscription rows, the device
// inputs, multimeter probes and postsynaptic histories. A backend turns it
// into its own memory (engine/backend.hpp); nothing here is a thread, a
// shard or a ring.
#include "engine/current_input.hpp"
#include "engine/poisson_table.hpp"
#include "engine/ring_layout.hpp"
#include "engine/rng.hpp"
#include "engine/synapse_table.hpp"
#include "partition/decomposition.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace myelin {

// Which neurons a rank holds and who needs their spikes: what the epoch loop,
// the recorders and the checkpoint files need, whatever the backend.
struct rank_layout {
  int rank = 0, n_ranks = 1;
  double dt = 0.1;
  std::uint64_t n_global = 0;                    // neurons in the whole network
  std::uint64_t n_local = 0;                     // neurons on this rank
  std::vector<std::uint64_t> population_offsets; // first gid per population, plus the total
  std::vector<partition::slice> slices;          // this rank's neurons, ascending gid
  std::vector<std::size_t> population_slices;    // slices of population p: [ps[p], ps[p + 1])
  // Per population: the stored state fields a checkpoint holds (V_m relative
  // to E_L for LIF models, the refractory counter as a double), the same on
  // every backend.
  std::vector<std::vector<std::string>> state_fields;

  // The subscription table: the gid of each row (ascending), one row per
  // source with synapses on this rank. Arriving spikes name their row.
  std::vector<std::uint64_t> row_gid;
  // Subscribers of local neuron l: ranks subscriber_ranks[k] and the
  // neuron's row there subscriber_rows[k], for k in
  // [subscriber_offsets[l], subscriber_offsets[l + 1]).
  std::vector<std::uint64_t> subscriber_offsets;
  std::vector<std::uint32_t> subscriber_ranks;
  std::vector<std::uint64_t> subscriber_rows;

  std::int64_t min_delay = 0;   // smallest delay of any synapse in the network, steps (0: none)
  std::int64_t max_delay = 0;   // largest delay of this rank's synapses, steps
  std::int64_t epoch_steps = 1; // steps advanced between spike exchanges
  bool overlap = false;         // the exchange of epoch k runs during epoch k+1
  ring_layout ring;             // pending input: slots and channels for n_local neurons

  // Per multimeter: the sample interval (steps), the values per sample row
  // here, and the positions in its ids list held here.
  std::vector<std::int64_t> trace_interval;
  std::vector<std::size_t> trace_row_size;
  std::vector<std::vector<std::uint64_t>> trace_columns;
  std::vector<std::size_t> plastic_projections; // spec indices, in file order

  // Whether this rank owns gid, a neuron of population p.
  bool owns(std::size_t p, std::uint64_t gid) const { return slice_of(p, gid) != no_slice; }
  // Local index of a gid this rank owns (population p).
  std::uint64_t local_index(std::size_t p, std::uint64_t gid) const {
    const auto& s = slices[slice_of(p, gid)];
    return s.first_local + (gid - s.first_gid) / s.stride;
  }
  static constexpr std::size_t no_slice = static_cast<std::size_t>(-1);
  // The slice holding gid (a neuron of population p), or no_slice.
  std::size_t slice_of(std::size_t p, std::uint64_t gid) const;
  // The slice holding local neuron l.
  std::size_t slice_of_local(std::uint64_t local) const;
  // Local indices of population p's neurons here: [first, end) (a population's
  // slices are consecutive in local numbering).
  std::pair<std::uint64_t, std::uint64_t> local_range(std::size_t p) const;
  // Index within its population of the neuron with local index l.
  std::uint64_t index_in_population(std::uint64_t local) const;
  std::uint64_t gid_of(std::uint64_t local) const;
  std::size_t population_of(std::uint64_t gid) const;
};

// An independent Poisson train into every neuron of a population (a
// poisson_generator device).
struct poisson_input {
  poisson_table table;
  rng::philox::key_type key;
  std::int64_t weight; // fixed point
  int channel;
  std::int64_t delay; // steps
};

// Where a multimeter samples one neuron: slice, index in the slice, and the
// first of its values in the multimeter's sample row.
struct probe_site {
  std::size_t slice;
  std::uint64_t in_slice;
  std::size_t column;
};

struct multimeter_plan {
  std::vector<int> variables; // state field indices of the population's model
  std::vector<probe_site> probes;
};

// One plastic projection's synapses onto a block's targets. Canonical order,
// independent of ranks and threads: targets ascending, each target's synapses
// in the order they were drawn. The block's targets are local neurons
// [target_first, target_first + target_offsets.size() - 1); target i's
// synapses hold canonical positions [target_offsets[i], target_offsets[i+1]).
struct plastic_table {
  std::size_t projection = 0; // index in the spec
  // Rows: the subscription rows [row_first, row_first + n_rows) of the source
  // population's neurons (a population's rows are consecutive); weight: the
  // initial weight.
  synapse_table table;
  std::uint64_t row_first = 0;
  std::uint64_t target_first = 0;
  std::vector<std::uint64_t> target_offsets{0};
  std::vector<std::uint32_t> canonical; // [synapse in table order] -> canonical position
  std::vector<double> initial_weight;   // [synapse in table order], double precision
};

// Consecutive target neurons [first_local, end_local) and all their incoming
// synapses. build() makes as many blocks as it is asked for (a CPU backend:
// one per thread, each delivering into its own targets without atomics).
struct target_block {
  std::uint64_t first_local = 0, end_local = 0;
  synapse_table table; // static synapses
  std::vector<plastic_table> plastic;
};

struct built_network {
  rank_layout layout;
  std::vector<target_block> blocks;
  std::vector<std::vector<poisson_input>> inputs; // per population
  std::vector<population_currents> currents;      // per population
  std::vector<multimeter_plan> multimeters;       // in spec order
  std::vector<double> tau_minus;       // per local neuron: > 0 keeps a postsynaptic history (STDP targets)
  bool static_tables_by_maker = false; // drawn on the device (engine/static_table_maker.hpp)
  std::uint64_t plastic_tables_by_maker = 0; // of the blocks' plastic tables, those drawn on the device
};

// One synapse of a built network, as NEST's GetConnections shows it.
struct built_connection {
  std::uint64_t source;       // gid
  std::uint64_t target_local; // local index
  double delay_ms;
  double weight; // static: as stored (float widened); plastic: its initial weight
};
// Every synapse of the rank's tables: each block's static table, then its
// plastic tables.
std::vector<built_connection> built_connections(const built_network& b);

} // namespace myelin
