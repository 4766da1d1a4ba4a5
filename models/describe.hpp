#pragma once
// A neuron model's registry entry, generated from its header: names, units,
// defaults, recordable and stored state, ports, and its parameter checks.
#include "models/model_api.hpp"
#include "models/registry.hpp"

namespace myelin::models {

template <class Model>
model_info describe() {
  model_info info;
  info.name = Model::name;
  info.n_receptors = Model::n_receptors;
  if constexpr (typed_receptors<Model>) {
    info.typed_receptors = true;
    for (const char* r : Model::receptor_names)
      info.receptors.push_back(r);
  } else if (Model::n_receptors == 2) {
    info.receptors = {"excitatory (weight > 0)", "inhibitory (weight < 0)"};
  } else {
    info.receptors = {"input (either sign)"};
  }
  const typename Model::parameters defaults{};
  for (const auto& f : Model::parameter_fields)
    info.parameters.push_back({f.name, f.unit, defaults.*f.member, f.is_flag});
  for (const auto& f : Model::state_fields) {
    if (!f.internal)
      info.state.push_back({f.name, f.unit});
    info.stored_fields.push_back(f.name);
  }
  info.ports = [](const std::map<std::string, double>& values) {
    if constexpr (requires(const typename Model::parameters& p) { Model::ports(p); })
      return Model::ports(make_parameters<Model>(values));
    else
      return Model::n_receptors;
  };
  info.takes_current = takes_current<Model>;
  info.counts_spikes = counts_spikes<Model>;
  info.max_spikes_per_step = max_spikes_per_step<Model>;
  info.constants_bytes = sizeof(typename Model::constants);
  if constexpr (requires(typename Model::state s) { s.refractory; })
    info.stored_fields.push_back("refractory_steps");
  // Every spiking neuron keeps the postsynaptic STDP trace, as NEST's
  // ArchivingNode does; its time constant is a neuron parameter there too.
  info.parameters.push_back({tau_minus_name, "ms", default_tau_minus, false});
  info.validate = [](const std::map<std::string, double>& values, double dt) {
    Model::prepare(make_parameters<Model>(values), dt);
    if (auto it = values.find(tau_minus_name); it != values.end())
      require_positive(tau_minus_name, it->second);
  };
  return info;
}

} // namespace myelin::models
