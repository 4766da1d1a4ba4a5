#pragma once
// Builds and steps an accepted network when it is small enough for a fuzz
// iteration (the limits keep each input to milliseconds and megabytes; the
// memory estimate is the one `myelin run` admits by).
#include "engine/listed_synapses.hpp"
#include "spec/spec.hpp"

#include <vector>

namespace myelin::fuzz {

// Checks, partitions (every strategy, METIS included), builds with two
// threads and runs at most 300 steps. Throws what they throw.
void build_and_step(const spec::network& net, const std::vector<listed_synapse>& listed = {});

} // namespace myelin::fuzz
