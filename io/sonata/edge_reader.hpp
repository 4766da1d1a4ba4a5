#pragma once
// Reads the SONATA edges whose targets a rank owns. With a target_to_source
// index (either spelling of node_id_to_range(s), index group "indices" or
// "indicies") each rank reads only its targets' edge ranges; without one, the
// ranks first share one pass over target_node_id (each reads a slice and
// tells the owners which rows are theirs), then read their own rows. Every
// edge is checked: source and target inside their populations, a known edge
// type, a delay of at least one step, and for plastic edge types a weight
// the rule can start from. Collective over comm.
#include "engine/comm/communicator.hpp"
#include "engine/listed_synapses.hpp"
#include "partition/block_graph.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <vector>

namespace myelin::io::sonata {

// This rank's synapses from every edge set of net, edge sets in order, each
// in file row order. Weight = syn_weight (per edge, else the edge type's,
// else 1) times nsyns when the file has it; delay likewise (else 1 ms).
// Edges of plastic types name their projection (listed_synapse::projection).
// Bad input is thrown only after every collective call, so a rank that meets
// it never leaves the others waiting (cli::on_every_rank reports it once).
std::vector<listed_synapse> read_owned_edges(const spec::network& net, const partition::decomposition& decomp,
                                             comm::communicator& comm);

// Synapses between blocks of neurons over every edge set, for graph
// partitioning: each rank reads rows [r E / n, (r + 1) E / n) of the source
// and target columns (16 bytes an edge) and counts its share; no collective
// inside, so a bad node id fails only the ranks that read it.
std::vector<partition::block_pair> count_block_pairs(const spec::network& net, const partition::blocks& blk,
                                                     int rank, int n_ranks);

} // namespace myelin::io::sonata
