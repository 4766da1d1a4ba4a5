#include "engine/build.hpp"
#include "engine/cli/commands.hpp"
#include "engine/cli/output_dir.hpp"
#include "engine/cli/progress.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/error.hpp"
#include "engine/simulation.hpp"
#include "io/model_checks.hpp"
#include "io/model_file.hpp"
#include "io/report_file.hpp"
#include "io/spike_file.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
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

} // namespace

int run_command(const run_options& opts) {
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
  const unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::filesystem::path out(opts.output_dir);
  prepare_output_dir(out);

  const auto t_build = std::chrono::steady_clock::now();
  local_network ln = build(net, threads);
  const double build_s = seconds_since(t_build);

  io::spike_file spikes((out / "spikes.h5").string(), net);
  io::report_files reports(out, net);
  comm::local_communicator comm;
  simulation sim(ln, comm, threads);
  sim.set_spike_output(&spikes);
  sim.set_trace_output(&reports);
  const auto n_steps = std::llround(net.run.duration / net.run.dt);
  progress_line progress(n_steps, net.run.dt);
  if (!opts.quiet && isatty(STDERR_FILENO))
    sim.set_progress([&](std::int64_t done) { progress.update(done); });

  const auto t_sim = std::chrono::steady_clock::now();
  sim.run(n_steps);
  const double sim_s = seconds_since(t_sim);
  spikes.close();
  reports.close();

  const double seconds = net.run.duration * 1e-3;
  nlohmann::ordered_json j;
  j["version"] = version_text();
  j["model"] = opts.model;
  j["seed"] = net.run.seed;
  j["dt_ms"] = net.run.dt;
  j["duration_ms"] = net.run.duration;
  j["ranks"] = comm.size();
  j["threads"] = threads;
  j["backend"] = "cpu";
  j["neurons"] = ln.n_global;
  j["synapses"] = ln.n_synapses();
  j["min_delay_steps"] = ln.min_delay;
  j["max_delay_steps"] = ln.max_delay;
  j["build_s"] = build_s;
  j["sim_s"] = sim_s;
  j["rtf"] = seconds > 0 ? sim_s / seconds : 0.0;
  j["peak_rss_bytes"] = peak_rss_bytes();
  j["synapse_bytes"] = ln.synapse_bytes();
  auto& pops = j["populations"];
  pops = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto n = net.populations[p].size;
    const auto count = sim.spike_counts()[p];
    pops[net.populations[p].name] = {
        {"neurons", n},
        {"spikes", count},
        {"mean_rate_hz",
         seconds > 0 ? static_cast<double>(count) / (static_cast<double>(n) * seconds) : 0.0}};
  }
  write_file_atomically(out / "run.json", j.dump(2) + "\n");

  if (!opts.quiet) {
    std::cout << opts.model << ": " << ln.n_global << " neurons, " << ln.n_synapses() << " synapses, "
              << threads << " threads; build " << build_s << " s, simulation " << sim_s << " s (rtf "
              << j["rtf"].get<double>() << ")\n";
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      std::cout << "  " << net.populations[p].name << ": "
                << pops[net.populations[p].name]["mean_rate_hz"].get<double>() << " Hz\n";
    std::cout << "  output: " << out.string() << "/\n";
  }
  return 0;
}

} // namespace myelin::cli
