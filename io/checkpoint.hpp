#pragma once
// Checkpoints: one HDF5 file per checkpoint, written collectively and indexed
// by global id, so it loads on any number of ranks, threads and partitions.
// Connectivity is not stored: it is regenerated from its keys, bit for bit.
// Layout (format 2; format 1 lacks /plasticity):
//   attributes  magic, format, step, dt, seed, version, digest, neurons,
//               ring_horizon, spike_counts, spike_file_rows, report_rows
//   /spec                    uint8  the network spec (io/spec_archive)
//   /populations/<pop>/<f>   float64 [size][1] stored state field f (models::model_info::stored_fields)
//   /ring                    int64  [neurons][channels * horizon] pending input, channel-major
//                                   (engine/ring_layout.hpp; channels from the spec),
//                                   offset 0 = the checkpoint's step
//   /plasticity/...                 plastic weights, per-source traces and
//                                   postsynaptic histories (io/checkpoint_plasticity.hpp)
// Every dataset carries `checksum`: a sum over its elements of a hash of
// (element index, bits), so it does not depend on who wrote which part.
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io {

// A checkpoint that cannot be used, and why: bad input (exit code 2).
struct checkpoint_error : bad_input {
  std::string path, reason;
  checkpoint_error(std::string path_, std::string reason_)
      : bad_input(path_ + ": " + reason_)
      , path(std::move(path_))
      , reason(std::move(reason_)) {}
};

struct checkpoint_state {
  std::int64_t step = 0;
  std::vector<std::uint64_t> spike_counts;    // per population, whole network, since step 0
  std::vector<std::uint64_t> spike_file_rows; // per population: spikes in spikes.h5 up to step
  std::vector<std::uint64_t> report_rows;     // per multimeter: samples in its report up to step
};

struct checkpoint_info {
  spec::network spec;
  checkpoint_state state;
  std::string version;
  std::uint64_t digest = 0;
};

// What identifies a model's dynamics: the spec without its duration and file name.
std::uint64_t model_digest(const spec::network& net);

// Collective. Writes `path` through a temporary name, synced, then renamed.
// Reads the backend only through its state API (engine/backend.hpp), so any
// backend writes the same file.
void write_checkpoint(const std::filesystem::path& path, const spec::network& net, const backend& b,
                      const checkpoint_state& state, comm::communicator& comm);

// Reads and verifies every dataset (checksums, sizes). One rank, serially.
// Throws checkpoint_error with the reason.
checkpoint_info validate_checkpoint(const std::filesystem::path& path);

// Collective: this rank's neuron state and pending input; returns the state.
checkpoint_state restore_checkpoint(const std::filesystem::path& path, const spec::network& net, backend& b,
                                    comm::communicator& comm);

// "ckpt-<step>.h5"; the newest complete checkpoint in dir, if any; deleting
// all but the newest `keep`.
std::string checkpoint_name(std::int64_t step);
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& dir);
void prune_checkpoints(const std::filesystem::path& dir, int keep);

} // namespace myelin::io
