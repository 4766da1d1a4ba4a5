#include "io/sonata/node_sets.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <set>

namespace myelin::io::sonata {

namespace {

std::string as_text(const nlohmann::json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<std::int64_t>());
  return v.dump();
}

bool matches(const nlohmann::json& wanted, const std::string& value) {
  if (wanted.is_array())
    return std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return as_text(w) == value; });
  return as_text(wanted) == value;
}

} // namespace

node_sets::node_sets(const std::filesystem::path& file, const circuit& c)
    : file_(std::make_shared<json_config>(file))
    , circuit_(&c) {}

std::vector<node_selection> node_sets::resolve(const std::string& name, const std::string& where,
                                               const std::string& key) const {
  if (!file_)
    throw model_error(where, key, "node set '" + name + "' named, but the config gives no node_sets_file");
  std::vector<node_selection> out;
  add(name, out, 0);
  for (auto& s : out) {
    std::sort(s.ids.begin(), s.ids.end());
    s.ids.erase(std::unique(s.ids.begin(), s.ids.end()), s.ids.end());
  }
  std::erase_if(out, [](const node_selection& s) { return s.ids.empty(); });
  if (out.empty())
    throw model_error(where, key, "node set '" + name + "' selects no node");
  return out;
}

void node_sets::add(const std::string& name, std::vector<node_selection>& out, int depth) const {
  const auto& root = file_->root();
  if (!root.contains(name))
    file_->fail(name, "no such node set");
  if (depth > 32)
    file_->fail(name, "node sets refer to each other in a cycle");
  const auto& set = root[name];
  if (set.is_array()) {
    for (const auto& member : set)
      add(file_->string(member, name + "[]"), out, depth + 1);
    return;
  }
  if (!set.is_object())
    file_->fail(name, "must be an object or a list of node set names");
  for (const auto& pop : circuit_->nodes) {
    if (set.contains("population") && !matches(set["population"], pop.name))
      continue;
    node_selection sel{&pop, {}};
    for (std::uint64_t id = 0; id < pop.count; ++id) {
      bool ok = true;
      for (const auto& [attr, wanted] : set.items()) {
        if (attr == "population")
          continue;
        if (attr == "node_id") {
          ok = ok && matches(wanted, std::to_string(id));
          continue;
        }
        // Attributes a population's node types lack match none of its nodes.
        const auto v = pop.types->value(pop.type_ids[id], attr);
        ok = ok && v && matches(wanted, *v);
      }
      if (ok)
        sel.ids.push_back(id);
    }
    out.push_back(std::move(sel));
  }
}

} // namespace myelin::io::sonata
