// Construction on the device (engine/device/construction.hpp), included by
// construction_omp.cpp (CPU threads) and construction_cuda.cu (the GPU).
#include "engine/device/construction.hpp"
#include "engine/device/device_backends.hpp"
#include "engine/narrow_tables.hpp"

#include <memory>
#include <new>

#if MYELIN_DEVICE_THREADS
#include <omp.h>
#endif

namespace myelin::MYELIN_DEVICE_NS {
namespace {

// Bitset words held at once for Floyd's draws: items run in chunks of this
// many words' worth of targets.
#if MYELIN_DEVICE_CUDA
constexpr std::uint64_t marks_budget_words = std::uint64_t{1} << 26; // 512 MB
#else
constexpr std::uint64_t marks_budget_words = std::uint64_t{1} << 22; // 32 MB
#endif

// Rules with drawn (not listed) values: what this maker draws.
bool drawable(const spec::projection& pr) {
  return pr.connectivity.type != spec::rule::kind::edges && !pr.delay.is_listed() && !pr.weight.is_listed();
}

// f(first + i, i) for i in [0, n): items from `first` on, item first + i
// with bitset slot i.
template <class F>
struct chunk_of_items {
  F f;
  std::uint64_t first;
  MYELIN_HD void operator()(std::uint64_t i) const { f(first + i, i); }
};

// f over every item, in chunks whose bitsets fit marks_budget_words.
template <class F>
void for_each_item(std::uint64_t n, std::uint64_t chunk, const F& f) {
  for (std::uint64_t first = 0; first < n; first += chunk)
    for_each_index(std::min(chunk, n - first), chunk_of_items<F>{f, first});
}

// A block's synapse i with its sort key, ((piece, row), delay key), where
// the piece is the target's 65,536-neuron span (engine/narrow_tables.hpp);
// a stable sort by the key keeps walk order among equals.
struct segment_sort_key {
  const std::uint32_t* candidate;
  const std::uint32_t* delay_port;
  const std::uint32_t* target;
  const float* weight;
  const std::uint64_t* row_of;
  std::uint64_t first, rows, range, ports;
  std::int64_t dmin;
  bool varied;
  std::uint64_t* key;
  synapse* out;
  MYELIN_HD void operator()(std::uint64_t i) const {
    const std::uint64_t k = first + i;
    const std::uint32_t dp = delay_port[k];
    const std::uint64_t in_row =
        varied ? static_cast<std::uint64_t>(static_cast<std::int64_t>(dp >> 8) - dmin) * ports + (dp & 0xffu)
               : 0;
    const std::uint64_t piece = target[k] / narrow_table::span;
    key[i] = (piece * rows + row_of[candidate[k]]) * range + in_row;
    out[i] = {target[k], weight[k]};
  }
};

// A 1 where a segment starts (the sorted key changes).
struct mark_starts {
  const std::uint64_t* key;
  std::uint64_t* starts;
  MYELIN_HD void operator()(std::uint64_t i) const { starts[i] = i == 0 || key[i] != key[i - 1] ? 1 : 0; }
};

// Each segment's first synapse and key (starts: exclusive scan of the flags).
struct record_segments {
  const std::uint64_t* key;
  const std::uint64_t* starts;
  std::uint64_t* segment_first;
  std::uint64_t* segment_key;
  MYELIN_HD void operator()(std::uint64_t i) const {
    if (i == 0 || key[i] != key[i - 1]) {
      segment_first[starts[i]] = i;
      segment_key[starts[i]] = key[i];
    }
  }
};

// The segments of n sorted keys (where the key changes): each one's first
// synapse (then n) and key.
struct sorted_segments {
  std::uint64_t count = 0;
  device_vector<std::uint64_t> first, key;
};
sorted_segments find_segments(const std::uint64_t* key, std::uint64_t n) {
  uninitialized_array<std::uint64_t> starts(n + 1);
  for_each_index(n, mark_starts{key, raw(starts)});
  write_element(starts, n, std::uint64_t{0});
  exclusive_scan_in_place(raw(starts), n + 1);
  sorted_segments out;
  out.count = read_element(starts, n);
  out.first = device_vector<std::uint64_t>(out.count + 1, n);
  out.key = device_vector<std::uint64_t>(out.count);
  for_each_index(n, record_segments{key, raw(starts), raw(out.first), raw(out.key)});
  return out;
}

// How a table of n drawn synapses keys its segments within a row, from
// its summary: (delay - dmin) * ports + port in [0, range) where delays or
// ports vary, else one key.
struct delay_keys {
  bool varied;
  std::uint64_t ports, range;
  std::int64_t dmin;
  delay_keys(const drawn_block& s, std::uint64_t n)
      : varied(n > 0 && (s.dmax > s.dmin || s.ports > 1))
      , ports(static_cast<std::uint64_t>(s.ports))
      , range(varied ? static_cast<std::uint64_t>(s.dmax - s.dmin + 1) * ports : 1)
      , dmin(n > 0 ? s.dmin : 1) {}
};

struct segment_values {
  const std::uint64_t* segment_key;
  std::uint64_t range, ports;
  std::int64_t dmin;
  std::uint16_t* delay;
  std::uint8_t* port;
  MYELIN_HD void operator()(std::uint64_t s) const {
    const std::uint64_t in_row = segment_key[s] % range;
    delay[s] = static_cast<std::uint16_t>(dmin + static_cast<std::int64_t>(in_row / ports));
    if (port)
      port[s] = static_cast<std::uint8_t>(in_row % ports);
  }
};

// The first of n ascending segment keys at or above `at`.
MYELIN_HD inline std::uint64_t first_key_at(const std::uint64_t* segment_key, std::uint64_t n,
                                            std::uint64_t at) {
  std::uint64_t lo = 0, hi = n;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (segment_key[mid] < at)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Each piece's first segment (pieces past the last: the end).
struct piece_first_segment {
  const std::uint64_t* segment_key;
  std::uint64_t segments, keys_per_piece;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t p) const {
    out[p] = first_key_at(segment_key, segments, p * keys_per_piece);
  }
};

// Row r's first segment in a piece whose segments' keys start at `base`.
struct row_first_segment {
  const std::uint64_t* segment_key; // the piece's
  std::uint64_t segments, base, range;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t r) const {
    out[r] = first_key_at(segment_key, segments, base + r * range);
  }
};

// A piece's segment bounds and synapses, relative to the piece.
struct piece_segment_bounds {
  const std::uint64_t* segment_first; // the piece's, one past its last
  std::uint64_t first_synapse;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t s) const { out[s] = segment_first[s] - first_synapse; }
};
struct piece_synapses {
  const synapse* synapses; // the piece's
  std::uint64_t base;
  std::uint16_t* target;
  float* weight;
  MYELIN_HD void operator()(std::uint64_t i) const {
    target[i] = static_cast<std::uint16_t>(synapses[i].target - base);
    weight[i] = synapses[i].weight;
  }
};

