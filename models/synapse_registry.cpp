#include "models/synapse_registry.hpp"

#include "models/all_models.hpp"
#include "models/all_synapses.hpp"

namespace myelin::models {
namespace {

template <class Rule>
synapse_info describe() {
  synapse_info info;
  info.name = Rule::name;
  info.plastic = true;
  info.plastic_weight = Rule::plastic_weight;
  info.uses_post_spikes = Rule::uses_post_spikes;
  const typename Rule::parameters defaults{};
  for (const auto& f : Rule::parameter_fields)
    info.parameters.push_back({f.name, f.unit, defaults.*f.member, false});
  for (const auto& f : Rule::pre_fields)
    info.pre_fields.push_back(f.name);
  info.validate = [](const std::map<std::string, double>& values, double dt) {
    Rule::prepare(make_parameters<Rule>(values), dt);
  };
  info.weight_checker = [](const std::map<std::string, double>& values, double dt) {
    return std::function<void(double)>(
        [c = Rule::prepare(make_parameters<Rule>(values), dt)](double w) { Rule::check_weight(c, w); });
  };
  info.check_weight = [make = info.weight_checker](const std::map<std::string, double>& values, double dt,
                                                   double w) { make(values, dt)(w); };
  return info;
}

template <class... Rules>
std::vector<synapse_info> describe_all(synapse_list<Rules...>) {
  return {describe<Rules>()...};
}

const std::vector<synapse_info>& all() {
  static const std::vector<synapse_info> models = [] {
    synapse_info stat;
    stat.name = static_synapse_name;
    stat.validate = [](const std::map<std::string, double>&, double) {};
    stat.check_weight = [](const std::map<std::string, double>&, double, double) {};
    stat.weight_checker = [](const std::map<std::string, double>&, double) {
      return std::function<void(double)>([](double) {});
    };
    std::vector<synapse_info> v{stat};
    for (auto& s : describe_all(plastic_synapse_models{}))
      v.push_back(std::move(s));
    return v;
  }();
  return models;
}

} // namespace

const parameter_info* synapse_info::find_parameter(std::string_view n) const {
  for (const auto& p : parameters)
    if (p.name == n)
      return &p;
  return nullptr;
}

const synapse_info* find_synapse_model(std::string_view name) {
  if (name == "static")
    name = static_synapse_name;
  for (const auto& s : all())
    if (s.name == name)
      return &s;
  return nullptr;
}

std::vector<std::string> synapse_model_names() {
  std::vector<std::string> names;
  for (const auto& s : all())
    names.push_back(s.name);
  return names;
}

} // namespace myelin::models
