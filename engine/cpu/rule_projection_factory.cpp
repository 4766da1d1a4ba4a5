#include "engine/cpu/rule_projection.hpp"
#include "models/all_synapses.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

namespace myelin::cpu {
namespace {

template <class Rule, class... Rest>
std::unique_ptr<plastic_projection> make_rule(const spec::projection& pr, double dt,
                                              models::synapse_list<Rule, Rest...>) {
  if (pr.synapse_model == Rule::name)
    return std::make_unique<rule_projection<Rule>>(
        Rule::prepare(models::make_parameters<Rule>(pr.synapse_params), dt));
  if constexpr (sizeof...(Rest) > 0)
    return make_rule(pr, dt, models::synapse_list<Rest...>{});
  else
    throw internal_error("no plastic synapse model '" + pr.synapse_model + "'");
}

} // namespace

std::unique_ptr<plastic_projection> make_plastic_projection(const spec::network& net, std::size_t p) {
  return make_rule(net.projections[p], net.run.dt, models::plastic_synapse_models{});
}

} // namespace myelin::cpu
