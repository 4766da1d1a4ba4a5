#pragma once
// A SONATA JSON config (circuit or simulation) with its manifest applied:
// every "$NAME" and "${NAME}" of the manifest is replaced in every string
// value, "${configdir}" is the config's own directory, and relative paths are
// taken from that directory (as BMTK and NEST do). Errors name the file and the
// key (dotted, e.g. networks.nodes[0].nodes_file).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace myelin::io::sonata {

class json_config {
public:
  explicit json_config(const std::filesystem::path& file);

  const nlohmann::json& root() const { return root_; }
  const std::string& file() const { return file_; }
  const std::filesystem::path& dir() const { return dir_; }

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;
  // Typed access: the value at key (an error naming key when missing or of another type).
  const nlohmann::json& required(const nlohmann::json& object, const std::string& parent,
                                 const std::string& name) const;
  double number(const nlohmann::json& v, const std::string& key) const;
  std::string string(const nlohmann::json& v, const std::string& key) const;
  // A path value, resolved against the config's directory.
  std::filesystem::path path(const nlohmann::json& v, const std::string& key) const;

private:
  std::string file_;
  std::filesystem::path dir_;
  nlohmann::json root_;
};

// Joins a parent key and a member name for messages ("run" + "dt" = "run.dt").
std::string join_key(const std::string& parent, const std::string& name);

} // namespace myelin::io::sonata
