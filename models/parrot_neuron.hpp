#pragma once
// NEST's parrot_neuron: repeats every spike that reaches it, one step
// later (the delay of the projection out of it is added, as for any
// neuron): k spikes arriving in one step give k spikes of its own in that
// step, as NEST's one spike with multiplicity k (its targets get k times the
// weight; a spike recorder records k spikes). It has no parameters and no
// state; the weights of projections into it are ignored, as NEST ignores
// them: the engine delivers each arriving spike as a count of one
// (models::counts_spikes, engine/connectivity.cpp).
//
// Where NEST differs: at most max_spikes_per_step spikes a step (the engine
// keeps that many; more are counted as saturated input steps and reported); NEST's receptor 1 ("do
// not repeat", for STDP into a parrot) does not exist: plastic projections
// into a parrot are refused (docs/design-decisions.md).
#include "models/model_api.hpp"

#include <array>

namespace myelin::models {

struct parrot_neuron {
  static constexpr const char* name = "parrot_neuron";
  static constexpr int n_receptors = 1;
  static constexpr bool counts_spikes = true;
  // The device backend keeps room for this many spikes per parrot and step.
  static constexpr unsigned max_spikes_per_step = 8;

  struct parameters {};
  static constexpr std::array<parameter_field<parameters>, 0> parameter_fields{};
  struct constants {};
  struct state {};
  static constexpr std::array<state_field<state, constants>, 0> state_fields{};

  static constants prepare(const parameters&, double) { return {}; }
  static state initial_state(const constants&) { return {}; }

  // in0: the number of spikes arriving in this step (each counts 1.0, held
  // exactly in fixed point, below 2^31); returns as many (the engine keeps
  // at most max_spikes_per_step).
  MYELIN_HD static unsigned step(const constants&, state&, double in0, double) {
    return in0 < 0.5 ? 0u : static_cast<unsigned>(in0 + 0.5);
  }
};

} // namespace myelin::models
