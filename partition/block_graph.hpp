#pragma once
// The coarse graph graph partitioning cuts: vertices are blocks of neurons
// (partition/blocks), weighted by their estimated cost; arcs carry the
// expected number of synapses from one block to another, computed from the
// connection rules (uniform over a population pair, or index-aligned for
// one_to_one) and counted from listed (SONATA) edges.
#include "partition/blocks.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace myelin::partition {

struct block_graph {
  partition::blocks blocks;
  std::vector<double> cost; // per block: neurons x (neuron_cost + expected in-degree)
  // Arcs by source block: targets arc_target[arc_first[b] .. arc_first[b + 1]), ascending.
  std::vector<std::uint64_t> arc_first;
  std::vector<std::uint32_t> arc_target;
  std::vector<double> arc_synapses;
  double total_synapses = 0;
};

// Synapses counted from one block onto another (listed SONATA edges).
struct block_pair {
  std::uint32_t source = 0, target = 0; // blocks
  double synapses = 0;
};

// Sums the counts of equal pairs; sorted by (source, target).
std::vector<block_pair> merge_pairs(std::vector<block_pair> pairs);
// Counts of (source gid, target gid) edges between the blocks.
std::vector<block_pair> count_pairs(const blocks& blk,
                                    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& edges);

block_graph make_block_graph(const spec::network& net, const blocks& blk,
                             const std::vector<block_pair>& counted);

} // namespace myelin::partition
