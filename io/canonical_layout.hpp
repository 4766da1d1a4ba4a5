#pragma once
// Where this rank's synapses of a plastic projection lie in the projection's
// canonical order (targets ascending, each target's synapses in the order
// they were drawn): shared by checkpoints and weight recorders, so both
// files are laid out the same whatever the ranks and threads.
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "io/hdf5_handle.hpp"

#include <cstdint>
#include <vector>

namespace myelin::io {

struct canonical_layout {
  std::vector<std::uint64_t> target;   // population index of each target held here, ascending
  std::vector<std::uint64_t> indegree; // its synapses in the projection, over all threads

  // The canonical positions of this rank's synapses as merged runs, given
  // every target's first position (target_offsets).
  std::vector<h5::row_run> runs(const std::vector<std::uint64_t>& offsets) const;
};

// The layout of plastic projection i (layout().plastic_projections[i]) on this rank.
canonical_layout local_layout(const backend& b, std::size_t i);

// First canonical position of every target, plus the total, from all in-degrees.
std::vector<std::uint64_t> target_offsets(const std::vector<std::uint64_t>& indegree);
// The same from every rank's layout: collective.
std::vector<std::uint64_t> global_target_offsets(const canonical_layout& mine, std::uint64_t n_targets,
                                                 comm::communicator& comm);

// Appends rows [first, first + count) to ascending runs, merging neighbours.
void add_run(std::vector<h5::row_run>& runs, std::uint64_t first, std::uint64_t count);

} // namespace myelin::io
