#pragma once
// The coarse graph graph partitioning cuts: vertices are blocks of neurons
// (partition/blocks), weighted by their estimated cost; arcs carry the
// expected number of synapses from one block to another, computed from the
// connection rules (uniform over a population pair, or index-aligned for
// one_to_one) and counted from listed (SONATA) edges.
#include "engine/spec.hpp"
#include "partition/blocks.hpp"

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

// listed: every listed synapse as (source gid, target gid).
block_graph make_block_graph(const spec::network& net, std::size_t n_blocks,
                             const std::vector<std::pair<std::uint64_t, std::uint64_t>>& listed);

} // namespace myelin::partition
