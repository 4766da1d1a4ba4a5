#pragma once
// Neurons grouped into blocks of consecutive gids that never straddle a
// population: the vertices of the coarse graph that graph partitioning cuts,
// and the unit the partition quality is measured in. Every rank derives the
// same blocks from the spec alone.
#include "spec/spec.hpp"

#include <cstdint>
#include <vector>

namespace myelin::partition {

class blocks {
public:
  blocks() = default;
  // About `target` blocks of equal size (populations smaller than a block
  // are one block); never more blocks than neurons.
  blocks(const spec::network& net, std::size_t target);

  std::size_t size() const { return population_.size(); }
  std::uint64_t first(std::size_t b) const { return first_[b]; }
  std::uint64_t end(std::size_t b) const { return first_[b + 1]; }
  std::uint64_t neurons(std::size_t b) const { return first_[b + 1] - first_[b]; }
  std::size_t population(std::size_t b) const { return population_[b]; }
  std::size_t block_of(std::uint64_t gid) const;
  // Blocks of population p: [first_block(p), first_block(p + 1)).
  std::size_t first_block(std::size_t p) const { return pop_first_block_[p]; }

private:
  std::vector<std::uint64_t> first_;         // first gid per block, plus the total
  std::vector<std::size_t> population_;      // per block
  std::vector<std::size_t> pop_first_block_; // per population, plus the block count
};

// How many blocks a coarse graph gets for a rank count: enough for a fine
// balance (64 per rank, at least 1024), few enough that a dense block graph
// stays small (at most 2048: 4 M block pairs).
std::size_t default_block_count(int n_ranks);

} // namespace myelin::partition
