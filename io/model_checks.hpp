#pragma once
// Checks that need the whole network (sizes against degrees, delays against
// dt, recorders against models). Throws model_error naming the key.
#include "engine/spec.hpp"

namespace myelin::io {

void check_network(const spec::network& net);

} // namespace myelin::io
