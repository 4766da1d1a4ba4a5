#pragma once
// A spike at the three places it exists: emitted by a rank's neuron (its
// local index), arriving at a rank (its source's row in that rank's
// subscription table), and written out (its gid). Never strings, never a
// heap allocation per spike.
#include <cstdint>

namespace myelin {

// Emitted while updating `step`; stamped (step + 1) * dt.
struct local_spike {
  std::uint64_t local; // the neuron's local index on its rank
  std::int64_t step;
};

// A spike as the receiving rank's synapse tables know it.
struct arriving_spike {
  std::uint64_t row; // the source's row in this rank's subscription table
  std::int64_t step;
};

// A spike as files and users know it.
struct spike {
  std::uint64_t gid;
  std::int64_t step;
};

} // namespace myelin
