#include "app/memory_estimate.hpp"

#include "engine/build.hpp"
#include "engine/connectivity.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace myelin::cli {

void widen(delay_range& r, const spec::distribution& d, double dt) {
  using kind = spec::distribution::kind;
  if (d.type == kind::listed) {
    for (double v : d.values) {
      r.min = std::min(r.min, spec::delay_steps(v, dt));
      r.max = std::max(r.max, spec::delay_steps(v, dt));
    }
    return;
  }
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

delay_range projection_delays(const spec::network& net) {
  delay_range r;
  for (const auto& pr : net.projections)
    if (pr.connectivity.type != spec::rule::kind::edges) // their delays are in the file
      widen(r, pr.delay, net.run.dt);
  return r;
}

double memory_estimate::largest_rank() const {
  return per_rank.empty() ? total() : *std::max_element(per_rank.begin(), per_rank.end());
}

int memory_estimate::ranks_needed(double bytes) const {
  // The shared part spreads over the ranks (evenly, at best); the
  // replicated part stays on each.
  double shared = 0;
  for (double b : per_rank)
    shared += std::max(0.0, b - replicated);
  if (bytes <= replicated)
    return 0;
  return static_cast<int>(std::max(1.0, std::ceil(shared / (bytes - replicated))));
}

memory_estimate estimate_memory(const spec::network& net, const partition::decomposition& decomp,
                                const delay_range& delays) {
  memory_estimate e;
  for (const auto& p : net.populations) {
    const auto* info = models::find_model(p.model);
    e.state_bytes += static_cast<double>(p.size) * (8.0 * static_cast<double>(info->state.size()) + 4.0);
    // Per-neuron parameters: the arrays in the spec and constants per neuron
    // (engine/neuron_constants.hpp).
    if (!p.param_arrays.empty())
      e.state_bytes += static_cast<double>(p.size) * (8.0 * static_cast<double>(p.param_arrays.size()) +
                                                      static_cast<double>(info->constants_bytes));
  }
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const double n = projection_generator(net, i).expected_synapses();
    e.synapses += n;
    e.synapse_bytes +=
        n * static_cast<double>(
                models::find_synapse_model(net.projections[i].synapse_model)->bytes_per_synapse());
  }
  // An edge set's edges at the largest size its synapse models take (which
  // types they have is known only once the file is read).
  std::vector<double> edge_bytes(net.edge_sets.size(), 8.0);
  for (const auto& pr : net.projections)
    if (pr.connectivity.type == spec::rule::kind::edges)
      edge_bytes[pr.connectivity.edge_set] =
          std::max(edge_bytes[pr.connectivity.edge_set],
                   static_cast<double>(models::find_synapse_model(pr.synapse_model)->bytes_per_synapse()));
  for (std::size_t i = 0; i < net.edge_sets.size(); ++i) {
    e.synapses += static_cast<double>(net.edge_sets[i].edges);
    e.synapse_bytes += static_cast<double>(net.edge_sets[i].edges) * edge_bytes[i];
  }
  const double neurons = static_cast<double>(net.total_neurons());
  std::int64_t device_delay = 0;
  for (const auto& d : net.poisson_devices)
    device_delay = std::max(device_delay, spec::delay_steps(d.delay, net.run.dt));
  // The engine's own sizing (engine/build.hpp), so the estimate cannot drift from it.
  const double slots = static_cast<double>(ring_slots_for(delays.max, device_delay));
  const double channels = static_cast<double>(ring_channels(net));
  e.ring_bytes = channels * slots * neurons * 8.0;
  // The subscription index: one row per source with synapses on a rank, at
  // most every neuron of the network (and the subscriber lists beside it).
  e.replicated = neurons * 16.0;
  const double bytes_per_synapse = e.synapses > 0 ? e.synapse_bytes / e.synapses : 8.0;
  e.synapse_bytes += e.replicated;

  // Each rank: its neurons' incoming synapses at the network's average bytes
  // per synapse, their state and ring rows, and the replicated index.
  const auto indegree = partition::expected_indegree(net);
  for (int r = 0; r < decomp.ranks(); ++r) {
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
    e.per_rank.push_back(syn * bytes_per_synapse + e.replicated + state + channels * slots * n * 8.0);
  }
  return e;
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

} // namespace myelin::cli
