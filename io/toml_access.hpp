#pragma once
// Typed, checked access to toml++ nodes: each getter names the key and the
// line in its error, so the model-file reader reads like the reference page.
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <initializer_list>
#include <string>
#include <toml++/toml.h>
#include <vector>

namespace myelin::io {

class toml_access {
public:
  explicit toml_access(std::string file)
      : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& reason,
                         const toml::node* at = nullptr) const;

  const toml::table& table(const toml::node& n, const std::string& key) const;
  const toml::array& array(const toml::node& n, const std::string& key) const;
  std::string string(const toml::node& n, const std::string& key) const;
  double number(const toml::node& n, const std::string& key) const; // integer or float, finite
  std::int64_t integer(const toml::node& n, const std::string& key) const;
  bool boolean(const toml::node& n, const std::string& key) const;
  std::vector<std::string> strings(const toml::node& n, const std::string& key) const;
  std::vector<double> numbers(const toml::node& n, const std::string& key) const;

  // Required member of a table; fails with "missing" when absent.
  const toml::node& required(const toml::table& t, const std::string& prefix, const char* name) const;
  // Fails on any member not in `allowed`, suggesting the allowed ones.
  void only_keys(const toml::table& t, const std::string& prefix,
                 std::initializer_list<const char*> allowed) const;

  // A number (constant) or a { dist = ..., ... } table.
  spec::distribution distribution(const toml::node& n, const std::string& key) const;

  const std::string& file() const { return file_; }

private:
  std::string file_;
};

std::string join_key(const std::string& prefix, const std::string& name);

// A table's members in the order they appear in the file. toml++ iterates in
// key order; populations must keep file order (it fixes gids and RNG keys).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t);

} // namespace myelin::io
