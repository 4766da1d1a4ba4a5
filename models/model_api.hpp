#pragma once
// What a neuron model header provides. A model is a plain struct with
//   name, n_receptors                     — identity and input ports (below)
//   parameters  + parameter_fields        — NEST names, units, defaults
//   constants   + prepare(params, dt)     — propagators, computed once on the host
//   state       + state_fields            — per-neuron variables (SoA on the backend)
//   initial_state(constants)
//   MYELIN_HD step(constants, state&, in0, in1[, I_stim]) -> spiked
//             (typed receptors: step(constants, state&, const double* in[, I_stim]))
// The engine turns it into a neuron group; there are no per-model branches.

#include "models/host_device.hpp"
#include "spec/error.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace myelin::models {

// A parameter value was rejected by the model itself (e.g. tau_m <= 0). The
// reader turns it into a model_error naming file and key (bad input all the
// same if one ever escapes without them).
struct parameter_error : bad_input {
  std::string parameter;
  parameter_error(std::string param, const std::string& reason)
      : bad_input(reason)
      , parameter(std::move(param)) {}
};

template <class Parameters>
struct parameter_field {
  const char* name;
  double Parameters::*member;
  const char* unit;
  bool is_flag = false; // a boolean in the model file, stored as 0/1
};

template <class State, class Constants>
struct state_field {
  const char* name;
  double State::*member;
  const char* unit;
  // Stored relative to this constant (NEST keeps V_m relative to E_L); null if absolute.
  double Constants::*offset = nullptr;
  // Kept in checkpoints but neither recordable nor initialisable (the
  // integrator's substep size); such fields come after all others.
  bool internal = false;
};

// Receptor ports. Most models are sign-routed, as NEST's psc models are: with
// n_receptors = 2, positive weights reach the excitatory input and negative
// ones the inhibitory input; with 1, both reach the one input; step() gets
// (in0, in1). A model with `static constexpr bool typed_receptors = true`
// instead takes input on n_receptors ports chosen by a projection's
// `receptor` (NEST's receptor_type, 1-based), names them in
// `receptor_names`, and its step() gets one summed input per port:
// step(c, s, const double* in) with in[port].
template <class Model>
inline constexpr bool typed_receptors = requires {
  requires Model::typed_receptors;
};

// Current input (NEST's CurrentEvent: dc_generator, noise_generator, ...):
// a model that takes it has one more argument to step(), the current in pA
// that flows during this step, after in0/in1 or after the port array.
template <class Model>
inline constexpr bool takes_current = [] {
  using C = typename Model::constants;
  using S = typename Model::state;
  if constexpr (typed_receptors<Model>)
    return requires(const C& c, S& s, const double* in) {
      Model::step(c, s, in, 0.0);
    };
  else
    return requires(const C& c, S& s) {
      Model::step(c, s, 0.0, 0.0, 0.0);
    };
}();

// Ports a population of a typed model has: a model whose number of ports
// depends on its parameters (iaf_psc_exp_multisynapse: the length of
// tau_syn) keeps it in constants::n_ports; others have n_receptors. The
// backends read only these ports' ring channels.
template <class Model>
MYELIN_HD int active_ports(const typename Model::constants& c) {
  if constexpr (requires { c.n_ports; })
    return c.n_ports;
  else
    return Model::n_receptors;
}

// A model that counts arriving spikes rather than summing their weights
// (parrot_neuron): every synapse and Poisson device into it delivers 1.0,
// whatever weight the model file gives, as NEST ignores the weight.
template <class Model>
inline constexpr bool counts_spikes = requires {
  requires Model::counts_spikes;
};

// The most spikes a neuron of the model emits in one step: 1, unless its
// step() returns a count (parrot_neuron repeats each arriving spike, NEST's
// multiplicity; AdEx with t_ref = 0 may reach V_peak twice) and it says how
// many it keeps in max_spikes_per_step. The device backend sizes its spike
// buffers by it; both backends keep at most that many and count a step that
// had more as a saturated input step.
template <class Model>
inline constexpr unsigned max_spikes_per_step = [] {
  if constexpr (requires { Model::max_spikes_per_step; })
    return static_cast<unsigned>(Model::max_spikes_per_step);
  else
    return 1u;
}();

// Holds a step's spike count to max_spikes_per_step; returns 1 when that
// dropped some (a saturated step, reported), else 0. Both backends call it.
template <class Model>
MYELIN_HD unsigned keep_spikes(unsigned& spikes) {
  constexpr unsigned most = max_spikes_per_step<Model>;
  if constexpr (most > 1) { // step() returns a count
    if (spikes > most) {
      spikes = most;
      return 1;
    }
  }
  return 0;
}

inline constexpr double infinity = std::numeric_limits<double>::infinity();

inline void require_positive(const char* name, double v) {
  if (!(v > 0.0))
    throw parameter_error(name, "must be > 0, got " + std::to_string(v));
}
inline void require_non_negative(const char* name, double v) {
  if (!(v >= 0.0))
    throw parameter_error(name, "must be >= 0, got " + std::to_string(v));
}

// The checks every leaky integrate-and-fire model makes, as NEST does.
inline void check_lif_membrane(double C_m, double tau_m, double t_ref, double V_reset, double V_th) {
  require_positive("C_m", C_m);
  require_positive("tau_m", tau_m);
  require_non_negative("t_ref", t_ref);
  if (!(V_reset < V_th))
    throw parameter_error("V_reset", "must be smaller than V_th");
}

// The checks NEST's conductance-based models make (g_L >= 0 is ours: a
// negative leak conductance makes the neuron unstable).
inline void check_conductance_membrane(double C_m, double g_L, double t_ref, double tau_syn_ex,
                                       double tau_syn_in) {
  require_positive("C_m", C_m);
  require_non_negative("g_L", g_L);
  require_non_negative("t_ref", t_ref);
  require_positive("tau_syn_ex", tau_syn_ex);
  require_positive("tau_syn_in", tau_syn_in);
}

// Builds a model's parameter struct from named values (names already
// validated): neuron and synapse models alike.
template <class Model>
typename Model::parameters make_parameters(const auto& values) {
  typename Model::parameters p{};
  for (const auto& f : Model::parameter_fields)
    if (auto it = values.find(f.name); it != values.end())
      p.*f.member = it->second;
  return p;
}

// NEST's threshold of the current-based LIF models, after the step's
// update: V_m >= V_th emits a spike, resets V_m and starts the refractory
// count (V_m, V_th, V_reset relative to E_L as the model holds them).
template <class Constants, class State>
MYELIN_HD bool lif_threshold(const Constants& c, State& s) {
  if (s.V_m >= c.V_th) {
    s.refractory = c.ref_steps;
    s.V_m = c.V_reset;
    return true;
  }
  return false;
}

// Refractory time in whole steps, as NEST's Time arithmetic does (rounded).
inline std::int32_t refractory_steps(double t_ref, double dt) {
  return static_cast<std::int32_t>(t_ref / dt + 0.5);
}

} // namespace myelin::models
