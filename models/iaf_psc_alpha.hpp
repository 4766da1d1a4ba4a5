#pragma once
// Leaky integrate-and-fire neuron with alpha-shaped synaptic currents, integrated
// exactly (NEST's iaf_psc_alpha). A weight w (pA) gives a current whose peak,
// tau_syn after arrival, is w.
#include "models/model_api.hpp"
#include "models/propagators.hpp"

#include <cmath>
#include <numbers>

namespace myelin::models {

struct iaf_psc_alpha {
  static constexpr const char* name = "iaf_psc_alpha";
  static constexpr int n_receptors = 2;

  struct parameters {
    double C_m = 250.0;       // pF
    double tau_m = 10.0;      // ms
    double tau_syn_ex = 2.0;  // ms
    double tau_syn_in = 2.0;  // ms
    double t_ref = 2.0;       // ms
    double E_L = -70.0;       // mV
    double V_th = -55.0;      // mV
    double V_reset = -70.0;   // mV
    double V_min = -infinity; // mV
    double I_e = 0.0;         // pA
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"C_m", &parameters::C_m, "pF"},
      {"tau_m", &parameters::tau_m, "ms"},
      {"tau_syn_ex", &parameters::tau_syn_ex, "ms"},
      {"tau_syn_in", &parameters::tau_syn_in, "ms"},
      {"t_ref", &parameters::t_ref, "ms"},
      {"E_L", &parameters::E_L, "mV"},
      {"V_th", &parameters::V_th, "mV"},
      {"V_reset", &parameters::V_reset, "mV"},
      {"V_min", &parameters::V_min, "mV"},
      {"I_e", &parameters::I_e, "pA"}};

  struct constants {
    double expm1_tau_m, P30;               // membrane: P33 - 1 kept apart for precision
    double P11_ex, P21_ex, P31_ex, P32_ex; // excitatory kernel
    double P11_in, P21_in, P31_in, P32_in; // inhibitory kernel
    double psc_scale_ex, psc_scale_in;     // e / tau_syn: weight -> dI/dt jump
    double I_e, E_L;
    double V_th, V_reset, V_min; // mV, relative to E_L
    std::int32_t ref_steps;
  };

  struct state {
    double V_m = 0.0;      // mV, relative to E_L
    double dI_ex = 0.0;    // pA/ms
    double I_syn_ex = 0.0; // pA
    double dI_in = 0.0;    // pA/ms
    double I_syn_in = 0.0; // pA
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV", &constants::E_L},
      {"I_syn_ex", &state::I_syn_ex, "pA"},
      {"I_syn_in", &state::I_syn_in, "pA"},
      {"dI_syn_ex", &state::dI_ex, "pA/ms"},
      {"dI_syn_in", &state::dI_in, "pA/ms"}};

  static constants prepare(const parameters& p, double dt) {
    check_lif_membrane(p.C_m, p.tau_m, p.t_ref, p.V_reset, p.V_th);
    require_positive("tau_syn_ex", p.tau_syn_ex);
    require_positive("tau_syn_in", p.tau_syn_in);
    constants c{};
    c.expm1_tau_m = std::expm1(-dt / p.tau_m);
    c.P30 = -p.tau_m / p.C_m * c.expm1_tau_m;
    c.P11_ex = std::exp(-dt / p.tau_syn_ex);
    c.P21_ex = dt * c.P11_ex;
    c.P31_ex = propagator_current_derivative(p.tau_syn_ex, p.tau_m, p.C_m, dt);
    c.P32_ex = propagator_current(p.tau_syn_ex, p.tau_m, p.C_m, dt);
    c.P11_in = std::exp(-dt / p.tau_syn_in);
    c.P21_in = dt * c.P11_in;
    c.P31_in = propagator_current_derivative(p.tau_syn_in, p.tau_m, p.C_m, dt);
    c.P32_in = propagator_current(p.tau_syn_in, p.tau_m, p.C_m, dt);
    c.psc_scale_ex = std::numbers::e / p.tau_syn_ex;
    c.psc_scale_in = std::numbers::e / p.tau_syn_in;
    c.I_e = p.I_e;
    c.E_L = p.E_L;
    c.V_th = p.V_th - p.E_L;
    c.V_reset = p.V_reset - p.E_L;
    c.V_min = p.V_min - p.E_L;
    c.ref_steps = refractory_steps(p.t_ref, dt);
    return c;
  }
  static state initial_state(const constants&) { return {}; }

  // I_stim: current (pA) flowing during the step.
  MYELIN_HD static bool step(const constants& c, state& s, double in_ex, double in_in, double I_stim) {
    if (s.refractory == 0) {
      s.V_m = c.P30 * (c.I_e + I_stim) + c.P31_ex * s.dI_ex + c.P32_ex * s.I_syn_ex + c.P31_in * s.dI_in +
              c.P32_in * s.I_syn_in + c.expm1_tau_m * s.V_m + s.V_m;
      s.V_m = s.V_m < c.V_min ? c.V_min : s.V_m;
    } else {
      --s.refractory;
    }
    s.I_syn_ex = c.P21_ex * s.dI_ex + c.P11_ex * s.I_syn_ex;
    s.dI_ex = s.dI_ex * c.P11_ex + c.psc_scale_ex * in_ex;
    s.I_syn_in = c.P21_in * s.dI_in + c.P11_in * s.I_syn_in;
    s.dI_in = s.dI_in * c.P11_in + c.psc_scale_in * in_in;
    return lif_threshold(c, s);
  }
};

} // namespace myelin::models
