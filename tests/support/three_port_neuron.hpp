#pragma once
// A test neuron with three typed receptor ports (models/model_api.hpp) whose
// membrane shows which port each input reached: every step
//   V_m <- leak * V_m + in[0] + 10 in[1] + 100 in[2],
// and it never fires. Registered at run time (engine/model_plugin.hpp) by the
// tests that use it; not part of myelin's model list.
#include "models/model_api.hpp"

namespace myelin::test {

struct three_port_neuron {
  static constexpr const char* name = "test_three_port";
  static constexpr int n_receptors = 3;
  static constexpr bool typed_receptors = true;
  static constexpr const char* receptor_names[] = {"ones", "tens", "hundreds"};

  struct parameters {
    double leak = 1.0; // per step
  };
  static constexpr models::parameter_field<parameters> parameter_fields[] = {{"leak", &parameters::leak, ""}};
  struct constants {
    double leak;
  };
  struct state {
    double V_m = 0.0; // mV
  };
  static constexpr models::state_field<state, constants> state_fields[] = {{"V_m", &state::V_m, "mV"}};

  static constants prepare(const parameters& p, double) {
    models::require_positive("leak", p.leak);
    return {p.leak};
  }
  static state initial_state(const constants&) { return {}; }
  MYELIN_HD static bool step(const constants& c, state& s, const double* in) {
    s.V_m = c.leak * s.V_m + in[0] + 10.0 * in[1] + 100.0 * in[2];
    return false;
  }
};

} // namespace myelin::test
