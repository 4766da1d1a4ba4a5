#pragma once
// Leaky integrate-and-fire neuron with alpha-shaped synaptic conductances
// (NEST's iaf_cond_alpha: parameters, defaults, update order), integrated
// with NEST's adaptive RKF45 substeps (models/rkf45.hpp). A spike of weight
// w (nS) gives a conductance peaking at w after tau_syn.
#include "models/iaf_cond_exp.hpp"

#include <numbers>

namespace myelin::models {

struct iaf_cond_alpha {
  static constexpr const char* name = "iaf_cond_alpha";
  static constexpr int n_receptors = 2;

  // The same parameters, names and defaults as iaf_cond_exp.
  using parameters = iaf_cond_exp::parameters;
  static constexpr auto& parameter_fields = iaf_cond_exp::parameter_fields;

  struct constants {
    iaf_cond_exp::constants base;
    double psc_scale_ex, psc_scale_in; // e / tau_syn: dg per nS of weight
  };

  struct state {
    double V_m = 0.0;   // mV
    double g_ex = 0.0;  // nS
    double g_in = 0.0;  // nS
    double dg_ex = 0.0; // nS/ms
    double dg_in = 0.0; // nS/ms
    double h = 0.0;     // ms, the last substep size
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV"},        {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},      {"dg_ex", &state::dg_ex, "nS/ms"},
      {"dg_in", &state::dg_in, "nS/ms"}, {"integration_step", &state::h, "ms", nullptr, true}};

  static constants prepare(const parameters& p, double dt) {
    return {iaf_cond_exp::prepare(p, dt), std::numbers::e / p.tau_syn_ex, std::numbers::e / p.tau_syn_in};
  }
  static state initial_state(const constants& c) { return {c.base.E_L, 0.0, 0.0, 0.0, 0.0, c.base.dt, 0}; }

  // y = {V_m, dg_ex, g_ex, dg_in, g_in}, NEST's order.
  struct dynamics {
    const iaf_cond_exp::constants& c;
    double I_stim;
    bool refractory;
    MYELIN_HD void operator()(const double* y, double* f) const {
      const double V = refractory ? c.V_reset : (y[0] < c.V_th ? y[0] : c.V_th);
      const double I_syn_exc = y[2] * (V - c.E_ex);
      const double I_syn_inh = y[4] * (V - c.E_in);
      const double I_leak = c.g_L * (V - c.E_L);
      f[0] = refractory ? 0.0 : (-I_leak - I_syn_exc - I_syn_inh + I_stim + c.I_e) / c.C_m;
      f[1] = -y[1] / c.tau_syn_ex;
      f[2] = y[1] - (y[2] / c.tau_syn_ex);
      f[3] = -y[3] / c.tau_syn_in;
      f[4] = y[3] - (y[4] / c.tau_syn_in);
    }
  };

  MYELIN_HD static bool step(const constants& k, state& s, double in_ex, double in_in, double I_stim) {
    const iaf_cond_exp::constants& c = k.base;
    double y[5] = {s.V_m, s.dg_ex, s.g_ex, s.dg_in, s.g_in};
    rkf45_integrate<5>(dynamics{c, I_stim, s.refractory > 0}, iaf_cond_exp::nest_control(), c.dt, s.h, y);
    s.V_m = y[0];
    s.g_ex = y[2];
    s.g_in = y[4];
    bool spiked = false;
    if (s.refractory > 0) {
      --s.refractory;
      s.V_m = c.V_reset;
    } else if (s.V_m >= c.V_th) {
      s.refractory = c.ref_steps;
      s.V_m = c.V_reset;
      spiked = true;
    }
    s.dg_ex = y[1] + in_ex * k.psc_scale_ex;
    s.dg_in = y[3] - in_in * k.psc_scale_in;
    return spiked;
  }
};

} // namespace myelin::models
