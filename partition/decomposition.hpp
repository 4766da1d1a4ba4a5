#pragma once
// Which rank owns which neuron. A rank's neurons are a list of slices, each an
// arithmetic progression of gids inside one population (stride 1 for block
// and graph, the rank count for round_robin), sorted by gid; local indices
// number them in that order, so a population's neurons on a rank are one
// contiguous run of local indices. Results never depend on the strategy
// (promise 1); only speed, memory and traffic do.
#include "partition/blocks.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace myelin::partition {

enum class strategy { block, round_robin, graph };

// "block", "round_robin" or "graph"; throws usage_error otherwise.
strategy parse_strategy(const std::string& name);
const char* strategy_name(strategy s);

// Some of a rank's neurons of one population: gids first_gid + k * stride, k < count.
struct slice {
  std::size_t population = 0;
  std::uint64_t first_gid = 0;
  std::uint64_t stride = 1;
  std::uint64_t count = 0;
  std::uint64_t first_index = 0; // index of first_gid within its population
  std::uint64_t first_local = 0; // local index of first_gid on its rank
};

class decomposition {
public:
  // block or round_robin.
  decomposition(const spec::network& net, int n_ranks, strategy s);
  // graph: block b of `blk` goes to rank block_owner[b].
  decomposition(const spec::network& net, int n_ranks, const blocks& blk,
                const std::vector<int>& block_owner);

  int ranks() const { return n_ranks_; }
  strategy kind() const { return strategy_; }
  int owner(std::uint64_t gid) const;
  std::uint64_t local_index(std::uint64_t gid) const; // on its owner
  // Non-empty slices, ascending gid.
  const std::vector<slice>& slices(int rank) const { return slices_[static_cast<std::size_t>(rank)]; }
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
  void add_slice(int rank, std::size_t p, std::uint64_t first_gid, std::uint64_t stride, std::uint64_t count);

  int n_ranks_;
  strategy strategy_;
  std::vector<std::uint64_t> pop_first_;  // first gid per population, plus the total
  std::vector<double> cost_per_neuron_;   // per population
  std::vector<std::uint64_t> boundaries_; // block: first gid of each rank, plus the total
  blocks blocks_;                         // graph
  std::vector<int> block_owner_;          // graph
  std::vector<std::vector<slice>> slices_;
};

// Expected incoming synapses of one neuron of each population.
std::vector<double> expected_indegree(const spec::network& net);

} // namespace myelin::partition
