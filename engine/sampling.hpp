#pragma once
// Drawing values from the model file's distributions and the discrete
// distributions the connection rules need. Host only.
#include "engine/rng.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace myelin {

// Raised when a bounded distribution keeps drawing outside [min, max]; the
// builder names the file and key (a model_error).
struct sampling_error : bad_input {
  using bad_input::bad_input;
};

// One value; values outside [min, max] are redrawn (at most 10000 times).
double sample(const spec::distribution& d, rng::stream& s);
// Why no value of d was drawn: the bounds and the number of draws.
std::string no_value_message(const spec::distribution& d);

// Exact discrete draws by inversion, searching outward from the mode, so the
// cost is O(sqrt(variance)) and results depend only on the uniform drawn.
std::uint64_t sample_binomial(std::uint64_t n, double p, rng::stream& s);
// Draws out of a population of `total` items of which `successes` are marked.
std::uint64_t sample_hypergeometric(std::uint64_t total, std::uint64_t successes, std::uint64_t draws,
                                    rng::stream& s);

// Splits `total` items over `bins` equally likely bins: multinomial when
// items may repeat, multivariate hypergeometric over `per_bin` slots each when
// they may not. Recursive halving keyed by the node of the split tree, so the
// result is one fixed function of the key, whoever computes it.
std::vector<std::uint64_t> split_counts(std::uint64_t total, std::uint64_t bins, bool with_replacement,
                                        std::uint64_t per_bin, const rng::philox::key_type& key);

} // namespace myelin