// Own tables (step 5). Synapse j of the table's walk: its target as the key
// of the canonical order, j as the value.
struct target_key {
  const std::uint32_t* target;
  std::uint64_t first;
  std::uint64_t* key;
  std::uint32_t* walk;
  MYELIN_HD void operator()(std::uint64_t j) const {
    key[j] = target[first + j];
    walk[j] = static_cast<std::uint32_t>(j);
  }
};

// A synapse's canonical position: its rank in the stable sort by target.
struct canonical_rank {
  const std::uint32_t* walk_by_target;
  std::uint32_t* canonical_of_walk;
  MYELIN_HD void operator()(std::uint64_t i) const {
    canonical_of_walk[walk_by_target[i]] = static_cast<std::uint32_t>(i);
  }
};

// The canonical position of target target_first + t's first synapse.
struct target_offset {
  const std::uint64_t* sorted_targets;
  std::uint64_t n, target_first;
  std::uint64_t* out;
  MYELIN_HD void operator()(std::uint64_t t) const {
    out[t] = first_key_at(sorted_targets, n, target_first + t);
  }
};

// Synapse j of the walk with its key in table order, (row, delay key).
struct own_sort_key {
  const std::uint32_t* candidate;
  const std::uint32_t* delay_port;
  const std::uint64_t* row_of;
  std::uint64_t first, row_first, range, ports;
  std::int64_t dmin;
  bool varied;
  std::uint64_t* key;
  std::uint32_t* walk;
  MYELIN_HD void operator()(std::uint64_t j) const {
    const std::uint64_t k = first + j;
    const std::uint32_t dp = delay_port[k];
    const std::uint64_t in_row =
        varied ? static_cast<std::uint64_t>(static_cast<std::int64_t>(dp >> 8) - dmin) * ports + (dp & 0xffu)
               : 0;
    key[j] = (row_of[candidate[k]] - row_first) * range + in_row;
    walk[j] = static_cast<std::uint32_t>(j);
  }
};

