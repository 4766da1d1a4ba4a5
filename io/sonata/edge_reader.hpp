#pragma once
// Reads the SONATA edges whose targets a rank owns. With a target_to_source
// index (either spelling of node_id_to_range(s), index group "indices" or
// "indicies") each rank reads only its targets' edge ranges; without one, the
// ranks first share one pass over target_node_id (each reads a slice and
// tells the owners which rows are theirs), then read their own rows. Every
// edge is checked: source and target inside their populations, a known edge
// type, a delay of at least one step. Collective over comm.
#include "engine/comm/communicator.hpp"
#include "engine/listed_synapses.hpp"
#include "engine/spec.hpp"
#include "partition/decomposition.hpp"

#include <vector>

namespace myelin::io::sonata {

// This rank's synapses from every edge set of net, edge sets in order, each
// in file row order. Weight = syn_weight (per edge, else the edge type's,
// else 1) times nsyns when the file has it; delay likewise (else 1 ms).
std::vector<listed_synapse> read_owned_edges(const spec::network& net, const partition::decomposition& decomp,
                                             comm::communicator& comm);

// Every edge of one edge set as (source gid, target gid), in row order:
// what graph partitioning counts. Read by one rank.
std::vector<std::pair<std::uint64_t, std::uint64_t>> read_edge_endpoints(const spec::edge_set& es);

} // namespace myelin::io::sonata
