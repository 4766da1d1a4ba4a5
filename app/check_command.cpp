#include "app/commands.hpp"
#include "app/memory_admission.hpp"
#include "app/memory_estimate.hpp"
#include "app/partition_setup.hpp"
#include "engine/build.hpp"
#include "engine/connectivity.hpp"
#include "io/connection_file.hpp"
#include "io/model_file.hpp"
#include "io/sonata/edge_reader.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "partition/decomposition.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

namespace myelin::cli {

int check_command(const check_options& opts) {
  const auto strategy = partition::parse_strategy(opts.partition);
  if (opts.ranks < 1)
    throw usage_error("--ranks must be at least 1");
  const std::string& model = opts.model;
  const auto net = io::read_model(model);
  delay_range delays;
  std::cout << model << ": valid\n";
  std::cout << "  dt " << net.run.dt << " ms, duration " << net.run.duration << " ms, seed " << net.run.seed
            << "\n";
  std::cout << "  populations:\n";
  for (const auto& p : net.populations) {
    std::cout << "    " << std::left << std::setw(16) << p.name << std::right << std::setw(12) << p.size
              << "  " << p.model << "\n";
    if (const auto* info = models::find_model(p.model); info && info->typed_receptors) {
      std::cout << "      receptor ports:";
      const auto n = static_cast<std::size_t>(info->ports(p.params_of(0)));
      for (std::size_t r = 0; r < n; ++r)
        std::cout << " " << r + 1 << " (" << info->receptors[r] << ")";
      std::cout << "\n";
    }
    // What the file set (defaults are the model's, see docs/model-file.md).
    if (!p.params.empty()) {
      std::cout << "      params:";
      for (const auto& [k, v] : p.params)
        std::cout << " " << k << "=" << v;
      std::cout << "\n";
    }
    if (!p.param_arrays.empty()) {
      std::cout << "      per neuron:";
      for (const auto& [k, values] : p.param_arrays) {
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        std::cout << " " << k << "=[" << *lo << ".." << *hi << "]";
      }
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
  }
  std::cout << "  projections (expected synapses):\n";
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const auto& pr = net.projections[i];
    const auto* syn = models::find_synapse_model(pr.synapse_model);
    const bool edges = pr.connectivity.type == spec::rule::kind::edges;
    std::cout << "    " << pr.source << " -> " << pr.target;
    if (edges) { // counted below, with the edges read
      std::string types;
      for (const auto t : pr.connectivity.edge_types) {
        if (!types.empty())
          types += ",";
        types += std::to_string(t);
      }
      std::cout << "  SONATA edges of " << net.edge_sets[pr.connectivity.edge_set].population << ", types "
                << types;
    } else {
      widen(delays, pr.delay, net.run.dt);
      std::cout << std::setw(16) << std::llround(projection_generator(net, i).expected_synapses());
    }
    std::cout << "  " << syn->name << ", " << syn->bytes_per_synapse() << " B/synapse";
    if (syn->plastic)
      std::cout << " + " << 8 * (syn->pre_fields.size() + 1) << " B per source and thread";
    std::cout << "\n";
  }
  if (!net.poisson_devices.empty() || !net.current_devices.empty()) {
    std::cout << "  devices:\n";
    const auto targets = [](const std::vector<std::string>& names) {
      std::string s;
      for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
      return s;
    };
    for (const auto& d : net.poisson_devices)
      std::cout << "    " << d.name << ": poisson_generator, " << d.rate << " Hz -> " << targets(d.targets)
                << "\n";
    for (const auto& d : net.current_devices)
      std::cout << "    " << d.name << ": " << spec::current_device::nest_name(d.type) << ", weight "
                << d.weight << ", delay " << d.delay << " ms -> " << targets(d.targets) << "\n";
  }
  // Every SONATA edge is read and checked here, on one process (and reused by --connections).
  comm::local_communicator one;
  const partition::decomposition whole(net, 1, partition::strategy::block);
  const auto listed = io::sonata::read_owned_edges(net, whole, one);
  if (!net.edge_sets.empty()) {
    std::cout << "  SONATA edges (read):\n";
    std::size_t at = 0;
    for (const auto& es : net.edge_sets) {
      std::uint64_t plastic = 0;
      for (std::uint64_t k = 0; k < es.edges; ++k, ++at) {
        delays.min = std::min(delays.min, listed[at].delay);
        delays.max = std::max(delays.max, listed[at].delay);
        plastic += listed[at].projection != listed_synapse::in_static_table;
      }
      std::cout << "    " << es.population << ": " << es.source << " -> " << es.target << std::setw(12)
                << es.edges << " edges";
      if (plastic)
        std::cout << ", " << plastic << " of them plastic (the projections above)";
      std::cout << "\n";
    }
  }
  comm::local_communicator self;
  const auto choice = choose_partition(net, opts.ranks, strategy, self);
  const partition::decomposition& decomp = choice.decomp;
  const auto need = estimate_memory(net, decomp, delays);
  std::cout << "  neurons " << net.total_neurons() << ", expected synapses " << std::llround(need.synapses)
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
  std::cout << "  estimated memory: " << bytes_text(need.total()) << " (synapses "
            << bytes_text(need.synapse_bytes) << ", neuron state " << bytes_text(need.state_bytes)
            << ", ring buffers " << bytes_text(need.ring_bytes) << ")\n";

  // How the neurons would spread over ranks, and what each rank would hold.
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
    double n = 0, syn = 0;
    for (const auto& sl : decomp.slices(r)) {
      n += static_cast<double>(sl.count);
      syn += static_cast<double>(sl.count) * indegree[sl.population];
    }
    std::cout << "    " << std::setw(4) << r << std::setw(13) << std::llround(n) << std::setw(14)
              << std::llround(syn) << std::setw(14) << bytes_text(need.per_rank[static_cast<std::size_t>(r)])
              << "\n";
  }
  // The verdict `myelin run` would reach with --ranks ranks on this machine.
  std::cout << "  memory on this machine: " << admit(need, memory_per_rank(opts.ranks)).text << "\n";
  if (!opts.connections.empty()) {
    const auto built = build(net, whole, one, 1, listed);
    io::write_connection_file(opts.connections, net, built);
    std::cout << "  connections written to " << opts.connections << "\n";
  }
  return 0;
}

} // namespace myelin::cli
