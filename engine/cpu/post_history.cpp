#include "engine/cpu/post_history.hpp"

#include "models/portable_math.hpp"

#include <algorithm>
#include <cmath>

namespace myelin {

post_histories::post_histories(std::vector<double> tau_minus)
    : tau_minus_(std::move(tau_minus)) {
  enabled_ = std::any_of(tau_minus_.begin(), tau_minus_.end(), [](double t) { return t > 0.0; });
  if (enabled_)
    spikes_.resize(tau_minus_.size());
}

int post_histories::record(std::uint64_t local, std::int64_t stamp, double dt) {
  if (!keeps(local))
    return 0;
  auto& h = spikes_[local];
  double k = 1.0;
  if (!h.empty())
    k += h.back().k_minus *
         models::portable_exp(static_cast<double>(h.back().stamp - stamp) * dt / tau_minus_[local]);
  h.push_back({stamp, k});
  return 1;
}

std::uint64_t post_histories::prune(std::uint64_t local, std::int64_t horizon) {
  auto& h = spikes_[local];
  const auto after = std::upper_bound(
      h.begin(), h.end(), horizon, [](std::int64_t t, const models::post_spike& s) { return t < s.stamp; });
  if (after - h.begin() <= 1)
    return 0;
  const auto drop = static_cast<std::uint64_t>(after - h.begin() - 1);
  h.erase(h.begin(), after - 1);
  return drop;
}

} // namespace myelin
