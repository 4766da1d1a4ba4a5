#pragma once
// Another builder for a rank's static synapse tables than the host's
// threads: a device backend draws them where its threads are
// (engine/device/construction.hpp). The host builder (engine/synapse_tables.cpp)
// asks it first and builds the static tables itself when it declines, so the
// result is the host builder's tables, bit for bit, either way.
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
  const std::vector<char>& include;              // per projection: drawn into the static tables
  const std::vector<std::uint64_t>& source_base; // per projection: the candidate of its source 0
  std::uint64_t candidates = 0;                  // source candidates (engine/synapse_tables.cpp)
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks; // target ranges [first_local, end_local)
};

// A block's drawn synapses, as the host builder's count walk sees them.
struct drawn_block {
  std::int64_t dmin = INT64_MAX, dmax = 0; // steps; no synapse: (INT64_MAX, 0)
  int ports = 1;                           // 1 + the largest receptor port used
};

class static_table_maker {
public:
  virtual ~static_table_maker() = default;
  // Draws every synapse of d. False when this maker cannot: listed weights
  // or delays, more synapses than its memory holds while making tables, or
  // a draw the host builder must report (a delay out of range, a bound no
  // draw meets); it then holds nothing. On success `used` holds, per
  // candidate, whether it has a synapse here, and `out` each block's summary.
  virtual bool draw(const static_draws& d, std::vector<char>& used, std::vector<drawn_block>& out) = 0;
  // Makes block b's static table once the rows are numbered (row_before[c]:
  // candidate c's row, when it has one; `rows`: their number) and keeps it
  // where the backend will run, for the backend to take
  // (engine/make_backend.cpp); the block's host table stays empty.
  virtual void make(std::size_t b, const std::vector<std::uint64_t>& row_before, std::uint64_t rows) = 0;
};

} // namespace myelin
