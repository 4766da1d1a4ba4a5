#pragma once
// Which rank owns which neuron. Every strategy gives each rank, per
// population, an arithmetic progression of gids (stride 1 for block, the rank
// count for round_robin), so a rank's neurons of one population form one
// neuron group. Results never depend on the strategy (promise 1); only speed
// and memory per rank do.
#include "engine/spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace myelin::partition {

enum class strategy { block, round_robin };

// "block" or "round_robin"; throws usage_error otherwise.
strategy parse_strategy(const std::string& name);
const char* strategy_name(strategy s);

// A rank's neurons of one population: gids first_gid + k * stride, k < count.
struct slice {
  std::uint64_t first_gid = 0;
  std::uint64_t stride = 1;
  std::uint64_t count = 0;
  std::uint64_t first_index = 0; // index of first_gid within its population
  std::uint64_t first_local = 0; // local index of first_gid on its rank
};

class decomposition {
public:
  decomposition(const spec::network& net, int n_ranks, strategy s);

  int ranks() const { return n_ranks_; }
  strategy kind() const { return strategy_; }
  int owner(std::uint64_t gid) const;
  std::uint64_t local_index(std::uint64_t gid) const; // on its owner
  // One slice per population, in file order (count may be 0).
  std::vector<slice> slices(int rank) const;
  std::uint64_t local_count(int rank) const;
  // Estimated cost per rank (neurons weighted plus expected incoming synapses).
  std::vector<double> costs() const;
  // max cost / mean cost (1 is perfect balance).
  double imbalance() const;

  // Cost of one neuron in units of one incoming synapse: roughly its state,
  // ring-buffer slots and per-step update against a synapse's 8 bytes and
  // per-spike add on the CPU backend.
  static constexpr double neuron_cost = 100.0;

private:
  int n_ranks_;
  strategy strategy_;
  std::vector<std::uint64_t> pop_first_;  // first gid per population, plus the total
  std::vector<double> cost_per_neuron_;   // per population
  std::vector<std::uint64_t> boundaries_; // block: first gid of each rank, plus the total
};

// Expected incoming synapses of one neuron of each population.
std::vector<double> expected_indegree(const spec::network& net);

} // namespace myelin::partition
