#pragma once
// The CPU neuron group of one model: SoA state, advanced neuron by neuron over
// a whole epoch (inputs for the epoch are already in the ring, since every delay
// is at least one epoch), so a neuron's state stays in registers across steps.
#include "engine/cpu/neuron_group.hpp"
#include "engine/fixed_point.hpp"
#include "models/model_api.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <vector>

namespace myelin::cpu {

template <class Model>
class model_group final : public neuron_group {
  using state = typename Model::state;
  using constants = typename Model::constants;
  static constexpr std::size_t n_fields = std::size(Model::state_fields);
  static constexpr bool has_refractory = requires(state s) { s.refractory; };
  // Ring channels read (engine/ring_layout.hpp): positive and negative input
  // of each port, or of the one sign-routed input pair.
  static constexpr bool typed = models::typed_receptors<Model>;
  static constexpr std::size_t channels = typed ? 2 * Model::n_receptors : 2;
  static constexpr bool takes_current = models::takes_current<Model>;

public:
  // per_neuron: each neuron's constants where its parameters are its own
  // (engine/neuron_constants.hpp), else empty and c serves all.
  model_group(std::uint64_t first_gid, std::uint64_t gid_stride, std::uint64_t first_local,
              std::uint64_t size, const constants& c, std::vector<constants> per_neuron = {})
      : neuron_group(first_gid, gid_stride, first_local, size)
      , c_(c)
      , per_neuron_(std::move(per_neuron))
      , used_channels_(typed ? 2 * static_cast<std::size_t>(models::active_ports<Model>(c)) : 2) {
    const state init = Model::initial_state(c_);
    for (std::size_t f = 0; f < n_fields; ++f)
      fields_[f].assign(size, init.*(Model::state_fields[f].member));
    if constexpr (has_refractory)
      refractory_.assign(size, 0);
  }

  void advance(std::uint64_t begin, std::uint64_t end, const advance_window& w,
               std::vector<local_spike>& out) override {
    // Slot base pointers for every step of the window, computed once: a
    // modulo per neuron and step would cost more than the neuron update.
    const auto n_steps = static_cast<std::size_t>(w.n_steps);
    const std::size_t n_dev = poisson_.size();
    // Current devices: the shared part once per step, noise per neuron;
    // nothing at all for a group no device drives.
    const bool driven = takes_current && !currents_.empty();
    thread_local std::vector<double> shared_current;
    if (driven) {
      shared_current.assign(n_steps, 0.0);
      currents_.shared_window(w.first_step, w.n_steps, shared_current.data());
    }
    // Reused per thread: with one-step epochs this runs 10,000 times per
    // simulated second and group; several threads advance one group at once.
    thread_local std::vector<std::int64_t*> bases;
    bases.resize((channels + n_dev) * n_steps);
    for (std::size_t k = 0; k < n_steps; ++k) {
      const std::int64_t step = w.first_step + static_cast<std::int64_t>(k);
      // Positive and negative input of each port (ring_layout).
      for (std::size_t ch = 0; ch < used_channels_; ++ch)
        bases[ch * n_steps + k] = w.ring.at(static_cast<int>(ch), step, first_local_);
      for (std::size_t d = 0; d < n_dev; ++d)
        bases[(channels + d) * n_steps + k] =
            w.ring.at(poisson_[d].channel, step + poisson_[d].delay, first_local_);
    }
    // Neurons go in tiles, step by step inside a tile: the tile's state stays
    // in L1 and each ring row is read as one short sequential run.
    constexpr std::uint64_t tile = 256;
    std::array<state, tile> st;
    // Several threads advance the same group (disjoint neurons): size the
    // cache once, before any of them uses it.
    std::call_once(cache_sized_, [&] {
      cached_block_.assign(n_dev * size_, -1);
      cached_words_.resize(n_dev * size_);
    });
    auto probe_at = std::lower_bound(probes_.begin(), probes_.end(), begin,
                                     [](const probe& p, std::uint64_t n) { return p.neuron < n; });
    std::uint64_t saturated_steps = 0;
    for (std::uint64_t first = begin; first < end; first += tile) {
      const std::uint64_t m = std::min(tile, end - first);
      auto probes_end = probe_at;
      while (probes_end != probes_.end() && probes_end->neuron < first + m)
        ++probes_end;
      for (std::uint64_t j = 0; j < m; ++j)
        st[j] = load(first + j);
      for (std::size_t k = 0; k < n_steps; ++k) {
        const std::int64_t step = w.first_step + static_cast<std::int64_t>(k);
        // This step's ring rows for the tile, one per channel read.
        std::array<std::int64_t*, channels> row{};
        for (std::size_t ch = 0; ch < used_channels_; ++ch)
          row[ch] = bases[ch * n_steps + k] + first;
        const int lane = static_cast<int>(step & 3);
        const std::int64_t block = step >> 2;
        for (std::size_t d = 0; d < n_dev; ++d) {
          // One 32-bit uniform per (neuron, step): Philox block step/4, lane
          // step%4, kept per neuron across epochs (epochs may be one step).
          std::int64_t* cached = cached_block_.data() + d * size_ + first;
          rng::philox::ctr_type* words = cached_words_.data() + d * size_ + first;
          for (std::uint64_t j = 0; j < m; ++j)
            if (cached[j] != block) {
              words[j] = rng::block(poisson_[d].key, static_cast<std::uint64_t>(block), gid(first + j));
              cached[j] = block;
            }
          std::int64_t* target = bases[(channels + d) * n_steps + k] + first;
          const auto& table = poisson_[d].table;
          const std::int64_t weight = poisson_[d].weight;
          for (std::uint64_t j = 0; j < m; ++j)
            ring_add(target[j], fixed_times(static_cast<std::int64_t>(table.draw(words[j][lane])), weight));
        }
        for (std::uint64_t j = 0; j < m; ++j) {
          unsigned spikes = 0; // Model::step's bool, or a parrot's count
          double current = 0.0;
          if (driven) {
            current = shared_current[k];
            for (const auto& noise : currents_.noise)
              current += noise.at(step, gid(first + j));
          }
          if constexpr (typed) {
            // Each port sums its positive and negative channel (opposite
            // signs: the integer sum cannot overflow).
            double input[Model::n_receptors] = {};
            unsigned saturated_here = 0;
            for (std::size_t r = 0; r < used_channels_ / 2; ++r) {
              std::int64_t* pos = row[2 * r];
              std::int64_t* neg = row[2 * r + 1];
              saturated_here |=
                  static_cast<unsigned>(saturated(pos[j])) | static_cast<unsigned>(saturated(neg[j]));
              input[r] = from_fixed(pos[j] + neg[j]);
              pos[j] = 0;
              neg[j] = 0;
            }
            saturated_steps += saturated_here;
            if constexpr (takes_current)
              spikes = Model::step(constants_of(first + j), st[j], input, current);
            else
              spikes = Model::step(constants_of(first + j), st[j], input);
          } else {
            std::int64_t* ex = row[0];
            std::int64_t* in = row[1];
            const std::int64_t input_ex = ex[j], input_in = in[j];
            saturated_steps +=
                static_cast<unsigned>(saturated(input_ex)) | static_cast<unsigned>(saturated(input_in));
            ex[j] = 0;
            in[j] = 0;
            const constants& c = constants_of(first + j);
            if constexpr (takes_current && Model::n_receptors == 2)
              spikes = Model::step(c, st[j], from_fixed(input_ex), from_fixed(input_in), current);
            else if constexpr (takes_current)
              spikes = Model::step(c, st[j], from_fixed(input_ex + input_in), 0.0, current);
            else if constexpr (Model::n_receptors == 2)
              spikes = Model::step(c, st[j], from_fixed(input_ex), from_fixed(input_in));
            else
              spikes = Model::step(c, st[j], from_fixed(input_ex + input_in), 0.0);
          }
          saturated_steps += models::keep_spikes<Model>(spikes); // more than kept: reported
          for (unsigned n = 0; n < spikes; ++n) // several: one record each (NEST's multiplicity)
            out.push_back({first_local_ + first + j, step});
        }
        for (auto p = probe_at; p != probes_end; ++p)
          sample(*p, st[p->neuron - first], step);
      }
      for (std::uint64_t j = 0; j < m; ++j)
        store(first + j, st[j]);
      probe_at = probes_end;
    }
    if (saturated_steps)
      saturated_.fetch_add(saturated_steps, std::memory_order_relaxed);
  }

