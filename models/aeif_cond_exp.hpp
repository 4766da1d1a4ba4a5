#pragma once
// Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005)
// with exponentially decaying synaptic conductances: NEST's aeif_cond_exp
// (parameters, defaults, update order). Integrated with NEST's adaptive
// RKF45 substeps and its gsl_error_tol control (models/rkf45.hpp); spikes
// are detected after every substep, as in NEST, so the reset and the
// spike-triggered adaptation b happen inside the time step.
#include "models/model_api.hpp"
#include "models/rkf45.hpp"

#include <cmath>
#include <limits>

namespace myelin::models {

// What both AdEx models share: parameters, checks, constants.
struct aeif_common {
  struct parameters {
    double V_peak = 0.0;     // mV
    double V_reset = -60.0;  // mV
    double t_ref = 0.0;      // ms
    double g_L = 30.0;       // nS
    double C_m = 281.0;      // pF
    double E_ex = 0.0;       // mV
    double E_in = -85.0;     // mV
    double E_L = -70.6;      // mV
    double Delta_T = 2.0;    // mV
    double tau_w = 144.0;    // ms
    double a = 4.0;          // nS
    double b = 80.5;         // pA
    double V_th = -50.4;     // mV
    double tau_syn_ex = 0.2; // ms
    double tau_syn_in = 2.0; // ms
    double I_e = 0.0;        // pA
    double gsl_error_tol = 1e-6;
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"V_peak", &parameters::V_peak, "mV"},
      {"V_reset", &parameters::V_reset, "mV"},
      {"t_ref", &parameters::t_ref, "ms"},
      {"g_L", &parameters::g_L, "nS"},
      {"C_m", &parameters::C_m, "pF"},
      {"E_ex", &parameters::E_ex, "mV"},
      {"E_in", &parameters::E_in, "mV"},
      {"E_L", &parameters::E_L, "mV"},
      {"Delta_T", &parameters::Delta_T, "mV"},
      {"tau_w", &parameters::tau_w, "ms"},
      {"a", &parameters::a, "nS"},
      {"b", &parameters::b, "pA"},
      {"V_th", &parameters::V_th, "mV"},
      {"tau_syn_ex", &parameters::tau_syn_ex, "ms"},
      {"tau_syn_in", &parameters::tau_syn_in, "ms"},
      {"I_e", &parameters::I_e, "pA"},
      {"gsl_error_tol", &parameters::gsl_error_tol, ""}};

  struct constants {
    double V_peak, V_reset, g_L, C_m, E_ex, E_in, E_L, Delta_T, tau_w, a, b, V_th, tau_syn_ex, tau_syn_in,
        I_e;
    double spike_at; // V_peak, or V_th when Delta_T = 0 (NEST's V_.V_peak)
    double dt;       // ms
    double first_h;  // ms, NEST's first substep: min(0.01, dt)
    error_control control;
    std::int32_t ref_steps;
  };

  static constants prepare(const parameters& p, double dt) {
    check_conductance_membrane(p.C_m, p.g_L, p.t_ref, p.tau_syn_ex, p.tau_syn_in);
    require_positive("tau_w", p.tau_w);
    require_positive("gsl_error_tol", p.gsl_error_tol);
    if (!(p.V_peak >= p.V_th))
      throw parameter_error("V_peak", "must be >= V_th (" + std::to_string(p.V_th) + " mV)");
    if (!(p.Delta_T >= 0.0))
      throw parameter_error("Delta_T", "must be >= 0, got " + std::to_string(p.Delta_T));
    // NEST's guard: exp((V_peak - V_th) / Delta_T) must leave a 1e20 margin.
    if (p.Delta_T > 0.0 &&
        (p.V_peak - p.V_th) / p.Delta_T >= std::log(std::numeric_limits<double>::max() / 1e20))
      throw parameter_error("Delta_T", "with these V_peak and V_th, exp((V_peak - V_th) / Delta_T) overflows "
                                       "at the spike; increase Delta_T or lower V_peak");
    if (!(p.V_reset < p.V_peak))
      throw parameter_error("V_reset", "must be smaller than V_peak");
    constants c{};
    c.V_peak = p.V_peak, c.V_reset = p.V_reset, c.g_L = p.g_L, c.C_m = p.C_m, c.E_ex = p.E_ex;
    c.E_in = p.E_in, c.E_L = p.E_L, c.Delta_T = p.Delta_T, c.tau_w = p.tau_w, c.a = p.a, c.b = p.b;
    c.V_th = p.V_th, c.tau_syn_ex = p.tau_syn_ex, c.tau_syn_in = p.tau_syn_in, c.I_e = p.I_e;
    c.spike_at = p.Delta_T > 0.0 ? p.V_peak : p.V_th;
    c.dt = dt;
    c.first_h = dt < 0.01 ? dt : 0.01;
    c.control = {p.gsl_error_tol, p.gsl_error_tol, 0.0, 1.0}; // gsl_odeiv_control_yp_new(tol, tol)
    c.ref_steps = refractory_steps(p.t_ref, dt);
    return c;
  }

