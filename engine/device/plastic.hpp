#pragma once
// Plastic synapses on the device: one target block's share of one plastic
// projection, for each rule of models/all_synapses.hpp. Delivery follows
// NEST's Connection::send as the CPU backend does (engine/cpu/
// rule_projection.hpp): for every synapse of a source, transmit() for each
// of the source's spikes in time order, with the source's state as it was
// before that spike; then after_spike() once per spike. On the device every
// synapse is a work item that replays its source's state over the epoch's
// spikes itself, so synapses never wait for each other; a second pass moves
// each source's state past its spikes.
#include "engine/built_network.hpp"
#include "engine/device/delivery.hpp"
#include "engine/device/epoch_graph.hpp"
#include "engine/device/post_histories.hpp"
#include "engine/plastic_order.hpp"
#include "models/all_synapses.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <limits>
#include <memory>
#include <span>

namespace myelin::MYELIN_DEVICE_NS {

// The epoch's arrived spikes of one projection's sources, grouped by source
// (each one's steps in time order). Item u is a source with its spikes
// steps[spike_begin[u] .. spike_end[u]), or, where source[u] is no_row,
// nothing (the grouping on the device leaves such gaps).
struct arrived_sources {
  device_vector<std::uint64_t> source; // [u] -> row - row_first, or no_row
  device_vector<std::uint64_t> spike_begin, spike_end;
  device_vector<std::int64_t> steps;
  std::uint64_t n = 0; // items in use (the vectors only grow)
  std::uint64_t size() const { return n; }
};

// The row of arrived source u.
struct arrived_rows {
  const std::uint64_t* sources;
  MYELIN_HD std::uint64_t operator()(std::uint64_t u) const { return sources[u]; }
};

// Groups one plastic projection's sources' spikes on the device: each
// arrival with a row of the projection ([row_first, row_first + n_rows))
// becomes a key (row - row_first) << 20 | step offset in the epoch (epochs
// are at most 65,535 steps), the others a key that sorts last.
constexpr int step_bits = 20;
constexpr std::uint64_t no_key = ~std::uint64_t{0};

struct plastic_keys {
  const arriving_spike* arrived;
  std::uint64_t row_first, n_rows;
  step_origin epoch_first; // from device memory: a replayed graph groups its own call's epoch
  std::uint64_t* keys;
  MYELIN_HD void operator()(std::uint64_t k) const {
    const std::uint64_t row = arrived[k].row;
    keys[k] = row != no_row && row >= row_first && row - row_first < n_rows
                  ? (row - row_first) << step_bits |
                        static_cast<std::uint64_t>(arrived[k].step - epoch_first.value())
                  : no_key;
  }
};

// After the keys are sorted: the first item of each source holds it and the
// span of its spikes; every other item is a gap.
struct sources_from_keys {
  const std::uint64_t* keys;
  std::uint64_t n;
  step_origin epoch_first;
  std::uint64_t *source, *spike_begin, *spike_end;
  std::int64_t* steps;
  MYELIN_HD void operator()(std::uint64_t k) const {
    const std::uint64_t key = keys[k];
    steps[k] =
        key == no_key ? 0 : epoch_first.value() + static_cast<std::int64_t>(key & ((1u << step_bits) - 1));
    const std::uint64_t row = key >> step_bits;
    spike_begin[k] = spike_end[k] = k;
    source[k] = no_row;
    if (key == no_key || (k > 0 && keys[k - 1] >> step_bits == row))
      return;
    // The end of its spikes: the first key of a later row.
    const std::uint64_t next = (row + 1) << step_bits;
    std::uint64_t lo = k + 1, hi = n;
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (keys[mid] < next)
        lo = mid + 1;
      else
        hi = mid;
    }
    source[k] = row;
    spike_end[k] = lo;
  }
};

// The arrivals' spikes of rows [row_first, row_first + n_rows), grouped.
inline void group_on_device(const arriving_spike* arrived, std::uint64_t n, std::uint64_t row_first,
                            std::uint64_t n_rows, const step_origin& epoch_first,
                            device_vector<std::uint64_t>& keys, arrived_sources& out) {
  hold_at_least(keys, n);
  for_each_index(n, plastic_keys{arrived, row_first, n_rows, epoch_first, raw(keys)});
  sort_keys(raw(keys), n);
  hold_at_least(out.source, n);
  hold_at_least(out.spike_begin, n);
  hold_at_least(out.spike_end, n);
  hold_at_least(out.steps, n);
  out.n = n;
  for_each_index(n, sources_from_keys{raw(keys), n, epoch_first, raw(out.source), raw(out.spike_begin),
                                      raw(out.spike_end), raw(out.steps)});
}

