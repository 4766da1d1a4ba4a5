#pragma once
// A population's model constants, computed on the host: one set for the
// population, and one per neuron of a slice where the spec gives parameters
// per neuron (spec::population::param_arrays). Shared by every backend so
// that their neurons compute alike.
#include "models/model_api.hpp"
#include "partition/decomposition.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <vector>

namespace myelin {

// Empty when the population has no per-neuron parameters; else the
// constants of each of the slice's neurons, in slice order.
template <class Model>
std::vector<typename Model::constants> neuron_constants(const spec::network& net, std::size_t population,
                                                        const partition::slice& slice) {
  using parameters = typename Model::parameters;
  const auto& p = net.populations[population];
  std::vector<typename Model::constants> out;
  if (p.param_arrays.empty())
    return out;
  struct column {
    double parameters::*member;
    const std::vector<double>* values;
  };
  std::vector<column> columns;
  for (const auto& [name, values] : p.param_arrays) {
    double parameters::*member = nullptr;
    for (const auto& f : Model::parameter_fields)
      if (name == f.name)
        member = f.member;
    if (!member || values.size() != p.size)
      throw internal_error("per-neuron parameter '" + name + "' of " + p.name + " does not fit " +
                           Model::name);
    columns.push_back({member, &values});
  }
  const parameters shared = models::make_parameters<Model>(p.params);
  out.reserve(slice.count);
  for (std::uint64_t k = 0; k < slice.count; ++k) {
    const std::uint64_t i = slice.first_index + k * slice.stride;
    parameters mine = shared;
    for (const auto& c : columns)
      mine.*(c.member) = (*c.values)[i];
    out.push_back(Model::prepare(mine, net.run.dt));
  }
  return out;
}

} // namespace myelin
