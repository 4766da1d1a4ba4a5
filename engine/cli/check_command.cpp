#include "engine/build.hpp"
#include "engine/cli/commands.hpp"
#include "engine/cli/partition_setup.hpp"
#include "engine/connectivity.hpp"
#include "io/connection_file.hpp"
#include "io/model_file.hpp"
#include "io/sonata/edge_reader.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "partition/decomposition.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

namespace myelin::cli {
namespace {

struct delay_range {
  std::int64_t min = std::numeric_limits<std::int64_t>::max(), max = 0;
  bool unbounded = false;
};

void widen(delay_range& r, const spec::distribution& d, double dt) {
  using kind = spec::distribution::kind;
  const double lo = d.type == kind::constant  ? d.value
                    : d.type == kind::uniform ? std::max(d.low, d.min)
                                              : d.min;
  const double hi = d.type == kind::constant  ? d.value
                    : d.type == kind::uniform ? std::min(d.high, d.max)
                                              : d.max;
  r.min = std::min(r.min, spec::delay_steps(lo, dt));
  if (std::isfinite(hi))
    r.max = std::max(r.max, spec::delay_steps(hi, dt));
  else
    r.unbounded = true;
}

std::string bytes_text(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  std::ostringstream os;
  os << std::fixed << std::setprecision(u ? 1 : 0) << b << ' ' << units[u];
  return os.str();
}

} // namespace

int check_command(const check_options& opts) {
  const auto strategy = partition::parse_strategy(opts.partition);
  if (opts.ranks < 1)
    throw usage_error("--ranks must be at least 1");
  const std::string& model = opts.model;
  const auto net = io::read_model(model);
  std::cout << model << ": valid\n";
  std::cout << "  dt " << net.run.dt << " ms, duration " << net.run.duration << " ms, seed " << net.run.seed
            << "\n";
  double state_bytes = 0;
  std::cout << "  populations:\n";
  for (const auto& p : net.populations) {
    const auto* info = models::find_model(p.model);
    std::cout << "    " << std::left << std::setw(16) << p.name << std::right << std::setw(12) << p.size
              << "  " << p.model << "\n";
    // What the file set (defaults are the model's, see docs/models.md).
    if (!p.params.empty()) {
      std::cout << "      params:";
      for (const auto& [k, v] : p.params)
        std::cout << " " << k << "=" << v;
      std::cout << "\n";
    }
    if (!p.init.empty()) {
      std::cout << "      init:";
      for (const auto& [k, d] : p.init)
        if (d.is_constant())
          std::cout << " " << k << "=" << d.value;
        else
          std::cout << " " << k << "=(distribution)";
      std::cout << "\n";
    }
    if (!p.output_name.empty() && p.output_name != p.name)
      std::cout << "      SONATA population " << p.output_name << ", node ids " << p.output_first_id << ".."
                << p.output_first_id + p.size - 1 << "\n";
    state_bytes += static_cast<double>(p.size) * (8.0 * static_cast<double>(info->state.size()) + 4.0);
  }
  double synapses = 0, synapse_bytes = 0;
  delay_range delays;
  std::cout << "  projections (expected synapses):\n";
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const projection_generator g(net, i);
    const auto& pr = net.projections[i];
    const double n = g.expected_synapses();
    const auto* syn = models::find_synapse_model(pr.synapse_model);
    synapses += n;
    synapse_bytes += n * static_cast<double>(syn->bytes_per_synapse());
    widen(delays, pr.delay, net.run.dt);
    std::cout << "    " << pr.source << " -> " << pr.target << std::setw(16) << std::llround(n) << "  "
              << syn->name << ", " << syn->bytes_per_synapse() << " B/synapse";
    if (syn->plastic)
      std::cout << " + " << 8 * (syn->pre_fields.size() + 1) << " B per source and thread";
    std::cout << "\n";
  }
  // Every SONATA edge is read and checked here, on one process (and reused by --connections).
  comm::local_communicator one;
  const partition::decomposition whole(net, 1, partition::strategy::block);
  const auto listed = io::sonata::read_owned_edges(net, whole, one);
  if (!net.edge_sets.empty()) {
    std::cout << "  SONATA edges (read):\n";
    std::size_t at = 0;
    for (const auto& es : net.edge_sets) {
      for (std::uint64_t k = 0; k < es.edges; ++k, ++at) {
        delays.min = std::min(delays.min, listed[at].delay);
        delays.max = std::max(delays.max, listed[at].delay);
      }
      synapses += static_cast<double>(es.edges);
      synapse_bytes += static_cast<double>(es.edges) * 8.0;
      std::cout << "    " << es.population << ": " << es.source << " -> " << es.target << std::setw(12)
                << es.edges << "  static_synapse, 8 B/synapse\n";
    }
  }
  const double neurons = static_cast<double>(net.total_neurons());
  std::cout << "  neurons " << net.total_neurons() << ", expected synapses " << std::llround(synapses)
            << "\n";
  if (net.projections.empty() && net.edge_sets.empty()) {
    std::cout << "  no synapses: delays do not constrain the epoch\n";
  } else {
    std::cout << "  delay steps: min " << delays.min << ", max ";
    if (delays.unbounded)
      std::cout << "unbounded (the distribution has no max; known after construction)\n";
    else
      std::cout << delays.max << "\n";
  }
  std::int64_t device_delay = 0;
  for (const auto& d : net.poisson_devices)
    device_delay = std::max(device_delay, spec::delay_steps(d.delay, net.run.dt));
  const std::int64_t epoch =
      choose_epoch_steps(net.projections.empty() && net.edge_sets.empty() ? 0 : delays.min, false);
  const double slots = static_cast<double>(std::max(delays.max, device_delay) + epoch + 1);
  const double ring_bytes = 2.0 * slots * neurons * 8.0;
  synapse_bytes += neurons * 16.0;
  std::cout << "  estimated memory: " << bytes_text(synapse_bytes + state_bytes + ring_bytes) << " (synapses "
            << bytes_text(synapse_bytes) << ", neuron state " << bytes_text(state_bytes) << ", ring buffers "
            << bytes_text(ring_bytes) << ")\n";

