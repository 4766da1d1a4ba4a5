#include "models/registry.hpp"

#include "models/all_models.hpp"
#include "models/describe.hpp"
#include "models/poisson_source.hpp"
#include "models/spike_source.hpp"

#include <deque>

namespace myelin::models {
namespace {

template <class... Models>
std::deque<model_info> describe_all(model_list<Models...>) {
  return {describe<Models>()...};
}

model_info describe_spike_source() {
  model_info info;
  info.name = spike_source::name;
  info.is_source = true;
  // spike_times is a list and is handled by the reader; listed for documentation.
  info.parameters.push_back({"spike_times", "ms", 0.0, false});
  info.parameters.push_back({"allow_offgrid_times", "", 0.0, true});
  info.validate = [](const std::map<std::string, double>&, double) {};
  return info;
}

model_info describe_poisson_source() {
  model_info info;
  info.name = poisson_source::name;
  info.is_source = true;
  const poisson_source::parameters d;
  info.parameters = {
      {"rate", "Hz", d.rate, false}, {"start", "ms", d.start, false}, {"stop", "ms", d.stop, false}};
  info.validate = [](const std::map<std::string, double>& values, double dt) {
    const auto get = [&](const char* k, double fallback) {
      return values.count(k) ? values.at(k) : fallback;
    };
    const poisson_source::parameters d;
    if (!(get("rate", d.rate) >= 0))
      throw parameter_error("rate", "must be >= 0 Hz");
    if (get("rate", d.rate) * dt * 1e-3 > 1e4)
      throw parameter_error("rate", "more than 10000 expected spikes per step");
    if (!(get("start", d.start) >= 0))
      throw parameter_error("start", "must be >= 0 ms");
    if (!(get("stop", d.stop) >= get("start", d.start)))
      throw parameter_error("stop", "must not be before start");
  };
  return info;
}

// A deque: models added at run time never move the ones handed out.
std::deque<model_info>& all() {
  static std::deque<model_info> models = [] {
    auto v = describe_all(neuron_models{});
    v.push_back(describe_spike_source());
    v.push_back(describe_poisson_source());
    return v;
  }();
  return models;
}

} // namespace

const parameter_info* model_info::find_parameter(std::string_view n) const {
  for (const auto& p : parameters)
    if (p.name == n)
      return &p;
  return nullptr;
}

int model_info::find_state(std::string_view n) const {
  for (std::size_t i = 0; i < state.size(); ++i)
    if (state[i].name == n)
      return static_cast<int>(i);
  return -1;
}

const model_info* find_model(std::string_view name) {
  for (const auto& m : all())
    if (m.name == name)
      return &m;
  return nullptr;
}

void add_model(model_info info) {
  if (find_model(info.name))
    throw internal_error("model " + info.name + " is already registered");
  all().push_back(std::move(info));
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& m : all())
    names.push_back(m.name);
  return names;
}

} // namespace myelin::models
