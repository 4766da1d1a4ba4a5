#pragma once
// poisson_source: a population of independent Poisson spike trains (what NEST
// builds from a poisson_generator feeding parrot_neurons, e.g. the
// microcircuit's thalamus). Each neuron emits, per step, a Poisson number of
// spikes at `rate` while start < t <= stop (NEST's device activity window);
// its spikes reach all its targets alike. Counter-based draws keyed by (seed,
// population, gid, step): no state, any partition.
namespace myelin::models {

struct poisson_source {
  static constexpr const char* name = "poisson_source";
  struct parameters {
    double rate = 0.0;   // Hz
    double start = 0.0;  // ms
    double stop = 1e300; // ms (no end)
  };
};

} // namespace myelin::models
