#pragma once
// Izhikevich (2003) neuron with NEST's parameters, defaults and scheme: forward
// Euler by default (consistent_integration = true), or the published scheme with
// two half steps for v (consistent_integration = false). Spikes make v jump by
// the weight (mV). Nonlinear, so integrated with a documented fixed-step scheme.
#include "models/model_api.hpp"

namespace myelin::models {

struct izhikevich {
  static constexpr const char* name = "izhikevich";
  static constexpr int n_receptors = 1;

  struct parameters {
    double a = 0.02;
    double b = 0.2;
    double c = -65.0; // mV
    double d = 8.0;
    double I_e = 0.0;         // pA
    double V_th = 30.0;       // mV
    double V_min = -infinity; // mV
    double consistent_integration = 1.0;
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"a", &parameters::a, "1/ms"},
      {"b", &parameters::b, "1"},
      {"c", &parameters::c, "mV"},
      {"d", &parameters::d, "mV/ms"},
      {"I_e", &parameters::I_e, "pA"},
      {"V_th", &parameters::V_th, "mV"},
      {"V_min", &parameters::V_min, "mV"},
      {"consistent_integration", &parameters::consistent_integration, "", true}};

  struct constants {
    double h, a, b, c, d, I_e, V_th, V_min;
    bool consistent;
  };

  struct state {
    double V_m = -65.0; // mV
    double U_m = 0.0;   // mV/ms
  };
  static constexpr state_field<state, constants> state_fields[] = {{"V_m", &state::V_m, "mV"},
                                                                   {"U_m", &state::U_m, "mV/ms"}};

  static constants prepare(const parameters& p, double dt) {
    return {dt, p.a, p.b, p.c, p.d, p.I_e, p.V_th, p.V_min, p.consistent_integration != 0.0};
  }
  static state initial_state(const constants&) { return {}; }

  // in0: summed weights (mV) arriving in this step; I_stim: current (pA) flowing during it.
  MYELIN_HD static bool step(const constants& k, state& s, double in0, double, double I_stim) {
    const double h = k.h;
    if (k.consistent) {
      const double v = s.V_m, u = s.U_m;
      s.V_m += h * (0.04 * v * v + 5.0 * v + 140.0 - u + I_stim + k.I_e) + in0;
      s.U_m += h * k.a * (k.b * v - u);
    } else {
      s.V_m += h * 0.5 * (0.04 * s.V_m * s.V_m + 5.0 * s.V_m + 140.0 - s.U_m + I_stim + k.I_e + in0);
      s.V_m += h * 0.5 * (0.04 * s.V_m * s.V_m + 5.0 * s.V_m + 140.0 - s.U_m + I_stim + k.I_e + in0);
      s.U_m += h * k.a * (k.b * s.V_m - s.U_m);
    }
    s.V_m = s.V_m < k.V_min ? k.V_min : s.V_m;
    if (s.V_m >= k.V_th) {
      s.V_m = k.c;
      s.U_m += k.d;
      return true;
    }
    return false;
  }
};

} // namespace myelin::models
