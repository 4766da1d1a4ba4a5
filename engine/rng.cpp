#include "engine/rng.hpp"

#include <cmath>

namespace myelin::rng {
namespace {

ziggurat_tables make_ziggurat() {
  constexpr double r = 3.442619855899;         // start of the tail
  constexpr double area = 9.91256303526217e-3; // of each layer
  constexpr int layers = ziggurat_tables::layers;
  ziggurat_tables z{};
  double f = std::exp(-0.5 * r * r);
  z.x[0] = area / f; // the bottom layer: rectangle plus tail
  z.x[1] = r;
  z.x[layers] = 0.0;
  for (int i = 2; i < layers; ++i) {
    z.x[i] = std::sqrt(-2.0 * std::log(area / z.x[i - 1] + f));
    f = std::exp(-0.5 * z.x[i] * z.x[i]);
  }
  for (int i = 0; i < layers; ++i)
    z.ratio[i] = z.x[i + 1] / z.x[i];
  return z;
}

} // namespace

const ziggurat_tables& host_ziggurat() {
  static const ziggurat_tables z = make_ziggurat();
  return z;
}

} // namespace myelin::rng
