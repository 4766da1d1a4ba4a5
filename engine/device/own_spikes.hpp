#pragma once
// A one-rank run's own spikes as arrivals, on the device: entry k of an
// epoch's spike buffer becomes the arrival of its source's row (no_row for
// entries past the epoch's count, and for neurons without synapses), so that
// delivery runs over a fixed number of items and the host never reads how
// many spikes there were (engine/backend.hpp, advance_alone).
#include "engine/device/delivery.hpp"

namespace myelin::MYELIN_DEVICE_NS {

struct own_arrivals {
  const local_spike* spikes;         // the epoch's buffer
  const unsigned long long* count;   // its entries in use
  const std::uint64_t* row_of_local; // the neuron's subscription row, or no_row
  arriving_spike* out;
  MYELIN_HD void operator()(std::uint64_t k) const {
    if (k < *count)
      out[k] = {row_of_local[spikes[k].local], spikes[k].step};
    else
      out[k] = {no_row, 0};
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
