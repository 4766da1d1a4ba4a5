#pragma once
// The one list of neuron models. Adding a model = one header + one entry here;
// the registry and every backend are generated from this list.
#include "models/aeif_cond_alpha.hpp"
#include "models/aeif_cond_exp.hpp"
#include "models/iaf_cond_alpha.hpp"
#include "models/iaf_cond_exp.hpp"
#include "models/iaf_psc_alpha.hpp"
#include "models/iaf_psc_delta.hpp"
#include "models/iaf_psc_exp.hpp"
#include "models/iaf_psc_exp_multisynapse.hpp"
#include "models/izhikevich.hpp"
#include "models/parrot_neuron.hpp"

namespace myelin::models {

template <class... Models>
struct model_list {};

using neuron_models =
    model_list<iaf_psc_delta, iaf_psc_exp, iaf_psc_alpha, izhikevich, iaf_cond_exp, iaf_cond_alpha,
               aeif_cond_exp, aeif_cond_alpha, parrot_neuron, iaf_psc_exp_multisynapse>;

} // namespace myelin::models
