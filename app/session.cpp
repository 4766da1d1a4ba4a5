#include "app/session.hpp"

#include "app/memory_admission.hpp"
#include "app/memory_estimate.hpp"
#include "app/on_root.hpp"
#include "app/output_dir.hpp"
#include "engine/build.hpp"
#include "io/checkpoint.hpp"
#include "io/sonata/edge_reader.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <iostream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

// Construction frees its transient buffers in every thread's malloc arena;
// glibc keeps them, so the run's own allocations would add to them. Handing
// them back first keeps the peak at what the network needs.
void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

} // namespace

session::session(const spec::network& net, session_options opts, comm::communicator& comm)
    : net_(net)
    , opts_(std::move(opts))
    , comm_(comm) {
  // The output directory and its checkpoints folder exist before any work
  // (`myelin run` has already made them; a library caller may not have).
  on_root(comm, [&]() -> std::string {
    prepare_output_dir(opts_.output_dir);
    std::error_code ec;
    std::filesystem::create_directories(opts_.output_dir / "checkpoints", ec);
    if (ec)
      throw usage_error("cannot create " + (opts_.output_dir / "checkpoints").string() + ": " + ec.message());
    return {};
  });
  // Partitioning (block graph, METIS, every strategy measured) is timed apart from construction.
  const auto t_partition = std::chrono::steady_clock::now();
  choice_.emplace(choose_partition(net, comm.size(), opts_.strategy, comm));
  rec_.partition_s = comm.max(seconds_since(t_partition));
  admit_memory(net, choice_->decomp, opts_.force_memory, comm);
  const auto t_build = std::chrono::steady_clock::now();
  const auto listed =
      on_every_rank(comm, [&] { return io::sonata::read_owned_edges(net, choice_->decomp, comm); });
  {
    // A device backend draws its static tables, and the plastic ones it
    // can, on the device (engine/device/construction.hpp) within the memory
    // a rank here can have ("unknown" is no limit), and takes them from the maker.
    const double offer = memory_per_rank(comm.ranks_on_this_node()).bytes;
    auto maker = make_table_maker(opts_.backend,
                                  offer < 1.8e19 ? static_cast<std::uint64_t>(offer) : ~std::uint64_t{0});
    auto built = build(net, choice_->decomp, comm, opts_.threads, listed, maker.get());
    if (built.static_tables_by_maker)
      rec_.static_tables_built_on = "device";
    std::uint64_t plastic_tables = 0;
    for (const auto& block : built.blocks)
      plastic_tables += block.plastic.size();
    if (plastic_tables > 0)
      rec_.plastic_tables_built_on = built.plastic_tables_by_maker == 0                ? "host"
                                     : built.plastic_tables_by_maker == plastic_tables ? "device"
                                                                                       : "device and host";
    backend_ = make_backend(opts_.backend, net, std::move(built), maker.get());
  }
  if (const auto device = backend_->device(); !device.empty() && !opts_.quiet)
    std::cerr << "myelin: rank " << comm.rank() << " runs on " << device << "\n";
  release_free_memory();
  rec_.build_s = comm.max(seconds_since(t_build));
  sim_ = std::make_unique<simulation>(*backend_, comm);

  io::checkpoint_state resumed;
  const bool resuming = !opts_.resume_path.empty();
  if (resuming) {
    const auto t0 = std::chrono::steady_clock::now();
    resumed = io::restore_checkpoint(opts_.resume_path, net, *backend_, comm);
    auto counts = resumed.spike_counts; // whole-network counts live on rank 0
    if (comm.rank() != 0)
      std::fill(counts.begin(), counts.end(), 0);
    sim_->restore(resumed.step, counts);
    rec_.restore_s = comm.max(seconds_since(t0));
  }
  rec_.start_step = sim_->current_step();
  rec_.resumed_from = opts_.resume_path;

  // Output is appended collectively about every 100 ms of simulated time.
  const auto& ln = backend_->layout();
  const int flush_every =
      static_cast<int>(std::max<std::int64_t>(1, std::llround(100.0 / net.run.dt) / ln.epoch_steps));
  const auto& out = opts_.output_dir;
  spikes_ = std::make_unique<io::spike_file>(
      (out / (net.spikes_file.empty() ? "spikes.h5" : net.spikes_file)).string(), net, comm, flush_every,
      resuming ? &resumed.spike_file_rows : nullptr);
  reports_ = std::make_unique<io::report_files>(out, net, ln.trace_columns, comm,
                                                resuming ? &resumed.report_rows : nullptr);
  weights_ =
      std::make_unique<io::weight_files>(out, net, *backend_, comm, resuming ? &resumed.step : nullptr);
  sim_->set_spike_output(spikes_.get());
  sim_->set_trace_output(reports_.get());
  if (opts_.stop_requested)
    sim_->set_stop_check(opts_.stop_requested);
}

