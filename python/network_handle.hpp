#pragma once
// One network of the Python module: its spec, the session that built it (the
// same one `myelin run` drives) and what it recorded, kept in memory. No
// Python types here; module.cpp turns these into numpy arrays.
#include "app/session.hpp"
#include "engine/comm/communicator.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace myelin::python {

struct network_options {
  unsigned threads = 1;
  std::string backend = "cpu";
  std::string output_dir;
  std::optional<std::uint64_t> seed;
  bool record_spikes = true; // keep every spike in memory for spikes()
  // Asked once per epoch (once per call when the backend runs alone): true
  // stops the run there with a checkpoint (Ctrl-C in Python).
  std::function<bool()> interrupted;
};

// Samples of one multimeter: rows of ids.size() * variables.size() values.
struct trace_rows {
  std::vector<double> times_ms;
  std::vector<double> values;
};

class network_handle {
public:
  // From a model file (TOML or a SONATA simulation config).
  static std::unique_ptr<network_handle> from_file(const std::string& path, const network_options& opts);
  // From a model's TOML text in memory (`origin` names it in messages).
  static std::unique_ptr<network_handle> from_text(const std::string& text, const std::string& origin,
                                                   const network_options& opts);
  // From a checkpoint: the model it holds, at its step.
  static std::unique_ptr<network_handle> resume(const std::string& checkpoint, const network_options& opts);
  ~network_handle();

  // Advances by n_steps from where the last call stopped. Collective.
  // False when interrupted: the run stopped early and wrote a checkpoint.
  bool run_steps(std::int64_t n_steps);
  std::int64_t step() const;
  // Synapses of the whole network (every rank's, summed). Collective.
  std::uint64_t synapses();
  const spec::network& spec() const { return net_; }
  const std::string& output_dir() const { return opts_.output_dir; }

  // Spikes so far of the output population `name` (the spike file's: a
  // SONATA node population split into parts is one), sorted by (time, id):
  // times (ms) and node ids as the spike file numbers them. Every rank gets
  // the whole network's. Collective.
  void spikes(const std::string& name, std::vector<double>& times_ms, std::vector<std::uint64_t>& ids);
  // Multimeter m's samples so far, every column (every rank gets all of
  // them). Collective.
  trace_rows traces(std::size_t m);
  // Writes a checkpoint of the current step; returns its path.
  std::string checkpoint();
  // Closes the output files and writes run.json; the network cannot run after.
  void close();
  bool closed() const { return !session_; }

private:
  network_handle(spec::network net, const network_options& opts, std::string resume_path);
  struct memory;

  spec::network net_;
  network_options opts_;
  comm::communicator& comm_;
  std::unique_ptr<memory> memory_;
  std::unique_ptr<cli::session> session_;
};

// The ranks of this process (MPI's under an MPI launcher), started on first
// use; shutdown() closes every open network and ends MPI if myelin started it.
comm::communicator& world();
void shutdown();

} // namespace myelin::python
