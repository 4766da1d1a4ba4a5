#pragma once
// One run of a network on this rank, as a library (what `myelin run` drives,
// and what C++ tests drive without the binary): partition, build, upload to
// a backend, resume from a checkpoint, simulate with checkpoint and weight
// snapshot stops, write the outputs, report. Collective over comm.
#include "app/output_tee.hpp"
#include "app/partition_setup.hpp"
#include "app/run_summary.hpp"
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "io/report_file.hpp"
#include "io/spike_file.hpp"
#include "io/weight_file.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace myelin::cli {

struct session_options {
  std::filesystem::path output_dir = "output";
  unsigned threads = 1;
  backend_kind backend = backend_kind::cpu;
  partition::strategy strategy = partition::strategy::block;
  std::vector<std::int64_t> checkpoint_steps; // ascending
  int keep_checkpoints = 2;
  std::string resume_path;   // a validated checkpoint; empty: start at step 0
  bool force_memory = false; // run even when the memory estimate says it cannot fit
  bool quiet = true;
  std::string model_name; // for run.json
  // Asked once per epoch, locally; true on any rank stops the run there
  // with a checkpoint (signals).
  std::function<bool()> stop_requested;
};

class session {
public:
  // Partitions, builds, uploads and (with resume_path) restores; opens the
  // output files.
  session(const spec::network& net, session_options opts, comm::communicator& comm);
  ~session();

  // Simulates up to n_steps (the spec's duration when absent), stopping at
  // every checkpoint and weight snapshot step on the way. Returns false when
  // stopped early (stop_requested), after writing a checkpoint.
  bool run(std::optional<std::int64_t> n_steps = {});
  // Settles and writes a checkpoint of the current step into
  // output_dir/checkpoints.
  std::filesystem::path write_checkpoint();
  // Closes the outputs and writes run.json (rank 0).
  void finish();
  // Spikes and multimeter rows from now on also go to these (either may be
  // null); they must outlive the session's runs.
  void also_record(spike_output* spikes, trace_output* traces);

  simulation& sim() { return *sim_; }
  backend& engine() { return *backend_; }

private:
  const spec::network& net_;
  session_options opts_;
  comm::communicator& comm_;
  std::optional<partition_choice> choice_;
  std::unique_ptr<backend> backend_;
  std::unique_ptr<simulation> sim_;
  std::unique_ptr<io::spike_file> spikes_;
  std::unique_ptr<io::report_files> reports_;
  std::unique_ptr<io::weight_files> weights_;
  std::unique_ptr<spike_tee> spike_tee_;
  std::unique_ptr<trace_tee> trace_tee_;
  std::vector<std::int64_t> snapshots_;
  run_record rec_;
  double checkpoint_s_ = 0;
  bool completed_ = true;
  bool finished_ = false;
};

} // namespace myelin::cli
