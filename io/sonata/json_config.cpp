#include "io/sonata/json_config.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace myelin::io::sonata {

std::string join_key(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

namespace {

using variables = std::vector<std::pair<std::string, std::string>>; // (name without '$', value)

// Replaces $NAME and ${NAME}; longer names first, so $BASE never eats $BASE_DIR.
std::string substitute(std::string s, const variables& vars) {
  for (int round = 0; round < 16 && s.find('$') != std::string::npos; ++round) {
    const std::string before = s;
    for (const auto& [name, value] : vars) {
      for (const std::string& token : {"${" + name + "}", "$" + name}) {
        for (std::size_t at = s.find(token); at != std::string::npos; at = s.find(token, at + value.size()))
          s.replace(at, token.size(), value);
      }
    }
    if (s == before)
      break;
  }
  return s;
}

void substitute_all(nlohmann::json& j, const variables& vars) {
  if (j.is_string())
    j = substitute(j.get<std::string>(), vars);
  else if (j.is_structured())
    for (auto& child : j)
      substitute_all(child, vars);
}

} // namespace

json_config::json_config(const std::filesystem::path& file)
    : file_(file.string())
    , dir_(std::filesystem::absolute(file).parent_path()) {
  std::ifstream in(file);
  if (!in)
    throw model_error(file_, "file", "cannot be opened");
  try {
    root_ = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw model_error(file_, "file", std::string("not valid JSON: ") + e.what());
  }
  if (!root_.is_object())
    fail("file", "must hold a JSON object");
  variables vars{{"configdir", dir_.string()}};
  if (root_.contains("manifest")) {
    const auto& m = root_["manifest"];
    if (!m.is_object())
      fail("manifest", "must be an object of \"$NAME\": \"value\"");
    for (const auto& [key, value] : m.items()) {
      if (!value.is_string())
        fail("manifest." + key, "must be a string");
      std::string name = key;
      if (name.starts_with("${") && name.ends_with("}"))
        name = name.substr(2, name.size() - 3);
      else if (name.starts_with("$"))
        name = name.substr(1);
      vars.emplace_back(name, value.get<std::string>());
    }
  }
  std::stable_sort(vars.begin(), vars.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  // Manifest values may use each other ($OUTPUT_DIR = $BASE_DIR/output).
  for (auto& v : vars)
    v.second = substitute(v.second, vars);
  for (auto& [key, value] : root_.items())
    if (key != "manifest")
      substitute_all(value, vars);
}

void json_config::fail(const std::string& key, const std::string& reason) const {
  throw model_error(file_, key, reason);
}

const nlohmann::json& json_config::required(const nlohmann::json& object, const std::string& parent,
                                            const std::string& name) const {
  if (!object.is_object())
    fail(parent, "must be an object");
  if (!object.contains(name))
    fail(join_key(parent, name), "missing");
  return object.at(name);
}

double json_config::number(const nlohmann::json& v, const std::string& key) const {
  if (!v.is_number())
    fail(key, "must be a number");
  return v.get<double>();
}

std::string json_config::string(const nlohmann::json& v, const std::string& key) const {
  if (!v.is_string())
    fail(key, "must be a string");
  return v.get<std::string>();
}

std::filesystem::path json_config::path(const nlohmann::json& v, const std::string& key) const {
  const std::string s = string(v, key);
  if (s.find('$') != std::string::npos)
    fail(key, "'" + s + "' names a variable the manifest does not define");
  const std::filesystem::path p(s);
  return (p.is_absolute() ? p : dir_ / p).lexically_normal();
}

} // namespace myelin::io::sonata
