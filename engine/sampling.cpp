#include "engine/sampling.hpp"

#include "engine/draw_rules.hpp"

#include <cmath>
#include <functional>
#include <sstream>

namespace myelin {

double sample(const spec::distribution& d, rng::stream& s) {
  if (d.is_listed())
    throw internal_error("sample(): a listed distribution has no draws");
  double v = 0.0;
  if (draw_value(law_of(d), s, rng::host_ziggurat(), v))
    return v;
  throw sampling_error(no_value_message(d));
}

std::string no_value_message(const spec::distribution& d) {
  std::ostringstream os;
  os << "no value within [" << d.min << ", " << d.max << "] after " << max_redraws << " draws";
  return os.str();
}

namespace {

// Inversion from the mode: visit outcomes m, m+1, m-1, m+2, m-2, ... adding
// their probabilities until the sum passes u. pmf_up(k) = P(k+1)/P(k).
std::uint64_t invert_from_mode(double u, std::uint64_t lo_bound, std::uint64_t hi_bound, std::uint64_t mode,
                               double p_mode, const std::function<double(std::uint64_t)>& ratio_up) {
  double cum = p_mode;
  if (u < cum)
    return mode;
  std::uint64_t hi = mode, lo = mode;
  double p_hi = p_mode, p_lo = p_mode;
  bool hi_open = mode<hi_bound, lo_open = mode> lo_bound;
  while (hi_open || lo_open) {
    if (hi_open) {
      p_hi *= ratio_up(hi);
      ++hi;
      cum += p_hi;
      if (u < cum)
        return hi;
      hi_open = hi < hi_bound && p_hi > 0.0;
    }
    if (lo_open) {
      p_lo /= ratio_up(lo - 1);
      --lo;
      cum += p_lo;
      if (u < cum)
        return lo;
      lo_open = lo > lo_bound && p_lo > 0.0;
    }
  }
  return mode; // u beyond the rounded total mass: the most likely value
}

double log_choose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

} // namespace

std::uint64_t sample_binomial(std::uint64_t n, double p, rng::stream& s) {
  if (n == 0 || p <= 0.0)
    return 0;
  if (p >= 1.0)
    return n;
  const double nd = static_cast<double>(n);
  auto mode = static_cast<std::uint64_t>(std::floor((nd + 1.0) * p));
  if (mode > n)
    mode = n;
  const double md = static_cast<double>(mode);
  const double p_mode = std::exp(log_choose(nd, md) + md * std::log(p) + (nd - md) * std::log1p(-p));
  const double q = p / (1.0 - p);
  return invert_from_mode(s.uniform(), 0, n, mode, p_mode, [&](std::uint64_t k) {
    const double kd = static_cast<double>(k);
    return (nd - kd) / (kd + 1.0) * q;
  });
}

std::uint64_t sample_hypergeometric(std::uint64_t total, std::uint64_t successes, std::uint64_t draws,
                                    rng::stream& s) {
  if (draws == 0 || successes == 0)
    return 0;
  if (successes == total)
    return draws;
  const double N = static_cast<double>(total), K = static_cast<double>(successes),
               n = static_cast<double>(draws);
  const std::uint64_t lo = draws + successes > total ? draws + successes - total : 0;
  const std::uint64_t hi = std::min(draws, successes);
  auto mode = static_cast<std::uint64_t>(std::floor((n + 1.0) * (K + 1.0) / (N + 2.0)));
  mode = std::clamp(mode, lo, hi);
  const double m = static_cast<double>(mode);
  const double p_mode = std::exp(log_choose(K, m) + log_choose(N - K, n - m) - log_choose(N, n));
  return invert_from_mode(s.uniform(), lo, hi, mode, p_mode, [&](std::uint64_t k) {
    const double kd = static_cast<double>(k);
    return (K - kd) * (n - kd) / ((kd + 1.0) * (N - K - n + kd + 1.0));
  });
}

namespace {

void split_range(std::uint64_t node, std::uint64_t first, std::uint64_t count, std::uint64_t total,
                 bool with_replacement, std::uint64_t per_bin, const rng::philox::key_type& key,
                 std::vector<std::uint64_t>& out) {
  if (count == 1 || total == 0) {
    if (count == 1)
      out[first] = total;
    return;
  }
  const std::uint64_t left = count / 2;
  rng::stream s(key, node);
  const std::uint64_t n_left =
      with_replacement ? sample_binomial(total, static_cast<double>(left) / static_cast<double>(count), s)
                       : sample_hypergeometric(count * per_bin, left * per_bin, total, s);
  split_range(2 * node, first, left, n_left, with_replacement, per_bin, key, out);
  split_range(2 * node + 1, first + left, count - left, total - n_left, with_replacement, per_bin, key, out);
}

} // namespace

std::vector<std::uint64_t> split_counts(std::uint64_t total, std::uint64_t bins, bool with_replacement,
                                        std::uint64_t per_bin, const rng::philox::key_type& key) {
  std::vector<std::uint64_t> out(bins, 0);
  if (bins > 0)
    split_range(1, 0, bins, total, with_replacement, per_bin, key, out);
  return out;
}

} // namespace myelin
