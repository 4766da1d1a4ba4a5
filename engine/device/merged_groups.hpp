#pragma once
// Groups of one model stepped by one launch, as GeNN merges neuron groups:
// a network's populations of one model (the microcircuit's eight
// iaf_psc_exp) are one launch per window instead of one each, which is what
// bounds a GPU step's time when an epoch is one step. Item i of the launch
// is neuron i - begin of the group whose neurons [begin, end) hold it; each
// group's functor, with its own pointers and constants, lies in device
// memory. Neurons are independent within a window, so the spikes are those
// of separate launches.
#include "engine/device/neuron_update.hpp"
#include "engine/device/system.hpp"

#include <cstdint>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

template <class Update>
struct merged_update {
  const Update* parts;
  const std::uint64_t* ends; // [part] -> one past its last item
  std::uint64_t n_parts;
  step_window w;

  MYELIN_HD void operator()(std::uint64_t i) const {
    std::uint64_t lo = 0, hi = n_parts - 1; // the first part whose end is past i
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (ends[mid] <= i)
        lo = mid + 1;
      else
        hi = mid;
    }
    parts[lo].run(i - (lo > 0 ? ends[lo - 1] : 0), w);
  }
};

// The groups a backend steps together, of whichever model.
class group_batch {
public:
  virtual ~group_batch() = default;
  virtual void finish() = 0; // after the last group joined
  virtual void launch(const step_window& w) const = 0;
};

template <class Update>
class merged_groups final : public group_batch {
public:
  // A group's functor (its window unused) and its number of neurons.
  void add(const Update& part, std::uint64_t size) {
    host_parts_.push_back(part);
    host_ends_.push_back((host_ends_.empty() ? 0 : host_ends_.back()) + size);
  }
  // After the last add(): the functors into device memory.
  void finish() override {
    parts_ = upload(host_parts_);
    ends_ = upload(host_ends_);
  }
  void launch(const step_window& w) const override { // a batch is made by the group joining it first
    for_each_index(host_ends_.back(), merged_update<Update>{raw(parts_), raw(ends_), host_parts_.size(), w});
  }

private:
  std::vector<Update> host_parts_;
  std::vector<std::uint64_t> host_ends_;
  device_vector<Update> parts_;
  device_vector<std::uint64_t> ends_;
};

} // namespace myelin::MYELIN_DEVICE_NS
