#pragma once
// A rank's synapse tables, one per target block and table (the static
// synapses, each plastic projection): generated from the connection rules'
// per-target keys and the listed synapses, indexed by the rows of the rank's
// subscription table, sorted into delay-and-port segments. Each block is
// built on its own thread, in two walks over the same keys (count, then fill
// in place), so peak memory stays near the final tables.
#include "engine/built_network.hpp"
#include "engine/listed_synapses.hpp"
#include "engine/static_table_maker.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <vector>

namespace myelin {

struct built_tables {
  std::vector<std::uint64_t> row_gid;        // the subscription table: gid of each row, ascending
  std::int64_t min_delay = 0, max_delay = 0; // steps, over this rank's synapses (max 0: none)
  bool static_by_maker = false;              // the static tables came from the maker
  std::uint64_t plastic_by_maker = 0;        // plastic tables (one per block and projection) it made
};

// Fills every block's tables (the blocks give their target ranges). A maker
// (a device) is asked to draw the static tables and the plastic ones first;
// the threads here build what it declines.
built_tables build_tables(const spec::network& net, const rank_layout& ln,
                          const std::vector<listed_synapse>& listed, std::vector<target_block>& blocks,
                          static_table_maker* maker = nullptr);

} // namespace myelin
