#pragma once
// Chooses the decomposition for a run or a check: the ranks count SONATA
// edges between neuron blocks in parallel, rank 0 builds the block graph
// (rules and those counts), measures every strategy on it and runs METIS;
// every rank gets the block owners and the measurements, so all ranks build
// the same decomposition.
#include "engine/comm/communicator.hpp"
#include "partition/decomposition.hpp"
#include "partition/quality.hpp"
#include "spec/spec.hpp"

#include <string>
#include <vector>

namespace myelin::cli {

struct strategy_quality {
  std::string strategy;
  partition::quality q;
};

struct partition_choice {
  partition::decomposition decomp;
  std::vector<strategy_quality> strategies; // block, round_robin, graph
};

// Collective over comm; n_ranks may differ from comm.size() (myelin check --ranks).
partition_choice choose_partition(const spec::network& net, int n_ranks, partition::strategy s,
                                  comm::communicator& comm);

} // namespace myelin::cli
