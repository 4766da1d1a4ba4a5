#pragma once
// Poisson counts from one 32-bit uniform by comparing it with integer
// thresholds computed once on the host: integer compares give the same count
// on every backend, where a device exp() would not (DESIGN.md §1).
#include <cstdint>
#include <vector>

namespace myelin {

class poisson_table {
public:
  poisson_table() = default;
  // mean: expected count per step (rate * dt); at most 10000.
  explicit poisson_table(double mean);

  // Smallest k with u < threshold[k].
  std::uint32_t draw(std::uint32_t u) const {
    std::uint32_t k = 0;
    while (u >= thresholds_[k])
      ++k;
    return k;
  }
  double mean() const { return mean_; }
  const std::vector<std::uint64_t>& thresholds() const { return thresholds_; }

private:
  double mean_ = 0.0;
  std::vector<std::uint64_t> thresholds_; // floor(CDF(k) * 2^32), last = 2^32
};

} // namespace myelin
