#include "engine/cpu/group_factory.hpp"

#include "engine/cpu/model_group.hpp"
#include "engine/cpu/poisson_source_group.hpp"
#include "engine/cpu/spike_source_group.hpp"
#include "engine/sampling.hpp"
#include "models/all_models.hpp"
#include "models/poisson_source.hpp"
#include "models/registry.hpp"
#include "models/spike_source.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>

namespace myelin::cpu {
namespace {

template <class... Models>
std::map<std::string, group_factory> table(models::model_list<Models...>) {
  std::map<std::string, group_factory> t{group_entry<Models>()...};
  t[models::spike_source::name] = [](const spec::network& net, const spec::population& p,
                                     const partition::slice& s) -> std::unique_ptr<neuron_group> {
    const bool offgrid = p.params.count("allow_offgrid_times") && p.params.at("allow_offgrid_times") != 0.0;
    std::vector<std::vector<std::int64_t>> steps;
    for (const auto& times : p.spike_times)
      steps.push_back(models::spike_times_to_emit_steps(times, net.run.dt, offgrid));
    return std::make_unique<spike_source_group>(s.first_gid, s.stride, s.first_local, s.count, s.first_index,
                                                std::move(steps));
  };
  t[models::poisson_source::name] = [](const spec::network& net, const spec::population& p,
                                       const partition::slice& s) -> std::unique_ptr<neuron_group> {
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
    return std::make_unique<poisson_source_group>(
        s.first_gid, s.stride, s.first_local, s.count, poisson_table(rate * net.run.dt * 1e-3),
        rng::make_key(net.run.seed, rng::purpose::poisson_source, pop), to_step(start), to_step(stop));
  };
  return t;
}

} // namespace

std::map<std::string, group_factory>& group_factories() {
  static auto factories = table(models::neuron_models{});
  return factories;
}

std::unique_ptr<neuron_group> make_group(const spec::network& net, std::size_t population,
                                         const partition::slice& slice) {
  const auto& factories = group_factories();
  const auto& p = net.populations[population];
  const auto it = factories.find(p.model);
  if (it == factories.end())
    throw internal_error("no CPU implementation of model " + p.model);
  auto group = it->second(net, p, slice);

  const auto* info = models::find_model(p.model);
  for (const auto& [name, dist] : p.init) {
    const int var = info->find_state(name);
    const auto key =
        rng::make_key(net.run.seed, rng::purpose::initial_state,
                      (static_cast<std::uint64_t>(population) << 16) | static_cast<std::uint64_t>(var));
    for (std::uint64_t i = 0; i < slice.count; ++i) {
      rng::stream s(key, group->gid(i));
      try {
        group->write(var, i, sample(dist, s));
      } catch (const sampling_error& e) {
        throw model_error(net.source_file, "populations." + p.name + ".init." + name, e.what());
      }
    }
  }
  return group;
}

} // namespace myelin::cpu
