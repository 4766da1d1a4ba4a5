#pragma once
// An edge population's edge-types CSV, with each type's dynamics_params JSON:
// per type the defaults its edges take (syn_weight, delay, receptor_type)
// and its synapse model (model_template, or synapse_model in the JSON; NEST's
// names, with or without "nest:"). Static types join every other listed
// synapse in the static tables; plastic types with equal synapse settings
// form one group, which becomes one projection per pair of source and target
// parts (spec::rule::kind::edges, add_edge_projections in circuit.hpp).
#include "io/sonata/types_table.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace myelin::io::sonata {

struct plastic_edge_group {
  std::size_t edge_set = 0;        // index in network::edge_sets
  std::vector<std::int64_t> types; // ascending
  std::string synapse_model;
  std::map<std::string, double> synapse_params;
  int receptor = 0; // NEST's receptor_type (1-based), 0: none
};

struct edge_type_set {
  std::map<std::int64_t, spec::edge_type> types;
  std::vector<plastic_edge_group> plastic; // edge_set still 0
};

// Every type of the table is read and checked; the checks that depend on
// the target (receptor ports; no plastic synapse into a model that ignores
// weights) and the plastic groups are for the `used` types only (a types
// file may serve several edge populations). synapse_dir: where relative
// dynamics_params names lie. target_parts: the myelin populations of the
// edges' target node population. Throws model_error naming file and key.
edge_type_set read_edge_types(const types_table& table, const std::set<std::int64_t>& used,
                              const std::filesystem::path& synapse_dir,
                              const std::vector<const spec::population*>& target_parts, double dt);

} // namespace myelin::io::sonata
