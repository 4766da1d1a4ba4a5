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

canonical_layout local_layout(const backend& b, std::size_t i) {
  auto synapses = b.plastic_layout(i, false);
  canonical_layout layout;
  layout.target = std::move(synapses.target);
  layout.indegree = std::move(synapses.indegree);
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

} // namespace myelin::io
