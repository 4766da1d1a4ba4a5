#pragma once
// A dynamics_params JSON file (node or edge types): an object of
// "name": number pairs (booleans as 0/1); a list of numbers (NEST's tau_syn)
// gives name_1, name_2, ... (the model's numbered parameters). Keys listed
// as text keys may hold a string instead (an edge type's synapse_model).
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace myelin::io::sonata {

struct dynamics_params {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> texts;
};

// Throws model_error naming the file and the key.
dynamics_params read_dynamics_params(const std::filesystem::path& file,
                                     std::initializer_list<std::string_view> text_keys = {});

} // namespace myelin::io::sonata
