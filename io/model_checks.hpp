#pragma once
// Checks that need the whole network (sizes against degrees, delays against
// dt, recorders against models). Throws model_error naming the key.
#include "spec/spec.hpp"

#include <cstdint>
#include <string>

namespace myelin::io {

// Delays are stored in 16 bits per synapse segment.
inline constexpr std::int64_t max_delay_steps = 65535;

void check_network(const spec::network& net);

// Empty when |w| fits the fixed-point ring (engine/fixed_point.hpp), else the
// reason, for the reader to report with its file and key.
std::string weight_range_problem(double w);

} // namespace myelin::io