  // How the neurons would spread over ranks, and what each rank would hold
  // (at the network's average bytes per synapse).
  const double bytes_per_synapse = synapses > 0 ? (synapse_bytes - neurons * 16.0) / synapses : 8.0;
  comm::local_communicator self;
  const auto choice = choose_partition(net, opts.ranks, strategy, self);
  const partition::decomposition& decomp = choice.decomp;
  std::cout << "  partition strategies over " << opts.ranks << " rank(s) (on a graph of neuron blocks):\n"
            << "    strategy      crossing synapses   imbalance   bytes sent per spike\n";
  for (const auto& sq : choice.strategies)
    std::cout << "    " << std::left << std::setw(12) << sq.strategy << std::right << std::fixed
              << std::setprecision(4) << std::setw(19) << sq.q.crossing_fraction << std::setprecision(3)
              << std::setw(12) << sq.q.imbalance << std::setprecision(1) << std::setw(23)
              << sq.q.bytes_per_spike << std::defaultfloat << "\n";
  const auto indegree = partition::expected_indegree(net);
  std::cout << "  decomposition over " << opts.ranks << " rank(s), " << partition::strategy_name(strategy)
            << ": imbalance " << std::fixed << std::setprecision(3) << decomp.imbalance() << std::defaultfloat
            << " (largest cost / mean)\n";
  std::cout << "    rank      neurons      synapses   est. memory\n";
  for (int r = 0; r < opts.ranks; ++r) {
    double n = 0, syn = 0, state = 0;
    for (const auto& sl : decomp.slices(r)) {
      const double c = static_cast<double>(sl.count);
      n += c;
      syn += c * indegree[sl.population];
      state +=
          c *
          (8.0 * static_cast<double>(models::find_model(net.populations[sl.population].model)->state.size()) +
           4.0);
    }
    const double mem = syn * bytes_per_synapse + neurons * 16.0 + state + 2.0 * slots * n * 8.0;
    std::cout << "    " << std::setw(4) << r << std::setw(13) << std::llround(n) << std::setw(14)
              << std::llround(syn) << std::setw(14) << bytes_text(mem) << "\n";
  }
  if (!opts.connections.empty()) {
    const auto ln = build(net, whole, one, 1, listed);
    io::write_connection_file(opts.connections, net, ln);
    std::cout << "  connections written to " << opts.connections << "\n";
  }
  return 0;
}

} // namespace myelin::cli
