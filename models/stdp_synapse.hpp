#pragma once
// Pair-based STDP with all-to-all spike pairing, as NEST's stdp_synapse
// (Guetig et al. 2003 weight dependence): potentiation
//   w/Wmax += lambda * (1 - w/Wmax)^mu_plus * K+,
// depression
//   w/Wmax -= alpha * lambda * (w/Wmax)^mu_minus * K-,
// clipped to [0, Wmax]. mu = 0 is additive, mu = 1 multiplicative. K+ is the
// presynaptic trace (tau_plus), K- the postsynaptic neuron's (its tau_minus).
// The whole delay is dendritic, as in NEST.
#include "models/synapse_api.hpp"

namespace myelin::models {

struct stdp_synapse {
  static constexpr const char* name = "stdp_synapse";
  static constexpr bool plastic_weight = true;
  static constexpr bool uses_post_spikes = true;

  struct parameters {
    double tau_plus = 20.0; // ms
    double lambda = 0.01;   // step size
    double alpha = 1.0;     // depression relative to potentiation
    double mu_plus = 1.0;   // weight dependence of potentiation
    double mu_minus = 1.0;  // weight dependence of depression
    double Wmax = 100.0;    // pA or mV, same sign as the weight
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"tau_plus", &parameters::tau_plus, "ms"}, {"lambda", &parameters::lambda, ""},
      {"alpha", &parameters::alpha, ""},         {"mu_plus", &parameters::mu_plus, ""},
      {"mu_minus", &parameters::mu_minus, ""},   {"Wmax", &parameters::Wmax, "pA or mV"}};

  struct constants {
    parameters p;
    double dt; // ms
  };
  static constants prepare(const parameters& p, double dt) {
    require_positive("tau_plus", p.tau_plus);
    require_non_negative("lambda", p.lambda);
    require_non_negative("alpha", p.alpha);
    require_non_negative("mu_plus", p.mu_plus);
    require_non_negative("mu_minus", p.mu_minus);
    if (p.Wmax == 0.0 || !std::isfinite(p.Wmax))
      throw parameter_error("Wmax", "must be a finite, non-zero bound");
    return {p, dt};
  }
  static void check_weight(const constants& c, double w) {
    if ((w < 0) != (c.p.Wmax < 0))
      throw parameter_error("weight", "must have the sign of Wmax (" + std::to_string(c.p.Wmax) + ")");
    if (std::abs(w) > std::abs(c.p.Wmax))
      throw parameter_error("weight",
                            "exceeds Wmax (" + std::to_string(c.p.Wmax) + "): weight " + std::to_string(w));
  }

  using pre_state = stdp_pre_state;
  static constexpr pre_field<pre_state> pre_fields[] = {{"Kplus", &pre_state::k_plus}};
  static pre_state initial_pre_state(const constants&) { return {}; }

  MYELIN_HD static double facilitate(const constants& c, double w, double k_plus) {
    const double norm = w / c.p.Wmax + c.p.lambda * portable_pow(1.0 - w / c.p.Wmax, c.p.mu_plus) * k_plus;
    return norm < 1.0 ? norm * c.p.Wmax : c.p.Wmax;
  }
  MYELIN_HD static double depress(const constants& c, double w, double k_minus) {
    const double norm =
        w / c.p.Wmax - c.p.alpha * c.p.lambda * portable_pow(w / c.p.Wmax, c.p.mu_minus) * k_minus;
    return norm > 0.0 ? norm * c.p.Wmax : 0.0;
  }

  MYELIN_HD static double transmit(const constants& c, const pre_state& pre, double& w, std::int64_t stamp,
                                   std::int64_t delay, const post_history_view& post) {
    return stdp_pair_update<stdp_synapse>(c, pre, w, stamp, delay, post);
  }
  MYELIN_HD static void after_spike(const constants& c, pre_state& pre, std::int64_t stamp) {
    stdp_advance_k_plus(pre, stamp, c.dt, c.p.tau_plus);
  }
};

} // namespace myelin::models
