#pragma once
// What every backend derives the same way from a population's spec, so that
// their neurons start and fire alike: initial state drawn per gid, the steps
// a spike_source emits, a poisson_source's table and key.
#include "engine/poisson_table.hpp"
#include "engine/rng.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace myelin {

// Draws the population's `init` values for the slice's neurons (per gid, so
// they do not depend on the partition) and hands each to
// write(state field index, index in the slice, value in absolute units).
// Throws model_error naming the key when a distribution cannot be sampled.
void draw_initial_state(const spec::network& net, std::size_t population, const partition::slice& slice,
                        const std::function<void(int, std::uint64_t, double)>& write);

// A spike_source's emission steps: one list for all neurons, or one per
// neuron of the population.
std::vector<std::vector<std::int64_t>> spike_source_steps(const spec::network& net,
                                                          const spec::population& p);

// A poisson_source: counts per step from `table`, words from `key`, active
// for steps [first_step, end_step) (spikes stamped in (start, stop]).
struct poisson_source_plan {
  poisson_table table;
  rng::philox::key_type key;
  std::int64_t first_step, end_step;
};
poisson_source_plan plan_poisson_source(const spec::network& net, const spec::population& p);

} // namespace myelin
