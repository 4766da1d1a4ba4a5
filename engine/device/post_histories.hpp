#pragma once
// The postsynaptic spikes STDP rules look back on, in device memory: one
// fixed-capacity list per neuron that keeps a history (a target of an STDP
// projection), written by that neuron's own update and read by delivery.
// The host makes room before each epoch (one entry per spiking step: a
// neuron that may spike several times a step, a parrot, is never an STDP
// target): it prunes what no synapse can still pair with, and grows the
// lists when that is not enough. Pruning never changes a result.
#include "engine/device/system.hpp"
#include "models/portable_math.hpp"
#include "models/synapse_api.hpp"

#include <cmath>
#include <limits>
#include <thrust/functional.h>
#include <thrust/reduce.h>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

// What a neuron update and a delivery see of the histories.
struct post_record {
  models::post_spike* entries = nullptr; // [slot * capacity + k]
  const std::int64_t* slot_of = nullptr; // [local neuron] -> its list, -1: none; null: no lists at all
  std::uint32_t* count = nullptr;        // [slot]
  const double* tau_minus = nullptr;     // [slot]
  std::uint64_t capacity = 0;
  double dt = 0.1;

  // A spike stamped `stamp`: K- jumps by one after decaying from the previous
  // spike (engine/cpu/post_history.cpp, the same expression).
  MYELIN_HD void record(std::uint64_t local, std::int64_t stamp) const {
    if (!slot_of || slot_of[local] < 0)
      return;
    const auto slot = static_cast<std::uint64_t>(slot_of[local]);
    models::post_spike* h = entries + slot * capacity;
    const std::uint32_t n = count[slot];
    double k = 1.0;
    if (n > 0)
      k += h[n - 1].k_minus *
           models::portable_exp(static_cast<double>(h[n - 1].stamp - stamp) * dt / tau_minus[slot]);
    h[n] = {stamp, k};
    count[slot] = n + 1;
  }
  MYELIN_HD models::post_history_view view(std::uint64_t local) const {
    if (!slot_of || slot_of[local] < 0)
      return {};
    const auto slot = static_cast<std::uint64_t>(slot_of[local]);
    const models::post_spike* h = entries + slot * capacity;
    return {h, h + count[slot], tau_minus[slot]};
  }
};

// Drops the spikes before the last one stamped at or before horizon[slot]
// (that one stays, for K-), as post_histories::prune does.
struct prune_lists {
  models::post_spike* entries;
  std::uint32_t* count;
  const std::int64_t* horizon;
  std::uint64_t capacity;
  MYELIN_HD void operator()(std::uint64_t slot) const {
    models::post_spike* h = entries + slot * capacity;
    const std::uint32_t n = count[slot];
    std::uint32_t after = 0; // first entry stamped after the horizon
    while (after < n && h[after].stamp <= horizon[slot])
      ++after;
    if (after <= 1)
      return;
    const std::uint32_t drop = after - 1;
    for (std::uint32_t k = drop; k < n; ++k)
      h[k - drop] = h[k];
    count[slot] = n - drop;
  }
};

struct copy_lists {
  const models::post_spike* from;
  models::post_spike* to;
  const std::uint32_t* count;
  std::uint64_t from_capacity, to_capacity;
  MYELIN_HD void operator()(std::uint64_t slot) const {
    for (std::uint32_t k = 0; k < count[slot]; ++k)
      to[slot * to_capacity + k] = from[slot * from_capacity + k];
  }
};

class device_post_histories {
public:
  device_post_histories(const std::vector<double>& tau_minus, std::uint64_t n_local, double dt)
      : dt_(dt) {
    std::vector<std::int64_t> slot_of(n_local, -1);
    std::vector<double> tau;
    for (std::uint64_t l = 0; l < tau_minus.size() && l < n_local; ++l)
      if (tau_minus[l] > 0.0) {
        slot_of[l] = static_cast<std::int64_t>(tau.size());
        tau.push_back(tau_minus[l]);
      }
    if (tau.empty())
      return;
    slot_of_ = upload(slot_of);
    tau_minus_ = upload(tau);
    count_ = device_vector<std::uint32_t>(tau.size(), 0);
    capacity_ = 32;
    entries_ = device_vector<models::post_spike>(tau.size() * capacity_);
  }

