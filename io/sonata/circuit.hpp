#pragma once
// Reads a SONATA circuit (circuit_config.json, nodes, node and edge types) into
// the spec: each node population becomes one myelin population per run of
// consecutive nodes with the same model (named <pop>-<first node id> when
// there are several; parameters that differ are held per neuron), and each
// edge population an edge set whose edges the ranks read when they build. What is mapped, and every
// policy where files leave a value open, is in docs/sonata.md.
#include "io/sonata/edge_types.hpp"
#include "io/sonata/types_table.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace myelin::io::sonata {

struct node_population {
  std::string name;
  std::uint64_t first_gid = 0, count = 0;
  bool is_virtual = false;
  std::vector<std::int64_t> type_ids;       // per node, for node sets
  std::shared_ptr<const types_table> types; // the node-types CSV
};

struct circuit {
  std::vector<node_population> nodes;
  std::vector<plastic_edge_group> plastic; // edge types with a plastic synapse model
  std::vector<std::string> warnings;       // values the files left open, and what myelin chose

  const node_population* find(const std::string& name) const;
};

// Appends the circuit's populations and edge sets to net (whose run.dt is
// already known: parameters are checked against it).
circuit add_circuit(spec::network& net, const std::filesystem::path& circuit_config);

// Appends the circuit's plastic edges to net.projections: one projection
// (spec::rule::kind::edges) per group of plastic edge types and pair of
// source and target parts, groups in edge-set order. Called once the parts
// are final (a current clamp may split a population after add_circuit).
void add_edge_projections(spec::network& net, const circuit& c);

} // namespace myelin::io::sonata
