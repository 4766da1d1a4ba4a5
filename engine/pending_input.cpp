#include "engine/pending_input.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <string>

namespace myelin {

std::vector<std::int64_t> pack_pending(const ring_layout& rl, const std::int64_t* ring, std::int64_t step,
                                       std::int64_t horizon) {
  const auto width = static_cast<std::uint64_t>(rl.n_channels * horizon);
  std::vector<std::int64_t> out(rl.n_neurons * width, 0);
  for (std::uint64_t l = 0; l < rl.n_neurons; ++l)
    for (int c = 0; c < rl.n_channels; ++c)
      for (std::int64_t o = 0; o < std::min(horizon, rl.n_slots); ++o)
        out[l * width + static_cast<std::uint64_t>(c * horizon + o)] = ring[rl.index(c, step + o, l)];
  return out;
}

void unpack_pending(const ring_layout& rl, std::int64_t* ring, std::int64_t step, std::int64_t horizon,
                    std::span<const std::int64_t> values) {
  const auto width = static_cast<std::uint64_t>(rl.n_channels * horizon);
  if (values.size() != rl.n_neurons * width)
    throw internal_error("write_pending: wrong number of values");
  std::fill(ring, ring + rl.size(), 0);
  for (std::uint64_t l = 0; l < rl.n_neurons; ++l)
    for (int c = 0; c < rl.n_channels; ++c)
      for (std::int64_t o = 0; o < horizon; ++o) {
        const std::int64_t v = values[l * width + static_cast<std::uint64_t>(c * horizon + o)];
        if (v == 0)
          continue;
        // Pending input always lies within the largest delay of the model
        // that produced it; only a model changed with --force-model can
        // leave input beyond this ring.
        if (o >= rl.n_slots)
          throw bad_input("pending input " + std::to_string(o) +
                          " steps ahead exceeds this model's largest delay");
        ring[rl.index(c, step + o, l)] = v;
      }
}

} // namespace myelin