template <class Rule>
struct plastic_events {
  typename Rule::constants c;
  const std::uint64_t* sources;
  const std::uint64_t *spike_begin, *spike_end;
  const std::int64_t* steps;
  const std::uint64_t* first_event; // number_events(sources), n_sources + 1 entries
  std::uint64_t n_sources;
  event_grid grid;
  table_view t;
  double* weight; // rules with plastic weights: per synapse, table order
  const typename Rule::pre_state* pre;
  post_record post;
  std::int64_t* ring;
  ring_layout rl;

  MYELIN_HD void operator()(std::uint64_t worker) const {
    for_each_run(worker, grid, first_event, n_sources, arrived_rows{sources}, t, [&](const event_run& r) {
      for (std::uint64_t k = r.first_synapse; k < r.first_synapse + r.count; ++k)
        deliver_synapse(r.item, k, t.segment_delay[r.segment], t.port(r.segment));
    });
  }

private:
  MYELIN_HD void deliver_synapse(std::uint64_t u, std::uint64_t k, std::int64_t delay, int port) const {
    typename Rule::pre_state p = pre[sources[u]];
    const std::uint32_t target = t.synapses[k].target;
    double w = Rule::plastic_weight ? weight[k] : static_cast<double>(t.synapses[k].weight);
    for (std::uint64_t j = spike_begin[u]; j < spike_end[u]; ++j) {
      const std::int64_t stamp = steps[j] + 1;
      double out;
      if constexpr (Rule::plastic_weight) {
        out = Rule::transmit(c, p, w, stamp, delay, post.view(target));
        // A weight that runs away is held within the fixed-point range.
        w = clamp_weight(w);
      } else {
        double fixed_w = t.synapses[k].weight;
        out = Rule::transmit(c, p, fixed_w, stamp, delay, {});
      }
      atomic_ring_add(ring + rl.index(ring_layout::channel_of(out, port), steps[j] + delay, target),
                      to_fixed(out));
      Rule::after_spike(c, p, stamp);
    }
    if constexpr (Rule::plastic_weight)
      weight[k] = w;
  }
};

// Each arrived source's state, moved past its spikes.
template <class Rule>
struct advance_sources {
  typename Rule::constants c;
  const std::uint64_t* sources;
  const std::uint64_t *spike_begin, *spike_end;
  const std::int64_t* steps;
  typename Rule::pre_state* pre;
  MYELIN_HD void operator()(std::uint64_t u) const {
    if (sources[u] == no_row)
      return;
    typename Rule::pre_state p = pre[sources[u]];
    for (std::uint64_t j = spike_begin[u]; j < spike_end[u]; ++j)
      Rule::after_spike(c, p, steps[j] + 1);
    pre[sources[u]] = p;
  }
};

// The oldest postsynaptic stamp any synapse of a source may still pair with,
// per target's history list (lowered atomically).
template <class Rule>
struct lower_horizon {
  table_view t;
  const typename Rule::pre_state* pre;
  const std::int64_t* slot_of;
  std::int64_t* horizon;
  MYELIN_HD void operator()(std::uint64_t src) const {
    for (std::uint64_t seg = t.source_segments[src]; seg < t.source_segments[src + 1]; ++seg) {
      const std::int64_t h = pre[src].last - t.segment_delay[seg];
      for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
        const std::int64_t slot = slot_of[t.synapses[k].target];
        if (slot >= 0)
          ::cuda::atomic_ref<std::int64_t, ::cuda::thread_scope_device>(horizon[slot])
              .fetch_min(h, ::cuda::memory_order_relaxed);
      }
    }
  }
};

class device_plastic {
public:
  explicit device_plastic(plastic_table t)
      : host(std::move(t))
      , table(host.table) {}
  virtual ~device_plastic() = default;

  // The synapses' structure and canonical order, on the host (the state API's layout).
  plastic_table host;
  device_table table;

  std::uint64_t row_first() const { return host.row_first; }
  std::uint64_t n_rows() const { return host.table.source_segments.size() - 1; }

  virtual void deliver(const arrived_sources& a, const event_grid& grid, const post_record& post,
                       std::int64_t* ring, const ring_layout& rl) = 0;
  virtual void lower(const post_record& post, std::int64_t* horizon) const = 0;
  virtual bool plastic_weight() const = 0;
  virtual bool uses_post_spikes() const = 0;
  virtual std::vector<double> canonical_weights() const = 0;
  virtual void set_canonical_weights(std::span<const double> w) = 0;
  virtual source_state pre() const = 0;
  virtual void set_pre(const source_state& s) = 0;
  virtual std::uint64_t bytes() const = 0;
  // The device memory its delivery holds, for a CUDA graph's key
  // (engine/device/epoch_graph.hpp).
  virtual void add_to_key(std::vector<std::uint64_t>& key) const = 0;
};

