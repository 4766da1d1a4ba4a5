#pragma once
// Leaky integrate-and-fire neuron with exponentially decaying synaptic
// conductances (NEST's iaf_cond_exp: parameters, defaults, update order).
// Integrated as NEST does, with adaptive RKF45 substeps and its error
// control (models/rkf45.hpp). Positive weights (nS) raise g_ex, negative
// ones g_in.
#include "models/model_api.hpp"
#include "models/rkf45.hpp"

namespace myelin::models {

struct iaf_cond_exp {
  static constexpr const char* name = "iaf_cond_exp";
  static constexpr int n_receptors = 2;

  struct parameters {
    double V_th = -55.0;     // mV
    double V_reset = -60.0;  // mV
    double t_ref = 2.0;      // ms
    double g_L = 16.6667;    // nS
    double C_m = 250.0;      // pF
    double E_ex = 0.0;       // mV
    double E_in = -85.0;     // mV
    double E_L = -70.0;      // mV
    double tau_syn_ex = 0.2; // ms
    double tau_syn_in = 2.0; // ms
    double I_e = 0.0;        // pA
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"V_th", &parameters::V_th, "mV"},
      {"V_reset", &parameters::V_reset, "mV"},
      {"t_ref", &parameters::t_ref, "ms"},
      {"g_L", &parameters::g_L, "nS"},
      {"C_m", &parameters::C_m, "pF"},
      {"E_ex", &parameters::E_ex, "mV"},
      {"E_in", &parameters::E_in, "mV"},
      {"E_L", &parameters::E_L, "mV"},
      {"tau_syn_ex", &parameters::tau_syn_ex, "ms"},
      {"tau_syn_in", &parameters::tau_syn_in, "ms"},
      {"I_e", &parameters::I_e, "pA"}};

  struct constants {
    double V_th, V_reset, g_L, C_m, E_ex, E_in, E_L, tau_syn_ex, tau_syn_in, I_e;
    double dt; // ms
    std::int32_t ref_steps;
  };

  struct state {
    double V_m = 0.0;  // mV
    double g_ex = 0.0; // nS
    double g_in = 0.0; // nS
    double h = 0.0;    // ms, the last substep size
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV"},
      {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},
      {"integration_step", &state::h, "ms", nullptr, true}};

  static constants prepare(const parameters& p, double dt) {
    check_conductance_membrane(p.C_m, p.g_L, p.t_ref, p.tau_syn_ex, p.tau_syn_in);
    if (!(p.V_reset < p.V_th))
      throw parameter_error("V_reset", "must be smaller than V_th");
    return {p.V_th, p.V_reset,    p.g_L,        p.C_m, p.E_ex, p.E_in,
            p.E_L,  p.tau_syn_ex, p.tau_syn_in, p.I_e, dt,     refractory_steps(p.t_ref, dt)};
  }
  static state initial_state(const constants& c) { return {c.E_L, 0.0, 0.0, c.dt, 0}; }

  // NEST's right-hand side: V clamped to V_reset while refractory, bounded by V_th otherwise.
  struct dynamics {
    const constants& c;
    double I_stim;
    bool refractory;
    MYELIN_HD void operator()(const double* y, double* f) const {
      const double V = refractory ? c.V_reset : (y[0] < c.V_th ? y[0] : c.V_th);
      const double I_syn_exc = y[1] * (V - c.E_ex);
      const double I_syn_inh = y[2] * (V - c.E_in);
      const double I_L = c.g_L * (V - c.E_L);
      f[0] = refractory ? 0.0 : (-I_L + I_stim + c.I_e - I_syn_exc - I_syn_inh) / c.C_m;
      f[1] = -y[1] / c.tau_syn_ex;
      f[2] = -y[2] / c.tau_syn_in;
    }
  };

  // in_ex / in_in: summed weights (nS; in_in <= 0) arriving in this step;
  // I_stim: current (pA) flowing during it.
  MYELIN_HD static bool step(const constants& c, state& s, double in_ex, double in_in, double I_stim) {
    double y[3] = {s.V_m, s.g_ex, s.g_in};
    rkf45_integrate<3>(dynamics{c, I_stim, s.refractory > 0}, nest_control(), c.dt, s.h, y);
    s.V_m = y[0];
    s.g_ex = y[1] + in_ex;
    s.g_in = y[2] - in_in;
    if (s.refractory > 0) {
      --s.refractory;
      s.V_m = c.V_reset;
    } else if (s.V_m >= c.V_th) {
      s.refractory = c.ref_steps;
      s.V_m = c.V_reset;
      return true;
    }
    return false;
  }

  // gsl_odeiv_control_y_new(1e-3, 0), as NEST's iaf_cond_* models (a
  // function: device code may not refer to a host variable).
  MYELIN_HD static constexpr error_control nest_control() { return {1e-3, 0.0, 1.0, 0.0}; }
};

} // namespace myelin::models
