#pragma once
// Checks that need the whole network (sizes against degrees, delays against
// dt, recorders against models). Throws model_error naming the key.
#include "engine/spec.hpp"

#include <cstdint>

namespace myelin::io {

// Delays are stored in 16 bits per synapse segment.
inline constexpr std::int64_t max_delay_steps = 65535;

void check_network(const spec::network& net);

} // namespace myelin::io
