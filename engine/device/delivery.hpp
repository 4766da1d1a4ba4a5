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
  std::uint64_t bytes() const {
    return source_segments.size() * 8 + segment_delay.size() * 2 + segment_port.size() +
           segment_synapses.size() * 8 + synapses.size() * sizeof(synapse);
  }
};

// Synapses of each arrived spike's row.
struct row_length {
  const std::uint64_t* source_segments;
  const std::uint64_t* segment_synapses;
  MYELIN_HD std::uint64_t operator()(const arriving_spike& s) const {
    return segment_synapses[source_segments[s.row + 1]] - segment_synapses[source_segments[s.row]];
  }
};

// Work item j delivers events [j * per_item, (j + 1) * per_item): on a GPU
// one event per thread (neighbouring threads read neighbouring synapses), on
// CPU threads a run of them, so the binary searches are paid once per run.
struct deliver_events {
  const arriving_spike* spikes;
  const std::uint64_t* first_event; // exclusive scan of row_length, n_spikes + 1 entries
  std::uint64_t n_spikes;
  std::uint64_t per_item;
  const std::uint64_t* source_segments;
  const std::uint16_t* segment_delay;
  const std::uint8_t* segment_port; // null: port 0
  const std::uint64_t* segment_synapses;
  const synapse* synapses;
  std::int64_t* ring;
  ring_layout rl;

  MYELIN_HD void operator()(std::uint64_t item) const {
    std::uint64_t e = item * per_item;
    const std::uint64_t total = first_event[n_spikes];
    const std::uint64_t end = total - e < per_item ? total : e + per_item;
    // The spike: the last k with first_event[k] <= e.
    std::uint64_t k = 0, hi = n_spikes;
    while (hi - k > 1) {
      const std::uint64_t mid = k + (hi - k) / 2;
      if (first_event[mid] <= e)
        k = mid;
      else
        hi = mid;
    }
    std::uint64_t seg = source_segments[spikes[k].row];
    std::uint64_t syn = segment_synapses[seg] + (e - first_event[k]);
    // Its segment: the last one starting at or before syn (an empty segment
    // starts where the next does, so it is never chosen).
    std::uint64_t seg_end = source_segments[spikes[k].row + 1];
    while (seg_end - seg > 1) {
      const std::uint64_t mid = seg + (seg_end - seg) / 2;
      if (segment_synapses[mid] <= syn)
        seg = mid;
      else
        seg_end = mid;
    }
    // Runs of one spike and one segment share a ring slot: its address is
    // computed once per run (a modulo), and a negative weight lies one
    // channel further (ring_layout::channel_of).
    const std::uint64_t negative = rl.channel_stride();
    while (e < end) {
      while (e >= first_event[k + 1]) { // the next spike with synapses
        ++k;
        seg = source_segments[spikes[k].row];
        syn = segment_synapses[seg];
      }
      while (syn >= segment_synapses[seg + 1]) // the next segment with synapses
        ++seg;
      const std::uint64_t left = segment_synapses[seg + 1] - syn;
      const std::uint64_t n = left < end - e ? left : end - e;
      const int port = segment_port ? segment_port[seg] : 0;
      std::int64_t* const slot = ring + rl.slot_base(2 * port, spikes[k].step + segment_delay[seg]);
      for (std::uint64_t i = 0; i < n; ++i) {
        const synapse s = synapses[syn + i];
        atomic_ring_add(slot + s.target + (s.weight < 0.0f ? negative : 0), to_fixed_in_range(s.weight));
      }
      e += n;
      syn += n;
    }
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
