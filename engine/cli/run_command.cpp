// `myelin run`: set up (run_setup), build, restore, simulate with checkpoints
// and signals, report (run_summary).
#include "engine/build.hpp"
#include "engine/cli/commands.hpp"
#include "engine/cli/memory_admission.hpp"
#include "engine/cli/on_root.hpp"
#include "engine/cli/partition_setup.hpp"
#include "engine/cli/progress.hpp"
#include "engine/cli/run_setup.hpp"
#include "engine/cli/run_summary.hpp"
#include "engine/cli/signals.hpp"
#include "engine/error.hpp"
#include "engine/simulation.hpp"
#include "io/checkpoint.hpp"
#include "io/report_file.hpp"
#include "io/sonata/edge_reader.hpp"
#include "io/spike_file.hpp"
#include "io/weight_file.hpp"
#include "partition/decomposition.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace myelin::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Refuses (exit 2, before building) a network that cannot fit any rank's
// memory; every rank checks its own share and machine, all agree.
void admit_memory(const spec::network& net, const partition::decomposition& decomp, bool force,
                  comm::communicator& comm) {
  const auto need = estimate_memory(net, decomp, projection_delays(net));
  const auto offer = memory_per_rank(comm.ranks_on_this_node());
  const double mine = need.per_rank[static_cast<std::size_t>(comm.rank())];
  const bool short_here = mine > offer.bytes;
  const bool short_anywhere = comm.max(short_here ? 1.0 : 0.0) > 0;
  if (!short_anywhere)
    return;
  if (comm.rank() == 0) {
    const auto verdict = admit(need, offer);
    std::cerr << "myelin: " << (force ? "warning" : "error") << ": " << net.source_file
              << ": not enough memory: " << verdict.text
              << (force ? "; running anyway (--force)\n" : "; --force runs it anyway\n");
  }
  if (!force)
    throw reported_elsewhere{2};
}

} // namespace

int run_command(const run_options& flags, comm::communicator& comm) {
  catch_stop_signals();
  partition::strategy strategy{};
  try {
    strategy = partition::parse_strategy(flags.partition);
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
  const unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::filesystem::path out(opts.output_dir);
  const std::int64_t n_steps = std::llround(net.run.duration / net.run.dt);
  const std::string resume_path = prepare_and_find_resume(opts, net, comm, n_steps);
  const auto schedule = checkpoint_steps(opts, net.run.dt, n_steps);

  // Partitioning (block graph, METIS, every strategy measured) is timed apart from construction.
  const auto t_partition = std::chrono::steady_clock::now();
  const auto choice = choose_partition(net, comm.size(), strategy, comm);
  const partition::decomposition& decomp = choice.decomp;
  const double partition_s = comm.max(seconds_since(t_partition));
  admit_memory(net, decomp, opts.force, comm);
  const auto t_build = std::chrono::steady_clock::now();
  const auto listed = on_every_rank(comm, [&] { return io::sonata::read_owned_edges(net, decomp, comm); });
  local_network ln = build(net, decomp, comm, threads, listed);
  const double build_s = comm.max(seconds_since(t_build));
  simulation sim(ln, comm);
  io::checkpoint_state resumed;
  double restore_s = 0;
  if (!resume_path.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    resumed = io::restore_checkpoint(resume_path, net, ln, comm);
    auto counts = resumed.spike_counts; // whole-network counts live on rank 0
    if (comm.rank() != 0)
      std::fill(counts.begin(), counts.end(), 0);
    sim.restore(resumed.step, counts);
    restore_s = comm.max(seconds_since(t0));
  }
  const std::int64_t start_step = sim.current_step();

  // Output is appended collectively about every 100 ms of simulated time.
  const int flush_every =
      static_cast<int>(std::max<std::int64_t>(1, std::llround(100.0 / net.run.dt) / ln.epoch_steps));
  const bool resuming = !resume_path.empty();
  io::spike_file spikes((out / (net.spikes_file.empty() ? "spikes.h5" : net.spikes_file)).string(), net, comm,
                        flush_every, resuming ? &resumed.spike_file_rows : nullptr);
  io::report_files reports(out, net, ln.trace_columns, comm, resuming ? &resumed.report_rows : nullptr);
  io::weight_files weights(out, net, ln, comm, resuming ? &resumed.step : nullptr);
  sim.set_spike_output(&spikes);
  sim.set_trace_output(&reports);
  sim.set_stop_check([&] { return comm.max(stop_requested() ? 1.0 : 0.0) > 0; });
  progress_line progress(n_steps - start_step, net.run.dt, isatty(STDERR_FILENO));
  if (!opts.quiet && comm.rank() == 0)
    sim.set_progress([&](std::int64_t done) { progress.update(done - start_step); });

  run_record rec;
  double checkpoint_s = 0;
  auto write_checkpoint = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    sim.settle();
    spikes.sync(); // on disk as of this step: what a crash would leave
    reports.sync();
    weights.sync();
    io::checkpoint_state state{sim.current_step(), comm.sum(sim.spike_counts()), spikes.rows(),
                               reports.rows()};
    const auto path = out / "checkpoints" / io::checkpoint_name(state.step);
    io::write_checkpoint(path, net, ln, state, comm);
    if (comm.rank() == 0)
      io::prune_checkpoints(out / "checkpoints", opts.keep_checkpoints);
    const double s = comm.max(seconds_since(t0));
    checkpoint_s += s;
    std::error_code ec;
    rec.checkpoints.push_back({{"step", state.step},
                               {"path", path.string()},
                               {"write_s", s},
                               {"bytes", comm.rank() == 0 ? std::filesystem::file_size(path, ec) : 0}});
  };

  // Weight snapshots need every spike emitted so far at its synapses: the
  // run stops there too, and settles.
  const auto snapshots = weights.snapshot_steps(start_step, n_steps);
  auto take_snapshot = [&] {
    if (!std::binary_search(snapshots.begin(), snapshots.end(), sim.current_step()))
      return;
    sim.settle();
    weights.snapshot(sim.current_step(), ln);
  };
  const auto t_sim = std::chrono::steady_clock::now();
  bool stopped = false;
  take_snapshot();
  while (sim.current_step() < n_steps) {
    std::int64_t target = n_steps;
    for (const auto* stops : {&schedule, &snapshots}) {
      const auto next = std::upper_bound(stops->begin(), stops->end(), sim.current_step());
      if (next != stops->end())
        target = std::min(target, *next);
    }
    sim.run(target - sim.current_step());
    take_snapshot();
    if (sim.stopped()) {
      write_checkpoint();
      stopped = true;
      break;
    }
    if (std::binary_search(schedule.begin(), schedule.end(), sim.current_step()))
      write_checkpoint();
  }
  const double sim_s = comm.max(seconds_since(t_sim)) - checkpoint_s;
  spikes.close();
  reports.close();
  weights.close();

  rec.model = opts.model;
  rec.threads = threads;
  rec.partition = partition::strategy_name(strategy);
  rec.partition_s = partition_s;
  for (const auto& sq : choice.strategies)
    rec.partition_quality[sq.strategy] = {{"crossing_fraction", sq.q.crossing_fraction},
                                          {"imbalance", sq.q.imbalance},
                                          {"bytes_per_spike", sq.q.bytes_per_spike}};
  rec.build_s = build_s;
  rec.sim_s = sim_s;
  rec.restore_s = restore_s;
  rec.completed = !stopped;
  rec.start_step = start_step;
  rec.resumed_from = resume_path;
  report_run(out, rec, net, ln, sim, comm, opts.quiet);
  return stopped ? exit_resume_me : 0;
}

} // namespace myelin::cli
