#include "engine/built_network.hpp"

#include <algorithm>

namespace myelin {

std::size_t rank_layout::population_of(std::uint64_t gid) const {
  return static_cast<std::size_t>(
      std::upper_bound(population_offsets.begin(), population_offsets.end(), gid) -
      population_offsets.begin() - 1);
}

std::size_t rank_layout::slice_of(std::size_t p, std::uint64_t gid) const {
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

std::size_t rank_layout::slice_of_local(std::uint64_t local) const {
  const auto it =
      std::upper_bound(slices.begin(), slices.end(), local,
                       [](std::uint64_t l, const partition::slice& s) { return l < s.first_local; });
  return static_cast<std::size_t>(it - slices.begin() - 1);
}

std::pair<std::uint64_t, std::uint64_t> rank_layout::local_range(std::size_t p) const {
  const auto b = population_slices[p], e = population_slices[p + 1];
  if (b == e) {
    const std::uint64_t at = b < slices.size() ? slices[b].first_local : n_local;
    return {at, at};
  }
  return {slices[b].first_local, slices[e - 1].first_local + slices[e - 1].count};
}

std::uint64_t rank_layout::index_in_population(std::uint64_t local) const {
  const auto& s = slices[slice_of_local(local)];
  return s.first_index + (local - s.first_local) * s.stride;
}

std::uint64_t rank_layout::gid_of(std::uint64_t local) const {
  const auto& s = slices[slice_of_local(local)];
  return s.first_gid + (local - s.first_local) * s.stride;
}

std::vector<built_connection> built_connections(const built_network& b) {
  const rank_layout& ln = b.layout;
  std::vector<built_connection> out;
  // A table's rows start at subscription row row_first.
  auto add = [&](const synapse_table& t, std::uint64_t row_first, const std::vector<double>* exact_weight) {
    for (std::uint64_t row = 0; row + 1 < t.source_segments.size(); ++row)
      for (std::uint64_t seg = t.source_segments[row]; seg < t.source_segments[row + 1]; ++seg)
        for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k)
          out.push_back({ln.row_gid[row_first + row], t.synapses[k].target,
                         static_cast<double>(t.segment_delay[seg]) * ln.dt,
                         exact_weight ? (*exact_weight)[k] : t.synapses[k].weight});
  };
  for (const auto& block : b.blocks) {
    add(block.table, 0, nullptr);
    for (const auto& p : block.plastic)
      add(p.table, p.row_first, &p.initial_weight);
  }
  return out;
}

} // namespace myelin
