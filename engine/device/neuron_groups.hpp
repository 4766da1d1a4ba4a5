#pragma once
// A rank's neurons of one population slice on the device: the host object
// that owns their device memory and launches their update
// (engine/device/neuron_update.hpp). One per slice, made from the model list
// (engine/device/group_factory.hpp), so there are no per-model branches.
#include "engine/built_network.hpp"
#include "engine/device/merged_groups.hpp"
#include "engine/device/neuron_update.hpp"
#include "engine/neuron_constants.hpp"
#include "engine/neuron_setup.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <array>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <typeinfo>
#include <vector>

namespace myelin::MYELIN_DEVICE_NS {

// A neuron of this slice that a multimeter samples.
struct slice_probe {
  std::uint64_t in_slice;
  probe_site site;
};

class device_group {
public:
  virtual ~device_group() = default;
  // Spike and Poisson sources: stateless, so an epoch can be emitted again
  // when their spike buffer was too small.
  virtual bool is_source() const = 0;
  virtual void advance(const step_window& w) = 0;
  // Room for the most steps one backend call covers, before any call (and
  // before a group joins a batch: its functor's pointers are final then).
  virtual void reserve_call(std::int64_t) {}
  // Host work for the call [first_step, first_step + n_steps), done before
  // its launches (so that a CUDA graph of them stays valid): the shared
  // current devices' current per step of the call.
  virtual void prepare_call(std::int64_t, std::int64_t) {}
  // Groups of one model are stepped by one launch (merged_groups.hpp): a
  // group that can be merged names its kind (null: stepped alone, as
  // sources are), makes a batch of its kind, and joins one.
  virtual const std::type_info* merge_kind() const { return nullptr; }
  virtual std::unique_ptr<group_batch> make_batch() const { return nullptr; }
  virtual void join(group_batch&) {}
  // Stored field `field` (models::model_info::stored_fields) of every neuron.
  virtual std::vector<double> get_raw(std::size_t) const {
    throw internal_error("a spike source has no state");
  }
  virtual void set_raw(std::size_t, std::span<const double>) {
    throw internal_error("a spike source has no state");
  }
  // Current devices into this slice (the reader lets them target only
  // models that take current).
  virtual void set_currents(const population_currents&) {}
};

template <class Model>
class model_device_group final : public device_group {
  using update = neuron_update<Model>;
  static constexpr std::size_t n_fields = update::n_fields;

public:
  model_device_group(const spec::network& net, std::size_t population, const partition::slice& slice,
                     const std::vector<poisson_input>& inputs, const std::vector<slice_probe>& probes) {
    const auto& p = net.populations[population];
    const auto per_neuron = neuron_constants<Model>(net, population, slice);
    f_.common = !per_neuron.empty()
                    ? per_neuron.front()
                    : Model::prepare(models::make_parameters<Model>(p.params_of(0)), net.run.dt);
    f_.initial = Model::initial_state(f_.common);
    per_neuron_ = upload(per_neuron);
    auto constants_of = [&](std::uint64_t i) -> const typename update::constants& {
      return per_neuron.empty() ? f_.common : per_neuron[i];
    };
    std::array<std::vector<double>, n_fields> host;
    for (std::size_t f = 0; f != n_fields; ++f)
      host[f].assign(slice.count, f_.initial.*(Model::state_fields[f].member));
    draw_initial_state(net, population, slice, [&](int var, std::uint64_t i, double value) {
      const auto& f = Model::state_fields[var];
      host[static_cast<std::size_t>(var)][i] = value - (f.offset ? constants_of(i).*(f.offset) : 0.0);
    });
    for (std::size_t f = 0; f != n_fields; ++f)
      fields_[f] = upload(host[f]);
    if constexpr (update::has_refractory)
      refractory_ = device_vector<std::int32_t>(slice.count, 0);
    // Poisson drives: their thresholds side by side in one device vector.
    std::vector<std::uint64_t> thresholds;
    std::vector<std::size_t> first;
    for (const auto& in : inputs) {
      first.push_back(thresholds.size());
      thresholds.insert(thresholds.end(), in.table.thresholds().begin(), in.table.thresholds().end());
    }
    thresholds_ = upload(thresholds);
    std::vector<poisson_drive> drives;
    for (std::size_t d = 0; d < inputs.size(); ++d)
      drives.push_back(
          {inputs[d].key, inputs[d].weight, inputs[d].channel, inputs[d].delay, raw(thresholds_) + first[d]});
    drives_ = upload(drives);
    // Probes by neuron: offsets and sites, in the order the CPU samples them.
    std::vector<std::uint64_t> offsets(slice.count + 1, 0);
    for (const auto& pr : probes)
      ++offsets[pr.in_slice + 1];
    for (std::uint64_t i = 0; i < slice.count; ++i)
      offsets[i + 1] += offsets[i];
    std::vector<probe_site> sites(probes.size());
    std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (const auto& pr : probes)
      sites[cursor[pr.in_slice]++] = pr.site;
    probe_offsets_ = upload(offsets);
    probe_sites_ = upload(sites);
    f_.first_local = slice.first_local;
    f_.first_gid = slice.first_gid;
    f_.gid_stride = slice.stride;
    size_ = slice.count;
  }

  bool is_source() const override { return false; }

  void set_currents(const population_currents& c) override {
    if constexpr (update::takes_current) {
      currents_ = c;
      noise_ = upload(c.noise);
    }
  }

  void reserve_call(std::int64_t n_steps) override {
    if constexpr (update::takes_current)
      if (!currents_.shared.empty()) {
        shared_current_ = device_vector<double>(static_cast<std::size_t>(n_steps), 0.0);
        f_.shared_current = raw(shared_current_);
      }
  }

