#include "io/canonical_layout.hpp"

namespace myelin::io {

void add_run(std::vector<h5::row_run>& runs, std::uint64_t first, std::uint64_t count) {
  if (count == 0)
    return;
  if (!runs.empty() && runs.back().first + runs.back().count == first)
    runs.back().count += count;
  else
    runs.push_back({first, 1, count});
}

std::vector<h5::row_run> canonical_layout::runs(const std::vector<std::uint64_t>& offsets) const {
  std::vector<h5::row_run> out;
  for (std::size_t k = 0; k < target.size(); ++k)
    add_run(out, offsets[target[k]], indegree[k]);
  return out;
}

canonical_layout local_layout(const local_network& ln, std::size_t i) {
  canonical_layout layout;
  for (const auto& shard : ln.shards) {
    const auto& pp = *shard.plastic[i];
    for (std::size_t k = 0; k + 1 < pp.target_offsets.size(); ++k) {
      const std::uint64_t local = pp.target_first + k;
      layout.target.push_back(ln.index_in_population(local));
      layout.indegree.push_back(pp.target_offsets[k + 1] - pp.target_offsets[k]);
    }
  }
  return layout;
}

std::vector<std::uint64_t> target_offsets(const std::vector<std::uint64_t>& indegree) {
  std::vector<std::uint64_t> off(indegree.size() + 1, 0);
  for (std::size_t k = 0; k < indegree.size(); ++k)
    off[k + 1] = off[k] + indegree[k];
  return off;
}

std::vector<std::uint64_t> global_target_offsets(const canonical_layout& mine, std::uint64_t n_targets,
                                                 comm::communicator& comm) {
  std::vector<std::uint64_t> all(n_targets, 0);
  for (std::size_t k = 0; k < mine.target.size(); ++k)
    all[mine.target[k]] = mine.indegree[k];
  return target_offsets(comm.sum(all));
}

std::vector<double> local_canonical_weights(const local_network& ln, std::size_t i) {
  std::vector<double> all;
  for (const auto& shard : ln.shards) {
    const auto w = shard.plastic[i]->canonical_weights();
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

} // namespace myelin::io
