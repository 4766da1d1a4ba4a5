#pragma once
// What the model file may say about each model: names, parameters with units
// and defaults, recordable state, and the model's own parameter checks.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace myelin::models {

// The postsynaptic trace time constant of STDP, a parameter of every neuron model.
inline constexpr const char* tau_minus_name = "tau_minus";
inline constexpr double default_tau_minus = 20.0; // ms, as NEST

struct parameter_info {
  std::string name;
  std::string unit;
  double default_value;
  bool is_flag;
};

struct state_info {
  std::string name;
  std::string unit;
};

struct model_info {
  std::string name;
  int n_receptors = 0; // input ports; 0 for pure sources
  // Ports chosen by a projection's `receptor` (1-based, NEST's receptor_type)
  // rather than by the weight's sign (models/model_api.hpp); their names.
  bool typed_receptors = false;
  std::vector<std::string> receptors;
  // Ports a population with these parameters has (the first ones of
  // `receptors`): n_receptors unless the model says otherwise.
  std::function<int(const std::map<std::string, double>&)> ports;
  bool is_source = false;     // emits given spikes, cannot be a projection target
  bool takes_current = false; // current devices (dc_generator, ...) may target it
  // Bytes of the model's constants: kept once per neuron where parameters are given per neuron.
  std::size_t constants_bytes = 0;
  bool counts_spikes = false;       // every arriving spike counts 1.0, whatever its weight (parrot_neuron)
  unsigned max_spikes_per_step = 1; // models::max_spikes_per_step
  std::vector<parameter_info> parameters;
  std::vector<state_info> state;
  // What a checkpoint stores per neuron, on every backend: the state fields
  // as held (V_m relative to E_L for LIF models), then "refractory_steps"
  // for models with a refractory counter.
  std::vector<std::string> stored_fields;
  // Throws parameter_error when the values are inconsistent (tau_m <= 0, ...).
  std::function<void(const std::map<std::string, double>&, double dt)> validate;

  const parameter_info* find_parameter(std::string_view n) const;
  int find_state(std::string_view n) const; // -1 if absent
};

const model_info* find_model(std::string_view name);
// Adds a model at run time (tests; engine/model_plugin.hpp adds its backend
// implementations too). Names must be new.
void add_model(model_info info);
std::vector<std::string> model_names();

} // namespace myelin::models
