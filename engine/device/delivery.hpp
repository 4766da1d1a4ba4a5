#pragma once
// Delivery of arrived spikes into the ring on the device. A spike's synapses
// are one contiguous run of its row's table entries, so the epoch's work is
// the concatenation of all spikes' runs: an exclusive scan gives each spike
// its first event, and one parallel loop over all events finds its spike and
// its delay segment by binary search and adds the weight with a saturating
// atomic. Every synapse is one independent work item, so a spike with 4,000
// targets spreads over the whole device instead of one block.
#include "engine/device/atomics.hpp"
#include "engine/device/static_tables.hpp"
#include "engine/ring_layout.hpp"
#include "engine/spike.hpp"

namespace myelin::MYELIN_DEVICE_NS {

// The row of a spike with no synapses on this rank (engine/device/own_spikes.hpp).
constexpr std::uint64_t no_row = ~std::uint64_t{0};

// Synapses of an arrived item's row: a spike's (static delivery) or a
// source's, given as its row (plastic delivery).
struct row_length {
  segment_view t;
  MYELIN_HD std::uint64_t operator()(const arriving_spike& s) const {
    return s.row == no_row ? 0 : t.row_length(s.row);
  }
  MYELIN_HD std::uint64_t operator()(std::uint64_t row) const {
    return row == no_row ? 0 : t.row_length(row);
  }
};

// The synapses of each of n items, and a 0 after them.
template <class Item>
struct item_lengths {
  const Item* items;
  std::uint64_t n;
  row_length length;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t k) const { out[k] = k < n ? length(items[k]) : 0; }
};

// Numbers the events (synapses) of n arrived items: first_event[k] = events
// of the items before k (n + 1 entries; the last is their total). The total
// stays on the device: delivery is launched over a fixed grid
// (event_grid), so the host never waits to read it.
template <class Item>
void number_events(const Item* items, std::uint64_t n, const segment_view& t,
                   device_vector<std::uint64_t>& first_event) {
  hold_at_least(first_event, n + 1);
  // The trailing 0 written on the device too: a copy from the host would
  // wait for the work queued before it.
  for_each_index(n + 1, item_lengths<Item>{items, n, row_length{t}, raw(first_event)});
  exclusive_scan_in_place(raw(first_event), n + 1);
}

// How a delivery launch is shaped: `workers` work items share the events,
// however many there are; the launch is sized by the grid, not by the number
// of events (which only the device knows), as GeNN sizes its kernels for the
// worst case, so no launch depends on a count read back.
struct event_grid {
  std::uint64_t workers = 1;
  // Events a chunk: worker w takes chunks w, w + workers, w + 2 workers, ...
  // (on a GPU, 1: neighbouring threads read neighbouring synapses). 0: worker
  // w takes the w-th of `workers` equal contiguous ranges (CPU threads: one
  // binary search per range, and threads far apart in the ring).
  std::uint64_t per_item = 0;
};

// The events [begin, end) walked as runs. The events are the synapses of all
// arrived items (spikes, or sources), numbered by an exclusive scan of their
// rows' lengths (first_event, n_items + 1 entries). A run is consecutive
// synapses of one item in one delay segment, so they share a ring slot.
// `Rows` maps an item to its row.
struct event_run {
  std::uint64_t item, segment, first_synapse, count;
};

