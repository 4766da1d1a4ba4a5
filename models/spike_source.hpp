#pragma once
// spike_source (NEST's spike_generator): emits given spike times. A spike at
// time t with delay d reaches its targets' input at t + d. Times must lie on the
// dt grid unless allow_offgrid_times is set, in which case they are rounded up
// to the grid, as NEST does. It has no dynamics, so the engine implements it as
// a special neuron group; this header holds what the model file may say.
#include <cstdint>
#include <vector>

namespace myelin::models {

struct spike_source {
  static constexpr const char* name = "spike_source";
};

// Converts spike times (ms) to emission steps: a spike stamped at step k (time
// k*dt) is emitted while updating step k-1. Throws parameter_error for times
// that are not > 0, not on the grid (without allow_offgrid), or not sorted.
std::vector<std::int64_t> spike_times_to_emit_steps(const std::vector<double>& times_ms, double dt,
                                                    bool allow_offgrid);

} // namespace myelin::models
