#pragma once
// What the model file may say about each synapse model: its parameters with
// units and defaults, whether it is plastic, and its own checks.
#include "models/registry.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace myelin::models {

inline constexpr const char* static_synapse_name = "static_synapse";

struct synapse_info {
  std::string name;
  bool plastic = false;          // false: static_synapse
  bool plastic_weight = false;   // each synapse keeps its own weight
  bool uses_post_spikes = false; // needs the target neurons' spike history
  std::vector<parameter_info> parameters;
  std::vector<std::string> pre_fields; // per-source state, for checkpoints
  // Throws parameter_error naming the parameter ("weight" for a weight the
  // rule cannot start from).
  std::function<void(const std::map<std::string, double>&, double dt)> validate;
  std::function<void(const std::map<std::string, double>&, double dt, double weight)> check_weight;
  // check_weight with the parameters prepared once, for many weights (a
  // SONATA file's edges); throws parameter_error as validate does.
  std::function<std::function<void(double)>(const std::map<std::string, double>&, double dt)> weight_checker;

  // Bytes a synapse of this model takes in a synapse table (the per-source
  // state is extra and small: one entry per source neuron and thread).
  std::uint64_t bytes_per_synapse() const { return plastic_weight ? 20 : plastic ? 12 : 8; }
  const parameter_info* find_parameter(std::string_view n) const;
};

// "static" is accepted for static_synapse.
const synapse_info* find_synapse_model(std::string_view name);
std::vector<std::string> synapse_model_names();

} // namespace myelin::models
