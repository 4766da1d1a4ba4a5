#pragma once
// Another builder for a rank's synapse tables than the host's threads: a
// device backend draws them where its threads are
// (engine/device/construction.hpp). The host builder (engine/synapse_tables.cpp)
// asks it first and builds the static tables itself when it declines, so the
// result is the host builder's tables, bit for bit, either way. Besides the
// static tables it draws the plastic projections' own tables (one per block
// and plastic projection) that it can; the host builds the others.
#include "engine/built_network.hpp"
#include "engine/connectivity.hpp"
#include "engine/synapse_table.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <vector>

namespace myelin {

// What the maker draws: the included projections' synapses onto each
// block's targets, in the host builder's walk order (blocks, projections in
// file order, targets ascending, each target's synapses in draw order).
struct static_draws {
  const spec::network& net;
  const rank_layout& ln;
  const std::vector<projection_generator>& gens;
  const std::vector<char>& include;   // per projection: drawn into the static tables
  const std::vector<char>& own_table; // per projection: plastic, in a table of its own
  const std::vector<std::uint64_t>&
      source_base;              // per projection: the candidate of its source 0, or ~0 (none)
  std::uint64_t candidates = 0; // source candidates (engine/synapse_tables.cpp)
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks; // target ranges [first_local, end_local)
  std::vector<std::uint64_t> source_size;                      // per projection: its source population's
};

// One table of a block's drawn synapses, as the host builder's count walk
// sees them.
struct drawn_block {
  std::int64_t dmin = INT64_MAX, dmax = 0; // steps; no synapse: (INT64_MAX, 0)
  int ports = 1;                           // 1 + the largest receptor port used
};

// What the maker drew.
struct drawn_tables {
  std::vector<char> used;          // per candidate: has a synapse in a drawn table
  std::vector<drawn_block> blocks; // per block: its static table
  std::vector<char> own;           // per projection: its own tables drawn (the host builds the others)
  std::vector<std::vector<drawn_block>> own_blocks; // [block][projection]: those tables
};

class static_table_maker {
public:
  virtual ~static_table_maker() = default;
  // Draws every synapse of d's static tables, and of the own tables it can
  // draw (not listed values). False when this maker cannot: listed weights
  // or delays in a static table, more synapses than its memory holds while
  // making tables, an own table of 2^32 synapses or more, or a draw the host
  // builder must report (a delay out of range, a bound no draw meets); it
  // then holds nothing.
  virtual bool draw(const static_draws& d, drawn_tables& out) = 0;
  // Makes block b's static table once the rows are numbered (row_before[c]:
  // candidate c's row, when it has one; `rows`: their number) and keeps it
  // where the backend will run, for the backend to take
  // (engine/make_backend.cpp); the block's host table stays empty.
  virtual void make(std::size_t b, const std::vector<std::uint64_t>& row_before, std::uint64_t rows) = 0;
  // Block b's own table of drawn projection p, as the host builder would
  // have built it, on the host (the state API's layout needs it there).
  virtual plastic_table make_own(std::size_t b, std::size_t p, const std::vector<std::uint64_t>& row_before,
                                 std::uint64_t rows) = 0;
};

} // namespace myelin
