#pragma once
// An epoch's spikes packed for the ranks that subscribed to their sources,
// on the device (several ranks running alone, engine/backend.hpp): the same
// wire records as the epoch loop's (engine/simulation.cpp, send_epoch): the
// source's row in the receiving rank's subscription table << 16 | the step's
// offset in the epoch, one record per subscribed rank. Two passes over the
// epoch's spikes: one counts each rank's records, and after the host has
// turned the counts into cursors, one writes them. Within a rank's block the
// order is the order the atomics hand out; that is free because delivery
// sums integers and plastic delivery sorts its arrivals first.
//
// Steps come as step_origin (engine/device/step_window.hpp), offsets from
// the call's first step in device memory, so that an epoch's launches can
// be captured once as a CUDA graph and replayed by later calls.
#include "engine/device/atomics.hpp"
#include "engine/device/delivery.hpp"
#include "engine/device/step_window.hpp"
#include "engine/spike.hpp"

namespace myelin::MYELIN_DEVICE_NS {

// A source spike entry that stands for none: the padding of an epoch's
// region of source spikes (a call's launches the same on every call).
inline constexpr std::uint64_t no_source_spike = ~std::uint64_t{0};

// The epoch's spikes: entries of the neurons' buffer (those below its
// count), then the sources' spikes of the epoch (entries of local
// no_source_spike are padding). Item k of n_neuron_items + n_source_spikes.
struct epoch_spikes {
  const local_spike* neuron_spikes;
  const unsigned long long* neuron_count;
  std::uint64_t n_neuron_items;
  const local_spike* source_spikes;

  // Whether item k is a spike, and which.
  MYELIN_HD bool at(std::uint64_t k, local_spike& s) const {
    if (k < n_neuron_items) {
      if (k >= *neuron_count)
        return false;
      s = neuron_spikes[k];
      return true;
    }
    s = source_spikes[k - n_neuron_items];
    return s.local != no_source_spike;
  }
};

// Each source's subscribers (rank_layout's subscriber arrays, in device memory).
struct subscribers {
  const std::uint64_t* offsets; // per local neuron + 1
  const std::uint32_t* ranks;
  const std::uint64_t* rows;
};

struct count_routes {
  epoch_spikes spikes;
  subscribers subs;
  unsigned long long* per_rank;
  MYELIN_HD void operator()(std::uint64_t k) const {
    local_spike s{};
    if (!spikes.at(k, s))
      return;
    for (std::uint64_t j = subs.offsets[s.local]; j < subs.offsets[s.local + 1]; ++j)
      atomic_count(per_rank + subs.ranks[j], 1);
  }
};

struct write_routes {
  epoch_spikes spikes;
  subscribers subs;
  step_origin epoch_first;
  unsigned long long* cursors; // per rank: where its next record goes
  std::uint64_t* records;
  MYELIN_HD void operator()(std::uint64_t k) const {
    local_spike s{};
    if (!spikes.at(k, s))
      return;
    const auto offset = static_cast<std::uint64_t>(s.step - epoch_first.value());
    for (std::uint64_t j = subs.offsets[s.local]; j < subs.offsets[s.local + 1]; ++j)
      records[reserve(cursors + subs.ranks[j], 1)] = subs.rows[j] << 16 | offset;
  }
};

// Received records back into arrivals (the loop's receive_oldest). With
// `received` (device memory), entries from there on are padding: no arrival.
struct read_records {
  const std::uint64_t* records;
  const unsigned long long* received; // null: every entry is a record
  step_origin epoch_first;
  arriving_spike* out;
  MYELIN_HD void operator()(std::uint64_t k) const {
    if (received && k >= *received) {
      out[k] = {no_row, 0};
      return;
    }
    out[k] = {records[k] >> 16, epoch_first.value() + static_cast<std::int64_t>(records[k] & 0xffff)};
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
