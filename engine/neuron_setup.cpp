#include "engine/neuron_setup.hpp"

#include "engine/sampling.hpp"
#include "models/poisson_source.hpp"
#include "models/registry.hpp"
#include "models/spike_source.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <limits>

namespace myelin {

void draw_initial_state(const spec::network& net, std::size_t population, const partition::slice& slice,
                        const std::function<void(int, std::uint64_t, double)>& write) {
  const auto& p = net.populations[population];
  const auto* info = models::find_model(p.model);
  for (const auto& [name, dist] : p.init) {
    const int var = info->find_state(name);
    const auto key =
        rng::make_key(net.run.seed, rng::purpose::initial_state,
                      (static_cast<std::uint64_t>(population) << 16) | static_cast<std::uint64_t>(var));
    for (std::uint64_t i = 0; i < slice.count; ++i) {
      rng::stream s(key, slice.first_gid + i * slice.stride);
      try {
        write(var, i,
              dist.is_listed() ? dist.values.at(slice.first_index + i * slice.stride) : sample(dist, s));
      } catch (const sampling_error& e) {
        throw model_error(net.source_file, "populations." + p.name + ".init." + name, e.what());
      }
    }
  }
}

std::vector<std::vector<std::int64_t>> spike_source_steps(const spec::network& net,
                                                          const spec::population& p) {
  const bool offgrid = p.params.count("allow_offgrid_times") && p.params.at("allow_offgrid_times") != 0.0;
  std::vector<std::vector<std::int64_t>> steps;
  for (const auto& times : p.spike_times)
    steps.push_back(models::spike_times_to_emit_steps(times, net.run.dt, offgrid));
  return steps;
}

poisson_source_plan plan_poisson_source(const spec::network& net, const spec::population& p) {
  const auto prm = [&](const char* k, double fallback) {
    return p.params.count(k) ? p.params.at(k) : fallback;
  };
  const models::poisson_source::parameters defaults;
  const double rate = prm("rate", defaults.rate), start = prm("start", defaults.start),
               stop = prm("stop", defaults.stop);
  // Spikes stamped in (start, stop]: emitted while updating steps [start/dt, stop/dt).
  const auto to_step = [&](double ms) {
    return ms >= 1e299 ? std::numeric_limits<std::int64_t>::max() : std::llround(ms / net.run.dt);
  };
  const auto pop = static_cast<std::uint64_t>(net.find_population(p.name));
  return {poisson_table(rate * net.run.dt * 1e-3),
          rng::make_key(net.run.seed, rng::purpose::poisson_source, pop), to_step(start), to_step(stop)};
}

} // namespace myelin
