#include "models/spike_source.hpp"

#include "models/model_api.hpp"

#include <cmath>
#include <sstream>

namespace myelin::models {

std::vector<std::int64_t> spike_times_to_emit_steps(const std::vector<double>& times_ms, double dt,
                                                    bool allow_offgrid) {
  std::vector<std::int64_t> steps;
  steps.reserve(times_ms.size());
  for (double t : times_ms) {
    if (!(t > 0.0) || !std::isfinite(t)) {
      std::ostringstream os;
      os << "spike time " << t << " ms must be finite and > 0";
      throw parameter_error("spike_times", os.str());
    }
    const double grid = t / dt;
    // Steps are 64-bit counts: a time beyond 2^62 steps (found by the SONATA
    // fuzzer: 6.8e76 ms in an input file) has no step to be emitted in.
    if (!(grid < 4.6e18)) {
      std::ostringstream os;
      os << "spike time " << t << " ms lies beyond the longest run (2^62 steps of dt = " << dt << " ms)";
      throw parameter_error("spike_times", os.str());
    }
    auto k = static_cast<std::int64_t>(std::llround(grid));
    if (std::fabs(grid - static_cast<double>(k)) > 1e-9 * std::max(1.0, grid)) {
      if (!allow_offgrid) {
        std::ostringstream os;
        os << "spike time " << t << " ms is not a multiple of dt = " << dt
           << " ms (set allow_offgrid_times = true to round up)";
        throw parameter_error("spike_times", os.str());
      }
      k = static_cast<std::int64_t>(std::ceil(grid));
    }
    if (!steps.empty() && k - 1 < steps.back())
      throw parameter_error("spike_times", "spike times must be sorted in increasing order");
    steps.push_back(k - 1);
  }
  return steps;
}

} // namespace myelin::models
