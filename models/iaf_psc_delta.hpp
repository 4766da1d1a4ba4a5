#pragma once
// Leaky integrate-and-fire neuron with delta-shaped synaptic input: a spike of
// weight w (mV) makes V_m jump by w. Same parameters, defaults and update order
// as NEST's iaf_psc_delta (spikes arriving during refractoriness are dropped).
#include "models/model_api.hpp"

#include <cmath>

namespace myelin::models {

struct iaf_psc_delta {
  static constexpr const char* name = "iaf_psc_delta";
  static constexpr int n_receptors = 1; // weights in mV, either sign

  struct parameters {
    double C_m = 250.0;       // pF
    double tau_m = 10.0;      // ms
    double t_ref = 2.0;       // ms
    double E_L = -70.0;       // mV
    double V_th = -55.0;      // mV
    double V_reset = -70.0;   // mV
    double V_min = -infinity; // mV
    double I_e = 0.0;         // pA
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"C_m", &parameters::C_m, "pF"},     {"tau_m", &parameters::tau_m, "ms"},
      {"t_ref", &parameters::t_ref, "ms"}, {"E_L", &parameters::E_L, "mV"},
      {"V_th", &parameters::V_th, "mV"},   {"V_reset", &parameters::V_reset, "mV"},
      {"V_min", &parameters::V_min, "mV"}, {"I_e", &parameters::I_e, "pA"}};

  struct constants {
    double P33, P30;             // membrane propagators
    double I_e;                  // pA
    double E_L;                  // mV, offset of the stored V_m
    double V_th, V_reset, V_min; // mV, relative to E_L
    std::int32_t ref_steps;
  };

  struct state {
    double V_m = 0.0; // mV, relative to E_L
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV", &constants::E_L}};

  static constants prepare(const parameters& p, double dt) {
    check_lif_membrane(p.C_m, p.tau_m, p.t_ref, p.V_reset, p.V_th);
    constants c{};
    c.P33 = std::exp(-dt / p.tau_m);
    c.P30 = -p.tau_m / p.C_m * std::expm1(-dt / p.tau_m);
    c.I_e = p.I_e;
    c.E_L = p.E_L;
    c.V_th = p.V_th - p.E_L;
    c.V_reset = p.V_reset - p.E_L;
    c.V_min = p.V_min - p.E_L;
    c.ref_steps = refractory_steps(p.t_ref, dt);
    return c;
  }
  static state initial_state(const constants&) { return {}; }

  // in0: summed weights (mV) arriving in this step; I_stim: current (pA) flowing during it.
  MYELIN_HD static bool step(const constants& c, state& s, double in0, double, double I_stim) {
    if (s.refractory == 0) {
      s.V_m = c.P30 * (c.I_e + I_stim) + c.P33 * s.V_m + in0;
      s.V_m = s.V_m < c.V_min ? c.V_min : s.V_m;
    } else {
      --s.refractory; // input arriving now is lost, as in NEST
    }
    return lif_threshold(c, s);
  }
};

} // namespace myelin::models
