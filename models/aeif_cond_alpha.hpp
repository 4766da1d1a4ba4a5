#pragma once
// Adaptive exponential integrate-and-fire neuron with alpha-shaped synaptic
// conductances: NEST's aeif_cond_alpha (parameters, defaults, update order),
// integrated as aeif_cond_exp (models/aeif_cond_exp.hpp).
#include "models/aeif_cond_exp.hpp"

#include <numbers>

namespace myelin::models {

struct aeif_cond_alpha {
  static constexpr const char* name = "aeif_cond_alpha";
  static constexpr int n_receptors = 2;
  // With t_ref = 0, V_m can reach V_peak twice in one step (above ~5 kHz);
  // the device keeps room for two spikes a step, more are counted as saturated.
  static constexpr unsigned max_spikes_per_step = 2;
  using parameters = aeif_common::parameters;
  static constexpr auto& parameter_fields = aeif_common::parameter_fields;

  struct constants {
    aeif_common::constants base;
    double psc_scale_ex, psc_scale_in; // e / tau_syn: dg per nS of weight
  };

  struct state {
    double V_m = 0.0;   // mV
    double g_ex = 0.0;  // nS
    double g_in = 0.0;  // nS
    double dg_ex = 0.0; // nS/ms
    double dg_in = 0.0; // nS/ms
    double w = 0.0;     // pA
    double h = 0.0;     // ms, the last substep size
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV"},
      {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},
      {"dg_ex", &state::dg_ex, "nS/ms"},
      {"dg_in", &state::dg_in, "nS/ms"},
      {"w", &state::w, "pA"},
      {"integration_step", &state::h, "ms", nullptr, true}};

  static constants prepare(const parameters& p, double dt) {
    return {aeif_common::prepare(p, dt), std::numbers::e / p.tau_syn_ex, std::numbers::e / p.tau_syn_in};
  }
  static state initial_state(const constants& c) {
    return {c.base.E_L, 0.0, 0.0, 0.0, 0.0, 0.0, c.base.first_h, 0};
  }

  // y = {V_m, dg_ex, g_ex, dg_in, g_in, w}, NEST's order.
  struct dynamics {
    const aeif_common::constants& c;
    double I_stim;
    bool refractory;
    MYELIN_HD void operator()(const double* y, double* f) const {
      aeif_common::membrane(c, y[0], y[2], y[4], y[5], I_stim, refractory, f[0], f[5]);
      f[1] = -y[1] / c.tau_syn_ex;
      f[2] = y[1] - y[2] / c.tau_syn_ex;
      f[3] = -y[3] / c.tau_syn_in;
      f[4] = y[3] - y[4] / c.tau_syn_in;
    }
  };

  MYELIN_HD static unsigned step(const constants& k, state& s, double in_ex, double in_in, double I_stim) {
    double y[6] = {s.V_m, s.dg_ex, s.g_ex, s.dg_in, s.g_in, s.w};
    const unsigned spikes = aeif_common::integrate<6, dynamics>(k.base, y, 5, I_stim, s.h, s.refractory);
    s.V_m = y[0];
    s.dg_ex = y[1] + in_ex * k.psc_scale_ex;
    s.g_ex = y[2];
    s.dg_in = y[3] - in_in * k.psc_scale_in;
    s.g_in = y[4];
    s.w = y[5];
    return spikes;
  }
};

} // namespace myelin::models
