#pragma once
// Adds a neuron model at run time, from its header alone: its registry entry
// (so model files can name it) and its implementation on every backend. For
// models that are not part of models/all_models.hpp: test models today.
#include "engine/cpu/group_factory.hpp"
#include "models/describe.hpp"

namespace myelin {

template <class Model>
void add_neuron_model() {
  models::add_model(models::describe<Model>());
  cpu::group_factories().insert(cpu::group_entry<Model>());
}

} // namespace myelin
