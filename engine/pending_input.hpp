#pragma once
// Pending ring input in the backend-neutral layout of the state API
// (engine/backend.hpp): [local neuron][channel * horizon + offset], offset 0
// being `step`. Every backend packs its ring with these, whatever memory it
// lives in, so checkpoints move between backends.
#include "engine/ring_layout.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace myelin {

// The ring's input for steps [step, step + horizon), zero beyond its slots.
std::vector<std::int64_t> pack_pending(const ring_layout& rl, const std::int64_t* ring, std::int64_t step,
                                       std::int64_t horizon);
// Clears the ring and writes `values` into it. Throws bad_input for input
// further ahead than the ring's slots (a checkpoint of another model).
void unpack_pending(const ring_layout& rl, std::int64_t* ring, std::int64_t step, std::int64_t horizon,
                    std::span<const std::int64_t> values);

} // namespace myelin
