#pragma once
// exp, log and pow built only from IEEE-754 additions, multiplications and
// divisions (correctly rounded everywhere) and exponent bit arithmetic, so
// the host and the GPU compute them to the same bit; the C library's and
// CUDA's own exp differ in the last bits. Used by everything that runs in a
// simulation step on every backend (synapse rules, postsynaptic traces);
// prepare() on the host keeps std::exp. The algorithms are the classic
// Cody–Waite reductions with minimax polynomials (as in fdlibm), under one
// ulp for exp and log; pow(x, y) = exp(y log x) adds |y log x| ulps.
// Requires no contraction into fused multiply-adds (-ffp-contract=off,
// nvcc -fmad=false), which the build sets.
#include "models/host_device.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

namespace myelin::models {

namespace portable_detail {
// Constants, not calls: a constexpr host function (numeric_limits) may not
// be called from device code, a constexpr scalar may be used there.
inline constexpr double infinity = std::numeric_limits<double>::infinity();
inline constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();

MYELIN_HD inline std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
MYELIN_HD inline double from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
// y * 2^k for y in [0.5, 2) and k in [-1100, 1024].
MYELIN_HD inline double scale(double y, int k) {
  if (k >= -1021)
    return from_bits(bits(y) + (static_cast<std::uint64_t>(static_cast<std::int64_t>(k)) << 52));
  return from_bits(bits(y) + (static_cast<std::uint64_t>(static_cast<std::int64_t>(k + 1000)) << 52)) *
         9.33263618503218878990e-302; // 2^-1000
}
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
} // namespace portable_detail

MYELIN_HD inline double portable_exp(double x) {
  using namespace portable_detail;
  if (x != x)
    return x;
  if (x > 7.09782712893383973096e+02)
    return portable_detail::infinity;
  if (x < -7.45133219101941108420e+02)
    return 0.0;
  if (x > -3.7252902984e-09 && x < 3.7252902984e-09) // |x| < 2^-28
    return 1.0 + x;
  const int k = static_cast<int>(1.44269504088896338700e+00 * x + (x < 0.0 ? -0.5 : 0.5));
  const double hi = x - k * ln2_hi; // exact: k has few bits, ln2_hi's low bits are zero
  const double lo = k * ln2_lo;
  const double r = hi - lo;
  const double t = r * r;
  const double c = r - t * (1.66666666666666019037e-01 +
                            t * (-2.77777777770155933842e-03 +
                                 t * (6.61375632143793436117e-05 +
                                      t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return k == 0 ? y : scale(y, k);
}

MYELIN_HD inline double portable_log(double x) {
  using namespace portable_detail;
  if (x != x || x < 0.0)
    return portable_detail::quiet_nan;
  if (x == 0.0)
    return -portable_detail::infinity;
  if (x == portable_detail::infinity)
    return x;
  int k = 0;
  if (x < 2.2250738585072014e-308) { // subnormal: scale up by 2^54
    x *= 18014398509481984.0;
    k = -54;
  }
  // x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2).
  std::uint64_t b = bits(x);
  k += static_cast<int>((b >> 52) & 0x7ff) - 1023;
  b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; // mantissa in [1, 2)
  double m = from_bits(b);
  if (m >= 1.41421356237309504880) {
    m *= 0.5;
    ++k;
  }
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 =
      w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 =
      z * (6.666666666666735130e-01 +
           w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double dk = static_cast<double>(k);
  return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
}

// x^y for the exponents synapse rules use (x >= 0); std::pow's values at the
// edges: x^0 = 1, x^1 = x, 0^y = 0 (y > 0) or inf (y < 0), NaN for x < 0.
MYELIN_HD inline double portable_pow(double x, double y) {
  if (y == 0.0)
    return 1.0;
  if (y == 1.0)
    return x;
  if (x == 1.0)
    return 1.0;
  if (x == 0.0)
    return y > 0.0 ? 0.0 : portable_detail::infinity;
  if (x < 0.0 || x != x || y != y)
    return portable_detail::quiet_nan;
  return portable_exp(y * portable_log(x));
}

} // namespace myelin::models
