#pragma once
// Reads a SONATA circuit (circuit_config.json, nodes, node and edge types) into
// the spec: each node population becomes one myelin population per run of
// consecutive nodes with the same model and parameters (named <pop>-<first
// node id> when there are several), and each edge population an edge set
// whose edges the ranks read when they build. What is mapped, and every
// policy where files leave a value open, is in docs/sonata.md.
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
  std::vector<std::string> warnings; // values the files left open, and what myelin chose

  const node_population* find(const std::string& name) const;
};

// Appends the circuit's populations and edge sets to net (whose run.dt is
// already known: parameters are checked against it).
circuit add_circuit(spec::network& net, const std::filesystem::path& circuit_config);

} // namespace myelin::io::sonata