// Synapse k of the table in table order: walk synapse walk[k].
struct own_synapses {
  const std::uint32_t* walk;
  const std::uint32_t* target; // the drawn arrays, from place `first`
  const float* weight;
  const double* weight64; // from place `first` too
  const std::uint32_t* canonical_of_walk;
  std::uint64_t first;
  synapse* synapses;
  std::uint32_t* canonical;
  double* initial_weight;
  MYELIN_HD void operator()(std::uint64_t k) const {
    const std::uint32_t j = walk[k];
    synapses[k] = {target[first + j], weight[first + j]};
    canonical[k] = canonical_of_walk[j];
    initial_weight[k] = weight64[j];
  }
};

} // namespace

MYELIN_HD void draw_synapses::operator()(std::uint64_t i, std::uint64_t slot) const {
  const draw_item it = in.items[i];
  const drawn_projection& p = in.projections[it.projection];
  const std::uint64_t id = p.key_base + it.index;
  rng::stream connect(p.connect, id), delays(p.delay, id), weights(p.weight, id);
  std::uint64_t* const bits = in.bits(p, slot);
  const std::uint64_t first = place[i];
  std::uint64_t k = first;
  bool ok = true;
  choose_partners(p.partners, it.index, in.total(p, it.index), connect, bits, [&](std::uint64_t partner) {
    // Every synapse draws its values, kept or not, so that the streams stay
    // aligned (a projection drawn by source keeps this block's targets).
    std::int64_t d = 0;
    double ms = 0.0, w = 0.0;
    ok = draw_delay_steps(p.synapses, delays, *zig, d, ms) == draw_status::ok && ok;
    ok = draw_weight(p.synapses, weights, *zig, w) && ok;
    const std::uint32_t target = p.by_source ? in.kept(p, partner, it.local) : it.local;
    if (target == not_here)
      return;
    const std::uint64_t c = p.source_base + (p.by_source ? it.index : partner);
    out.candidate[k] = static_cast<std::uint32_t>(c);
    out.delay_port[k] = static_cast<std::uint32_t>(d) << 8 | p.port;
    out.target[k] = target;
    // Held within the fixed-point range, as the host builder stores it.
    const double held = clamp_weight(w);
    out.weight[k] = static_cast<float>(held);
    if (k >= out.weight64_first)
      out.weight64[k - out.weight64_first] = held;
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(used[c]).store(1u,
                                                                             ::cuda::memory_order_relaxed);
    ++k;
  });
  if (bits && p.by_source) // the drawn targets are not all kept: clear the lot
    for (std::uint64_t w = 0; w < p.marks_words; ++w)
      bits[w] = 0;
  else if (bits)
    for (std::uint64_t j = first; j < k; ++j)
      forget_partner(p.partners, it.index, out.candidate[j] - p.source_base, bits);
  if (!ok)
    ::cuda::atomic_ref<unsigned, ::cuda::thread_scope_device>(*failed).store(1u,
                                                                             ::cuda::memory_order_relaxed);
}

bool device_table_maker::draw(const static_draws& d, drawn_tables& out) {
#if MYELIN_DEVICE_THREADS
  // As many CPU threads as the run has (one block each), not every core of
  // the node, which the ranks beside this one share.
  threads_ = static_cast<int>(std::max<std::size_t>(1, d.blocks.size()));
  omp_set_num_threads(threads_);
#endif
  try {
    return draw_all(d, out);
  } catch (const std::bad_alloc&) { // the budget is an estimate; the host builder needs less
    *this = device_table_maker{budget_, own_tables_};
    return false;
  }
}

