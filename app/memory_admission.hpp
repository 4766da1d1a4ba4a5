#pragma once
// Memory admission: before building, a run compares what each rank will need
// with what the rank can have, and refuses a network that cannot fit instead
// of drawing synapses for minutes and dying of std::bad_alloc.
#include "app/memory_estimate.hpp"

#include <string>

namespace myelin::cli {

// The memory one rank can have: the tightest of MemAvailable and the cgroup
// limit (minus its usage), shared by the ranks on this node.
struct memory_offer {
  double bytes = 0;   // per rank
  std::string source; // where the figure came from, for messages
};
// MYELIN_MEMORY_AVAILABLE (bytes for the node) replaces what is detected.
memory_offer memory_per_rank(int ranks_on_node);

struct admission {
  bool fits = true;
  std::string text; // one line: need, offer, verdict, and how many ranks would fit
};
admission admit(const memory_estimate& need, const memory_offer& offer);

} // namespace myelin::cli
