#pragma once
// Files of the source tree, for tests (MYELIN_SOURCE_DIR is set by CMake).
#include <fstream>
#include <sstream>
#include <string>

namespace myelin::test {

inline std::string source_file(const std::string& relative) {
  std::ifstream f(std::string(MYELIN_SOURCE_DIR) + "/" + relative);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The network with every rule, distribution and input kind.
inline std::string all_rules() {
  return source_file("tests/data/all_rules.toml");
}

} // namespace myelin::test