session::~session() = default;

std::filesystem::path session::write_checkpoint() {
  const auto t0 = std::chrono::steady_clock::now();
  sim_->settle();
  spikes_->sync(); // on disk as of this step: what a crash would leave
  reports_->sync();
  weights_->sync();
  io::checkpoint_state state{sim_->current_step(), comm_.sum(sim_->spike_counts()), spikes_->rows(),
                             reports_->rows()};
  const auto dir = opts_.output_dir / "checkpoints";
  const auto path = dir / io::checkpoint_name(state.step);
  io::write_checkpoint(path, net_, *backend_, state, comm_);
  if (comm_.rank() == 0)
    io::prune_checkpoints(dir, opts_.keep_checkpoints);
  const double s = comm_.max(seconds_since(t0));
  checkpoint_s_ += s;
  std::error_code ec;
  rec_.checkpoints.push_back({{"step", state.step},
                              {"path", path.string()},
                              {"write_s", s},
                              {"bytes", comm_.rank() == 0 ? std::filesystem::file_size(path, ec) : 0}});
  return path;
}

bool session::run(std::optional<std::int64_t> n_steps_opt) {
  const std::int64_t n_steps = n_steps_opt ? *n_steps_opt : std::llround(net_.run.duration / net_.run.dt);
  const auto& schedule = opts_.checkpoint_steps;
  // Weight snapshots need every spike emitted so far at its synapses: the
  // run stops there too, and settles.
  snapshots_ = weights_->snapshot_steps(sim_->current_step(), n_steps);
  auto take_snapshot = [&] {
    if (!std::binary_search(snapshots_.begin(), snapshots_.end(), sim_->current_step()))
      return;
    sim_->settle();
    weights_->snapshot(sim_->current_step(), *backend_);
  };
  const auto t_sim = std::chrono::steady_clock::now();
  const double checkpoint_before = checkpoint_s_;
  take_snapshot();
  while (sim_->current_step() < n_steps) {
    std::int64_t target = n_steps;
    for (const auto* stops : std::array<const std::vector<std::int64_t>*, 2>{&schedule, &snapshots_}) {
      const auto next = std::upper_bound(stops->begin(), stops->end(), sim_->current_step());
      if (next != stops->end())
        target = std::min(target, *next);
    }
    sim_->run(target - sim_->current_step());
    take_snapshot();
    if (sim_->stopped()) {
      write_checkpoint();
      completed_ = false;
      break;
    }
    if (std::binary_search(schedule.begin(), schedule.end(), sim_->current_step()))
      write_checkpoint();
  }
  rec_.sim_s += comm_.max(seconds_since(t_sim)) - (checkpoint_s_ - checkpoint_before);
  return completed_;
}

void session::also_record(spike_output* spikes, trace_output* traces) {
  if (spikes) {
    spike_tee_ = std::make_unique<spike_tee>(*spikes_, *spikes);
    sim_->set_spike_output(spike_tee_.get());
  }
  if (traces) {
    trace_tee_ = std::make_unique<trace_tee>(*reports_, *traces);
    sim_->set_trace_output(trace_tee_.get());
  }
}

void session::finish() {
  if (finished_)
    return;
  finished_ = true;
  spikes_->close();
  reports_->close();
  weights_->close();
  rec_.model = opts_.model_name;
  rec_.threads = opts_.threads;
  rec_.backend = backend_name(opts_.backend);
  rec_.partition = partition::strategy_name(opts_.strategy);
  for (const auto& sq : choice_->strategies)
    rec_.partition_quality[sq.strategy] = {{"crossing_fraction", sq.q.crossing_fraction},
                                           {"imbalance", sq.q.imbalance},
                                           {"bytes_per_spike", sq.q.bytes_per_spike}};
  rec_.completed = completed_;
  // The last epoch's spikes to their synapses, as a device running alone
  // delivers them within its call: every backend counts the same
  // static_synaptic_events. The output is written; nothing else changes.
  sim_->settle();
  report_run(opts_.output_dir, rec_, net_, *backend_, *sim_, comm_, opts_.quiet);
}

} // namespace myelin::cli
