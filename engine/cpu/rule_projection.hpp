#pragma once
// A plastic projection of one synapse rule on the CPU: the rule's transmit()
// per synapse, its after_spike() once per source and spike.
#include "engine/cpu/plastic_projection.hpp"
#include "engine/fixed_point.hpp"

#include <algorithm>
#include <limits>

namespace myelin::cpu {

template <class Rule>
class rule_projection final : public plastic_projection {
  using pre_state = typename Rule::pre_state;

public:
  explicit rule_projection(const typename Rule::constants& c)
      : c_(c) {}

  void init_state() override {
    pre_.assign(n_sources(), Rule::initial_pre_state(c_));
    if constexpr (Rule::plastic_weight)
      weight_ = std::move(synapses.initial_weight);
    synapses.initial_weight = {};
  }

  void deliver(std::span<const arriving_spike> spikes, const ring_view& ring,
               const post_histories& post) override {
    const auto& t = synapses.table;
    const std::uint64_t row_first = synapses.row_first, n_rows = n_sources();
    const std::uint64_t negative = ring.layout.channel_stride();
    for (const arriving_spike& s : spikes) {
      if (s.row < row_first || s.row - row_first >= n_rows)
        continue;
      const std::uint64_t src = s.row - row_first;
      const std::uint64_t seg_end = t.source_segments[src + 1];
      if (t.source_segments[src] == seg_end)
        continue;
      pre_state& pre = pre_[src];
      const std::int64_t stamp = s.step + 1;
      for (std::uint64_t seg = t.source_segments[src]; seg < seg_end; ++seg) {
        const std::int64_t delay = t.segment_delay[seg];
        const int port = t.segment_port.empty() ? 0 : t.segment_port[seg];
        // The port's positive channel; its negative one lies one channel further (ring_layout).
        std::int64_t* const slot = ring.at(2 * port, s.step + delay, 0);
        for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
          const std::uint32_t target = t.synapses[k].target;
          double w;
          if constexpr (Rule::plastic_weight) {
            w = Rule::transmit(c_, pre, weight_[k], stamp, delay, post_view(post, target));
            // A weight that runs away (the power law has no upper bound) is
            // held within the fixed-point range (engine/fixed_point.hpp).
            weight_[k] = clamp_weight(weight_[k]);
          } else {
            double fixed_w = t.synapses[k].weight;
            w = Rule::transmit(c_, pre, fixed_w, stamp, delay, {});
          }
          ring_add(slot[target + (w < 0.0 ? negative : 0)], to_fixed(w));
        }
      }
      Rule::after_spike(c_, pre, stamp);
    }
  }

  void history_horizon(std::uint64_t first, std::vector<std::int64_t>& horizon) const override {
    const auto& t = synapses.table;
    for (std::uint64_t src = 0; src < n_sources(); ++src)
      for (std::uint64_t seg = t.source_segments[src]; seg < t.source_segments[src + 1]; ++seg) {
        const std::int64_t h = pre_[src].last - t.segment_delay[seg];
        for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
          auto& slot = horizon[t.synapses[k].target - first];
          slot = std::min(slot, h);
        }
      }
  }

  bool plastic_weight() const override { return Rule::plastic_weight; }
  bool uses_post_spikes() const override { return Rule::uses_post_spikes; }

  std::vector<double> canonical_weights() const override {
    const auto& canonical = synapses.canonical;
    std::vector<double> out(canonical.size());
    for (std::size_t k = 0; k < canonical.size(); ++k)
      out[canonical[k]] =
          Rule::plastic_weight ? weight_[k] : static_cast<double>(synapses.table.synapses[k].weight);
    return out;
  }
  void set_canonical_weights(const std::vector<double>& w) override {
    if constexpr (Rule::plastic_weight)
      for (std::size_t k = 0; k < synapses.canonical.size(); ++k)
        weight_[k] = w[synapses.canonical[k]];
  }

  std::vector<std::vector<double>> pre_fields() const override {
    std::vector<std::vector<double>> out;
    for (const auto& f : Rule::pre_fields) {
      out.emplace_back(n_sources());
      for (std::uint64_t s = 0; s < n_sources(); ++s)
        out.back()[s] = pre_[s].*(f.member);
    }
    return out;
  }
  std::vector<std::int64_t> pre_last() const override {
    std::vector<std::int64_t> out(n_sources());
    for (std::uint64_t s = 0; s < n_sources(); ++s)
      out[s] = pre_[s].last;
    return out;
  }
  void set_pre(const std::vector<std::vector<double>>& fields,
               const std::vector<std::int64_t>& last) override {
    std::size_t f = 0;
    for (const auto& field : Rule::pre_fields) {
      for (std::uint64_t s = 0; s < n_sources(); ++s)
        pre_[s].*(field.member) = fields[f][s];
      ++f;
    }
    for (std::uint64_t s = 0; s < n_sources(); ++s)
      pre_[s].last = last[s];
  }

  std::uint64_t state_bytes() const override {
    return weight_.capacity() * 8 + pre_.capacity() * sizeof(pre_state);
  }

private:
  static models::post_history_view post_view(const post_histories& post, std::uint32_t target) {
    if constexpr (Rule::uses_post_spikes)
      return post.view(target);
    else
      return {};
  }

  typename Rule::constants c_;
  std::vector<pre_state> pre_;
  std::vector<double> weight_; // [synapse in table order], rules with plastic weights only
};

} // namespace myelin::cpu
