#pragma once
// One epoch of a group's neurons on the device, one functor call per neuron.
// The arithmetic and its order are the CPU backend's
// (engine/cpu/model_group.hpp), so spikes and traces agree bit for bit: per
// step, Poisson input into the ring, the ring's input read and cleared, the
// model's step(), the spike appended, the samples written. Every delay is at
// least one epoch, so a neuron needs nothing from its neighbours inside it.
#include "engine/current_input.hpp"
#include "engine/device/step_window.hpp"
#include "engine/fixed_point.hpp"
#include "engine/rng.hpp"
#include "models/model_api.hpp"

#include <cstddef>
#include <iterator>
#include <utility>

namespace myelin::MYELIN_DEVICE_NS {

// A Poisson generator's input into a population (built_network's poisson_input).
struct poisson_drive {
  rng::philox::key_type key;
  std::int64_t weight; // fixed point
  int channel;
  std::int64_t delay;
  const std::uint64_t* thresholds; // the poisson_table's; the last is 2^32
};

// poisson_table::draw over thresholds in device memory.
MYELIN_HD inline std::uint32_t poisson_count(const std::uint64_t* thresholds, std::uint32_t u) {
  std::uint32_t k = 0;
  while (u >= thresholds[k])
    ++k;
  return k;
}

// The word of (step) for element id: Philox block step/4, lane step%4, as the CPU backend draws them.
MYELIN_HD inline std::uint32_t step_word(const rng::philox::ctr_type& words, std::int64_t step) {
  return words[static_cast<int>(step & 3)];
}

// State field I of a model, resolved at compile time: device code reads no
// member-pointer table.
template <class Model, std::size_t I>
struct field_at {
  static constexpr auto member = Model::state_fields[I].member;
  static constexpr auto offset = Model::state_fields[I].offset;
  // The value in absolute units, as the CPU backend's sample() computes it.
  MYELIN_HD static double value(const typename Model::state& s, const typename Model::constants& c) {
    if constexpr (offset != nullptr)
      return s.*member + c.*offset;
    else
      return s.*member + 0.0;
  }
};

template <class Model>
struct neuron_update {
  using state = typename Model::state;
  using constants = typename Model::constants;
  static constexpr std::size_t n_fields = std::size(Model::state_fields);
  static constexpr bool has_refractory = requires(state s) { s.refractory; };
  static constexpr bool typed = models::typed_receptors<Model>;
  static constexpr bool takes_current = models::takes_current<Model>;

  constants common;            // every neuron's, unless per_neuron is set
  const constants* per_neuron; // [neuron]: parameters per neuron (engine/neuron_constants.hpp), or null
  state initial;               // Model::initial_state(common), computed on the host
  double* fields[n_fields > 0 ? n_fields : 1]; // parrot_neuron has no state
  std::int32_t* refractory;
  std::uint64_t first_local, first_gid, gid_stride;
  const poisson_drive* drives;
  std::size_t n_drives;
  // Current devices: the shared part per step of the backend call, from its
  // first step (null if none), noise per neuron.
  const double* shared_current;
  const noise_current* noise;
  std::size_t n_noise;
  const std::uint64_t* probe_offsets; // [neuron] -> its first probe site; size + 1 entries
  const probe_site* probes;
  step_window w;

  MYELIN_HD void operator()(std::uint64_t i) const { run(i, w); }