bool device_table_maker::draw_all(const static_draws& d, drawn_tables& out) {
  const auto& net = d.net;
  const auto& ln = d.ln;
  // 32-bit candidates and targets while drawing; sort keys (piece, row,
  // delay key) within 64 bits: pieces < 2^16, rows < 2^29, keys < 2^19.
  if (d.candidates >= (std::uint64_t{1} << 29) || ln.n_local >= (std::uint64_t{1} << 32))
    return false;
  std::vector<drawn_projection> projections;
  std::vector<std::uint32_t> slot_of(net.projections.size(), ~std::uint32_t{0});
  std::vector<std::uint64_t> totals;
  std::vector<std::uint32_t> local_of;
  std::uint64_t slot_words = 0;
  out = {};
  out.own.assign(net.projections.size(), 0);
  own_.assign(net.projections.size(), {});
  for (std::size_t p = 0; p < net.projections.size(); ++p) {
    const auto& pr = net.projections[p];
    const auto [first, end] = ln.local_range(static_cast<std::size_t>(net.find_population(pr.target)));
    if (own_tables_ && d.own_table[p] && drawable(pr)) { // the host builds the own tables of listed values
      out.own[p] = 1;
      const bool feeds = d.source_base[p] != ~std::uint64_t{0};
      own_[p] = {feeds ? d.source_base[p] : 0, feeds ? d.source_size[p] : 0, first, end};
    }
    if (!(d.include[p] || out.own[p]) || first == end)
      continue;
    const auto& g = d.gens[p];
    if (!drawable(pr))
      return false;
    drawn_projection x;
    x.partners = g.partners();
    x.synapses = g.synapses();
    x.connect = g.connect_key();
    x.delay = g.delay_key();
    x.weight = g.weight_key();
    x.by_source = g.keyed_by_source();
    x.key_base = x.by_source ? g.source_first_gid() : g.target_first_gid();
    if (x.by_source) { // each target index's local index, or not_here
      const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
      x.local_first = local_of.size();
      for (std::uint64_t t = 0; t < g.target_size(); ++t) {
        const std::uint64_t gid = g.target_first_gid() + t;
        local_of.push_back(ln.owns(tp, gid) ? static_cast<std::uint32_t>(ln.local_index(tp, gid)) : not_here);
      }
    }
    x.source_base = d.source_base[p];
    x.totals_first = g.total_counts().empty() ? ~std::uint64_t{0} : totals.size();
    totals.insert(totals.end(), g.total_counts().begin(), g.total_counts().end());
    x.port = static_cast<std::uint32_t>(pr.receptor > 0 ? pr.receptor - 1 : 0);
    x.marks_words = needs_marks(x.partners) ? partner_marks_words(x.partners) : 0;
    slot_words = std::max(slot_words, x.marks_words);
    slot_of[p] = static_cast<std::uint32_t>(projections.size());
    projections.push_back(x);
  }
  // Work items in the host builder's walk order: every block's static
  // table, then every block's own tables, one projection after another.
  std::vector<draw_item> items;
  std::vector<std::size_t> block_item;
  std::vector<std::uint64_t> block_bounds;
  const auto add_items = [&](std::size_t p, std::uint32_t b) {
    const auto [block_first, block_end] = d.blocks[b];
    const auto [first, end] =
        ln.local_range(static_cast<std::size_t>(net.find_population(net.projections[p].target)));
    if (std::max(first, block_first) >= std::min(end, block_end))
      return;
    if (projections[slot_of[p]].by_source)
      for (std::uint64_t s = 0; s < d.gens[p].source_size(); ++s)
        items.push_back({slot_of[p], b, s});
    else
      for (std::uint64_t l = std::max(first, block_first); l < std::min(end, block_end); ++l)
        items.push_back({slot_of[p], static_cast<std::uint32_t>(l), ln.index_in_population(l)});
  };
  for (std::uint32_t b = 0; b < d.blocks.size(); ++b) {
    block_item.push_back(items.size());
    block_bounds.push_back(d.blocks[b].first);
    block_bounds.push_back(d.blocks[b].second);
    for (std::size_t p = 0; p < net.projections.size(); ++p)
      if (slot_of[p] != ~std::uint32_t{0} && d.include[p])
        add_items(p, b);
  }
  block_item.push_back(items.size());
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> own_item(
      d.blocks.size(), std::vector<std::pair<std::size_t, std::size_t>>(net.projections.size(), {0, 0}));
  for (std::uint32_t b = 0; b < d.blocks.size(); ++b)
    for (std::size_t p = 0; p < net.projections.size(); ++p)
      if (out.own[p]) {
        own_item[b][p].first = items.size();
        if (slot_of[p] != ~std::uint32_t{0})
          add_items(p, b);
        own_item[b][p].second = items.size();
      }

  const auto dev_projections = upload(projections);
  const auto dev_items = upload(items);
  const auto dev_totals = upload(totals);
  const auto dev_local_of = upload(local_of);
  const auto dev_bounds = upload(block_bounds);
  const std::uint64_t n = items.size();
  const std::uint64_t chunk = slot_words ? std::max<std::uint64_t>(1, marks_budget_words / slot_words) : n;
  device_vector<std::uint64_t> marks(slot_words ? std::min(chunk, n) * slot_words : 0, 0);
  const draw_inputs inputs{raw(dev_projections), raw(dev_items), raw(dev_totals), raw(dev_local_of),
                           raw(dev_bounds),      raw(marks),     slot_words};
  device_vector<std::uint64_t> place(n + 1, 0);
  for_each_item(n, chunk, count_synapses{inputs, raw(place)});
  exclusive_scan_in_place(raw(place), n + 1);
  const auto host_place = download(place);
  const std::uint64_t total = host_place[n];
  if (total > budget_ / construction_bytes_per_synapse)
    return false;
  own_place_.assign(d.blocks.size(), {});
  for (std::size_t b = 0; b < d.blocks.size(); ++b)
    for (const auto& [item_first, item_end] : own_item[b]) {
      own_place_[b].emplace_back(host_place[item_first], host_place[item_end]);
      // The host builder's limit for one plastic table: the host reports it.
      if (host_place[item_end] - host_place[item_first] >= (std::uint64_t{1} << 32))
        return false;
    }
  static_total_ = host_place[block_item.back()];

  candidate_ = uninitialized_array<std::uint32_t>(total);
  delay_port_ = uninitialized_array<std::uint32_t>(total);
  target_ = uninitialized_array<std::uint32_t>(total);
  weight_ = uninitialized_array<float>(total);
  weight64_ = uninitialized_array<double>(total - static_total_);
  device_vector<unsigned> dev_used(d.candidates, 0), failed(1, 0);
  device_vector<rng::ziggurat_tables> zig(1);
  write_element(zig, 0, rng::host_ziggurat());
  for_each_item(n, chunk,
                draw_synapses{inputs,
                              raw(place),
                              raw(zig),
                              {raw(candidate_), raw(delay_port_), raw(target_), raw(weight_), raw(weight64_),
                               static_total_},
                              raw(dev_used),
                              raw(failed)});
  if (read_element(failed, 0) != 0) {
    *this = device_table_maker{budget_, own_tables_};
    return false;
  }
  const auto host_used = download(dev_used);
  out.used.assign(host_used.begin(), host_used.end());

  block_place_.clear();
  summary_.clear();
  pieces_.clear();
  for (const auto& [block_first, block_end] : d.blocks)
    pieces_.push_back(block_end > 0 ? (block_end - 1) / narrow_table::span + 1 : 0);
  made_.assign(d.blocks.size(), {});
  synapses_of_.assign(d.blocks.size(), 0);
  blocks_made_ = 0;
  blocks_ = d.blocks;
  for (const auto at : block_item)
    block_place_.push_back(host_place[at]);
  for (std::size_t b = 0; b + 1 < block_place_.size(); ++b)
    summary_.push_back(summarize(block_place_[b], block_place_[b + 1]));
  own_summary_.assign(d.blocks.size(), std::vector<drawn_block>(net.projections.size()));
  own_tables_left_ = 0;
  for (std::size_t b = 0; b < d.blocks.size(); ++b)
    for (std::size_t p = 0; p < net.projections.size(); ++p)
      if (out.own[p]) {
        own_summary_[b][p] = summarize(own_place_[b][p].first, own_place_[b][p].second);
        ++own_tables_left_;
      }
  out.blocks = summary_;
  out.own_blocks = own_summary_;
  return true;
}

