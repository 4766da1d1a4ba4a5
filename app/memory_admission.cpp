#include "app/memory_admission.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace myelin::cli {
namespace {

constexpr double unlimited = std::numeric_limits<double>::infinity();

// A number from a one-line cgroup file ("max": unlimited; missing: unlimited).
double read_bytes(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max")
    return unlimited;
  try {
    return std::stod(word);
  } catch (const std::exception&) {
    return unlimited;
  }
}

double mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:")
      return kib * 1024.0;
  }
  return unlimited;
}

// Limit minus usage of this process's cgroup and its ancestors (v2), or of
// its memory cgroup (v1); the tightest wins.
double cgroup_room() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  double room = unlimited;
  while (std::getline(in, line)) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos)
      continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) { // v2: walk up to the root
      for (;;) {
        const std::string dir = "/sys/fs/cgroup" + path;
        const double limit = read_bytes(dir + "/memory.max");
        if (limit != unlimited)
          room = std::min(room, limit - std::min(limit, read_bytes(dir + "/memory.current")));
        if (path.empty() || path == "/")
          break;
        path = path.substr(0, path.rfind('/'));
      }
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      const std::string dir = "/sys/fs/cgroup/memory" + path;
      const double limit = read_bytes(dir + "/memory.limit_in_bytes");
      if (limit < 1e18) // v1 writes "no limit" as about 2^63
        room = std::min(room, limit - std::min(limit, read_bytes(dir + "/memory.usage_in_bytes")));
    }
  }
  return room;
}

} // namespace

memory_offer memory_per_rank(int ranks_on_node) {
  const double ranks = std::max(1, ranks_on_node);
  const std::string per = " / " + std::to_string(std::max(1, ranks_on_node)) + " rank(s) on this node";
  if (const char* set = std::getenv("MYELIN_MEMORY_AVAILABLE"); set && *set) {
    char* end = nullptr;
    const double v = std::strtod(set, &end);
    // A value that is not a number of bytes is refused, not passed over for
    // the machine's: whoever set it meant to limit the run.
    if (end == set || *end != '\0' || !(v >= 0) || v == std::numeric_limits<double>::infinity())
      throw usage_error("MYELIN_MEMORY_AVAILABLE is '" + std::string(set) +
                        "': it must be the bytes a node may use, a number >= 0 (or unset)");
    return {v / ranks, "MYELIN_MEMORY_AVAILABLE " + bytes_text(v) + per};
  }
  const double available = mem_available(), room = cgroup_room();
  if (room < available)
    return {room / ranks, "cgroup memory limit, " + bytes_text(room) + " free" + per};
  if (available == unlimited)
    return {unlimited, "unknown (no /proc/meminfo)"};
  return {available / ranks, "MemAvailable " + bytes_text(available) + per};
}

admission admit(const memory_estimate& need, const memory_offer& offer) {
  admission a;
  const double largest = need.largest_rank();
  std::ostringstream os;
  os << "the largest of " << need.per_rank.size() << " rank(s) needs about " << bytes_text(largest)
     << "; a rank here can have "
     << (offer.bytes == unlimited ? std::string("any amount") : bytes_text(offer.bytes)) << " ("
     << offer.source << ")";
  a.fits = !(largest > offer.bytes);
  if (a.fits) {
    os << ": fits";
  } else {
    const int ranks = need.ranks_needed(offer.bytes);
    if (ranks > 0)
      os << ": does not fit; at least " << ranks << " ranks with " << bytes_text(offer.bytes)
         << " each would (more nodes, or fewer ranks per node)";
    else
      os << ": does not fit on any number of ranks with that much memory (the per-neuron index alone is "
         << bytes_text(need.replicated) << ")";
  }
  a.text = os.str();
  return a;
}

} // namespace myelin::cli
