#include "engine/cpu/neuron_group.hpp"

#include <algorithm>

namespace myelin {

void neuron_group::add_probe(probe p) {
  auto at = std::upper_bound(probes_.begin(), probes_.end(), p,
                             [](const probe& a, const probe& b) { return a.neuron < b.neuron; });
  probes_.insert(at, p);
}

} // namespace myelin
