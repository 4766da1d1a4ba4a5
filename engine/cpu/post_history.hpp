#pragma once
// The postsynaptic spikes STDP rules look back on (NEST's ArchivingNode
// history), one list per local neuron of a population that is the target of
// an STDP projection. A neuron's list is written and read only by the thread
// that owns the neuron, so it needs no locks.
#include "models/synapse_api.hpp"

#include <cstdint>
#include <vector>

namespace myelin {

class post_histories {
public:
  // tau_minus[l] > 0 for neurons that keep a history, 0 for those that do not.
  explicit post_histories(std::vector<double> tau_minus = {});

  bool enabled() const { return enabled_; }
  bool keeps(std::uint64_t local) const { return enabled_ && tau_minus_[local] > 0.0; }

  // A spike of neuron `local` stamped `stamp` (steps): K- jumps by one after
  // decaying from the previous spike. Returns entries added (0 or 1).
  int record(std::uint64_t local, std::int64_t stamp, double dt);

  models::post_history_view view(std::uint64_t local) const {
    const auto& h = spikes_[local];
    return {h.data(), h.data() + h.size(), tau_minus_[local]};
  }
  // Drops the spikes no future presynaptic spike can reach: everything before
  // the last spike stamped at or before `horizon` (that one stays, for K-).
  // Returns entries dropped.
  std::uint64_t prune(std::uint64_t local, std::int64_t horizon);

  const std::vector<models::post_spike>& spikes(std::uint64_t local) const { return spikes_[local]; }
  void set_spikes(std::uint64_t local, std::vector<models::post_spike> s) { spikes_[local] = std::move(s); }

private:
  bool enabled_ = false;
  std::vector<double> tau_minus_;
  std::vector<std::vector<models::post_spike>> spikes_;
};

} // namespace myelin
