#pragma once
// Adds a neuron model at run time, from its header alone: its registry entry
// (so model files can name it) and its implementation on the cpu and omp
// backends. For models that are not part of models/all_models.hpp: test
// models today.
#include "engine/cpu/group_factory.hpp"
#include "models/describe.hpp"

#if MYELIN_HAVE_DEVICE
// The device backend's CPU build; the CUDA build knows only the models of
// models/all_models.hpp (its code is compiled by nvcc, not here).
#include "engine/device/group_factory.hpp"
#endif

namespace myelin {

template <class Model>
void add_neuron_model() {
  models::add_model(models::describe<Model>());
  cpu::group_factories().insert(cpu::group_entry<Model>());
#if MYELIN_HAVE_DEVICE
  device_omp::device_group_factories().insert(device_omp::device_group_entry<Model>());
#endif
}

} // namespace myelin
