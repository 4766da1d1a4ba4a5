#pragma once
// Delivery of arrived spikes into the ring on the device. A spike's synapses
// are one contiguous run of its row's table entries, so the epoch's work is
// the concatenation of all spikes' runs: an exclusive scan gives each spike
// its first event, and one parallel loop over all events finds its spike and
// its delay segment by binary search and adds the weight with a saturating
// atomic. Every synapse is one independent work item, so a spike with 4,000
// targets spreads over the whole device instead of one block.
#include "engine/device/atomics.hpp"
#include "engine/ring_layout.hpp"
#include "engine/spike.hpp"
#include "engine/synapse_table.hpp"

namespace myelin::MYELIN_DEVICE_NS {

// A synapse table as device code reads it: raw pointers into device memory.
struct table_view {
  const std::uint64_t* source_segments;
  const std::uint16_t* segment_delay;
  const std::uint8_t* segment_port; // null: every segment on port 0
  const std::uint64_t* segment_synapses;
  const synapse* synapses;

  // Synapses of a row.
  MYELIN_HD std::uint64_t row_length(std::uint64_t row) const {
    return segment_synapses[source_segments[row + 1]] - segment_synapses[source_segments[row]];
  }
  MYELIN_HD int port(std::uint64_t segment) const { return segment_port ? segment_port[segment] : 0; }
};

// A synapse_table in device memory (engine/synapse_table.hpp).
struct device_table {
  device_vector<std::uint64_t> source_segments;
  device_vector<std::uint16_t> segment_delay;
  device_vector<std::uint8_t> segment_port; // empty: every segment on port 0
  device_vector<std::uint64_t> segment_synapses;
  device_vector<synapse> synapses;

  explicit device_table(const synapse_table& t)
      : source_segments(upload(t.source_segments))
      , segment_delay(upload(t.segment_delay))
      , segment_port(upload(t.segment_port))
      , segment_synapses(upload(t.segment_synapses))
      , synapses(upload(t.synapses)) {}
  table_view view() const {
    return {raw(source_segments), raw(segment_delay), segment_port.empty() ? nullptr : raw(segment_port),
            raw(segment_synapses), raw(synapses)};
  }
  std::uint64_t bytes() const {
    return source_segments.size() * 8 + segment_delay.size() * 2 + segment_port.size() +
           segment_synapses.size() * 8 + synapses.size() * sizeof(synapse);
  }
};

// Synapses of an arrived item's row: a spike's (static delivery) or a
// source's, given as its row (plastic delivery).
struct row_length {
  table_view t;
  MYELIN_HD std::uint64_t operator()(const arriving_spike& s) const { return t.row_length(s.row); }
  MYELIN_HD std::uint64_t operator()(std::uint64_t row) const { return t.row_length(row); }
};

// Numbers the events (synapses) of n arrived items: first_event[k] = events
// of the items before k (n + 1 entries). Returns their total.
template <class Item>
std::uint64_t number_events(const Item* items, std::uint64_t n, const table_view& t,
                            device_vector<std::uint64_t>& first_event) {
  first_event.resize(n + 1);
  thrust::transform(policy(), items, items + n, raw(first_event), row_length{t});
  write_element(first_event, n, std::uint64_t{0});
  thrust::exclusive_scan(policy(), raw(first_event), raw(first_event) + n + 1, raw(first_event));
  return read_element(first_event, n);
}

// The events of one work item, walked as runs. The events are the synapses
// of all arrived items (spikes, or sources), numbered by an exclusive scan of
// their rows' lengths (first_event, n_items + 1 entries); work item j takes
// events [j * per_item, (j + 1) * per_item). A run is consecutive synapses of
// one item in one delay segment, so they share a ring slot. `Rows` maps an
// item to its row. On a GPU a work item is one event (neighbouring threads
// read neighbouring synapses); on CPU threads it is a run of them, so the two
// binary searches are paid once per run.
struct event_run {
  std::uint64_t item, segment, first_synapse, count;
};

template <class Rows>
class event_runs {
public:
  MYELIN_HD event_runs(std::uint64_t work_item, std::uint64_t per_item, const std::uint64_t* first_event,
                       std::uint64_t n_items, Rows rows, const table_view& t)
      : first_event_(first_event)
      , rows_(rows)
      , source_segments_(t.source_segments)
      , segment_synapses_(t.segment_synapses) {
    e_ = work_item * per_item;
    const std::uint64_t total = first_event[n_items];
    end_ = total - e_ < per_item ? total : e_ + per_item;
    // The item: the last k with first_event[k] <= e.
    std::uint64_t hi = n_items;
    while (hi - k_ > 1) {
      const std::uint64_t mid = k_ + (hi - k_) / 2;
      if (first_event[mid] <= e_)
        k_ = mid;
      else
        hi = mid;
    }
    seg_ = source_segments_[rows_(k_)];
    syn_ = segment_synapses_[seg_] + (e_ - first_event[k_]);
    // Its segment: the last one starting at or before the synapse (an empty
    // segment starts where the next does, so it is never chosen).
    std::uint64_t seg_end = source_segments_[rows_(k_) + 1];
    while (seg_end - seg_ > 1) {
      const std::uint64_t mid = seg_ + (seg_end - seg_) / 2;
      if (segment_synapses_[mid] <= syn_)
        seg_ = mid;
      else
        seg_end = mid;
    }
  }

  // The next run; false once the work item's events are done.
  MYELIN_HD bool next(event_run& run) {
    if (e_ >= end_)
      return false;
    while (e_ >= first_event_[k_ + 1]) { // the next item with synapses
      ++k_;
      seg_ = source_segments_[rows_(k_)];
      syn_ = segment_synapses_[seg_];
    }
    while (syn_ >= segment_synapses_[seg_ + 1]) // the next segment with synapses
      ++seg_;
    const std::uint64_t left = segment_synapses_[seg_ + 1] - syn_;
    run = {k_, seg_, syn_, left < end_ - e_ ? left : end_ - e_};
    e_ += run.count;
    syn_ += run.count;
    return true;
  }

private:
  const std::uint64_t* first_event_;
  Rows rows_;
  const std::uint64_t* source_segments_;
  const std::uint64_t* segment_synapses_;
  std::uint64_t e_ = 0, end_ = 0, k_ = 0, seg_ = 0, syn_ = 0;
};

// The row of arrived spike k.
struct spike_rows {
  const arriving_spike* spikes;
  MYELIN_HD std::uint64_t operator()(std::uint64_t k) const { return spikes[k].row; }
};

struct deliver_events {
  const arriving_spike* spikes;
  const std::uint64_t* first_event; // number_events(spikes), n_spikes + 1 entries
  std::uint64_t n_spikes;
  std::uint64_t per_item;
  table_view t;
  std::int64_t* ring;
  ring_layout rl;

  MYELIN_HD void operator()(std::uint64_t item) const {
    // A negative weight lies one channel further (ring_layout::channel_of).
    const std::uint64_t negative = rl.channel_stride();
    event_runs<spike_rows> runs(item, per_item, first_event, n_spikes, spike_rows{spikes}, t);
    for (event_run r; runs.next(r);) {
      std::int64_t* const slot =
          ring + rl.slot_base(2 * t.port(r.segment), spikes[r.item].step + t.segment_delay[r.segment]);
      for (std::uint64_t i = 0; i < r.count; ++i) {
        const synapse s = t.synapses[r.first_synapse + i];
        atomic_ring_add(slot + s.target + (s.weight < 0.0f ? negative : 0), to_fixed_in_range(s.weight));
      }
    }
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
