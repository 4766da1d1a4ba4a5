#pragma once
// Creates the CPU neuron group for a population slice from the model list,
// with initial state drawn per gid (so it does not depend on the partition).
#include "engine/neuron_group.hpp"
#include "engine/spec.hpp"

#include <memory>

namespace myelin::cpu {

std::unique_ptr<neuron_group> make_group(const spec::network& net, std::size_t population,
                                         std::uint64_t first_gid, std::uint64_t first_local,
                                         std::uint64_t first_index, std::uint64_t count);

} // namespace myelin::cpu
