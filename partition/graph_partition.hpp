#pragma once
// Graph partitioning with METIS (k-way, minimum edge cut): the coarse block
// graph's arcs made symmetric (synapses either way), vertex weights the
// blocks' costs, and a balance bound of 3 % over the mean cost per rank.
// Deterministic: a fixed seed, and one rank computes it for all.
#include "partition/block_graph.hpp"
#include "partition/decomposition.hpp"

#include <vector>

namespace myelin::partition {

// Imbalance METIS may allow: largest part's weight over the mean.
inline constexpr double graph_balance_bound = 1.03;

// The rank of every block.
std::vector<int> partition_blocks(const block_graph& g, int n_ranks);

// The graph decomposition of a rule-based network, computed wherever it is
// called (deterministic): for tests and tools.
decomposition graph_decomposition(const spec::network& net, int n_ranks);

} // namespace myelin::partition