  // dV/dt and dw/dt, NEST's: V clamped to V_reset while refractory, bounded by V_peak otherwise.
  MYELIN_HD static void membrane(const constants& c, double V_m, double g_ex, double g_in, double w,
                                 double I_stim, bool refractory, double& dV, double& dw) {
    const double V = refractory ? c.V_reset : (V_m < c.V_peak ? V_m : c.V_peak);
    const double I_syn_exc = g_ex * (V - c.E_ex);
    const double I_syn_inh = g_in * (V - c.E_in);
    const double I_spike =
        c.Delta_T == 0.0 ? 0.0 : c.g_L * c.Delta_T * portable_exp((V - c.V_th) / c.Delta_T);
    dV = refractory ? 0.0
                    : (-c.g_L * (V - c.E_L) + I_spike - I_syn_exc - I_syn_inh - w + c.I_e + I_stim) / c.C_m;
    dw = (c.a * (V - c.E_L) - w) / c.tau_w;
  }

  // One time step of substeps with NEST's in-loop spike handling; y[0] is
  // V_m and y[w_index] is w. Returns how many times V_m reached the spike
  // threshold: with t_ref = 0 a strongly driven neuron can spike more than
  // once in a step, and NEST sends each spike.
  template <int N, class Dynamics>
  MYELIN_HD static unsigned integrate(const constants& c, double* y, int w_index, double I_stim, double& h,
                                      std::int32_t& refractory) {
    unsigned spikes = 0;
    double t = 0.0;
    while (t < c.dt) {
      const double before = t;
      rkf45_evolve_apply<N>(Dynamics{c, I_stim, refractory > 0}, c.control, t, c.dt, h, y);
      if (refractory > 0) {
        y[0] = c.V_reset;
      } else if (y[0] >= c.spike_at) {
        y[0] = c.V_reset;
        y[w_index] += c.b;
        // One more than t_ref's steps: the count goes down right after the loop.
        refractory = c.ref_steps > 0 ? c.ref_steps + 1 : 0;
        ++spikes;
      }
      if (!(t > before))
        break;
    }
    if (refractory > 0)
      --refractory;
    return spikes;
  }
};

struct aeif_cond_exp {
  static constexpr const char* name = "aeif_cond_exp";
  static constexpr int n_receptors = 2;
  // With t_ref = 0, V_m can reach V_peak twice in one step (above ~5 kHz);
  // the device keeps room for two spikes a step, more are counted as saturated.
  static constexpr unsigned max_spikes_per_step = 2;
  using parameters = aeif_common::parameters;
  using constants = aeif_common::constants;
  static constexpr auto& parameter_fields = aeif_common::parameter_fields;

  struct state {
    double V_m = 0.0;  // mV
    double g_ex = 0.0; // nS
    double g_in = 0.0; // nS
    double w = 0.0;    // pA
    double h = 0.0;    // ms, the last substep size
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV"},
      {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},
      {"w", &state::w, "pA"},
      {"integration_step", &state::h, "ms", nullptr, true}};

  static constants prepare(const parameters& p, double dt) { return aeif_common::prepare(p, dt); }
  static state initial_state(const constants& c) { return {c.E_L, 0.0, 0.0, 0.0, c.first_h, 0}; }

  // y = {V_m, g_ex, g_in, w}, NEST's order.
  struct dynamics {
    const constants& c;
    double I_stim;
    bool refractory;
    MYELIN_HD void operator()(const double* y, double* f) const {
      aeif_common::membrane(c, y[0], y[1], y[2], y[3], I_stim, refractory, f[0], f[3]);
      f[1] = -y[1] / c.tau_syn_ex;
      f[2] = -y[2] / c.tau_syn_in;
    }
  };

  // Spikes this step: more than one only with t_ref = 0 under strong drive.
  MYELIN_HD static unsigned step(const constants& c, state& s, double in_ex, double in_in, double I_stim) {
    double y[4] = {s.V_m, s.g_ex, s.g_in, s.w};
    const unsigned spikes = aeif_common::integrate<4, dynamics>(c, y, 3, I_stim, s.h, s.refractory);
    s.V_m = y[0];
    s.g_ex = y[1] + in_ex;
    s.g_in = y[2] - in_in;
    s.w = y[3];
    return spikes;
  }
};

} // namespace myelin::models
