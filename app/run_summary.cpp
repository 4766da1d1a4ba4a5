#include "app/run_summary.hpp"

#include "app/commands.hpp"
#include "app/output_dir.hpp"

#include <iostream>
#include <string_view>
#include <sys/resource.h>

namespace myelin::cli {

std::uint64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024; // Linux reports KiB
}

namespace {

nlohmann::ordered_json rank_table(const std::vector<double>& all, std::size_t fields, double& imbalance) {
  static const char* names[] = {"neurons",    "synapses",  "spikes",     "records_sent", "records_received",
                                "bytes_sent", "advance_s", "exchange_s", "output_s",     "peak_rss_bytes"};
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
    const double work = all[r * fields + 6]; // advance_s
    sum += work;
    mx = std::max(mx, work);
    table.push_back(row);
  }
  imbalance = sum > 0 ? mx / (sum / static_cast<double>(table.size())) : 1.0;
  return table;
}

} // namespace

void report_run(const std::filesystem::path& out, const run_record& rec, const spec::network& net,
                const backend& b, const simulation& sim, comm::communicator& comm, bool quiet) {
  const auto& ln = b.layout();
  const auto& st = sim.statistics();
  const auto counters = b.counters();
  const std::vector<double> mine = {
      static_cast<double>(ln.n_local),
      static_cast<double>(counters.synapses),
      static_cast<double>(st.spikes_emitted),
      static_cast<double>(st.records_sent + counters.records_sent),
      static_cast<double>(st.records_received + counters.records_received),
      static_cast<double>(st.bytes_sent + counters.records_sent * sizeof(std::uint64_t)),
      st.advance_s,
      st.exchange_s,
      st.output_s,
      static_cast<double>(peak_rss_bytes())};
  const auto all = comm.gather(mine, 0);
  const auto counts = comm.sum(sim.spike_counts());
  // One collective for all the sums.
  const auto sums = comm.sum({counters.synapses, counters.synapse_bytes, counters.saturated_input_steps,
                              counters.graph_calls, counters.static_synaptic_events});
  const std::uint64_t saturated = sums[2];
  const double peak = comm.max(static_cast<double>(peak_rss_bytes()));
  if (comm.rank() != 0)
    return;
  if (saturated)
    std::cerr
        << "myelin: warning: in " << saturated
        << " neuron-steps the summed synaptic input reached the end of the fixed-point range (|sum| "
           "< 2^31 pA, about 2.1e9 pA) and was held there (saturated), or a neuron had more spikes in one "
           "step than myelin keeps (8 for parrot_neuron, 2 for AdEx); see docs/model-file.md\n";

  const double seconds = net.run.duration * 1e-3;
  const double simulated_s = static_cast<double>(sim.current_step() - rec.start_step) * net.run.dt * 1e-3;
  double imbalance = 1.0;
  nlohmann::ordered_json j;
  j["version"] = version_text();
  j["model"] = rec.model;
  j["seed"] = net.run.seed;
  j["dt_ms"] = net.run.dt;
  j["duration_ms"] = net.run.duration;
  j["ranks"] = comm.size();
  j["threads"] = rec.threads;
  j["backend"] = rec.backend;
  j["spike_exchange"] = b.spike_exchange(); // the same on every rank (engine/backend.hpp)
  if (const auto device = b.device(); !device.empty())
    j["device"] = device; // rank 0's; each rank prints its own at the start

  j["static_tables_built_on"] = rec.static_tables_built_on;
  j["plastic_tables_built_on"] = rec.plastic_tables_built_on;
  j["partition"] = rec.partition;
  j["partition_quality"] = rec.partition_quality;
  j["neurons"] = ln.n_global;
  j["synapses"] = sums[0];
  j["min_delay_steps"] = ln.min_delay;
  j["epoch_steps"] = ln.epoch_steps;
  j["overlap"] = ln.overlap;
  j["partition_s"] = rec.partition_s;
  j["build_s"] = rec.build_s;
  j["sim_s"] = rec.sim_s;
  j["rtf"] = simulated_s > 0 ? rec.sim_s / simulated_s : 0.0;
  j["completed"] = rec.completed;
  j["start_step"] = rec.start_step;
  j["end_step"] = sim.current_step();
  j["resumed_from"] =
      rec.resumed_from.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(rec.resumed_from);
  j["restore_s"] = rec.restore_s;
  j["checkpoints"] = rec.checkpoints;
  j["peak_rss_bytes"] = static_cast<std::uint64_t>(peak); // largest rank
  j["synapse_bytes"] = sums[1];
  j["saturated_input_steps"] = saturated; // this run's part, not counted across a resume
  j["graph_calls"] = sums[3];             // CUDA graphs replayed (calls, or epoch halves), all ranks
  j["static_synaptic_events"] = sums[4];  // this run's, all ranks
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

  if (!quiet) {
    std::cout << rec.model << ": " << ln.n_global << " neurons, " << sums[0] << " synapses, " << comm.size()
              << " rank(s) x " << rec.threads << " threads; build " << rec.build_s << " s, simulation "
              << rec.sim_s << " s (rtf " << j["rtf"].get<double>() << ")\n";
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      std::cout << "  " << net.populations[p].name << ": "
                << pops[net.populations[p].name]["mean_rate_hz"].get<double>() << " Hz\n";
    std::cout << "  output: " << out.string() << "/\n";
    if (!rec.completed)
      std::cout << "  stopped by a signal at " << static_cast<double>(sim.current_step()) * net.run.dt
                << " ms; checkpoint written; continue with --resume latest\n";
  }
}

} // namespace myelin::cli
