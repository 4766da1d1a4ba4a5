#pragma once
// Current devices as the engine runs them (spec::current_device): the
// current a neuron receives during step u is what the device sent at step
// u - delay - 1 (NEST: a CurrentEvent arrives after the delay and flows as
// I_stim during the following step), times the connection weight. Each value
// is a pure function of the step (and, for noise, of the neuron's gid and
// the device's Philox key), so there is no device state: restarts, ranks,
// threads and backends give the same current to the bit.
#include "engine/rng.hpp"
#include "models/portable_math.hpp"
#include "spec/spec.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace myelin {

// A dc, step or ac generator: the same current into every target neuron,
// so it is computed on the host, per step.
struct shared_current {
  spec::current_device::kind type = spec::current_device::kind::dc;
  double weight = 1.0;
  std::int64_t delay = 1;          // steps
  std::int64_t first = 0, end = 0; // device steps [first, end) it is active
  double amplitude = 0.0, offset = 0.0;
  double omega = 0.0, phase = 0.0;        // ac: rad/ms, rad
  double dt = 0.1;                        // ms
  std::vector<std::int64_t> change_steps; // step: when each value takes over
  std::vector<double> values;

  // What the device sends at its step s (pA, before the weight).
  double sent(std::int64_t s) const;
};

// A standard normal number for (interval, gid) under key: Marsaglia's polar
// method on Philox words (log and sqrt only, both identical on every
// backend), 0 after 64 rejected pairs (probability 0.21^64).
MYELIN_HD inline double philox_normal(const rng::philox::key_type& key, std::uint64_t interval,
                                      std::uint64_t gid) {
  for (std::uint64_t attempt = 0; attempt < 32; ++attempt) {
    // gids are below 2^32; the attempt lies above them in the element id.
    const auto w = rng::block(key, interval, gid | (attempt << 40));
    for (int pair = 0; pair < 2; ++pair) {
      const double u = (static_cast<double>(w[2 * pair]) + 0.5) * 0x1.0p-31 - 1.0;
      const double v = (static_cast<double>(w[2 * pair + 1]) + 0.5) * 0x1.0p-31 - 1.0;
      const double s = u * u + v * v;
      if (s < 1.0 && s > 0.0)
        return u * sqrt(-2.0 * models::portable_log(s) / s);
    }
  }
  return 0.0;
}

// A noise_generator: every target neuron its own current, drawn anew every
// `interval` steps from the first active step on (NEST's dt).
struct noise_current {
  rng::philox::key_type key;
  double weight, mean, std;
  std::int64_t delay, first, end, interval; // steps

  // The weighted current into neuron gid during its step u.
  MYELIN_HD double at(std::int64_t u, std::uint64_t gid) const {
    const std::int64_t s = u - delay - 1;
    if (s < first || s >= end)
      return 0.0;
    const auto k = static_cast<std::uint64_t>((s - first) / interval);
    return weight * (mean + std * philox_normal(key, k, gid));
  }
};

// Every current device's input into one population.
struct population_currents {
  std::vector<shared_current> shared;
  std::vector<noise_current> noise;

  bool empty() const { return shared.empty() && noise.empty(); }
  // out[k]: the shared devices' weighted current during neuron step first + k,
  // summed in device order, for k < n.
  void shared_window(std::int64_t first, std::int64_t n, double* out) const;
};

// The current devices of a network, per population.
std::vector<population_currents> plan_currents(const spec::network& net);

} // namespace myelin
