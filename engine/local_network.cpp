#include "engine/local_network.hpp"

#include <algorithm>

namespace myelin {

std::uint64_t local_network::n_synapses() const {
  std::uint64_t n = 0;
  for (const auto& s : shards) {
    n += s.table.synapses.size();
    for (const auto& p : s.plastic)
      n += p->n_synapses();
  }
  return n;
}

std::uint64_t local_network::synapse_bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : shards) {
    n += s.table.bytes();
    for (const auto& p : s.plastic)
      n += p->bytes();
  }
  return n;
}

std::size_t local_network::population_of(std::uint64_t gid) const {
  return static_cast<std::size_t>(
      std::upper_bound(population_offsets.begin(), population_offsets.end(), gid) -
      population_offsets.begin() - 1);
}

} // namespace myelin