  bool enabled() const { return !tau_minus_.empty(); }
  std::uint64_t slots() const { return tau_minus_.size(); }
  const device_vector<std::int64_t>& slot_of() const { return slot_of_; }

  post_record record() {
    if (!enabled())
      return {};
    return {raw(entries_), raw(slot_of_), raw(count_), raw(tau_minus_), capacity_, dt_};
  }

  // The longest list, after which `steps` more spikes must fit.
  std::uint32_t longest() const {
    return enabled() ? thrust::reduce(policy(), raw(count_), raw(count_) + count_.size(), 0u,
                                      thrust::maximum<std::uint32_t>())
                     : 0;
  }
  bool has_room(std::int64_t steps) const {
    return !enabled() || longest() + static_cast<std::uint64_t>(steps) <= capacity_;
  }
  void prune(const device_vector<std::int64_t>& horizon) {
    for_each_index(slots(), prune_lists{raw(entries_), raw(count_), raw(horizon), capacity_});
  }
  // Room for `steps` more spikes in every list: doubled until it fits.
  void grow(std::int64_t steps) {
    const std::uint64_t needed = longest() + static_cast<std::uint64_t>(steps);
    std::uint64_t capacity = capacity_;
    while (needed > capacity)
      capacity *= 2;
    if (capacity == capacity_)
      return;
    device_vector<models::post_spike> bigger(slots() * capacity);
    for_each_index(slots(), copy_lists{raw(entries_), raw(bigger), raw(count_), capacity_, capacity});
    entries_.swap(bigger);
    capacity_ = capacity;
  }

  std::vector<std::vector<models::post_spike>> read(std::uint64_t n_local) const {
    std::vector<std::vector<models::post_spike>> lists(n_local);
    if (!enabled())
      return lists;
    const auto slot_of = download(slot_of_);
    const auto count = download(count_);
    const auto entries = download(entries_);
    for (std::uint64_t l = 0; l < n_local; ++l)
      if (slot_of[l] >= 0) {
        const auto* h = entries.data() + static_cast<std::uint64_t>(slot_of[l]) * capacity_;
        lists[l].assign(h, h + count[static_cast<std::uint64_t>(slot_of[l])]);
      }
    return lists;
  }
  void write(const std::vector<std::vector<models::post_spike>>& lists) {
    if (!enabled())
      return;
    const auto slot_of = download(slot_of_);
    std::uint64_t longest = 1;
    for (std::uint64_t l = 0; l < lists.size() && l < slot_of.size(); ++l)
      if (slot_of[l] >= 0)
        longest = std::max<std::uint64_t>(longest, lists[l].size());
    while (capacity_ < longest)
      capacity_ *= 2;
    std::vector<models::post_spike> entries(slots() * capacity_);
    std::vector<std::uint32_t> count(slots(), 0);
    for (std::uint64_t l = 0; l < lists.size() && l < slot_of.size(); ++l)
      if (slot_of[l] >= 0) {
        const auto slot = static_cast<std::uint64_t>(slot_of[l]);
        std::copy(lists[l].begin(), lists[l].end(),
                  entries.begin() + static_cast<std::ptrdiff_t>(slot * capacity_));
        count[slot] = static_cast<std::uint32_t>(lists[l].size());
      }
    entries_ = upload(entries);
    count_ = upload(count);
  }
  std::uint64_t bytes() const {
    return entries_.size() * sizeof(models::post_spike) + count_.size() * 4 + slot_of_.size() * 8 +
           tau_minus_.size() * 8;
  }

private:
  double dt_;
  std::uint64_t capacity_ = 0;
  device_vector<std::int64_t> slot_of_;
  device_vector<double> tau_minus_;
  device_vector<std::uint32_t> count_;
  device_vector<models::post_spike> entries_;
};

} // namespace myelin::MYELIN_DEVICE_NS
