#pragma once
// NEST's iaf_psc_exp_multisynapse: iaf_psc_exp with one exponentially
// decaying current per receptor port, each with its own time constant
// (`tau_syn`, a list: port k has tau_syn[k-1]). A projection chooses its
// port with `receptor` (1-based, NEST's receptor_type); weights of either
// sign act on that port's current (pA). Integrated exactly, with NEST's
// update order.
//
// The number of ports is the length of tau_syn, at most max_ports. The
// model file's list `tau_syn = [a, b, ...]` fills tau_syn_1, tau_syn_2, ...
// (io/model_file.cpp); a port whose tau_syn_k is 0 does not exist, and
// ports must be consecutive. The ring only has the channels the network's
// ports use (engine/build.cpp), so a two-port population costs two ports.
#include "models/model_api.hpp"
#include "models/propagators.hpp"

#include <cmath>
#include <string>

namespace myelin::models {

struct iaf_psc_exp_multisynapse {
  static constexpr const char* name = "iaf_psc_exp_multisynapse";
  static constexpr int max_ports = 8;
  static constexpr int n_receptors = max_ports;
  static constexpr bool typed_receptors = true;
  static constexpr const char* receptor_names[] = {"tau_syn_1", "tau_syn_2", "tau_syn_3", "tau_syn_4",
                                                   "tau_syn_5", "tau_syn_6", "tau_syn_7", "tau_syn_8"};

  struct parameters {
    double C_m = 250.0;     // pF
    double tau_m = 10.0;    // ms
    double t_ref = 2.0;     // ms
    double E_L = -70.0;     // mV
    double V_th = -55.0;    // mV
    double V_reset = -70.0; // mV
    double I_e = 0.0;       // pA
    // ms; NEST's default tau_syn is [2.0]: one port.
    double tau_syn_1 = 2.0, tau_syn_2 = 0.0, tau_syn_3 = 0.0, tau_syn_4 = 0.0;
    double tau_syn_5 = 0.0, tau_syn_6 = 0.0, tau_syn_7 = 0.0, tau_syn_8 = 0.0;

    double tau_syn(int k) const {
      const double all[max_ports] = {tau_syn_1, tau_syn_2, tau_syn_3, tau_syn_4,
                                     tau_syn_5, tau_syn_6, tau_syn_7, tau_syn_8};
      return all[k];
    }
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"C_m", &parameters::C_m, "pF"},
      {"tau_m", &parameters::tau_m, "ms"},
      {"t_ref", &parameters::t_ref, "ms"},
      {"E_L", &parameters::E_L, "mV"},
      {"V_th", &parameters::V_th, "mV"},
      {"V_reset", &parameters::V_reset, "mV"},
      {"I_e", &parameters::I_e, "pA"},
      {"tau_syn_1", &parameters::tau_syn_1, "ms"},
      {"tau_syn_2", &parameters::tau_syn_2, "ms"},
      {"tau_syn_3", &parameters::tau_syn_3, "ms"},
      {"tau_syn_4", &parameters::tau_syn_4, "ms"},
      {"tau_syn_5", &parameters::tau_syn_5, "ms"},
      {"tau_syn_6", &parameters::tau_syn_6, "ms"},
      {"tau_syn_7", &parameters::tau_syn_7, "ms"},
      {"tau_syn_8", &parameters::tau_syn_8, "ms"}};

  struct constants {
    double P22, P20;       // membrane
    double P11[max_ports]; // current decay per port
    double P21[max_ports]; // current -> membrane per port
    double I_e;            // pA
    double E_L;            // mV
    double V_th, V_reset;  // mV, relative to E_L
    std::int32_t ref_steps;
    int n_ports;
  };

  struct state {
    double V_m = 0.0;   // mV, relative to E_L
    double I_syn = 0.0; // pA, the sum of the port currents that drove V_m in the last step (NEST's I_syn)
    double I_syn_1 = 0.0, I_syn_2 = 0.0, I_syn_3 = 0.0, I_syn_4 = 0.0; // pA
    double I_syn_5 = 0.0, I_syn_6 = 0.0, I_syn_7 = 0.0, I_syn_8 = 0.0;
    std::int32_t refractory = 0;
  };
  static constexpr state_field<state, constants> state_fields[] = {
      {"V_m", &state::V_m, "mV", &constants::E_L}, {"I_syn", &state::I_syn, "pA"},
      {"I_syn_1", &state::I_syn_1, "pA"},          {"I_syn_2", &state::I_syn_2, "pA"},
      {"I_syn_3", &state::I_syn_3, "pA"},          {"I_syn_4", &state::I_syn_4, "pA"},
      {"I_syn_5", &state::I_syn_5, "pA"},          {"I_syn_6", &state::I_syn_6, "pA"},
      {"I_syn_7", &state::I_syn_7, "pA"},          {"I_syn_8", &state::I_syn_8, "pA"}};

  // Ports: the leading tau_syn_k that are set (> 0).
  static int ports(const parameters& p) {
    int n = 0;
    while (n < max_ports && p.tau_syn(n) != 0.0)
      ++n;
    return n;
  }

  static constants prepare(const parameters& p, double dt) {
    check_lif_membrane(p.C_m, p.tau_m, p.t_ref, p.V_reset, p.V_th);
    const int n = ports(p);
    for (int k = 0; k < max_ports; ++k) {
      const std::string name = "tau_syn_" + std::to_string(k + 1);
      const double tau = p.tau_syn(k);
      if (k < n)
        require_positive(name.c_str(), tau);
      else if (tau != 0.0)
        throw parameter_error(name, "is set but tau_syn_" + std::to_string(n + 1) +
                                        " is not: ports are consecutive (tau_syn is a list)");
    }
    constants c{};
    c.P22 = std::exp(-dt / p.tau_m);
    c.P20 = -p.tau_m / p.C_m * std::expm1(-dt / p.tau_m);
    for (int k = 0; k < n; ++k) {
      c.P11[k] = std::exp(-dt / p.tau_syn(k));
      c.P21[k] = propagator_current(p.tau_syn(k), p.tau_m, p.C_m, dt);
    }
    c.I_e = p.I_e;
    c.E_L = p.E_L;
    c.V_th = p.V_th - p.E_L;
    c.V_reset = p.V_reset - p.E_L;
    c.ref_steps = refractory_steps(p.t_ref, dt);
    c.n_ports = n;
    return c;
  }
  static state initial_state(const constants&) { return {}; }

  // in[k]: summed weights (pA) arriving on port k + 1 in this step; they act
  // at its end. I_stim: current (pA) flowing during the step.
  MYELIN_HD static bool step(const constants& c, state& s, const double* in, double I_stim) {
    double* const current[max_ports] = {&s.I_syn_1, &s.I_syn_2, &s.I_syn_3, &s.I_syn_4,
                                        &s.I_syn_5, &s.I_syn_6, &s.I_syn_7, &s.I_syn_8};
    if (s.refractory == 0) {
      s.V_m = s.V_m * c.P22 + (c.I_e + I_stim) * c.P20;
      s.I_syn = 0.0;
      for (int k = 0; k < c.n_ports; ++k) {
        s.V_m += c.P21[k] * *current[k];
        s.I_syn += *current[k];
      }
    } else {
      --s.refractory;
    }
    for (int k = 0; k < c.n_ports; ++k)
      *current[k] = *current[k] * c.P11[k] + in[k];
    return lif_threshold(c, s);
  }
};

} // namespace myelin::models
