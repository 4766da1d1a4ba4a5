// Distributions: moments and bounds; exact discrete samplers; Poisson tables.
#include "engine/poisson_table.hpp"
#include "engine/sampling.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numeric>

namespace myelin {
namespace {

struct moments {
  double mean = 0, var = 0;
};

template <class Draw>
moments measure(Draw draw, int n) {
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    s += x;
    s2 += x * x;
  }
  return {s / n, s2 / n - (s / n) * (s / n)};
}

rng::stream test_stream(std::uint64_t id) {
  return {rng::make_key(99, rng::purpose::weight, 0), id};
}

TEST(Distributions, MomentsMatchTheory) {
  const int n = 200000;
  auto s = test_stream(1);
  spec::distribution d;
  d.type = spec::distribution::kind::uniform;
  d.low = 2;
  d.high = 5;
  auto m = measure([&] { return sample(d, s); }, n);
  EXPECT_NEAR(m.mean, 3.5, 5 * std::sqrt(0.75 / n));
  EXPECT_NEAR(m.var, 0.75, 0.02);

  d = {};
  d.type = spec::distribution::kind::normal;
  d.mean = -1;
  d.std = 2;
  m = measure([&] { return sample(d, s); }, n);
  EXPECT_NEAR(m.mean, -1, 5 * 2 / std::sqrt(n));
  EXPECT_NEAR(m.var, 4, 0.1);

  d = {};
  d.type = spec::distribution::kind::lognormal;
  d.mean = 0.5;
  d.std = 0.3;
  m = measure([&] { return sample(d, s); }, n);
  EXPECT_NEAR(m.mean, std::exp(0.5 + 0.045), 0.01);

  d = {};
  d.type = spec::distribution::kind::exponential;
  d.beta = 3;
  m = measure([&] { return sample(d, s); }, n);
  EXPECT_NEAR(m.mean, 3, 5 * 3 / std::sqrt(n));
  EXPECT_NEAR(m.var, 9, 0.5);
}

TEST(Distributions, NormalHasTheRightTailsAndKurtosis) {
  // The ziggurat's rectangles, wedges and tail (beyond 3.44) all contribute.
  auto s = test_stream(9);
  const int n = 2000000;
  int beyond2 = 0, beyond35 = 0;
  double m4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = s.normal();
    beyond2 += std::fabs(z) > 2.0;
    beyond35 += std::fabs(z) > 3.5;
    m4 += z * z * z * z;
  }
  const double p2 = 0.04550026, p35 = 4.6525e-4; // 2 (1 - Phi(x))
  EXPECT_NEAR(beyond2 / double(n), p2, 5 * std::sqrt(p2 / n));
  EXPECT_NEAR(beyond35 / double(n), p35, 5 * std::sqrt(p35 / n));
  EXPECT_NEAR(m4 / n, 3.0, 0.03);
}

TEST(Distributions, RedrawKeepsValuesInsideBounds) {
  auto s = test_stream(2);
  spec::distribution d;
  d.type = spec::distribution::kind::normal;
  d.mean = 0;
  d.std = 1;
  d.min = -0.5;
  d.max = 1.0;
  double lo = 1e9, hi = -1e9;
  for (int i = 0; i < 100000; ++i) {
    const double x = sample(d, s);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_GE(lo, -0.5);
  EXPECT_LE(hi, 1.0);
  EXPECT_LT(lo, -0.49); // redrawn, not clipped: values reach close to the bounds
  EXPECT_GT(hi, 0.99);
  d.min = 50;
  d.max = 51;
  EXPECT_THROW(sample(d, s), sampling_error); // unreachable window is an error, not a hang
}

TEST(Distributions, SameKeySameValues) {
  auto a = test_stream(3), b = test_stream(3), c = test_stream(4);
  const double x = a.uniform();
  EXPECT_EQ(x, b.uniform());
  EXPECT_NE(x, c.uniform());
}

TEST(DiscreteSamplers, BinomialAndHypergeometricMoments) {
  auto s = test_stream(5);
  auto m = measure([&] { return double(sample_binomial(1000, 0.3, s)); }, 50000);
  EXPECT_NEAR(m.mean, 300, 5 * std::sqrt(210.0 / 50000));
  EXPECT_NEAR(m.var, 210, 10);
  m = measure([&] { return double(sample_binomial(100000000, 0.5, s)); }, 5000);
  EXPECT_NEAR(m.mean, 5e7, 5 * 5000 / std::sqrt(5000.0));
  EXPECT_NEAR(std::sqrt(m.var), 5000, 300);
  // 100 items, 30 marked, draw 20: mean 6, variance 20*.3*.7*80/99
  m = measure([&] { return double(sample_hypergeometric(100, 30, 20, s)); }, 50000);
  EXPECT_NEAR(m.mean, 6, 0.05);
  EXPECT_NEAR(m.var, 20 * 0.3 * 0.7 * 80.0 / 99.0, 0.1);
  EXPECT_EQ(sample_hypergeometric(100, 100, 20, s), 20u);
  EXPECT_EQ(sample_binomial(10, 1.0, s), 10u);
}

TEST(DiscreteSamplers, SplitCountsAddUp) {
  const auto key = rng::make_key(1, rng::purpose::split, 0);
  for (bool repl : {true, false}) {
    const auto c = split_counts(12345, 77, repl, 1000, key);
    EXPECT_EQ(std::accumulate(c.begin(), c.end(), std::uint64_t{0}), 12345u);
    for (auto x : c)
      EXPECT_LE(x, repl ? 12345u : 1000u);
  }
  const auto full = split_counts(77 * 3, 77, false, 3, key); // every slot taken
  for (auto x : full)
    EXPECT_EQ(x, 3u);
}

TEST(PoissonTable, DrawsHaveThePoissonMeanAndVariance) {
  for (double lambda : {0.01, 1.7789, 2.0, 40.0}) {
    const poisson_table t(lambda);
    const auto key = rng::make_key(3, rng::purpose::poisson, 0);
    double s = 0, s2 = 0;
    const int n = 400000;
    for (int i = 0; i < n; ++i) {
      const auto w = rng::block(key, static_cast<std::uint64_t>(i), 0);
      const double k = t.draw(w[0]);
      s += k;
      s2 += k * k;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / n)) << lambda;
    EXPECT_NEAR(var, lambda, 0.02 * lambda + 0.002) << lambda;
  }
  EXPECT_EQ(poisson_table(0.0).draw(0xffffffffu), 0u);
  EXPECT_THROW(poisson_table(-1.0), std::invalid_argument);
}

} // namespace
} // namespace myelin
