#include "io/sonata/dynamics_params.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace myelin::io::sonata {

dynamics_params read_dynamics_params(const std::filesystem::path& file,
                                     std::initializer_list<std::string_view> text_keys) {
  std::ifstream in(file);
  if (!in)
    throw model_error(file.string(), "file", "cannot be opened");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw model_error(file.string(), "file", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object())
    throw model_error(file.string(), "file", "must hold a JSON object of parameters");
  dynamics_params out;
  auto& p = out.numbers;
  for (const auto& [k, v] : j.items()) {
    const bool text_key = std::find(text_keys.begin(), text_keys.end(), k) != text_keys.end();
    if (text_key && v.is_string())
      out.texts[k] = v.get<std::string>();
    else if (text_key)
      throw model_error(file.string(), k, "must be a string");
    else if (v.is_boolean())
      p[k] = v.get<bool>() ? 1.0 : 0.0;
    else if (v.is_number())
      p[k] = v.get<double>();
    else if (v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_number(); }))
      for (std::size_t i = 0; i < v.size(); ++i)
        p[k + "_" + std::to_string(i + 1)] = v[i].get<double>();
    else
      throw model_error(file.string(), k, "must be a number or a list of numbers");
  }
  return out;
}

} // namespace myelin::io::sonata
