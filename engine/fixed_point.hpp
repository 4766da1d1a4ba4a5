#pragma once
// Synaptic input is summed in 64-bit fixed point: integer adds are associative,
// so the order in which spikes are delivered (threads, ranks, GPU atomics)
// cannot change a single bit of the result (DESIGN.md §1).
#include <cmath>
#include <cstdint>

namespace myelin {

// One unit is 2^-32 pA (or mV for delta synapses).
inline constexpr double fixed_one = 4294967296.0;

// Truncates toward zero: one cheap, deterministic conversion on every backend.
inline std::int64_t to_fixed(double w) {
  return static_cast<std::int64_t>(w * fixed_one);
}
inline double from_fixed(std::int64_t v) {
  return static_cast<double>(v) * (1.0 / fixed_one);
}

} // namespace myelin