  // Neuron i over the window `win` (engine/device/merged_groups.hpp passes
  // one window to the groups it steps together).
  MYELIN_HD void run(std::uint64_t i, const step_window& win) const {
    const constants& c = per_neuron ? per_neuron[i] : common;
    state s = initial;
    load(s, i, std::make_index_sequence<n_fields>{});
    if constexpr (has_refractory)
      s.refractory = refractory[i];
    const std::uint64_t local = first_local + i;
    const std::uint64_t gid = first_gid + i * gid_stride;
    unsigned long long saturated_steps = 0;
    // One Philox block serves four steps; the first drives' blocks are kept.
    constexpr std::size_t kept = 4;
    rng::philox::ctr_type words[kept];
    const std::uint64_t stride = win.rl.channel_stride();
    const std::int64_t first = win.first_step();
    for (std::int64_t step = first; step < first + win.n_steps; ++step) {
      // This step's input: channel c lies c strides from channel 0.
      std::int64_t* const input0 = win.ring + win.rl.index(0, step, local);
      const bool new_block = (step & 3) == 0 || step == first;
      for (std::size_t d = 0; d < n_drives; ++d) {
        const poisson_drive& dr = drives[d];
        rng::philox::ctr_type here;
        if (d < kept && !new_block) {
          here = words[d];
        } else {
          here = rng::block(dr.key, static_cast<std::uint64_t>(step >> 2), gid);
          if (d < kept)
            words[d] = here;
        }
        std::int64_t* target = win.ring + win.rl.index(dr.channel, step + dr.delay, local);
        *target = saturating_add(
            *target, saturating_times(poisson_count(dr.thresholds, step_word(here, step)), dr.weight));
      }
      unsigned spikes = 0; // Model::step's bool, or a parrot's count
      double current = 0.0;
      if constexpr (takes_current) {
        if (shared_current)
          current = shared_current[step - *win.call_first];
        for (std::size_t d = 0; d < n_noise; ++d)
          current += noise[d].at(step, gid);
      }
      if constexpr (typed) {
        // Each port sums its positive and negative channel (opposite signs:
        // the integer sum cannot overflow).
        double input[Model::n_receptors] = {};
        unsigned saturated_here = 0;
        const int ports = models::active_ports<Model>(c); // the ring has these ports' channels
        for (int r = 0; r < ports; ++r) {
          std::int64_t* pos = input0 + static_cast<std::uint64_t>(2 * r) * stride;
          std::int64_t* neg = pos + stride;
          saturated_here |= static_cast<unsigned>(saturated(*pos)) | static_cast<unsigned>(saturated(*neg));
          input[r] = from_fixed(*pos + *neg);
          *pos = 0;
          *neg = 0;
        }
        saturated_steps += saturated_here;
        if constexpr (takes_current)
          spikes = Model::step(c, s, input, current);
        else
          spikes = Model::step(c, s, input);
      } else {
        std::int64_t* ex = input0;
        std::int64_t* in = input0 + stride;
        const std::int64_t input_ex = *ex, input_in = *in;
        saturated_steps +=
            static_cast<unsigned>(saturated(input_ex)) | static_cast<unsigned>(saturated(input_in));
        *ex = 0;
        *in = 0;
        if constexpr (takes_current && Model::n_receptors == 2)
          spikes = Model::step(c, s, from_fixed(input_ex), from_fixed(input_in), current);
        else if constexpr (takes_current)
          spikes = Model::step(c, s, from_fixed(input_ex + input_in), 0.0, current);
        else if constexpr (Model::n_receptors == 2)
          spikes = Model::step(c, s, from_fixed(input_ex), from_fixed(input_in));
        else
          spikes = Model::step(c, s, from_fixed(input_ex + input_in), 0.0);
      }
      saturated_steps += models::keep_spikes<Model>(spikes); // more than kept: reported
      if (spikes) {
        win.neuron_spikes.push(local, step, spikes); // several: one record each (NEST's multiplicity)
        win.post.record(local, step + 1);
      }
      for (std::uint64_t p = probe_offsets[i]; p < probe_offsets[i + 1]; ++p)
        sample(probes[p], s, c, step, win);
    }
    store(s, i, std::make_index_sequence<n_fields>{});
    if constexpr (has_refractory)
      refractory[i] = s.refractory;
    if (saturated_steps)
      atomic_count(win.saturated, saturated_steps);
  }

private:
  template <std::size_t... I>
  MYELIN_HD void load(state& s, [[maybe_unused]] std::uint64_t i, std::index_sequence<I...>) const {
    ((s.*field_at<Model, I>::member = fields[I][i]), ...);
  }
  template <std::size_t... I>
  MYELIN_HD void store(const state& s, [[maybe_unused]] std::uint64_t i, std::index_sequence<I...>) const {
    ((fields[I][i] = s.*field_at<Model, I>::member), ...);
  }
  template <std::size_t... I>
  MYELIN_HD static double value(const state& s, const constants& c, int var, std::index_sequence<I...>) {
    double v = 0.0;
    ((var == static_cast<int>(I) ? (v = field_at<Model, I>::value(s, c), 0) : 0), ...);
    return v;
  }
  MYELIN_HD void sample(const probe_site& p, const state& s, const constants& c, std::int64_t step,
                        const step_window& win) const {
    const trace_target& t = win.traces[p.multimeter];
    if ((step + 1) % t.interval != 0)
      return;
    const std::int64_t row = (step + 1) / t.interval - t.first_sample;
    double* out = t.rows + static_cast<std::uint64_t>(row) * t.row_size + p.column;
    for (int v = 0; v < t.n_variables; ++v)
      out[v] = value(s, c, t.variables[v], std::make_index_sequence<n_fields>{});
  }
};

// poisson_source neurons: independent Poisson trains (any multiplicity per
// step), drawn as the CPU backend's poisson_source_group does.
struct poisson_source_update {
  rng::philox::key_type key;
  const std::uint64_t* thresholds;
  std::int64_t first_active, end_active; // steps [first, end)
  std::uint64_t first_local, first_gid, gid_stride;
  step_window w;

  MYELIN_HD void operator()(std::uint64_t i) const {
    const std::int64_t first = w.first_step();
    const std::int64_t lo = first > first_active ? first : first_active;
    const std::int64_t end = first + w.n_steps;
    const std::int64_t hi = end < end_active ? end : end_active;
    const std::uint64_t gid = first_gid + i * gid_stride;
    rng::philox::ctr_type words{};
    for (std::int64_t step = lo; step < hi; ++step) {
      if ((step & 3) == 0 || step == lo)
        words = rng::block(key, static_cast<std::uint64_t>(step) >> 2, gid);
      const std::uint32_t n = poisson_count(thresholds, step_word(words, step));
      if (n > 0)
        w.source_spikes.push(first_local + i, step, n);
    }
  }
};

// spike_source neurons: precomputed emission steps, one list per neuron of
// the slice (or one shared list: every neuron's offsets name it).
struct spike_source_update {
  const std::uint64_t* list_first; // [neuron] -> its list in `steps`
  const std::uint64_t* list_end;
  const std::int64_t* steps;
  std::uint64_t first_local;
  step_window w;

  MYELIN_HD void operator()(std::uint64_t i) const {
    // First entry >= first_step (lists are sorted), then the window's entries.
    const std::int64_t first = w.first_step();
    std::uint64_t lo = list_first[i], hi = list_end[i];
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (steps[mid] < first)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (std::uint64_t k = lo; k < list_end[i] && steps[k] < first + w.n_steps; ++k)
      w.source_spikes.push(first_local + i, steps[k]);
  }
};

} // namespace myelin::MYELIN_DEVICE_NS
