#pragma once
// The one list of plastic synapse models (static synapses are built in).
// Adding one = one header + one entry here; the registry and the engine's
// delivery are generated from this list.
#include "models/stdp_pl_synapse_hom.hpp"
#include "models/stdp_synapse.hpp"
#include "models/tsodyks2_synapse.hpp"

namespace myelin::models {

template <class... Rules>
struct synapse_list {};

using plastic_synapse_models = synapse_list<stdp_synapse, stdp_pl_synapse_hom, tsodyks2_synapse>;

} // namespace myelin::models
