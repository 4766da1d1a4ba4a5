#include "engine/rng.hpp"

#include <cmath>

namespace myelin::rng {

// Standard normal by the ziggurat method (Marsaglia & Tsang 2000, in the
// double-precision form of Doornik 2005): 128 layers of equal area; a draw
// falls inside its layer's rectangle ~99 % of the time and costs one uniform,
// 7 bits and a multiply. The wedges and the tail beyond r are sampled exactly
// by rejection. Host only (construction runs on the host).
namespace {

struct ziggurat_tables {
  static constexpr int layers = 128;
  static constexpr double r = 3.442619855899;         // start of the tail
  static constexpr double area = 9.91256303526217e-3; // of each layer
  double x[layers + 1];
  double ratio[layers]; // x[i+1] / x[i]: the part of layer i inside the next one
  ziggurat_tables() {
    double f = std::exp(-0.5 * r * r);
    x[0] = area / f; // the bottom layer: rectangle plus tail
    x[1] = r;
    x[layers] = 0.0;
    for (int i = 2; i < layers; ++i) {
      x[i] = std::sqrt(-2.0 * std::log(area / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < layers; ++i)
      ratio[i] = x[i + 1] / x[i];
  }
};

const ziggurat_tables& tables() {
  static const ziggurat_tables t;
  return t;
}

} // namespace

double stream::normal() {
  const auto& z = tables();
  for (;;) {
    const double u = 2.0 * uniform() - 1.0;
    const unsigned i = next_u32() & (ziggurat_tables::layers - 1);
    if (std::fabs(u) < z.ratio[i])
      return u * z.x[i];
    if (i == 0) { // the tail beyond r, by Marsaglia's exact method
      double a, b;
      do {
        a = std::log(1.0 - uniform()) / ziggurat_tables::r;
        b = std::log(1.0 - uniform());
      } while (-2.0 * b < a * a);
      return u < 0 ? a - ziggurat_tables::r : ziggurat_tables::r - a;
    }
    const double v = u * z.x[i]; // in the wedge: accept under the density
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - v * v));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - v * v));
    if (f1 + uniform() * (f0 - f1) < 1.0)
      return v;
  }
}

} // namespace myelin::rng