  // The shared devices' current per step of the call, computed on the host
  // as the CPU backend does, copied over once; the functor reads it at the
  // step's offset from the call's first step in device memory.
  void prepare_call(std::int64_t first_step, std::int64_t n_steps) override {
    if constexpr (update::takes_current)
      if (!currents_.shared.empty()) {
        if (static_cast<std::size_t>(n_steps) > shared_current_.size())
          throw internal_error("a device call longer than its groups reserved");
        shared_host_.assign(static_cast<std::size_t>(n_steps), 0.0);
        currents_.shared_window(first_step, n_steps, shared_host_.data());
        copy_to_device(shared_host_.data(), shared_host_.size(), shared_current_);
      }
  }

  const std::type_info* merge_kind() const override { return &typeid(update); }
  std::unique_ptr<group_batch> make_batch() const override {
    return std::make_unique<merged_groups<update>>();
  }
  void join(group_batch& batch) override { static_cast<merged_groups<update>&>(batch).add(ready(), size_); }

  void advance(const step_window& w) override {
    update f = ready();
    f.w = w;
    for_each_index(size_, f);
  }

  std::vector<double> get_raw(std::size_t field) const override {
    if constexpr (n_fields > 0) // parrot_neuron has no state fields
      if (field < n_fields)
        return download(fields_[field]);
    const auto r = download(refractory_);
    return {r.begin(), r.end()}; // int32 is exact in a double
  }
  void set_raw(std::size_t field, std::span<const double> in) override {
    if (in.size() != size_)
      throw internal_error("set_raw: wrong number of values");
    if constexpr (n_fields > 0)
      if (field < n_fields) {
        copy_to_device(in.data(), in.size(), fields_[field]);
        return;
      }
    std::vector<std::int32_t> r(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      // Checkpoints are validated first; this keeps a bad value from the
      // undefined conversion all the same.
      if (!(in[i] >= 0 && in[i] <= 2147483647.0 && in[i] == std::floor(in[i])))
        throw error("refractory_steps " + std::to_string(in[i]) + " is not a whole number of steps");
      r[i] = static_cast<std::int32_t>(in[i]);
    }
    copy_to_device(r.data(), r.size(), refractory_);
  }

private:
  // The functor with this group's device memory, for any window: none of it
  // moves after construction (a state write copies into the same vectors).
  update ready() {
    update f = f_;
    if constexpr (update::takes_current) {
      f.noise = raw(noise_);
      f.n_noise = noise_.size();
    }
    for (std::size_t k = 0; k != n_fields; ++k)
      f.fields[k] = raw(fields_[k]);
    f.refractory = raw(refractory_);
    f.per_neuron = per_neuron_.size() ? raw(per_neuron_) : nullptr;
    f.drives = raw(drives_);
    f.n_drives = drives_.size();
    f.probe_offsets = raw(probe_offsets_);
    f.probes = raw(probe_sites_);
    return f;
  }

  update f_{};
  std::uint64_t size_ = 0;
  std::array<device_vector<double>, n_fields> fields_;
  device_vector<std::int32_t> refractory_;
  device_vector<typename update::constants> per_neuron_; // empty: f_.common serves all
  device_vector<std::uint64_t> thresholds_;
  device_vector<poisson_drive> drives_;
  population_currents currents_;
  std::vector<double> shared_host_;
  device_vector<double> shared_current_;
  device_vector<noise_current> noise_;
  device_vector<std::uint64_t> probe_offsets_;
  device_vector<probe_site> probe_sites_;
};

class poisson_source_device_group final : public device_group {
public:
  poisson_source_device_group(const spec::network& net, const spec::population& p,
                              const partition::slice& s) {
    auto plan = plan_poisson_source(net, p);
    thresholds_ = upload(plan.table.thresholds());
    f_ = {plan.key, nullptr, plan.first_step, plan.end_step, s.first_local, s.first_gid, s.stride, {}};
    size_ = s.count;
  }
  bool is_source() const override { return true; }
  void advance(const step_window& w) override {
    auto f = f_;
    f.thresholds = raw(thresholds_);
    f.w = w;
    for_each_index(size_, f);
  }

private:
  poisson_source_update f_{};
  std::uint64_t size_ = 0;
  device_vector<std::uint64_t> thresholds_;
};

class spike_source_device_group final : public device_group {
public:
  spike_source_device_group(const spec::network& net, const spec::population& p, const partition::slice& s) {
    const auto lists = spike_source_steps(net, p);
    std::vector<std::int64_t> steps;
    std::vector<std::uint64_t> first(s.count, 0), end(s.count, 0);
    for (const auto& list : lists)
      steps.insert(steps.end(), list.begin(), list.end());
    std::vector<std::uint64_t> list_first{0};
    for (const auto& list : lists)
      list_first.push_back(list_first.back() + list.size());
    for (std::uint64_t i = 0; i < s.count && !lists.empty(); ++i) {
      const std::size_t l = lists.size() == 1 ? 0 : s.first_index + i * s.stride;
      first[i] = list_first[l];
      end[i] = list_first[l + 1];
    }
    steps_ = upload(steps);
    first_ = upload(first);
    end_ = upload(end);
    first_local_ = s.first_local;
    size_ = s.count;
  }
  bool is_source() const override { return true; }
  void advance(const step_window& w) override {
    for_each_index(size_, spike_source_update{raw(first_), raw(end_), raw(steps_), first_local_, w});
  }

private:
  std::uint64_t first_local_ = 0, size_ = 0;
  device_vector<std::int64_t> steps_;
  device_vector<std::uint64_t> first_, end_;
};

} // namespace myelin::MYELIN_DEVICE_NS
