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

namespace myelin {

std::size_t local_network::slice_of(std::size_t p, std::uint64_t gid) const {
  const auto first = slices.begin() + static_cast<std::ptrdiff_t>(population_slices[p]);
  const auto end = slices.begin() + static_cast<std::ptrdiff_t>(population_slices[p + 1]);
  auto it = std::upper_bound(first, end, gid,
                             [](std::uint64_t g, const partition::slice& s) { return g < s.first_gid; });
  if (it == first)
    return no_slice;
  const auto& s = *--it;
  if ((gid - s.first_gid) % s.stride != 0 || (gid - s.first_gid) / s.stride >= s.count)
    return no_slice;
  return static_cast<std::size_t>(it - slices.begin());
}

std::pair<std::uint64_t, std::uint64_t> local_network::local_range(std::size_t p) const {
  const auto b = population_slices[p], e = population_slices[p + 1];
  if (b == e) {
    const std::uint64_t at = b < slices.size() ? slices[b].first_local : n_local;
    return {at, at};
  }
  return {slices[b].first_local, slices[e - 1].first_local + slices[e - 1].count};
}

std::uint64_t local_network::index_in_population(std::uint64_t local) const {
  const auto it =
      std::upper_bound(slices.begin(), slices.end(), local,
                       [](std::uint64_t l, const partition::slice& s) { return l < s.first_local; });
  const auto& s = *(it - 1);
  return s.first_index + (local - s.first_local) * s.stride;
}

} // namespace myelin
