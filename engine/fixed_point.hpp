#pragma once
// Synaptic input is summed in 64-bit fixed point: integer adds are associative,
// so the order in which spikes are delivered (threads, ranks, GPU atomics)
// cannot change a single bit of the result (DESIGN.md §1).
//
// The range (docs/model-file.md, "Weights and the fixed-point range"):
// - one unit is 2^-32 pA (or mV for delta synapses);
// - a ring slot holds |sum| < 2^31 pA (about 2.1e9 pA) per neuron, channel
//   and step;
// - a synapse's weight is at most max_weight in magnitude: model files and
//   SONATA edges beyond it are refused, plastic weights are held within it,
//   and so at least 2,147 of the largest inputs fit one slot;
// - beyond that a slot saturates at the end of the range instead of wrapping.
//   Channel 0 only ever receives positive inputs and channel 1 negative ones,
//   so a saturated sum is order-free as well (promise 1 still holds).
#include "models/host_device.hpp"

#include <cstdint>
#include <limits>

namespace myelin {

inline constexpr double fixed_one = 4294967296.0;
inline constexpr double max_weight = 1.0e6;
inline constexpr std::int64_t fixed_max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t fixed_min = std::numeric_limits<std::int64_t>::min();

// A weight held within [-max_weight, max_weight]; NaN becomes 0.
MYELIN_HD inline double clamp_weight(double w) {
  if (w > max_weight)
    return max_weight;
  if (w < -max_weight)
    return -max_weight;
  return w == w ? w : 0.0;
}

// Truncates toward zero: one cheap, deterministic conversion on every backend.
// Clamped first, so no value can reach the undefined out-of-range conversion.
MYELIN_HD inline std::int64_t to_fixed(double w) {
  return static_cast<std::int64_t>(clamp_weight(w) * fixed_one);
}
// The same for a weight already within the range (static synapses are
// clamped when built): the delivery loop's conversion, without checks.
MYELIN_HD inline std::int64_t to_fixed_in_range(double w) {
  return static_cast<std::int64_t>(w * fixed_one);
}
MYELIN_HD inline double from_fixed(std::int64_t v) {
  return static_cast<double>(v) * (1.0 / fixed_one);
}

// slot += v, saturating at the ends of the range instead of overflowing.
inline void ring_add(std::int64_t& slot, std::int64_t v) {
  std::int64_t sum;
  if (__builtin_add_overflow(slot, v, &sum)) [[unlikely]]
    sum = v > 0 ? fixed_max : fixed_min;
  slot = sum;
}

// count * v, saturating: a Poisson device's count events of weight v.
inline std::int64_t fixed_times(std::int64_t count, std::int64_t v) {
  std::int64_t product;
  if (__builtin_mul_overflow(count, v, &product)) [[unlikely]]
    product = (v > 0) == (count > 0) ? fixed_max : fixed_min;
  return product;
}

// Whether a slot read by a neuron sits at an end of the range (saturated).
MYELIN_HD inline bool saturated(std::int64_t v) {
  return v == fixed_max || v == fixed_min;
}

// ring_add and fixed_times for device code, which has no overflow builtins:
// the same results bit for bit (tests/unit/device_test.cpp checks the edges).
MYELIN_HD inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  const auto sum = static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
  if (b > 0 && sum < a)
    return fixed_max;
  if (b < 0 && sum > a)
    return fixed_min;
  return sum;
}
MYELIN_HD inline std::int64_t saturating_times(std::uint32_t count, std::int64_t v) {
  if (count == 0)
    return 0;
  const auto n = static_cast<std::int64_t>(count);
  if (v > fixed_max / n)
    return fixed_max;
  if (v < fixed_min / n)
    return fixed_min;
  return n * v;
}

} // namespace myelin