// The delays and ports of the drawn synapses [first, end).
drawn_block device_table_maker::summarize(std::uint64_t first_place, std::uint64_t end_place) const {
  drawn_block s;
  const std::uint32_t* first = raw(delay_port_) + first_place;
  const std::uint32_t* end = raw(delay_port_) + end_place;
  if (first != end) {
    s.dmin = static_cast<std::int64_t>(
        thrust::transform_reduce(policy(), first, end, delay_of_synapse{}, ~std::uint64_t{0}, smallest{}));
    s.dmax = static_cast<std::int64_t>(
        thrust::transform_reduce(policy(), first, end, delay_of_synapse{}, std::uint64_t{0}, largest{}));
    s.ports = 1 + static_cast<int>(thrust::transform_reduce(policy(), first, end, port_of_synapse{},
                                                            std::uint64_t{0}, largest{}));
  }
  return s;
}

void device_table_maker::make(std::size_t b, const std::vector<std::uint64_t>& row_before,
                              std::uint64_t rows) {
#if MYELIN_DEVICE_THREADS
  omp_set_num_threads(threads_); // the host builder's threads ran in between
#endif
  if (row_of_.size() != row_before.size())
    row_of_ = upload(row_before);
  const std::uint64_t first = block_place_.at(b), n = block_place_.at(b + 1) - first;
  const delay_keys dk(summary_.at(b), n);
  const std::uint64_t ports = dk.ports, range = dk.range;
  const std::int64_t dmin = dk.dmin;
  const std::uint64_t pieces = pieces_.at(b);

  // The block's synapses sorted by (piece, row, delay key), walk order within.
  uninitialized_array<std::uint64_t> key(n);
  uninitialized_array<synapse> synapses(n);
  for_each_index(n,
                 segment_sort_key{raw(candidate_), raw(delay_port_), raw(target_), raw(weight_), raw(row_of_),
                                  first, rows, range, ports, dmin, dk.varied, raw(key), raw(synapses)});
  stable_sort_by_key(raw(key), raw(synapses), n);
  const sorted_segments found = find_segments(raw(key), n);
  key = {};
  const std::uint64_t segments = found.count;
  const auto& segment_first = found.first;
  const auto& segment_key = found.key;
  device_vector<std::uint64_t> piece_segment(pieces + 1);
  for_each_index(pieces + 1,
                 piece_first_segment{raw(segment_key), segments, rows * range, raw(piece_segment)});
  const auto piece_bounds = download(piece_segment);

  // Each piece that holds synapses, as engine/narrow_tables.hpp splits a host table.
  auto& made = made_.at(b);
  for (std::uint64_t p = 0; p < pieces; ++p) {
    const std::uint64_t s0 = piece_bounds[p], s1 = piece_bounds[p + 1];
    if (s0 == s1)
      continue;
    const std::uint64_t k0 = read_element(segment_first, s0), k1 = read_element(segment_first, s1);
    device_vector<std::uint16_t> delay(s1 - s0);
    device_vector<std::uint8_t> port(ports > 1 ? s1 - s0 : 0);
    for_each_index(s1 - s0, segment_values{raw(segment_key) + s0, range, ports, dmin, raw(delay),
                                           ports > 1 ? raw(port) : nullptr});
    device_vector<std::uint64_t> row_segments(rows + 1), bounds(s1 - s0 + 1);
    for_each_index(rows + 1, row_first_segment{raw(segment_key) + s0, s1 - s0, p * rows * range, range,
                                               raw(row_segments)});
    for_each_index(s1 - s0 + 1, piece_segment_bounds{raw(segment_first) + s0, k0, raw(bounds)});
    device_vector<std::uint16_t> target(k1 - k0);
    device_vector<float> weight(k1 - k0);
    for_each_index(k1 - k0,
                   piece_synapses{raw(synapses) + k0, p * narrow_table::span, raw(target), raw(weight)});
    made.emplace_back(
        device_segments(std::move(row_segments), std::move(delay), std::move(port), std::move(bounds)),
        std::move(target), std::move(weight), p * narrow_table::span);
  }
  synapses_of_.at(b) = n;
  ++blocks_made_;
  release_drawn_when_done();
}

