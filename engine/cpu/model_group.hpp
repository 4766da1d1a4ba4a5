#pragma once
// The CPU neuron group of one model: SoA state, advanced neuron by neuron over
// a whole epoch (inputs for the epoch are already in the ring, since every delay
// is at least one epoch), so a neuron's state stays in registers across steps.
#include "engine/fixed_point.hpp"
#include "engine/neuron_group.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace myelin::cpu {

template <class Model>
class model_group final : public neuron_group {
  using state = typename Model::state;
  using constants = typename Model::constants;
  static constexpr std::size_t n_fields = std::size(Model::state_fields);
  static constexpr bool has_refractory = requires(state s) { s.refractory; };

public:
  model_group(std::uint64_t first_gid, std::uint64_t first_local, std::uint64_t size, const constants& c)
      : neuron_group(first_gid, first_local, size), c_(c) {
    const state init = Model::initial_state(c_);
    for (std::size_t f = 0; f < n_fields; ++f)
      fields_[f].assign(size, init.*(Model::state_fields[f].member));
    if constexpr (has_refractory)
      refractory_.assign(size, 0);
  }

  void advance(std::uint64_t begin, std::uint64_t end, const advance_window& w, std::vector<spike>& out) override {
    auto probe_at = std::lower_bound(probes_.begin(), probes_.end(), begin,
                                     [](const probe& p, std::uint64_t n) { return p.neuron < n; });
    std::vector<rng::philox::ctr_type> words(poisson_.size());
    for (std::uint64_t i = begin; i < end; ++i) {
      state s = load(i);
      const std::uint64_t local = first_local_ + i;
      const std::uint64_t gid = first_gid_ + i;
      const auto probes_end = std::find_if(probe_at, probes_.end(), [i](const probe& p) { return p.neuron != i; });
      for (std::int64_t step = w.first_step; step < w.first_step + w.n_steps; ++step) {
        std::int64_t* ex = w.ring.at(0, step, local);
        std::int64_t* in = w.ring.at(1, step, local);
        const std::int64_t input_ex = *ex, input_in = *in;
        *ex = 0;
        *in = 0;
        for (std::size_t d = 0; d < poisson_.size(); ++d)
          draw_poisson(poisson_[d], words[d], gid, local, step, w);
        bool spiked;
        if constexpr (Model::n_receptors == 2)
          spiked = Model::step(c_, s, from_fixed(input_ex), from_fixed(input_in));
        else
          spiked = Model::step(c_, s, from_fixed(input_ex + input_in), 0.0);
        if (spiked)
          out.push_back({gid, step});
        for (auto p = probe_at; p != probes_end; ++p)
          sample(*p, s, step);
      }
      store(i, s);
      probe_at = probes_end;
    }
  }

  double read(int var, std::uint64_t i) const override {
    const auto& f = Model::state_fields[var];
    return fields_[var][i] + (f.offset ? c_.*(f.offset) : 0.0);
  }
  void write(int var, std::uint64_t i, double value) override {
    const auto& f = Model::state_fields[var];
    fields_[var][i] = value - (f.offset ? c_.*(f.offset) : 0.0);
  }

private:
  state load(std::uint64_t i) const {
    state s = Model::initial_state(c_);
    for (std::size_t f = 0; f < n_fields; ++f)
      s.*(Model::state_fields[f].member) = fields_[f][i];
    if constexpr (has_refractory)
      s.refractory = refractory_[i];
    return s;
  }
  void store(std::uint64_t i, const state& s) {
    for (std::size_t f = 0; f < n_fields; ++f)
      fields_[f][i] = s.*(Model::state_fields[f].member);
    if constexpr (has_refractory)
      refractory_[i] = s.refractory;
  }

  // One 32-bit uniform per (neuron, step): Philox block step/4, lane step%4.
  static void draw_poisson(const poisson_input& p, rng::philox::ctr_type& words, std::uint64_t gid,
                           std::uint64_t local, std::int64_t step, const advance_window& w) {
    const int lane = static_cast<int>(step & 3);
    if (lane == 0 || step == w.first_step)
      words = rng::block(p.key, static_cast<std::uint64_t>(step) >> 2, gid);
    const std::uint32_t n = p.table.draw(words[lane]);
    if (n)
      *w.ring.at(p.channel, step + p.delay, local) += static_cast<std::int64_t>(n) * p.weight;
  }

  void sample(const probe& p, const state& s, std::int64_t step) const {
    trace_buffer& b = *p.buffer;
    if ((step + 1) % b.interval != 0)
      return;
    const std::int64_t row = (step + 1) / b.interval - b.first_sample;
    double* out = b.rows.data() + static_cast<std::size_t>(row) * b.row_size + p.column;
    for (std::size_t v = 0; v < b.variables.size(); ++v) {
      const auto& f = Model::state_fields[b.variables[v]];
      out[v] = s.*(f.member) + (f.offset ? c_.*(f.offset) : 0.0);
    }
  }

  constants c_;
  std::array<std::vector<double>, n_fields> fields_;
  std::vector<std::int32_t> refractory_;
};

} // namespace myelin::cpu
