// `myelin run`: read the flags and the model (run_setup), then drive one
// session (partition, build, restore, simulate with checkpoints and signals,
// report).
#include "app/commands.hpp"
#include "app/progress.hpp"
#include "app/run_setup.hpp"
#include "app/session.hpp"
#include "app/signals.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace myelin::cli {

int run_command(const run_options& flags, comm::communicator& comm) {
  catch_stop_signals();
  session_options so;
  try {
    so.strategy = partition::parse_strategy(flags.partition);
    so.backend = parse_backend(flags.backend);
    (void)device_graphs_setting(); // refused here, before the build, not by the backend
    (void)device_exchange_setting();
  } catch (const usage_error& e) {
    // Every rank sees the same flags and fails alike; one of them says so.
    if (comm.rank() == 0)
      std::cerr << "myelin: error: " << e.what() << "\n";
    throw reported_elsewhere{2};
  }
  const auto net = read_and_share(flags, comm);
  run_options opts = flags;
  if (opts.output_dir.empty()) // a SONATA simulation config names its own
    opts.output_dir = net.output_dir.empty() ? "output" : net.output_dir;
  const std::int64_t n_steps = std::llround(net.run.duration / net.run.dt);
  so.resume_path = prepare_and_find_resume(opts, net, comm, n_steps);
  so.checkpoint_steps = checkpoint_steps(opts, net.run.dt, n_steps);
  so.output_dir = opts.output_dir;
  so.threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  so.keep_checkpoints = opts.keep_checkpoints;
  so.force_memory = opts.force;
  so.quiet = opts.quiet;
  so.model_name = opts.model;
  so.stop_requested = [] { return stop_requested(); };

  session run(net, so, comm);
  const std::int64_t start_step = run.sim().current_step();
  progress_line progress(n_steps - start_step, net.run.dt, isatty(STDERR_FILENO));
  if (!opts.quiet && comm.rank() == 0)
    run.sim().set_progress([&](std::int64_t done) { progress.update(done - start_step); });
  const bool completed = run.run(n_steps);
  run.finish();
  return completed ? 0 : exit_resume_me;
}

} // namespace myelin::cli
