#pragma once
// SONATA node sets: a basic set is an object of attribute -> value(s), AND-ed,
// with the special keys "population" and "node_id"; other attributes are
// matched against the node-types CSV columns (model_type, ei, pop_name, ...);
// per-node HDF5 attributes are not consulted.
// A compound set is a list of set names, their union.
#include "io/sonata/circuit.hpp"
#include "io/sonata/json_config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace myelin::io::sonata {

// The nodes of one population a set selects (ascending node ids).
struct node_selection {
  const node_population* population = nullptr;
  std::vector<std::uint64_t> ids;
};

class node_sets {
public:
  node_sets() = default;
  node_sets(const std::filesystem::path& file, const circuit& c);
  // Throws model_error(where, key, ...) when the set is unknown or selects nothing.
  std::vector<node_selection> resolve(const std::string& name, const std::string& where,
                                      const std::string& key) const;

private:
  void add(const std::string& name, std::vector<node_selection>& out, int depth) const;
  std::shared_ptr<json_config> file_;
  const circuit* circuit_ = nullptr;
};

} // namespace myelin::io::sonata
