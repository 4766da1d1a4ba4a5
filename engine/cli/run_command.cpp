#include "engine/build.hpp"
#include "engine/cli/commands.hpp"
#include "engine/cli/model_changes.hpp"
#include "engine/cli/output_dir.hpp"
#include "engine/cli/progress.hpp"
#include "engine/cli/signals.hpp"
#include "engine/error.hpp"
#include "engine/simulation.hpp"
#include "io/checkpoint.hpp"
#include "io/model_checks.hpp"
#include "io/model_file.hpp"
#include "io/report_file.hpp"
#include "io/spec_archive.hpp"
#include "io/spike_file.hpp"
#include "partition/decomposition.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace myelin::cli {
namespace {

std::uint64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024; // Linux reports KiB
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs `step` on rank 0 only and tells every rank how it went: a bad-input
// error is printed once, by rank 0, and every rank then exits with code 2.
// On success the returned bytes are rank 0's result, on every rank.
template <class Step>
std::vector<std::byte> on_root(comm::communicator& comm, Step&& step) {
  std::vector<std::byte> message;
  if (comm.rank() == 0) {
    std::string text;
    std::byte status{0};
    try {
      text = step();
    } catch (const model_error& e) {
      status = std::byte{2};
      text = e.what();
    } catch (const usage_error& e) {
      status = std::byte{2};
      text = e.what();
    } catch (const io::checkpoint_error& e) {
      status = std::byte{2};
      text = e.what();
    }
    message.push_back(status);
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    message.insert(message.end(), p, p + text.size());
  }
  comm.broadcast(message, 0);
  if (message.at(0) != std::byte{0}) {
    if (comm.rank() == 0)
      std::cerr << "myelin: error: "
                << std::string(reinterpret_cast<const char*>(message.data() + 1), message.size() - 1) << "\n";
    throw reported_elsewhere{static_cast<int>(message[0])};
  }
  return {message.begin() + 1, message.end()};
}

spec::network read_and_share(const run_options& opts, comm::communicator& comm) {
  const auto bytes = on_root(comm, [&] {
    auto net = io::read_model(opts.model);
    if (opts.duration_ms) {
      if (!(*opts.duration_ms >= 0))
        throw usage_error("--duration must be >= 0 ms");
      net.run.duration = *opts.duration_ms;
    }
    if (opts.seed)
      net.run.seed = *opts.seed;
    try {
      io::check_network(net); // --duration may not be a multiple of dt
    } catch (const model_error& e) {
      if (opts.duration_ms && e.key == "run.duration")
        throw usage_error("--duration: " + e.reason);
      throw;
    }
    return io::save_spec(net);
  });
  // Other ranks never parse the model file: they get rank 0's spec.
  return io::load_spec(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

nlohmann::ordered_json rank_table(const std::vector<double>& all, std::size_t fields, double& imbalance) {
  static const char* names[] = {"neurons",          "synapses",   "spikes",        "records_sent",
                                "records_received", "bytes_sent", "update_s",      "deliver_s",
                                "exchange_s",       "output_s",   "peak_rss_bytes"};
  auto table = nlohmann::ordered_json::array();
  double sum = 0, mx = 0;
  for (std::size_t r = 0; r * fields < all.size(); ++r) {
    nlohmann::ordered_json row;
    row["rank"] = r;
    for (std::size_t f = 0; f < fields; ++f) {
      const double v = all[r * fields + f];
      if (std::string_view(names[f]).ends_with("_s"))
        row[names[f]] = v;
      else
        row[names[f]] = static_cast<std::uint64_t>(v);
    }
    const double work = all[r * fields + 6] + all[r * fields + 7];
    sum += work;
    mx = std::max(mx, work);
    table.push_back(row);
  }
  imbalance = sum > 0 ? mx / (sum / static_cast<double>(table.size())) : 1.0;
  return table;
}

// Checkpoint steps from --checkpoint-every and --checkpoint-at, ascending.
std::vector<std::int64_t> checkpoint_steps(const run_options& opts, double dt, std::int64_t end) {
  auto to_steps = [&](double ms, const char* flag) {
    const double k = ms / dt;
    if (!(ms > 0) || std::fabs(k - std::round(k)) > 1e-9 * std::max(1.0, k))
      throw usage_error(std::string(flag) + ": " + std::to_string(ms) +
                        " ms is not a positive multiple of dt");
    return static_cast<std::int64_t>(std::llround(k));
  };
  std::vector<std::int64_t> steps;
  if (opts.checkpoint_every_ms) {
    const auto every = to_steps(*opts.checkpoint_every_ms, "--checkpoint-every");
    for (std::int64_t s = every; s <= end; s += every)
      steps.push_back(s);
  }
  for (double ms : opts.checkpoint_at_ms)
    steps.push_back(to_steps(ms, "--checkpoint-at"));
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

// Rank 0 prepares the output directory and decides what to resume from.
std::string prepare_and_find_resume(const run_options& opts, const spec::network& net,
                                    comm::communicator& comm, std::int64_t n_steps) {
  const std::filesystem::path out(opts.output_dir);
  const auto bytes = on_root(comm, [&]() -> std::string {
    prepare_output_dir(out);
    std::error_code ec;
    std::filesystem::create_directories(out / "checkpoints", ec);
    if (ec)
      throw usage_error("cannot create " + (out / "checkpoints").string() + ": " + ec.message());
    checkpoint_steps(opts, net.run.dt, n_steps); // flags are checked before any work
    if (opts.resume.empty())
      return {};
    std::filesystem::path path = opts.resume;
    if (opts.resume == "latest") {
      const auto found = io::latest_checkpoint(out / "checkpoints");
      if (!found) {
        if (!opts.quiet)
          std::cout << "no checkpoint in " << (out / "checkpoints").string()
                    << ": starting from the beginning\n";
        return {};
      }
      path = *found;
    }
    const auto info = io::validate_checkpoint(path);
    if (info.digest != io::model_digest(net)) {
      const auto changes = compare_models(info.spec, net);
      std::string list;
      for (const auto& c : changes.refused)
        list += "\n  " + c;
      if (!changes.refused.empty())
        throw usage_error(path.string() +
                          ": the model's shape differs from the checkpoint's; it cannot continue:" + list);
      for (const auto& c : changes.accepted)
        list += "\n  " + c;
      if (!opts.force_model)
        throw usage_error(path.string() +
                          ": the model differs from the one this checkpoint was written with:" + list +
                          "\n(--force-model accepts these parameter changes)");
      std::cout << "resuming " << path.string() << " with changed parameters:" << list << "\n";
    }
    if (info.state.step > n_steps)
      throw usage_error(path.string() + ": the checkpoint is at " +
                        std::to_string(info.state.step * net.run.dt) + " ms, beyond the run's duration");
    return path.string();
  });
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace

int run_command(const run_options& opts, comm::communicator& comm) {
  catch_stop_signals();
  partition::strategy strategy{};
  try {
    strategy = partition::parse_strategy(opts.partition);
  } catch (const usage_error& e) {
    // Every rank sees the same flags and fails alike; one of them says so.
    if (comm.rank() == 0)
      std::cerr << "myelin: error: " << e.what() << "\n";
    throw reported_elsewhere{2};
  }
  const auto net = read_and_share(opts, comm);
  const unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::filesystem::path out(opts.output_dir);
  const std::int64_t n_steps = std::llround(net.run.duration / net.run.dt);
  const std::string resume_path = prepare_and_find_resume(opts, net, comm, n_steps);
  const auto schedule = checkpoint_steps(opts, net.run.dt, n_steps);

  const auto t_build = std::chrono::steady_clock::now();
  const partition::decomposition decomp(net, comm.size(), strategy);
  local_network ln = build(net, decomp, comm, threads);
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
  io::spike_file spikes((out / "spikes.h5").string(), net, comm, flush_every,
                        resuming ? &resumed.spike_file_rows : nullptr);
  io::report_files reports(out, net, ln.trace_columns, comm, resuming ? &resumed.report_rows : nullptr);
  sim.set_spike_output(&spikes);
  sim.set_trace_output(&reports);
  sim.set_stop_check([&] { return comm.max(stop_requested() ? 1.0 : 0.0) > 0; });
  progress_line progress(n_steps - start_step, net.run.dt);
  if (!opts.quiet && comm.rank() == 0 && isatty(STDERR_FILENO))
    sim.set_progress([&](std::int64_t done) { progress.update(done - start_step); });

  auto checkpoints = nlohmann::ordered_json::array();
  double checkpoint_s = 0;
  auto write_checkpoint = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    sim.settle();
    spikes.sync(); // on disk as of this step: what a crash would leave
    reports.sync();
    io::checkpoint_state state{sim.current_step(), comm.sum(sim.spike_counts()), spikes.rows(),
                               reports.rows()};
    const auto path = out / "checkpoints" / io::checkpoint_name(state.step);
    io::write_checkpoint(path, net, ln, state, comm);
    if (comm.rank() == 0)
      io::prune_checkpoints(out / "checkpoints", opts.keep_checkpoints);
    const double s = comm.max(seconds_since(t0));
    checkpoint_s += s;
    std::error_code ec;
    checkpoints.push_back({{"step", state.step},
                           {"path", path.string()},
                           {"write_s", s},
                           {"bytes", comm.rank() == 0 ? std::filesystem::file_size(path, ec) : 0}});
  };

  const auto t_sim = std::chrono::steady_clock::now();
  bool stopped = false;
  while (sim.current_step() < n_steps) {
    const auto next = std::upper_bound(schedule.begin(), schedule.end(), sim.current_step());
    const std::int64_t target = next == schedule.end() ? n_steps : std::min(*next, n_steps);
    sim.run(target - sim.current_step());
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

  const auto& st = sim.statistics();
  const std::vector<double> mine = {static_cast<double>(ln.n_local),
                                    static_cast<double>(ln.n_synapses()),
                                    static_cast<double>(st.spikes_emitted),
                                    static_cast<double>(st.records_sent),
                                    static_cast<double>(st.records_received),
                                    static_cast<double>(st.bytes_sent),
                                    st.update_s,
                                    st.deliver_s,
                                    st.exchange_s,
                                    st.output_s,
                                    static_cast<double>(peak_rss_bytes())};
  const auto all = comm.gather(mine, 0);
  const auto counts = comm.sum(sim.spike_counts());
  const auto synapses = comm.sum({ln.n_synapses(), ln.synapse_bytes()});
  const double peak = comm.max(static_cast<double>(peak_rss_bytes()));
  if (comm.rank() != 0)
    return stopped ? exit_resume_me : 0;

  const double seconds = net.run.duration * 1e-3;
  const double simulated_s = static_cast<double>(sim.current_step() - start_step) * net.run.dt * 1e-3;
  double imbalance = 1.0;
  nlohmann::ordered_json j;
  j["version"] = version_text();
  j["model"] = opts.model;
  j["seed"] = net.run.seed;
  j["dt_ms"] = net.run.dt;
  j["duration_ms"] = net.run.duration;
  j["ranks"] = comm.size();
  j["threads"] = threads;
  j["backend"] = "cpu";
  j["partition"] = partition::strategy_name(strategy);
  j["neurons"] = ln.n_global;
  j["synapses"] = synapses[0];
  j["min_delay_steps"] = ln.min_delay;
  j["epoch_steps"] = ln.epoch_steps;
  j["overlap"] = ln.overlap;
  j["build_s"] = build_s;
  j["sim_s"] = sim_s;
  j["rtf"] = simulated_s > 0 ? sim_s / simulated_s : 0.0;
  j["completed"] = !stopped;
  j["start_step"] = start_step;
  j["end_step"] = sim.current_step();
  j["resumed_from"] = resume_path.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(resume_path);
  j["restore_s"] = restore_s;
  j["checkpoints"] = checkpoints;
  j["peak_rss_bytes"] = static_cast<std::uint64_t>(peak); // largest rank
  j["synapse_bytes"] = synapses[1];
  j["per_rank"] = rank_table(all, mine.size(), imbalance);
  j["imbalance"] = imbalance;
  auto& pops = j["populations"];
  pops = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto n = net.populations[p].size;
    pops[net.populations[p].name] = {
        {"neurons", n},
        {"spikes", counts[p]},
        {"mean_rate_hz",
         seconds > 0 ? static_cast<double>(counts[p]) / (static_cast<double>(n) * seconds) : 0.0}};
  }
  write_file_atomically(out / "run.json", j.dump(2) + "\n");

  if (!opts.quiet) {
    std::cout << opts.model << ": " << ln.n_global << " neurons, " << synapses[0] << " synapses, "
              << comm.size() << " rank(s) x " << threads << " threads; build " << build_s << " s, simulation "
              << sim_s << " s (rtf " << j["rtf"].get<double>() << ")\n";
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      std::cout << "  " << net.populations[p].name << ": "
                << pops[net.populations[p].name]["mean_rate_hz"].get<double>() << " Hz\n";
    std::cout << "  output: " << out.string() << "/\n";
    if (stopped)
      std::cout << "  stopped by a signal at " << static_cast<double>(sim.current_step()) * net.run.dt
                << " ms; checkpoint written; continue with --resume latest\n";
  }
  return stopped ? exit_resume_me : 0;
}

} // namespace myelin::cli