template <class Rule>
class rule_device_plastic final : public device_plastic {
  using pre_state = typename Rule::pre_state;

public:
  rule_device_plastic(const typename Rule::constants& c, plastic_table t)
      : device_plastic(std::move(t))
      , c_(c) {
    pre_ = device_vector<pre_state>(n_rows(), Rule::initial_pre_state(c_));
    if constexpr (Rule::plastic_weight)
      weight_ = upload(host.initial_weight);
    host.initial_weight = {};
  }

  void deliver(const arrived_sources& a, const event_grid& grid, const post_record& post, std::int64_t* ring,
               const ring_layout& rl) override {
    const std::uint64_t n = a.size();
    number_events(raw(a.source), n, table.view(), first_event_);
    for_each_index(grid.workers, plastic_events<Rule>{c_, raw(a.source), raw(a.spike_begin), raw(a.spike_end),
                                                      raw(a.steps), raw(first_event_), n, grid, table.view(),
                                                      Rule::plastic_weight ? raw(weight_) : nullptr,
                                                      raw(pre_), post, ring, rl});
    for_each_index(n, advance_sources<Rule>{c_, raw(a.source), raw(a.spike_begin), raw(a.spike_end),
                                            raw(a.steps), raw(pre_)});
  }

  void lower(const post_record& post, std::int64_t* horizon) const override {
    if constexpr (Rule::uses_post_spikes)
      for_each_index(n_rows(), lower_horizon<Rule>{table.view(), raw(pre_), post.slot_of, horizon});
  }

  bool plastic_weight() const override { return Rule::plastic_weight; }
  bool uses_post_spikes() const override { return Rule::uses_post_spikes; }

  std::vector<double> canonical_weights() const override {
    if constexpr (Rule::plastic_weight) {
      return to_canonical(host, download(weight_));
    } else {
      std::vector<double> w;
      for (const auto& s : host.table.synapses)
        w.push_back(s.weight);
      return to_canonical(host, w);
    }
  }
  void set_canonical_weights(std::span<const double> w) override {
    if constexpr (Rule::plastic_weight) {
      const auto table_order = to_table_order(host, w);
      copy_to_device(table_order.data(), table_order.size(), weight_);
    }
  }

  source_state pre() const override {
    const auto p = download(pre_);
    source_state s;
    for (const auto& f : Rule::pre_fields) {
      s.fields.emplace_back(p.size());
      for (std::size_t k = 0; k < p.size(); ++k)
        s.fields.back()[k] = p[k].*(f.member);
    }
    for (const auto& x : p)
      s.last.push_back(x.last);
    return s;
  }
  void set_pre(const source_state& s) override {
    auto p = download(pre_);
    std::size_t f = 0;
    for (const auto& field : Rule::pre_fields) {
      for (std::size_t k = 0; k < p.size(); ++k)
        p[k].*(field.member) = s.fields[f][k];
      ++f;
    }
    for (std::size_t k = 0; k < p.size(); ++k)
      p[k].last = s.last[k];
    copy_to_device(p.data(), p.size(), pre_);
  }

  std::uint64_t bytes() const override {
    return table.bytes() + weight_.size() * 8 + pre_.size() * sizeof(pre_state);
  }
  void add_to_key(std::vector<std::uint64_t>& key) const override {
    key.insert(key.end(),
               {key_address(raw(pre_)), key_address(raw(weight_)), key_address(raw(first_event_))});
  }

private:
  typename Rule::constants c_;
  device_vector<pre_state> pre_;
  device_vector<double> weight_;
  device_vector<std::uint64_t> first_event_;
};

template <class Rule, class... Rest>
std::unique_ptr<device_plastic> make_plastic(const spec::projection& pr, double dt, plastic_table t,
                                             models::synapse_list<Rule, Rest...>) {
  if (pr.synapse_model == Rule::name)
    return std::make_unique<rule_device_plastic<Rule>>(
        Rule::prepare(models::make_parameters<Rule>(pr.synapse_params), dt), std::move(t));
  if constexpr (sizeof...(Rest) > 0)
    return make_plastic(pr, dt, std::move(t), models::synapse_list<Rest...>{});
  else
    throw internal_error("no plastic synapse model '" + pr.synapse_model + "'");
}

} // namespace myelin::MYELIN_DEVICE_NS