// Once the drawn synapses are all in tables.
void device_table_maker::release_drawn_when_done() {
  if (blocks_made_ < made_.size() || own_tables_left_ > 0)
    return;
  candidate_ = {};
  delay_port_ = {};
  target_ = {};
  weight_ = {};
  weight64_ = {};
  row_of_ = {};
}

plastic_table device_table_maker::make_own(std::size_t b, std::size_t p,
                                           const std::vector<std::uint64_t>& row_before, std::uint64_t rows) {
#if MYELIN_DEVICE_THREADS
  omp_set_num_threads(threads_);
#endif
  if (row_of_.size() != row_before.size())
    row_of_ = upload(row_before);
  const own_projection& o = own_.at(p);
  const auto [first, end] = own_place_.at(b).at(p);
  const std::uint64_t n = end - first;
  const delay_keys dk(own_summary_.at(b).at(p), n);
  // Rows and targets as the host builder's plan_block and fill number them.
  plastic_table t;
  t.projection = p;
  const std::uint64_t cand_end = o.cand_first + o.cand_count;
  t.row_first = o.cand_count == 0 ? 0 : row_before[o.cand_first];
  const std::uint64_t n_rows =
      o.cand_count == 0 ? 0 : (cand_end < row_before.size() ? row_before[cand_end] : rows) - t.row_first;
  const auto [block_first, block_end] = blocks_.at(b);
  t.target_first = std::max(block_first, o.pop_first);
  const std::uint64_t target_end = std::max(t.target_first, std::min(block_end, o.pop_end));

  // Canonical positions: targets ascending, walk order within.
  uninitialized_array<std::uint64_t> key(n);
  uninitialized_array<std::uint32_t> walk(n), canonical_of_walk(n);
  for_each_index(n, target_key{raw(target_), first, raw(key), raw(walk)});
  stable_sort_by_key(raw(key), raw(walk), n);
  for_each_index(n, canonical_rank{raw(walk), raw(canonical_of_walk)});
  device_vector<std::uint64_t> offsets(target_end - t.target_first + 1);
  for_each_index(offsets.size(), target_offset{raw(key), n, t.target_first, raw(offsets)});
  t.target_offsets = download(offsets);

  // Table order: (row, delay key), walk order within (the host's segment sort).
  for_each_index(n, own_sort_key{raw(candidate_), raw(delay_port_), raw(row_of_), first, t.row_first,
                                 dk.range, dk.ports, dk.dmin, dk.varied, raw(key), raw(walk)});
  stable_sort_by_key(raw(key), raw(walk), n);
  const sorted_segments segments = find_segments(raw(key), n);
  device_vector<std::uint16_t> delay(segments.count);
  device_vector<std::uint8_t> port(dk.ports > 1 ? segments.count : 0);
  for_each_index(segments.count, segment_values{raw(segments.key), dk.range, dk.ports, dk.dmin, raw(delay),
                                                dk.ports > 1 ? raw(port) : nullptr});
  device_vector<std::uint64_t> row_segments(n_rows + 1);
  for_each_index(n_rows + 1,
                 row_first_segment{raw(segments.key), segments.count, 0, dk.range, raw(row_segments)});
  device_vector<synapse> synapses(n);
  device_vector<std::uint32_t> canonical(n);
  device_vector<double> initial_weight(n);
  for_each_index(n, own_synapses{raw(walk), raw(target_), raw(weight_),
                                 raw(weight64_) + (first - static_total_), raw(canonical_of_walk), first,
                                 raw(synapses), raw(canonical), raw(initial_weight)});
  t.table.source_segments = download(row_segments);
  t.table.segment_delay = download(delay);
  t.table.segment_port = download(port);
  t.table.segment_synapses = download(segments.first);
  t.table.synapses = download(synapses);
  t.canonical = download(canonical);
  t.initial_weight = download(initial_weight);
  --own_tables_left_;
  ++own_tables_made_;
  release_drawn_when_done();
  return t;
}

std::vector<device_static_table> device_table_maker::take(std::size_t b) {
  return std::move(made_.at(b));
}

std::unique_ptr<static_table_maker> make_table_maker(std::uint64_t memory_budget) {
  return std::make_unique<device_table_maker>(memory_budget);
}

} // namespace myelin::MYELIN_DEVICE_NS
