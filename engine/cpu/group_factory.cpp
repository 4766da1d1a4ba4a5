#include "engine/cpu/group_factory.hpp"

#include "engine/cpu/model_group.hpp"
#include "engine/cpu/poisson_source_group.hpp"
#include "engine/cpu/spike_source_group.hpp"
#include "engine/neuron_setup.hpp"
#include "models/all_models.hpp"
#include "models/poisson_source.hpp"
#include "models/spike_source.hpp"
#include "spec/error.hpp"

#include <map>
#include <string>

namespace myelin::cpu {
namespace {

template <class... Models>
std::map<std::string, group_factory> table(models::model_list<Models...>) {
  std::map<std::string, group_factory> t{group_entry<Models>()...};
  t[models::spike_source::name] = [](const spec::network& net, const spec::population& p,
                                     const partition::slice& s) -> std::unique_ptr<neuron_group> {
    return std::make_unique<spike_source_group>(s.first_gid, s.stride, s.first_local, s.count, s.first_index,
                                                spike_source_steps(net, p));
  };
  t[models::poisson_source::name] = [](const spec::network& net, const spec::population& p,
                                       const partition::slice& s) -> std::unique_ptr<neuron_group> {
    auto plan = plan_poisson_source(net, p);
    return std::make_unique<poisson_source_group>(s.first_gid, s.stride, s.first_local, s.count,
                                                  std::move(plan.table), plan.key, plan.first_step,
                                                  plan.end_step);
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

  draw_initial_state(net, population, slice,
                     [&](int var, std::uint64_t i, double value) { group->write(var, i, value); });
  return group;
}

} // namespace myelin::cpu
