#pragma once
// Numbers in messages: the shortest usual form (ostream's default), so that
// an error shows the value as a user wrote it (0.1, 1e+06).
#include <sstream>
#include <string>

namespace myelin::io {

inline std::string fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

} // namespace myelin::io
