#pragma once
// What changed between the model a checkpoint was written with and the one a
// run resumes with. Parameters (neuron parameters, weights, delays, device
// rates) may change under --force-model; anything that changes the network's
// shape (sizes, rules, recorders, dt, seed) may not.
#include "spec/spec.hpp"

#include <string>
#include <vector>

namespace myelin::cli {

struct model_changes {
  std::vector<std::string> refused;  // shape changes: the checkpoint cannot be used
  std::vector<std::string> accepted; // parameter changes: allowed with --force-model
};

model_changes compare_models(const spec::network& saved, const spec::network& now);

} // namespace myelin::cli
