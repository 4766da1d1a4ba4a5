#include "engine/current_input.hpp"

#include <algorithm>
#include <limits>
#include <numbers>

namespace myelin {
namespace {

// A time on the grid in steps (the reader checked it is one); an endless stop
// is the largest step.
std::int64_t grid_steps(double ms, double dt) {
  if (!(std::fabs(ms / dt) < 0x1.0p62))
    return std::numeric_limits<std::int64_t>::max();
  return std::llround(ms / dt);
}

} // namespace

double shared_current::sent(std::int64_t s) const {
  using kind = spec::current_device::kind;
  if (s < first || s >= end)
    return 0.0;
  switch (type) {
  case kind::dc:
    return amplitude;
  case kind::step: {
    // NEST switches one step ahead: the value whose time is s + 1 is sent at s.
    const auto it = std::upper_bound(change_steps.begin(), change_steps.end(), s + 1);
    return it == change_steps.begin() ? 0.0 : values[static_cast<std::size_t>(it - change_steps.begin()) - 1];
  }
  case kind::ac:
    // NEST's oscillator is advanced once before it is sent: at step s it is at time (s + 1) dt.
    return offset + amplitude * std::sin(omega * (static_cast<double>(s + 1) * dt) + phase);
  case kind::noise:
    break;
  }
  return 0.0;
}

void population_currents::shared_window(std::int64_t first, std::int64_t n, double* out) const {
  for (std::int64_t k = 0; k < n; ++k) {
    double sum = 0.0;
    for (const auto& d : shared)
      sum += d.weight * d.sent(first + k - d.delay - 1);
    out[k] = sum;
  }
}

std::vector<population_currents> plan_currents(const spec::network& net) {
  using kind = spec::current_device::kind;
  std::vector<population_currents> out(net.populations.size());
  const double dt = net.run.dt;
  for (std::size_t d = 0; d < net.current_devices.size(); ++d) {
    const auto& dev = net.current_devices[d];
    const std::int64_t first = grid_steps(dev.origin + dev.start, dt);
    const std::int64_t end = grid_steps(dev.origin + dev.stop, dt);
    const std::int64_t delay = spec::delay_steps(dev.delay, dt);
    for (const auto& target : dev.targets) {
      auto& into = out[static_cast<std::size_t>(net.find_population(target))];
      if (dev.type == kind::noise) {
        into.noise.push_back({rng::make_key(net.run.seed, rng::purpose::noise_current, d), dev.weight,
                              dev.mean, dev.std, delay, first, end,
                              std::max<std::int64_t>(1, grid_steps(dev.dt, dt))});
        continue;
      }
      shared_current c;
      c.type = dev.type;
      c.weight = dev.weight;
      c.delay = delay;
      c.first = first;
      c.end = end;
      c.amplitude = dev.amplitude;
      c.offset = dev.offset;
      c.omega = 2.0 * std::numbers::pi * dev.frequency / 1000.0;
      c.phase = dev.phase * 2.0 * std::numbers::pi / 360.0;
      c.dt = dt;
      for (double t : dev.amplitude_times)
        c.change_steps.push_back(grid_steps(t, dt));
      c.values = dev.amplitude_values;
      into.shared.push_back(std::move(c));
    }
  }
  return out;
}

} // namespace myelin
