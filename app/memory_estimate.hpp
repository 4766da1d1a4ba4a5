#pragma once
// What a network needs in memory, estimated from its spec before anything is
// built: `myelin check` prints it, `myelin run` admits a run by it.
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace myelin::cli {

struct delay_range {
  std::int64_t min = std::numeric_limits<std::int64_t>::max(), max = 0;
  bool unbounded = false;
};

// Widens r by the delays a distribution can take (in steps of dt).
void widen(delay_range& r, const spec::distribution& d, double dt);
// The delays of the rule-based projections (SONATA edges are known only once read).
delay_range projection_delays(const spec::network& net);

struct memory_estimate {
  double synapses = 0;      // expected, whole network
  double synapse_bytes = 0; // whole network, with the per-neuron source index
  double state_bytes = 0;
  double ring_bytes = 0;
  std::vector<double> per_rank; // bytes each rank would hold under the decomposition
  double total() const { return synapse_bytes + state_bytes + ring_bytes; }
  double largest_rank() const;
  // Ranks needed at least, so that none holds more than `bytes` (0: no count would do).
  int ranks_needed(double bytes) const;
  double replicated = 0; // what every rank holds whatever the rank count
};

memory_estimate estimate_memory(const spec::network& net, const partition::decomposition& decomp,
                                const delay_range& delays);

std::string bytes_text(double bytes);

} // namespace myelin::cli
