#pragma once
// Power-law STDP (Morrison et al. 2007), as NEST's stdp_pl_synapse_hom and
// hpc_benchmark use it: potentiation adds lambda * w^mu * K+, depression
// subtracts lambda * alpha * w * K-, floored at 0. Parameters are common to
// the projection ("hom"); weights are per synapse and must be >= 0.
#include "models/synapse_api.hpp"

namespace myelin::models {

struct stdp_pl_synapse_hom {
  static constexpr const char* name = "stdp_pl_synapse_hom";
  static constexpr bool plastic_weight = true;
  static constexpr bool uses_post_spikes = true;

  struct parameters {
    double tau_plus = 20.0; // ms
    double lambda = 0.1;    // step size
    double alpha = 1.0;     // depression relative to potentiation
    double mu = 0.4;        // exponent of the weight dependence of potentiation
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {
      {"tau_plus", &parameters::tau_plus, "ms"},
      {"lambda", &parameters::lambda, ""},
      {"alpha", &parameters::alpha, ""},
      {"mu", &parameters::mu, ""}};

  struct constants {
    parameters p;
    double dt; // ms
  };
  static constants prepare(const parameters& p, double dt) {
    require_positive("tau_plus", p.tau_plus);
    require_non_negative("lambda", p.lambda);
    require_non_negative("alpha", p.alpha);
    require_non_negative("mu", p.mu);
    return {p, dt};
  }
  static void check_weight(const constants&, double w) {
    if (!(w >= 0.0))
      throw parameter_error("weight", "must be >= 0 (w^mu is undefined below 0), got " + std::to_string(w));
  }

  using pre_state = stdp_pre_state;
  static constexpr pre_field<pre_state> pre_fields[] = {{"Kplus", &pre_state::k_plus}};
  static pre_state initial_pre_state(const constants&) { return {}; }

  MYELIN_HD static double facilitate(const constants& c, double w, double k_plus) {
    return w + c.p.lambda * portable_pow(w, c.p.mu) * k_plus;
  }
  MYELIN_HD static double depress(const constants& c, double w, double k_minus) {
    const double nw = w - c.p.lambda * c.p.alpha * w * k_minus;
    return nw > 0.0 ? nw : 0.0;
  }

  MYELIN_HD static double transmit(const constants& c, const pre_state& pre, double& w, std::int64_t stamp,
                                   std::int64_t delay, const post_history_view& post) {
    return stdp_pair_update<stdp_pl_synapse_hom>(c, pre, w, stamp, delay, post);
  }
  MYELIN_HD static void after_spike(const constants& c, pre_state& pre, std::int64_t stamp) {
    stdp_advance_k_plus(pre, stamp, c.dt, c.p.tau_plus);
  }
};

} // namespace myelin::models
