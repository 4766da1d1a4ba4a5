#include "engine/spec.hpp"

#include <cmath>

namespace myelin::spec {

std::uint64_t network::total_neurons() const {
  std::uint64_t n = 0;
  for (const auto& p : populations)
    n += p.size;
  return n;
}

int network::find_population(const std::string& name) const {
  for (std::size_t i = 0; i < populations.size(); ++i)
    if (populations[i].name == name)
      return static_cast<int>(i);
  return -1;
}

std::vector<std::uint64_t> network::population_offsets() const {
  std::vector<std::uint64_t> off;
  std::uint64_t g = 0;
  for (const auto& p : populations) {
    off.push_back(g);
    g += p.size;
  }
  off.push_back(g);
  return off;
}

std::int64_t delay_steps(double delay_ms, double dt) {
  return std::llround(delay_ms / dt);
}

} // namespace myelin::spec