// `Tables` maps an item to the table its row lies in (one_table: all in one).
template <class Rows, class Tables>
class event_runs {
public:
  MYELIN_HD event_runs(std::uint64_t begin, std::uint64_t end, const std::uint64_t* first_event,
                       std::uint64_t n_items, Rows rows, Tables tables)
      : first_event_(first_event)
      , rows_(rows)
      , tables_(tables)
      , e_(begin)
      , end_(end) {
    // The item: the last k with first_event[k] <= e.
    std::uint64_t hi = n_items;
    while (hi - k_ > 1) {
      const std::uint64_t mid = k_ + (hi - k_) / 2;
      if (first_event[mid] <= e_)
        k_ = mid;
      else
        hi = mid;
    }
    enter(k_);
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
    if (e_ >= first_event_[k_ + 1]) { // the next item with synapses (only its row is read)
      do
        ++k_;
      while (e_ >= first_event_[k_ + 1]);
      enter(k_);
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
  MYELIN_HD void enter(std::uint64_t k) {
    const segment_view t = tables_(k);
    source_segments_ = t.source_segments;
    segment_synapses_ = t.segment_synapses;
  }

  const std::uint64_t* first_event_;
  Rows rows_;
  Tables tables_;
  const std::uint64_t* source_segments_ = nullptr;
  const std::uint64_t* segment_synapses_ = nullptr;
  std::uint64_t e_ = 0, end_ = 0, k_ = 0, seg_ = 0, syn_ = 0;
};

// Every item's row in one table.
struct one_table {
  segment_view t;
  MYELIN_HD segment_view operator()(std::uint64_t) const { return t; }
};

// f(run) for every run of work item `worker`'s events (event_grid).
template <class Rows, class Tables, class F>
MYELIN_HD void for_each_run_in(std::uint64_t worker, const event_grid& g, const std::uint64_t* first_event,
                               std::uint64_t n_items, Rows rows, Tables tables, F&& f) {
  const std::uint64_t total = first_event[n_items];
  if (g.per_item == 0) {
    const std::uint64_t share = total / g.workers, extra = total % g.workers;
    const std::uint64_t begin = share * worker + (worker < extra ? worker : extra);
    const std::uint64_t end = begin + share + (worker < extra ? 1 : 0);
    if (begin == end) // (an empty range has no item to start from)
      return;
    event_runs<Rows, Tables> runs(begin, end, first_event, n_items, rows, tables);
    for (event_run r; runs.next(r);)
      f(r);
    return;
  }
  for (std::uint64_t begin = worker * g.per_item; begin < total; begin += g.workers * g.per_item) {
    event_runs<Rows, Tables> runs(begin, total - begin < g.per_item ? total : begin + g.per_item, first_event,
                                  n_items, rows, tables);
    for (event_run r; runs.next(r);)
      f(r);
  }
}

// The same, all items' rows in one table.
template <class Rows, class F>
MYELIN_HD void for_each_run(std::uint64_t worker, const event_grid& g, const std::uint64_t* first_event,
                            std::uint64_t n_items, Rows rows, const segment_view& t, F&& f) {
  for_each_run_in(worker, g, first_event, n_items, rows, one_table{t}, static_cast<F&&>(f));
}

// Arrived spikes through several pieces of a static table in one launch:
// item j is spike j % n_spikes in piece j / n_spikes (GeNN would say: the
// pieces merged), so a table of P pieces costs one numbering and one
// delivery launch, not P of each.
struct piece_items {
  const arriving_spike* spikes;
  const static_view* pieces;
  std::uint64_t n_spikes;
  MYELIN_HD const static_view& piece(std::uint64_t j) const { return pieces[j / n_spikes]; }
  MYELIN_HD const arriving_spike& spike(std::uint64_t j) const { return spikes[j % n_spikes]; }
  MYELIN_HD std::uint64_t operator()(std::uint64_t j) const { return spike(j).row; } // as Rows
};
struct piece_tables {
  piece_items items;
  MYELIN_HD segment_view operator()(std::uint64_t j) const { return items.piece(j); }
};

// The synapses of each item, and a 0 after them.
struct piece_item_lengths {
  piece_items items;
  std::uint64_t n_items;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t j) const {
    const std::uint64_t row = j < n_items ? items(j) : no_row;
    out[j] = row == no_row ? 0 : items.piece(j).row_length(row);
  }
};

// Numbers the events of n spikes through `n_pieces` pieces (n_pieces * n
// items, + 1 entries).
inline void number_piece_events(const arriving_spike* spikes, std::uint64_t n, const static_view* pieces,
                                std::uint64_t n_pieces, device_vector<std::uint64_t>& first_event) {
  const std::uint64_t n_items = n_pieces * n;
  hold_at_least(first_event, n_items + 1);
  for_each_index(n_items + 1, piece_item_lengths{{spikes, pieces, n}, n_items, raw(first_event)});
  exclusive_scan_in_place(raw(first_event), n_items + 1);
}

struct deliver_events {
  const arriving_spike* spikes;
  const std::uint64_t* first_event; // number_piece_events: n_pieces * n_spikes + 1 entries
  std::uint64_t n_spikes;
  event_grid grid;
  const static_view* pieces;
  std::uint64_t n_pieces;
  std::int64_t* ring;
  ring_layout rl;
  unsigned long long* events = nullptr; // adds the synapses delivered (run.json static_synaptic_events)

  MYELIN_HD void operator()(std::uint64_t worker) const {
    const std::uint64_t n_items = n_pieces * n_spikes;
    if (events && worker == 0)
      atomic_count(events, first_event[n_items]);
    // A negative weight lies one channel further (ring_layout::channel_of).
    const std::uint64_t negative = rl.channel_stride();
    const piece_items items{spikes, pieces, n_spikes};
    for_each_run_in(worker, grid, first_event, n_items, items, piece_tables{items}, [&](const event_run& r) {
      const static_view& t = items.piece(r.item);
      std::int64_t* const slot =
          ring + t.target_base +
          rl.slot_base(2 * t.port(r.segment), items.spike(r.item).step + t.segment_delay[r.segment]);
      for (std::uint64_t k = r.first_synapse; k < r.first_synapse + r.count; ++k) {
        const float w = t.weight[k];
        atomic_ring_add(slot + t.target[k] + (w < 0.0f ? negative : 0), to_fixed_in_range(w));
      }
    });
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