  double read(int var, std::uint64_t i) const override {
    const auto& f = Model::state_fields[var];
    return fields_[var][i] + (f.offset ? constants_of(i).*(f.offset) : 0.0);
  }
  void write(int var, std::uint64_t i, double value) override {
    const auto& f = Model::state_fields[var];
    fields_[var][i] = value - (f.offset ? constants_of(i).*(f.offset) : 0.0);
  }

  void get_raw(std::size_t field, std::vector<double>& out) const override {
    if (field < n_fields)
      out = fields_[field];
    else
      out.assign(refractory_.begin(), refractory_.end()); // int32 is exact in a double
  }
  void set_raw(std::size_t field, const std::vector<double>& in) override {
    if (in.size() != size_)
      throw internal_error("set_raw: wrong number of values");
    if (field < n_fields)
      fields_[field] = in;
    else
      for (std::size_t i = 0; i < in.size(); ++i) {
        // Checkpoints are validated first; this keeps a bad value from the
        // undefined conversion all the same.
        if (!(in[i] >= 0 && in[i] <= 2147483647.0 && in[i] == std::floor(in[i])))
          throw error("refractory_steps " + std::to_string(in[i]) + " is not a whole number of steps");
        refractory_[i] = static_cast<std::int32_t>(in[i]);
      }
  }

private:
  const constants& constants_of(std::uint64_t i) const { return per_neuron_.empty() ? c_ : per_neuron_[i]; }

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

  void sample(const probe& p, const state& s, std::int64_t step) const {
    trace_buffer& b = *p.buffer;
    if ((step + 1) % b.interval != 0)
      return;
    const std::int64_t row = (step + 1) / b.interval - b.first_sample;
    double* out = b.rows.data() + static_cast<std::size_t>(row) * b.row_size + p.column;
    for (std::size_t v = 0; v < b.variables.size(); ++v) {
      const auto& f = Model::state_fields[b.variables[v]];
      out[v] = s.*(f.member) + (f.offset ? constants_of(p.neuron).*(f.offset) : 0.0);
    }
  }

  constants c_;
  std::vector<constants> per_neuron_;
  // Channels this group reads: its ports' (the ring may have more, for
  // another population's model, never fewer).
  std::size_t used_channels_;
  std::array<std::vector<double>, n_fields> fields_;
  // Poisson input: each neuron's current Philox block per device (derived
  // state, recomputed when missing: never part of a checkpoint).
  std::vector<std::int64_t> cached_block_;
  std::vector<rng::philox::ctr_type> cached_words_;
  std::once_flag cache_sized_;
  std::vector<std::int32_t> refractory_;
};

} // namespace myelin::cpu
