#include "engine/local_network.hpp"

namespace myelin {

std::uint64_t local_network::n_synapses() const {
  std::uint64_t n = 0;
  for (const auto& s : shards)
    n += s.table.synapses.size();
  return n;
}

std::uint64_t local_network::synapse_bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : shards)
    n += s.table.bytes();
  return n;
}

} // namespace myelin
