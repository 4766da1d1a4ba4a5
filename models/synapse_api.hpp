#pragma once
// What a plastic synapse model header provides (static synapses need none):
//   name
//   parameters + parameter_fields     NEST names, units and defaults (weight and
//                                     delay are the projection's, not listed here)
//   constants + prepare(params, dt)   checked and precomputed once, on the host
//   check_weight(constants, w)        whether an initial weight is allowed
//   pre_state + pre_fields            what only the presynaptic spike train
//                                     drives: identical for every synapse of
//                                     one source in one projection, so kept
//                                     once per source, not once per synapse
//   initial_pre_state(constants)
//   plastic_weight                    each synapse keeps its own weight (double)
//   uses_post_spikes                  reads the postsynaptic spike history
//   MYELIN_HD transmit(c, pre, weight&, stamp, delay, post) -> weight to deliver
//   MYELIN_HD after_spike(c, pre&, stamp)
// A presynaptic spike is handled as NEST's Connection::send: transmit() for
// every synapse of the source (with the pre_state as it was before the
// spike), then after_spike() once. Times are integer "stamps" in steps — a
// spike emitted while updating step s is stamped s + 1, NEST's convention —
// so comparisons are exact; constants carry dt to turn them into ms.
#include "models/model_api.hpp"
#include "models/portable_math.hpp"

#include <cmath>
#include <cstdint>

namespace myelin::models {

// One postsynaptic spike and the neuron's K- trace just after it
// (NEST's ArchivingNode history entry).
struct post_spike {
  std::int64_t stamp;
  double k_minus;
};

// A neuron's postsynaptic spikes, oldest first, and its trace time constant.
struct post_history_view {
  const post_spike* begin = nullptr;
  const post_spike* end = nullptr;
  double tau_minus = 20.0; // ms

  // First spike stamped after t.
  MYELIN_HD const post_spike* first_after(std::int64_t t) const {
    const post_spike* lo = begin;
    const post_spike* hi = end;
    while (lo < hi) {
      const post_spike* mid = lo + (hi - lo) / 2;
      if (mid->stamp <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  // K- at stamp t from the spikes strictly before t (NEST's get_K_value).
  MYELIN_HD double k_minus_before(std::int64_t t, double dt) const {
    const post_spike* p = first_after(t - 1);
    if (p == begin)
      return 0.0;
    --p;
    return p->k_minus * portable_exp(static_cast<double>(p->stamp - t) * dt / tau_minus);
  }
};

// The presynaptic side of pair-based STDP, shared by NEST's STDP rules: every
// postsynaptic spike in (last - delay, stamp - delay] potentiates, in time
// order, with K+ decayed from the previous presynaptic spike; then K- at
// stamp - delay depresses. Rule supplies facilitate() and depress();
// constants carry p.tau_plus and dt.
template <class Rule>
MYELIN_HD double stdp_pair_update(const typename Rule::constants& c, const typename Rule::pre_state& pre,
                                  double& w, std::int64_t stamp, std::int64_t delay,
                                  const post_history_view& post) {
  for (const post_spike* s = post.first_after(pre.last - delay); s != post.end && s->stamp <= stamp - delay;
       ++s) {
    const double minus_dt = static_cast<double>(pre.last - (s->stamp + delay)) * c.dt; // ms, < 0
    w = Rule::facilitate(c, w, pre.k_plus * portable_exp(minus_dt / c.p.tau_plus));
  }
  w = Rule::depress(c, w, post.k_minus_before(stamp - delay, c.dt));
  return w;
}

// The presynaptic state of pair-based STDP: the trace K+ just after the last
// presynaptic spike, and that spike's stamp (NEST starts at t_lastspike = 0).
struct stdp_pre_state {
  double k_plus = 0.0;
  std::int64_t last = 0;
};

// K+ after a presynaptic spike: decayed since the last one, plus one.
MYELIN_HD inline void stdp_advance_k_plus(stdp_pre_state& pre, std::int64_t stamp, double dt,
                                          double tau_plus) {
  pre.k_plus = pre.k_plus * portable_exp(static_cast<double>(pre.last - stamp) * dt / tau_plus) + 1.0;
  pre.last = stamp;
}

template <class PreState>
struct pre_field {
  const char* name;
  double PreState::*member;
};

} // namespace myelin::models
