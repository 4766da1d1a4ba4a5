#pragma once
// NEST's parrot_neuron: repeats every step in which spikes reach it as one
// spike of its own, one step later (the delay of the projection out of it
// is added, as for any neuron). It has no parameters and no state; the
// weights of projections into it are ignored, as NEST ignores them: the
// engine delivers each arriving spike as a count of one
// (models::counts_spikes, engine/connectivity.cpp).
//
// Where NEST differs: a step with k > 1 arriving spikes gives one spike
// with multiplicity k in NEST, one spike here (myelin's spikes carry no
// multiplicity; docs/design-decisions.md). NEST's receptor 1 ("do not
// repeat", for STDP into a parrot) does not exist: plastic projections
// into a parrot are refused.
#include "models/model_api.hpp"

#include <array>

namespace myelin::models {

struct parrot_neuron {
  static constexpr const char* name = "parrot_neuron";
  static constexpr int n_receptors = 1;
  static constexpr bool counts_spikes = true;

  struct parameters {};
  static constexpr std::array<parameter_field<parameters>, 0> parameter_fields{};
  struct constants {};
  struct state {};
  static constexpr std::array<state_field<state, constants>, 0> state_fields{};

  static constants prepare(const parameters&, double) { return {}; }
  static state initial_state(const constants&) { return {}; }

  // in0: the number of spikes arriving in this step (each counts 1.0).
  MYELIN_HD static bool step(const constants&, state&, double in0, double) { return in0 > 0.5; }
};

} // namespace myelin::models
