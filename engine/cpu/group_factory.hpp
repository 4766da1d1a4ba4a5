#pragma once
// Creates the CPU neuron group for a rank's slice of a population from the
// model list, with initial state drawn per gid (so it does not depend on the
// partition).
#include "engine/cpu/model_group.hpp"
#include "engine/cpu/neuron_group.hpp"
#include "engine/neuron_constants.hpp"
#include "models/model_api.hpp"
#include "partition/decomposition.hpp"
#include "spec/spec.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace myelin::cpu {

std::unique_ptr<neuron_group> make_group(const spec::network& net, std::size_t population,
                                         const partition::slice& slice);

using group_factory = std::function<std::unique_ptr<neuron_group>(
    const spec::network&, const spec::population&, const partition::slice&)>;

// The CPU group of one model, generated from its header.
template <class Model>
std::pair<std::string, group_factory> group_entry() {
  return {Model::name,
          [](const spec::network& net, const spec::population& p,
             const partition::slice& s) -> std::unique_ptr<neuron_group> {
            auto per_neuron = neuron_constants<Model>(net, s.population, s);
            const auto c = !per_neuron.empty()
                               ? per_neuron.front()
                               : Model::prepare(models::make_parameters<Model>(p.params_of(0)), net.run.dt);
            return std::make_unique<model_group<Model>>(s.first_gid, s.stride, s.first_local, s.count, c,
                                                        std::move(per_neuron));
          }};
}

// Every model's factory by name: the list's, and those added at run time.
std::map<std::string, group_factory>& group_factories();

} // namespace myelin::cpu
