#include "partition/blocks.hpp"

#include <algorithm>

namespace myelin::partition {

blocks::blocks(const spec::network& net, std::size_t target) {
  const std::uint64_t n = net.total_neurons();
  const std::uint64_t size = std::max<std::uint64_t>(1, (n + std::max<std::size_t>(target, 1) - 1) /
                                                            std::max<std::size_t>(target, 1));
  std::uint64_t gid = 0;
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    pop_first_block_.push_back(population_.size());
    const std::uint64_t end = gid + net.populations[p].size;
    for (; gid < end; gid = std::min(end, gid + size)) {
      first_.push_back(gid);
      population_.push_back(p);
    }
  }
  pop_first_block_.push_back(population_.size());
  first_.push_back(n);
}

std::size_t blocks::block_of(std::uint64_t gid) const {
  return static_cast<std::size_t>(std::upper_bound(first_.begin(), first_.end() - 1, gid) - first_.begin() -
                                  1);
}

std::size_t default_block_count(int n_ranks) {
  return std::clamp<std::size_t>(64 * static_cast<std::size_t>(std::max(1, n_ranks)), 1024, 2048);
}

} // namespace myelin::partition
