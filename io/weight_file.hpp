#pragma once
// Weight recorders: snapshots of one plastic projection's weights, every
// `interval` ms from t = 0, in DIR/<name>.h5:
//   /weights/source_node_ids  uint64 [synapses][1]   ids within the source population
//   /weights/target_node_ids  uint64 [synapses][1]   ids within the target population
//   /weights/time             float64 [snapshots] ms
//   /weights/data             float64 [snapshots][synapses]
// Synapses are in canonical order (targets ascending, each target's synapses
// in the order they were drawn), the same whatever the ranks and threads, so
// files from different runs compare column by column. Attributes name the
// projection, its populations and its synapse model. Snapshots are taken
// after every spike emitted before them has reached its synapses.
#include "engine/backend.hpp"
#include "io/hdf5_handle.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <memory>
#include <vector>

namespace myelin::io {

struct synapse_ids; // sources and targets of this rank's synapses, canonical order

class weight_files {
public:
  // Collective. With resume_step (a checkpoint's step), existing files are
  // reopened and truncated to the snapshots taken up to that step.
  weight_files(const std::filesystem::path& dir, const spec::network& net, const backend& b,
               comm::communicator& comm, const std::int64_t* resume_step = nullptr);

  // Steps at which some recorder takes a snapshot, after `from` and up to `to`.
  std::vector<std::int64_t> snapshot_steps(std::int64_t from, std::int64_t to) const;
  // Collective: every recorder due at `step` appends a snapshot (the
  // simulation must be settled).
  void snapshot(std::int64_t step, const backend& b);
  void sync(); // collective: the files on disk are current
  void close();

private:
  struct recorder {
    std::string path;
    std::size_t plastic_index = 0; // position in layout().plastic_projections
    std::int64_t interval = 1;     // steps
    std::uint64_t rows = 0;
    std::vector<h5::column_block> columns; // this rank's canonical positions
    std::unique_ptr<h5::shared_file> file;
    h5::handle data, time;
  };
  void create(recorder& r, const spec::weight_recorder& w, const spec::projection& pr, const synapse_ids& ids,
              std::uint64_t total, comm::communicator& comm);
  double dt_;
  std::vector<recorder> recorders_;
};

} // namespace myelin::io
