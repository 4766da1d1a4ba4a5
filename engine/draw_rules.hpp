#pragma once
// The draws of a connection rule for one element (a target, or a source for
// fixed_outdegree): its partners, then each synapse's delay and weight.
// Written once, MYELIN_HD, for the host builder (engine/connectivity.cpp) and
// the device builder (engine/device/construction.hpp), so that both draw the
// same bits from the same streams.
#include "engine/rng.hpp"
#include "models/host_device.hpp"
#include "models/portable_math.hpp"
#include "spec/spec.hpp"

#include <cmath>
#include <cstdint>

namespace myelin {

// A distribution without listed values: all a draw needs, copyable to a device.
struct value_law {
  spec::distribution::kind type = spec::distribution::kind::constant;
  double value = 0.0, low = 0.0, high = 0.0, mean = 0.0, std = 0.0, beta = 1.0, min = 0.0, max = 0.0;
};

inline value_law law_of(const spec::distribution& d) {
  return {d.type, d.value, d.low, d.high, d.mean, d.std, d.beta, d.min, d.max};
}

// Draws before a value counts as impossible (NEST's redraw has no limit; a
// bound nothing can meet would loop forever).
inline constexpr int max_redraws = 10000;

// One value of d; values outside [min, max] are redrawn. False when
// max_redraws draws all fell outside. lognormal and exponential take exp and
// log from portable_math, so every backend draws the same bits.
MYELIN_HD inline bool draw_value(const value_law& d, rng::stream& s, const rng::ziggurat_tables& z,
                                 double& out) {
  using kind = spec::distribution::kind;
  if (d.type == kind::constant) {
    out = d.value;
    return true;
  }
  for (int attempt = 0; attempt < max_redraws; ++attempt) {
    double v = 0.0;
    switch (d.type) {
    case kind::uniform:
      v = d.low + (d.high - d.low) * s.uniform();
      break;
    case kind::normal:
      v = d.mean + d.std * s.normal(z);
      break;
    case kind::lognormal:
      v = models::portable_exp(d.mean + d.std * s.normal(z));
      break;
    case kind::exponential:
      v = -d.beta * models::portable_log(1.0 - s.uniform());
      break;
    case kind::constant:
    case kind::listed: // never drawn (the caller reads the listed value)
      break;
    }
    if (v >= d.min && v <= d.max) {
      out = v;
      return true;
    }
  }
  return false;
}

// Delays are whole steps in [1, 65535] (16-bit segment delays).
inline constexpr std::int64_t max_delay_steps = 65535;

// llround(ms / dt): the host's and CUDA's llround round exactly alike.
MYELIN_HD inline std::int64_t delay_steps_of(double ms, double dt) {
#if defined(__CUDA_ARCH__)
  return ::llround(ms / dt);
#else
  return std::llround(ms / dt);
#endif
}

// What a projection's synapses draw besides their partners.
struct synapse_law {
  value_law delay, weight;
  double dt = 0.1;
  std::int64_t constant_delay_steps = 0; // > 0: every delay is this (the delay is a constant)
  bool unit_weight = false;              // the target counts spikes (parrot_neuron): every weight is 1
};

enum class draw_status { ok, out_of_range, no_value };

// The next synapse's delay in steps; `ms` holds the drawn value when it is
// out of range.
MYELIN_HD inline draw_status draw_delay_steps(const synapse_law& law, rng::stream& s,
                                              const rng::ziggurat_tables& z, std::int64_t& steps,
                                              double& ms) {
  if (law.constant_delay_steps > 0) {
    steps = law.constant_delay_steps;
    return draw_status::ok;
  }
  if (!draw_value(law.delay, s, z, ms))
    return draw_status::no_value;
  steps = delay_steps_of(ms, law.dt);
  return steps < 1 || steps > max_delay_steps ? draw_status::out_of_range : draw_status::ok;
}

MYELIN_HD inline bool draw_weight(const synapse_law& law, rng::stream& s, const rng::ziggurat_tables& z,
                                  double& w) {
  if (law.unit_weight) {
    w = 1.0;
    return true;
  }
  return draw_value(law.weight, s, z, w);
}

// How an element's partners are chosen.
struct partner_law {
  spec::rule::kind type = spec::rule::kind::all_to_all;
  std::uint64_t n = 0;      // fixed_indegree, fixed_outdegree
  std::uint64_t others = 0; // size of the other population (sources; targets for fixed_outdegree)
  // pairwise_bernoulli: p * 2^32 (2^32 when p = 1), compared with a word.
  std::uint64_t bernoulli_threshold = 0;
  bool exclude_self = false; // same population, no autapses
  bool allow_multapses = true;
};

// Words of the bitset choose_partners needs for a draw without multapses.
MYELIN_HD inline std::uint64_t partner_marks_words(const partner_law& r) {
  return (r.others + 63) / 64;
}

// Whether choosing index's partners needs the bitset (Floyd's algorithm).
MYELIN_HD inline bool needs_marks(const partner_law& r) {
  using kind = spec::rule::kind;
  return !r.allow_multapses && (r.type == kind::fixed_indegree || r.type == kind::fixed_outdegree ||
                                r.type == kind::fixed_total_number);
}

// How many partners `count` draws of index yield, without drawing (all
// rules but pairwise_bernoulli). `total`: fixed_total_number's count for
// this element.
MYELIN_HD inline std::uint64_t fixed_partner_count(const partner_law& r, std::uint64_t total) {
  using kind = spec::rule::kind;
  switch (r.type) {
  case kind::all_to_all:
    return r.others - (r.exclude_self ? 1 : 0);
  case kind::one_to_one:
    return r.exclude_self ? 0 : 1;
  case kind::fixed_indegree:
  case kind::fixed_outdegree:
    return r.n;
  case kind::fixed_total_number:
    return total;
  default:
    return 0;
  }
}

// emit(partner) for each partner of element `index`, in draw order. Indices
// drawn from the pool skip `index` itself (when excluded) by shifting the
// upper part. `total`: fixed_total_number's count for this element. `marks`:
// partner_marks_words zeroed words where needs_marks; the caller zeroes the
// drawn ones afterwards (forget_partner), which costs a word per partner
// rather than per pool word.
template <class Emit>
MYELIN_HD void choose_partners(const partner_law& r, std::uint64_t index, std::uint64_t total, rng::stream& s,
                               std::uint64_t* marks, Emit&& emit) {
  using kind = spec::rule::kind;
  const bool skip = r.exclude_self;
  auto map = [&](std::uint64_t v) { return skip && v >= index ? v + 1 : v; };
  switch (r.type) {
  case kind::all_to_all:
    for (std::uint64_t src = 0; src < r.others; ++src)
      if (!(skip && src == index))
        emit(src);
    return;
  case kind::one_to_one:
    if (!skip)
      emit(index);
    return;
  case kind::pairwise_bernoulli:
    for (std::uint64_t src = 0; src < r.others; ++src) {
      if (skip && src == index)
        continue;
      if (s.next_u32() < r.bernoulli_threshold)
        emit(src);
    }
    return;
  case kind::fixed_indegree:
  case kind::fixed_outdegree:
  case kind::fixed_total_number:
    break;
  default:
    return;
  }
  const std::uint64_t count = fixed_partner_count(r, total);
  const std::uint64_t pool = r.others - (skip ? 1 : 0);
  if (r.allow_multapses) {
    for (std::uint64_t k = 0; k < count; ++k)
      emit(map(s.below(pool)));
    return;
  }
  // Floyd's algorithm: `count` distinct values with `count` draws.
  for (std::uint64_t j = pool - count; j < pool; ++j) {
    std::uint64_t v = s.below(j + 1);
    if (marks[v / 64] >> (v % 64) & 1)
      v = j;
    marks[v / 64] |= std::uint64_t{1} << (v % 64);
    emit(map(v));
  }
}

// Clears the mark choose_partners set for `partner` of element `index`.
MYELIN_HD inline void forget_partner(const partner_law& r, std::uint64_t index, std::uint64_t partner,
                                     std::uint64_t* marks) {
  const std::uint64_t v = r.exclude_self && partner > index ? partner - 1 : partner;
  marks[v / 64] = 0;
}

} // namespace myelin
