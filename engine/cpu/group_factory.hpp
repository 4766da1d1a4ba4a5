#pragma once
// Creates the CPU neuron group for a rank's slice of a population from the
// model list, with initial state drawn per gid (so it does not depend on the
// partition).
#include "engine/cpu/neuron_group.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <memory>

namespace myelin::cpu {

std::unique_ptr<neuron_group> make_group(const spec::network& net, std::size_t population,
                                         const partition::slice& slice);

} // namespace myelin::cpu
