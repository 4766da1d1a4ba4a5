#pragma once
// The device group of each model, by name: generated from the model list
// (models/all_models.hpp) plus the spike sources, and open to models added
// at run time (engine/model_plugin.hpp).
#include "engine/device/neuron_groups.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace myelin::MYELIN_DEVICE_NS {

using device_group_factory = std::function<std::unique_ptr<device_group>(
    const spec::network&, std::size_t population, const partition::slice&, const std::vector<poisson_input>&,
    const std::vector<slice_probe>&)>;

template <class Model>
std::pair<std::string, device_group_factory> device_group_entry() {
  return {Model::name, [](const spec::network& net, std::size_t population, const partition::slice& s,
                          const std::vector<poisson_input>& inputs, const std::vector<slice_probe>& probes) {
            return std::unique_ptr<device_group>(
                std::make_unique<model_device_group<Model>>(net, population, s, inputs, probes));
          }};
}

std::map<std::string, device_group_factory>& device_group_factories();

} // namespace myelin::MYELIN_DEVICE_NS
