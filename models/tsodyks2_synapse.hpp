#pragma once
// Short-term depression and facilitation (Tsodyks & Markram 1997, Fuhrmann et
// al. 2002), as NEST's tsodyks2_synapse: a spike transmits x * u * weight with
// the current x (available resources) and u (release probability), then
//   x <- 1 + (x - x*u - 1) * exp(-h / tau_rec)
//   u <- U + u * (1 - U) * exp(-h / tau_fac)     (0 when tau_fac is 0)
// where h is the time since the previous spike (since 0 for the first one).
// x and u depend only on the presynaptic train: one pair per source.
#include "models/synapse_api.hpp"

namespace myelin::models {

struct tsodyks2_synapse {
  static constexpr const char* name = "tsodyks2_synapse";
  static constexpr bool plastic_weight = false;
  static constexpr bool uses_post_spikes = false;

  struct parameters {
    double U = 0.5;         // increment of u per spike
    double u = 0.5;         // initial release probability
    double x = 1.0;         // initial fraction of available resources
    double tau_rec = 800.0; // ms, recovery of x
    double tau_fac = 0.0;   // ms, decay of u (0: no facilitation)
  };
  static constexpr parameter_field<parameters> parameter_fields[] = {{"U", &parameters::U, ""},
                                                                     {"u", &parameters::u, ""},
                                                                     {"x", &parameters::x, ""},
                                                                     {"tau_rec", &parameters::tau_rec, "ms"},
                                                                     {"tau_fac", &parameters::tau_fac, "ms"}};

  struct constants {
    parameters p;
    double dt; // ms
  };
  static constants prepare(const parameters& p, double dt) {
    const auto unit = [](const char* n, double v) {
      if (!(v >= 0.0 && v <= 1.0))
        throw parameter_error(n, "must be in [0, 1], got " + std::to_string(v));
    };
    unit("U", p.U);
    unit("u", p.u);
    unit("x", p.x);
    require_positive("tau_rec", p.tau_rec);
    require_non_negative("tau_fac", p.tau_fac);
    return {p, dt};
  }
  static void check_weight(const constants&, double) {}

  struct pre_state {
    double u = 0.5, x = 1.0;
    std::int64_t last = 0;
  };
  static constexpr pre_field<pre_state> pre_fields[] = {{"u", &pre_state::u}, {"x", &pre_state::x}};
  static pre_state initial_pre_state(const constants& c) { return {c.p.u, c.p.x, 0}; }

  MYELIN_HD static double transmit(const constants&, const pre_state& pre, double& w, std::int64_t,
                                   std::int64_t, const post_history_view&) {
    return pre.x * pre.u * w;
  }
  MYELIN_HD static void after_spike(const constants& c, pre_state& pre, std::int64_t stamp) {
    const double h = static_cast<double>(stamp - pre.last) * c.dt;
    const double x_decay = portable_exp(-h / c.p.tau_rec);
    const double u_decay = c.p.tau_fac < 1.0e-10 ? 0.0 : portable_exp(-h / c.p.tau_fac);
    pre.x = 1.0 + (pre.x - pre.x * pre.u - 1.0) * x_decay;
    pre.u = c.p.U + pre.u * (1.0 - c.p.U) * u_decay;
    pre.last = stamp;
  }
};

} // namespace myelin::models
