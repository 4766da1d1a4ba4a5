#include "engine/poisson_table.hpp"

#include <cmath>
#include <stdexcept>

namespace myelin {

poisson_table::poisson_table(double mean)
    : mean_(mean) {
  if (!(mean >= 0.0) || mean > 1e4)
    throw std::invalid_argument("Poisson mean per step must be in [0, 1e4]");
  constexpr long double scale = 4294967296.0L; // 2^32
  long double pmf = std::exp(-static_cast<long double>(mean));
  long double cdf = 0.0L;
  for (std::uint64_t k = 0;; ++k) {
    cdf += pmf;
    const auto t = static_cast<std::uint64_t>(std::floor(cdf * scale));
    const bool past_mode = static_cast<double>(k) > mean;
    if (t >= static_cast<std::uint64_t>(scale) || (past_mode && pmf * scale < 1e-3L)) {
      thresholds_.push_back(static_cast<std::uint64_t>(scale)); // every u32 stops here
      break;
    }
    thresholds_.push_back(t);
    pmf *= static_cast<long double>(mean) / static_cast<long double>(k + 1);
  }
}

} // namespace myelin
