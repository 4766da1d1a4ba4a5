// The device backend (DESIGN.md §5), written once against Thrust and
// libcu++ and included by backend_omp.cpp (g++, OpenMP threads) and
// backend_cuda.cu (nvcc, the GPU). Its memory: neuron state per slice, the
// static synapse tables, the ring, the spike buffers and counters, the
// multimeter rows, all in device memory.
//
// Order of work in one advance(): deliver the spikes handed over since the
// last one (one parallel loop over all their synapses), then step every
// group through the epoch (one call per neuron, all steps), collecting spikes
// by atomic counter into device buffers that leave the device once per
// epoch. Long epochs run in chunks so that the neuron spike buffer (one
// entry per neuron and step) stays bounded.
#include "engine/backend.hpp"
#include "engine/cuda/device_query.hpp"
#include "engine/device/construction.hpp"
#include "engine/device/delivery.hpp"
#include "engine/device/epoch_graph.hpp"
#include "engine/device/group_factory.hpp"
#include "engine/device/own_spikes.hpp"
#include "engine/device/plastic.hpp"
#include "engine/device/record_transport.hpp"
#include "engine/device/spike_routes.hpp"
#include "engine/pending_input.hpp"
#include "models/all_models.hpp"
#include "models/poisson_source.hpp"
#include "models/registry.hpp"
#include "models/spike_source.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <bit>
#include <memory>

#if MYELIN_DEVICE_THREADS
#include <omp.h>
#endif

namespace myelin::MYELIN_DEVICE_NS {
namespace {

#if MYELIN_DEVICE_CUDA
constexpr const char* backend_label = "cuda";
#else
constexpr const char* backend_label = "omp";
#endif

// The shape of a delivery launch (engine/device/delivery.hpp): on a GPU a
// quarter million threads, each an event at a time (PD14 has ~100,000 events
// a step); on CPU threads one contiguous share of the events a thread.
event_grid delivery_grid(int threads) {
#if MYELIN_DEVICE_CUDA
  (void)threads;
  return {std::uint64_t{1} << 18, 1};
#else
  return {static_cast<std::uint64_t>(threads), 0};
#endif
}

// At most this many neuron-steps' spike entries are held at once (16 bytes each).
constexpr std::uint64_t neuron_spike_budget = std::uint64_t{1} << 22;
// Delivery numbers spikes x pieces items in one launch up to this many
// (128 MB of numbering); more spikes take the pieces in several launches.
constexpr std::uint64_t fused_delivery_items = std::uint64_t{1} << 24;
// Running alone, one call covers at most about this many steps: spikes reach
// the host about every 100 ms of simulated time at dt = 0.1 ms.
constexpr std::int64_t alone_step_target = 1000;
constexpr std::int64_t alone_step_target_with_histories = 250;
// A call's source arrivals are padded to equal regions per epoch (so the
// call can be a CUDA graph) up to this many entries (64 MB).
constexpr std::uint64_t source_pad_budget = std::uint64_t{1} << 22;

template <class... Models>
std::map<std::string, device_group_factory> table(models::model_list<Models...>) {
  std::map<std::string, device_group_factory> t{device_group_entry<Models>()...};
  t[models::spike_source::name] = [](const spec::network& net, std::size_t population,
                                     const partition::slice& s, const std::vector<poisson_input>&,
                                     const std::vector<slice_probe>&) {
    return std::unique_ptr<device_group>(
        std::make_unique<spike_source_device_group>(net, net.populations[population], s));
  };
  t[models::poisson_source::name] = [](const spec::network& net, std::size_t population,
                                       const partition::slice& s, const std::vector<poisson_input>&,
                                       const std::vector<slice_probe>&) {
    return std::unique_ptr<device_group>(
        std::make_unique<poisson_source_device_group>(net, net.populations[population], s));
  };
  return t;
}

class device_backend final : public backend {
public:
  // `made`: the maker that drew the static tables when the built network
  // says so (construction on the device); its pieces are taken as they are.
  device_backend(const spec::network& net, built_network built, static_table_maker* made)
      : layout_(std::move(built.layout))
      , post_(built.tau_minus, layout_.n_local, layout_.dt)
      , threads_(static_cast<int>(std::max<std::size_t>(1, built.blocks.size()))) {
    use_threads();
    // Multimeter probes by slice.
    std::vector<std::vector<slice_probe>> probes(layout_.slices.size());
    for (std::size_t m = 0; m < built.multimeters.size(); ++m)
      for (const auto& p : built.multimeters[m].probes)
        probes[p.slice].push_back({p.in_slice, {static_cast<std::uint32_t>(m), p.column}});
    const auto& factories = device_group_factories();
    std::uint64_t neurons = 0, sources = 0;
    for (std::size_t s = 0; s < layout_.slices.size(); ++s) {
      const auto& slice = layout_.slices[s];
      const auto& model = net.populations[slice.population].model;
      const auto it = factories.find(model);
      if (it == factories.end())
        throw usage_error(std::string("--backend ") + backend_label + ": model " + model +
                          " has no device implementation; run this model with --backend cpu");
      groups_.push_back(it->second(net, slice.population, slice, built.inputs[slice.population], probes[s]));
      groups_.back()->set_currents(built.currents[slice.population]);
      if (groups_.back()->is_source())
        sources += slice.count;
      else // room for each neuron's most spikes a step (a parrot repeats several)
        neurons += slice.count * models::find_model(model)->max_spikes_per_step;
    }
    plan_alone(neurons, sources);
    // (On several ranks steps_alone() waits for set_communicator.)
    const std::int64_t steps_per_call = std::max(layout_.epoch_steps, alone_epochs_ * layout_.epoch_steps);
    reserve_steps(steps_per_call);
    for (std::size_t m = 0; m < built.multimeters.size(); ++m) {
      trace t;
      t.interval = layout_.trace_interval[m];
      t.row_size = layout_.trace_row_size[m];
      t.rows =
          device_vector<double>(static_cast<std::size_t>(steps_per_call / t.interval + 1) * t.row_size, 0.0);
      t.variables = upload(built.multimeters[m].variables);
      traces_.push_back(std::move(t));
    }
    auto* maker = dynamic_cast<device_table_maker*>(made);
    if (built.static_tables_by_maker && !maker)
      throw internal_error("static tables made by a maker the device backend does not know");
    for (std::size_t b = 0; b < built.blocks.size(); ++b) {
      auto& block = built.blocks[b];
      synapses_ += built.static_tables_by_maker ? maker->synapses_of(b) : block.table.synapses.size();
      for (auto& piece : built.static_tables_by_maker ? maker->take(b) : upload_static(block.table)) {
        synapse_bytes_ += piece.bytes();
        tables_.push_back(std::move(piece));
      }
      block.table = {}; // freed before the next block is uploaded
      plastic_.emplace_back();
      for (auto& pt : block.plastic) {
        const auto& pr = net.projections[pt.projection];
        plastic_.back().push_back(
            make_plastic(pr, net.run.dt, std::move(pt), models::plastic_synapse_models{}));
        synapses_ += plastic_.back().back()->host.table.synapses.size();
        synapse_bytes_ += plastic_.back().back()->bytes();
      }
    }
    std::vector<static_view> views;
    for (const auto& t : tables_)
      views.push_back(t.view());
    piece_views_ = upload(views);
    arrivals_.resize(layout_.plastic_projections.size());
    ring_ = device_vector<std::int64_t>(layout_.ring.size(), 0);
    chunk_steps_ = std::max<std::int64_t>(
        1, std::min<std::int64_t>(
               layout_.epoch_steps,
               static_cast<std::int64_t>(neuron_spike_budget / std::max<std::uint64_t>(1, neurons))));
    neuron_spikes_ = device_vector<local_spike>(neurons * static_cast<std::uint64_t>(chunk_steps_));
    source_spikes_ = device_vector<local_spike>(std::max<std::uint64_t>(1024, sources));
    counters_ = device_vector<unsigned long long>(n_counters, 0);
  }

  const rank_layout& layout() const override { return layout_; }

  std::span<const local_spike> advance(std::int64_t first_step, std::int64_t n_steps) override {
    if (!begin_call(first_step, n_steps))
      return {};
    for (std::int64_t at = first_step; at < first_step + n_steps; at += chunk_steps_)
      run_chunk(at, std::min(chunk_steps_, first_step + n_steps - at));
    return emitted_;
  }

  std::int64_t steps_alone() const override {
    return layout_.n_ranks > 1 && !transport_ ? 0 : alone_epochs_ * layout_.epoch_steps;
  }

  // Several ranks run alone unless MYELIN_DEVICE_EXCHANGE=loop, or unless
  // some rank cannot (the fewest epochs a call any rank can hold).
  void set_communicator(comm::communicator& comm) override {
    const std::string wanted = device_exchange_setting();
    alone_epochs_ =
        static_cast<std::int64_t>(comm.min(wanted == "loop" ? 0.0 : static_cast<double>(alone_epochs_)));
    if (alone_epochs_ == 0) {
      alone_spikes_ = {};
      own_arrived_ = {};
      return;
    }
    transport_ = make_record_transport(comm, wanted);
    subscriber_offsets_ = upload(layout_.subscriber_offsets);
    subscriber_ranks_ = upload(layout_.subscriber_ranks);
    subscriber_rows_ = upload(layout_.subscriber_rows);
    rank_counts_ = device_vector<unsigned long long>(static_cast<std::size_t>(layout_.n_ranks), 0);
    for (std::int64_t g = 0; g < 2 * alone_epochs_; ++g)
      routed_graphs_.push_back(std::make_unique<epoch_graph>(graph_.usable()));
  }

  std::string spike_exchange() const override {
    if (steps_alone() == 0)
      return "loop";
    return transport_ ? transport_->name() : "device";
  }

  std::span<const local_spike> advance_alone(std::int64_t first_step, std::int64_t n_steps) override {
    if (n_steps > steps_alone())
      throw internal_error("advance_alone: more steps than steps_alone()");
    if (!begin_call(first_step, n_steps))
      return {};
    emit_sources(first_step, n_steps);
    const std::uint64_t region = neurons_ * static_cast<std::uint64_t>(layout_.epoch_steps);
    std::vector<unsigned long long> counts(static_cast<std::size_t>(alone_epochs_), 0);
    copy_to_device(counts.data(), counts.size(), alone_counts_);
    // Epoch by epoch: step the neurons into the epoch's own buffer, then
    // deliver its spikes, with no value read back in between.
    const std::int64_t n_epochs = (n_steps + layout_.epoch_steps - 1) / layout_.epoch_steps;
    // Calls that may be captured (no host work between their launches, so
    // not with more source arrivals than pad) launch the same sizes every
    // time: on one rank the whole call is one graph; on several, each
    // epoch's two halves around the exchange (route_epoch).
    const bool fixed = graph_.usable() && (sources_ == 0 || source_padded_);
    const auto epochs = [&] {
      for (std::int64_t e = 0; e < n_epochs; ++e) {
        const std::int64_t at = first_step + e * layout_.epoch_steps;
        const std::int64_t length = std::min(layout_.epoch_steps, first_step + n_steps - at);
        const auto u = static_cast<std::uint64_t>(e);
        const spike_buffer epoch_spikes{raw(alone_spikes_) + u * region, raw(alone_counts_) + u, region};
        if (transport_) {
          route_epoch(epoch_spikes, static_cast<std::size_t>(e), at, length, fixed);
          continue;
        }
        step_neurons(window(at, length, epoch_spikes));
        deliver_own(epoch_spikes, neurons_ * static_cast<std::uint64_t>(length), at, fixed);
        deliver_sources(static_cast<std::size_t>(e), at, fixed);
      }
    };
    if (fixed && !transport_)
      graph_.run(graph_key({static_cast<std::uint64_t>(n_steps)}), epochs);
    else
      epochs();
    copy_to_host(alone_counts_, 0, static_cast<std::size_t>(n_epochs), counts.data());
    for (std::int64_t e = 0; e < n_epochs; ++e) {
      const std::size_t at = emitted_.size();
      const auto n = static_cast<std::size_t>(counts[static_cast<std::size_t>(e)]);
      emitted_.resize(at + n);
      copy_to_host(alone_spikes_, static_cast<std::size_t>(e) * region, n, emitted_.data() + at);
    }
    return emitted_;
  }

  void deliver(std::span<const arriving_spike> spikes) override {
    incoming_.insert(incoming_.end(), spikes.begin(), spikes.end());
  }
  void settle() override {
    use_threads();
    deliver_pending();
  }

  std::span<const double> trace_rows(std::size_t m) const override {
    const auto& t = traces_[m];
    const std::int64_t last = (first_step_ + n_steps_) / t.interval;
    const auto rows =
        static_cast<std::size_t>(std::max<std::int64_t>(0, last - (first_step_ / t.interval + 1) + 1));
    if (!t.host_current) { // once per advance: the loop reads a call's rows epoch by epoch
      t.host = download(t.rows);
      t.host_current = true;
    }
    return {t.host.data(), rows * t.row_size};
  }

  std::vector<double> read_state(std::size_t slice, std::size_t field) const override {
    return groups_[slice]->get_raw(field);
  }
  void write_state(std::size_t slice, std::size_t field, std::span<const double> values) override {
    groups_[slice]->set_raw(field, values);
  }
  std::vector<std::int64_t> read_pending(std::int64_t step, std::int64_t horizon) const override {
    const auto ring = download(ring_);
    return pack_pending(layout_.ring, ring.data(), step, horizon);
  }
  void write_pending(std::int64_t step, std::int64_t horizon, std::span<const std::int64_t> values) override {
    std::vector<std::int64_t> ring(layout_.ring.size(), 0);
    unpack_pending(layout_.ring, ring.data(), step, horizon, values);
    copy_to_device(ring.data(), ring.size(), ring_);
  }
  plastic_synapses plastic_layout(std::size_t i, bool with_sources) const override {
    plastic_synapses out;
    for (const auto& block : plastic_)
      append_plastic_layout(layout_, block[i]->host, with_sources, out);
    return out;
  }
  plastic_state read_plastic(std::size_t i) const override {
    plastic_state st;
    std::vector<const plastic_table*> tables;
    std::vector<source_state> states;
    for (const auto& block : plastic_) {
      const auto w = block[i]->canonical_weights();
      st.weight.insert(st.weight.end(), w.begin(), w.end());
      tables.push_back(&block[i]->host);
      states.push_back(block[i]->pre());
    }
    gather_sources(layout_, tables, states, st);
    return st;
  }
  void write_plastic(std::size_t i, const plastic_state& st) override {
    std::size_t at = 0;
    for (auto& block : plastic_) {
      auto& p = *block[i];
      const std::size_t n = p.host.canonical.size();
      if (p.plastic_weight()) {
        if (at + n > st.weight.size())
          throw internal_error("write_plastic: too few weights");
        p.set_canonical_weights(std::span<const double>(st.weight).subspan(at, n));
      }
      at += n;
      p.set_pre(scatter_sources(layout_, p.host, st));
    }
  }
  post_history_lists read_post_histories() const override { return post_.read(layout_.n_local); }
  void write_post_histories(post_history_lists lists) override { post_.write(lists); }

  std::string device() const override {
#if MYELIN_DEVICE_CUDA
    return cuda::current_device();
#else
    return {};
#endif
  }

  backend_counters counters() const override {
    backend_counters c;
    c.synapses = synapses_;
    c.synapse_bytes = synapse_bytes_;
    c.saturated_input_steps = read_element(counters_, saturated_steps);
    c.graph_calls = graph_.replays();
    for (const auto& g : routed_graphs_)
      c.graph_calls += g->replays();
    c.static_synaptic_events = read_element(counters_, static_events);
    c.records_sent = records_sent_;
    c.records_received = records_received_;
    return c;
  }

private:
  enum counter {
    neuron_count,
    source_count,
    saturated_steps,
    static_events,
    n_counters
  }; // the first two adjacent
  struct trace {
    std::int64_t interval = 1;
    std::uint64_t row_size = 0;
    device_vector<double> rows;
    device_vector<int> variables;
    mutable std::vector<double> host; // the rows trace_rows() last handed out
    mutable bool host_current = false;
  };

  void use_threads() const {
#if MYELIN_DEVICE_THREADS
    omp_set_num_threads(threads_);
#endif
  }

  // What every advance does first: deliver what was handed over, aim the
  // multimeters and make room in the postsynaptic lists for the call's
  // steps. False when there are none.
  bool begin_call(std::int64_t first_step, std::int64_t n_steps) {
    use_threads();
    emitted_.clear();
    if (n_steps <= 0)
      return false;
    // The call's first step first: delivery groups plastic arrivals by their
    // offset from it.
    call_first_host_ = first_step;
    write_element(call_first_, 0, first_step);
    deliver_pending();
    if (n_steps > reserved_steps_)
      reserve_steps(n_steps);
    for (auto& g : groups_)
      g->prepare_call(first_step, n_steps);
    aim_traces(first_step, n_steps);
    make_history_room(n_steps);
    return true;
  }

  // Running alone needs one epoch's worth of spike entries within the
  // budget, and on several ranks a transport (set_communicator). With STDP,
  // every postsynaptic list holds room for one spike per step of a call, so
  // calls are shorter.
  void plan_alone(std::uint64_t neurons, std::uint64_t sources) {
    neurons_ = neurons;
    sources_ = sources;
    const std::uint64_t per_epoch = neurons * static_cast<std::uint64_t>(layout_.epoch_steps);
    if (neurons == 0 || per_epoch > neuron_spike_budget)
      return;
    const std::int64_t target = post_.enabled() ? alone_step_target_with_histories : alone_step_target;
    alone_epochs_ =
        std::max<std::int64_t>(1, std::min(static_cast<std::int64_t>(neuron_spike_budget / per_epoch),
                                           (target + layout_.epoch_steps - 1) / layout_.epoch_steps));
    alone_spikes_ = device_vector<local_spike>(per_epoch * static_cast<std::uint64_t>(alone_epochs_));
    alone_counts_ = device_vector<unsigned long long>(static_cast<std::size_t>(alone_epochs_), 0);
    if (layout_.n_ranks > 1)
      return;
    own_arrived_ = device_vector<arriving_spike>(per_epoch);
    std::vector<std::uint64_t> row(layout_.n_local, no_row);
    for (std::uint64_t l = 0; l < layout_.n_local; ++l)
      if (layout_.subscriber_offsets[l + 1] > layout_.subscriber_offsets[l]) // one rank: one subscription
        row[l] = layout_.subscriber_rows[layout_.subscriber_offsets[l]];
    row_of_local_ = upload(row);
    host_row_of_local_ = std::move(row);
  }

  // Running alone, spike and Poisson sources emit a whole call's spikes
  // before the neurons step: they are stateless, and any number of them may
  // fall on one step, so only a count read back sizes their buffer (once per
  // call, not per epoch). They go to the host for recording anyway; there
  // they are sorted by step and cut into epochs, and their arrivals go back
  // to the device in one copy. Where calls may become a CUDA graph
  // (engine/device/epoch_graph.hpp), each epoch's lie in a region of the same
  // size, padded with no arrival, so that a call's launches have the same
  // sizes on every call, as long as that stays within source_pad_budget
  // entries; packed otherwise.
  void emit_sources(std::int64_t first_step, std::int64_t n_steps) {
    if (sources_ == 0)
      return;
    write_element(counters_, source_count, 0ULL);
    emit_source_groups(first_step, n_steps);
    const auto n = static_cast<std::size_t>(read_element(counters_, source_count));
    if (n > source_spikes_.size()) {
      source_spikes_ = device_vector<local_spike>(n + n / 4);
      write_element(counters_, source_count, 0ULL);
      emit_source_groups(first_step, n_steps);
    }
    std::vector<local_spike> spikes(n);
    copy_to_host(source_spikes_, 0, n, spikes.data());
    std::sort(spikes.begin(), spikes.end(), [](const local_spike& a, const local_spike& b) {
      return a.step != b.step ? a.step < b.step : a.local < b.local;
    });
    emitted_.insert(emitted_.end(), spikes.begin(), spikes.end());
    if (transport_) { // several ranks: the spikes themselves, to be routed
      std::vector<std::vector<local_spike>> by_epoch;
      std::size_t k = 0;
      for (std::int64_t at = first_step; at < first_step + n_steps; at += layout_.epoch_steps) {
        auto& epoch = by_epoch.emplace_back();
        for (; k < spikes.size() && spikes[k].step < at + layout_.epoch_steps; ++k)
          epoch.push_back(spikes[k]);
      }
      lay_out_sources(by_epoch, local_spike{no_source_spike, 0}, source_routed_);
      return;
    }
    // Arrivals (sources with synapses only), epoch by epoch.
    std::vector<std::vector<arriving_spike>> by_epoch;
    std::size_t k = 0;
    for (std::int64_t at = first_step; at < first_step + n_steps; at += layout_.epoch_steps) {
      auto& arrived = by_epoch.emplace_back();
      for (; k < spikes.size() && spikes[k].step < at + layout_.epoch_steps; ++k)
        if (host_row_of_local_[spikes[k].local] != no_row)
          arrived.push_back({host_row_of_local_[spikes[k].local], spikes[k].step});
    }
    lay_out_sources(by_epoch, arriving_spike{no_row, 0}, source_arrived_);
  }

  // A call's source entries, epoch after epoch, into `out`: in regions of
  // one size padded with `none` where calls may be captured and the
  // padding stays within source_pad_budget, else packed.
  template <class T>
  void lay_out_sources(const std::vector<std::vector<T>>& by_epoch, const T& none, device_vector<T>& out) {
    source_epoch_first_.clear();
    source_epoch_count_.clear();
    std::size_t most = 0;
    for (const auto& epoch : by_epoch) {
      most = std::max(most, epoch.size());
      source_epoch_count_.push_back(epoch.size());
    }
    // Regions only grow, so that calls keep one layout once it holds them.
    source_region_ = std::max<std::uint64_t>(source_region_, std::bit_ceil(std::max<std::size_t>(1, most)));
    source_padded_ = graph_.usable() && by_epoch.size() * source_region_ <= source_pad_budget;
    std::vector<T> all;
    for (const auto& epoch : by_epoch) {
      source_epoch_first_.push_back(all.size());
      all.insert(all.end(), epoch.begin(), epoch.end());
      if (source_padded_)
        all.resize(source_epoch_first_.back() + source_region_, none);
    }
    hold_at_least(out, all.size()); // keeps its address while it holds a call
    copy_to_device(all.data(), all.size(), out);
  }

  void emit_source_groups(std::int64_t first_step, std::int64_t n_steps) {
    const step_window w = window(first_step, n_steps);
    for (auto& g : groups_)
      if (g->is_source())
        g->advance(w);
  }

  // Epoch e's source arrivals (emit_sources) into the ring and the plastic
  // synapses: its whole padded region when `fixed` (a call's launches the
  // same on every call), else only its arrivals.
  void deliver_sources(std::size_t e, std::int64_t first_step, bool fixed) {
    if (sources_ == 0)
      return;
    const std::uint64_t n = fixed ? source_region_ : source_epoch_count_[e];
    if (n == 0)
      return;
    const arriving_spike* spikes = raw(source_arrived_) + source_epoch_first_[e];
    deliver_plastic(spikes, n, first_step);
    deliver_static(spikes, n);
  }

  // The epoch's spikes (entries of a buffer of n_items, emitted from
  // first_step on) into the ring and the plastic synapses.
  void deliver_own(const spike_buffer& spikes, std::uint64_t n_items, std::int64_t first_step,
                   [[maybe_unused]] bool fixed) {
#if !MYELIN_DEVICE_CUDA
    // On CPU threads "device" memory is host memory: reading the count costs
    // nothing, and spares the launches the buffer's unused entries (all of
    // them in the many epochs of a small network without a spike). Not for
    // calls that may be captured as a graph (`fixed`), whose launches must
    // not depend on this call's count, and whose buffers must have been
    // sized by the same launches before the capture.
    if (!fixed) {
      n_items = std::min<std::uint64_t>(n_items, *spikes.count);
      if (n_items == 0)
        return;
    }
#endif
    for_each_index(n_items, own_arrivals{spikes.spikes, spikes.count, raw(row_of_local_), raw(own_arrived_)});
    deliver_plastic(raw(own_arrived_), n_items, first_step);
    deliver_static(raw(own_arrived_), n_items);
  }

  // n arrived spikes (in device memory) through every static table piece:
  // as many pieces a launch as keep the numbering within
  // fused_delivery_items (all of them, unless the spikes are many).
  void deliver_static(const arriving_spike* spikes, std::uint64_t n) {
    if (n == 0 || tables_.empty())
      return;
    const event_grid grid = delivery_grid(threads_);
    const std::uint64_t per_launch = std::max<std::uint64_t>(1, fused_delivery_items / n);
    for (std::uint64_t p = 0; p < tables_.size(); p += per_launch) {
      const std::uint64_t pieces = std::min<std::uint64_t>(per_launch, tables_.size() - p);
      number_piece_events(spikes, n, raw(piece_views_) + p, pieces, first_event_);
      for_each_index(grid.workers,
                     deliver_events{spikes, raw(first_event_), n, grid, raw(piece_views_) + p, pieces,
                                    raw(ring_), layout_.ring, raw(counters_) + static_events});
    }
  }

  // Several ranks running alone: epoch e of the call (`length` steps from
  // epoch_first) stepped into its buffer `spikes`, its spikes and its
  // sources' packed on the device for the ranks that subscribed, exchanged,
  // and what arrived delivered at once, with overlap too
  // (docs/design-decisions.md: the loop delays them only to hide its
  // transfer). Where calls may be captured (`fixed`), the launches before
  // the exchange and those after it are each one graph per epoch of the
  // call, replayed by later calls: their sizes do not depend on this
  // call's spikes (the sources' padded region, every received entry held,
  // those past the count written to device memory are no arrival), and
  // their steps are offsets from the call's first step.
  void route_epoch(const spike_buffer& spikes, std::size_t e, std::int64_t epoch_first, std::int64_t length,
                   bool fixed) {
    const std::int64_t offset = epoch_first - call_first_host_;
    const step_origin origin{raw(call_first_), offset};
    const std::size_t source_first = sources_ == 0 ? 0 : source_epoch_first_[e];
    const std::size_t source_n = sources_ == 0 ? 0 : fixed ? source_region_ : source_epoch_count_[e];
    const std::uint64_t neuron_items = neurons_ * static_cast<std::uint64_t>(length);
    const subscribers subs{raw(subscriber_offsets_), raw(subscriber_ranks_), raw(subscriber_rows_)};
    const auto n_ranks = static_cast<std::size_t>(layout_.n_ranks);
    rank_cursor_.assign(n_ranks, 0);
    copy_to_device(rank_cursor_.data(), n_ranks, rank_counts_);
    std::uint64_t n_items = neuron_items;
    const auto items = [&] {
      return epoch_spikes{spikes.spikes, spikes.count, n_items, raw(source_routed_) + source_first};
    };
    const auto before = [&] {
      step_neurons(window(epoch_first, length, spikes));
#if !MYELIN_DEVICE_CUDA
      if (!fixed) // host memory here: spare the unused entries
        n_items = std::min<std::uint64_t>(neuron_items, *spikes.count);
#endif
      for_each_index(n_items + source_n, count_routes{items(), subs, raw(rank_counts_)});
    };
    run_graph(*routed_graphs_[2 * e], fixed ? routed_key(0, length) : std::vector<std::uint64_t>{}, before);
    copy_to_host(rank_counts_, 0, n_ranks, rank_cursor_.data());
    send_counts_.resize(n_ranks);
    unsigned long long total = 0;
    for (std::size_t r = 0; r < n_ranks; ++r) {
      if (rank_cursor_[r] > static_cast<unsigned long long>(std::numeric_limits<int>::max()))
        throw error("device spike exchange: more than 2^31 records for one rank in one epoch");
      send_counts_[r] = static_cast<int>(rank_cursor_[r]);
      rank_cursor_[r] = total;
      total += static_cast<unsigned long long>(send_counts_[r]);
    }
    hold_at_least(send_records_, total, total / 4);
    copy_to_device(rank_cursor_.data(), n_ranks, rank_counts_);
    for_each_index(n_items + source_n,
                   write_routes{items(), subs, origin, raw(rank_counts_), raw(send_records_)});
    const std::uint64_t got = transport_->exchange(send_records_, send_counts_, received_records_);
    records_sent_ += total;
    records_received_ += got;
    if (got == 0)
      return;
    const std::uint64_t held = fixed ? received_records_.size() : got;
    hold_at_least(routed_, held);
    if (fixed)
      write_element(received_count_, 0, static_cast<unsigned long long>(got));
    const auto after = [&] {
      for_each_index(held, read_records{raw(received_records_), fixed ? raw(received_count_) : nullptr,
                                        origin, raw(routed_)});
      deliver_plastic(raw(routed_), held, epoch_first);
      deliver_static(raw(routed_), held);
    };
    run_graph(*routed_graphs_[2 * e + 1], fixed ? routed_key(1, held) : std::vector<std::uint64_t>{}, after);
  }

  // launch() through `graph` when it has a key (calls that may be captured), else directly.
  template <class F>
  static void run_graph(epoch_graph& graph, const std::vector<std::uint64_t>& key, const F& launch) {
    if (key.empty())
      launch();
    else
      graph.run(key, launch);
  }

  // Multimeter rows of the steps [first_step, first_step + n_steps).
  void aim_traces(std::int64_t first_step, std::int64_t n_steps) {
    first_step_ = first_step;
    n_steps_ = n_steps;
    std::vector<trace_target> targets;
    for (auto& t : traces_) {
      t.host_current = false;
      targets.push_back({raw(t.rows), t.interval, first_step / t.interval + 1, t.row_size, raw(t.variables),
                         static_cast<int>(t.variables.size())});
    }
    assign(trace_targets_, targets);
  }

  step_window window(std::int64_t first, std::int64_t n) {
    return window(first, n, {raw(neuron_spikes_), raw(counters_) + neuron_count, neuron_spikes_.size()});
  }
  step_window window(std::int64_t first, std::int64_t n, const spike_buffer& neuron_spikes) {
    unsigned long long* c = raw(counters_);
    return {raw(ring_),
            layout_.ring,
            raw(call_first_),
            first - call_first_host_,
            n,
            neuron_spikes,
            {raw(source_spikes_), c + source_count, source_spikes_.size()},
            c + saturated_steps,
            raw(trace_targets_),
            post_.record()};
  }

  // Every group ready for calls of up to n steps, and merged anew (their
  // functors' pointers may have moved: a graph of the old ones is stale).
  void reserve_steps(std::int64_t n) {
    reserved_steps_ = n;
    for (auto& g : groups_)
      g->reserve_call(n);
    batches_.clear();
    unmerged_.clear();
    merge_groups();
    ++groups_made_;
  }

  // Groups of one model into one launch each (merged_groups.hpp); the
  // others (sources) step alone.
  void merge_groups() {
    std::vector<std::pair<const std::type_info*, std::unique_ptr<group_batch>>> kinds;
    for (auto& g : groups_) {
      const std::type_info* kind = g->merge_kind();
      if (!kind) {
        unmerged_.push_back(g.get());
        continue;
      }
      auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return *k.first == *kind; });
      if (it == kinds.end())
        it = kinds.insert(kinds.end(), {kind, g->make_batch()});
      g->join(*it->second);
    }
    for (auto& [kind, batch] : kinds) {
      batch->finish();
      batches_.push_back(std::move(batch));
    }
  }

  // Every model neuron (not the sources) over the window.
  void step_neurons(const step_window& w) {
    for (const auto& b : batches_)
      b->launch(w);
    for (auto* g : unmerged_)
      if (!g->is_source())
        g->advance(w);
  }

  // The key of one half of an epoch on several ranks (route_epoch): `half`
  // 0 (the neurons and the counts of their records) or 1 (delivering what
  // arrived), `size` its epoch's steps or the received entries it holds.
  std::vector<std::uint64_t> routed_key(std::uint64_t half, std::uint64_t size) {
    return graph_key({half, size, key_address(raw(source_routed_)), source_region_,
                      key_address(raw(rank_counts_)), key_address(raw(received_records_)),
                      key_address(raw(routed_))});
  }

  // What launches that may be captured hold by address or size, for
  // engine/device/epoch_graph.hpp: `key` (a call's steps, or an epoch
  // half's own) followed by every buffer they may use.
  std::vector<std::uint64_t> graph_key(std::vector<std::uint64_t> key) {
    key.insert(key.end(), {groups_made_, key_address(raw(ring_)), key_address(raw(call_first_)),
                           key_address(raw(counters_)), key_address(raw(source_spikes_)),
                           source_spikes_.size(), key_address(raw(source_arrived_)), source_region_,
                           key_address(raw(alone_spikes_)), key_address(raw(alone_counts_)),
                           key_address(raw(own_arrived_)), key_address(raw(row_of_local_)),
                           key_address(raw(first_event_)), key_address(raw(trace_targets_))});
    for (const auto& t : traces_)
      key.push_back(key_address(raw(t.rows)));
    // STDP: the postsynaptic lists the neurons append to, and each plastic
    // projection's grouping and delivery buffers.
    const post_record post = post_.record();
    key.insert(key.end(), {key_address(post.entries), key_address(post.count),
                           key_address(raw(plastic_keys_)), post.capacity});
    for (const auto& a : arrivals_)
      key.insert(key.end(), {key_address(raw(a.source)), key_address(raw(a.spike_begin)),
                             key_address(raw(a.spike_end)), key_address(raw(a.steps))});
    for (const auto& block : plastic_)
      for (const auto& p : block)
        p->add_to_key(key);
    return key;
  }

  void run_chunk(std::int64_t first, std::int64_t n) {
    // Both spike counts in one copy each way (they are adjacent).
    unsigned long long counts[2] = {0, 0};
    copy_to_device(counts, 2, counters_, neuron_count);
    const step_window w = window(first, n);
    step_neurons(w);
    for (auto& g : groups_)
      if (g->is_source())
        g->advance(w);
    copy_to_host(counters_, neuron_count, 2, counts);
    const unsigned long long n_neuron = counts[0];
    unsigned long long n_source = counts[1];
    if (n_source > source_spikes_.size()) {
      // Sources are stateless: emit their part of the chunk again, into room for all of it.
      source_spikes_ = device_vector<local_spike>(n_source + n_source / 4);
      write_element(counters_, source_count, 0ULL);
      const step_window again = window(first, n);
      for (auto& g : groups_)
        if (g->is_source())
          g->advance(again);
      n_source = read_element(counters_, source_count);
    }
    const std::size_t at = emitted_.size();
    emitted_.resize(at + n_neuron + n_source);
    copy_to_host(neuron_spikes_, 0, n_neuron, emitted_.data() + at);
    copy_to_host(source_spikes_, 0, n_source, emitted_.data() + at + n_neuron);
  }

  // Room in every postsynaptic history for one spike per step of the coming
  // epoch: first by dropping what no synapse can pair with any more, then
  // by growing the lists.
  void make_history_room(std::int64_t n_steps) {
    if (post_.has_room(n_steps))
      return;
    device_vector<std::int64_t> horizon(post_.slots(), std::numeric_limits<std::int64_t>::max());
    for (const auto& block : plastic_)
      for (const auto& p : block)
        p->lower(post_.record(), raw(horizon));
    post_.prune(horizon);
    post_.grow(n_steps);
  }

  // n arrived spikes (in device memory, steps from first_step on) through
  // every plastic projection: each projection's sources grouped on the
  // device, their spikes in time order, the order NEST's send() sees them in.
  void deliver_plastic(const arriving_spike* arrived, std::uint64_t n, std::int64_t first_step) {
    if (!has_plastic() || n == 0)
      return;
    for (std::size_t i = 0; i < plastic_[0].size(); ++i) {
      arrived_sources& a = arrivals_[i];
      group_on_device(arrived, n, plastic_[0][i]->row_first(), plastic_[0][i]->n_rows(),
                      {raw(call_first_), first_step - call_first_host_}, plastic_keys_, a);
      for (auto& block : plastic_)
        block[i]->deliver(a, delivery_grid(threads_), post_.record(), raw(ring_), layout_.ring);
    }
  }

  bool has_plastic() const {
    return !plastic_.empty() && !plastic_[0].empty();
  }

  // The first step of the handed-over spikes (at most two exchanges' worth),
  // from which plastic grouping counts its step offsets.
  std::int64_t earliest_incoming() const {
    std::int64_t first = incoming_[0].step, last = first;
    for (const auto& s : incoming_) {
      first = std::min(first, s.step);
      last = std::max(last, s.step);
    }
    if (last - first >= (std::int64_t{1} << step_bits))
      throw internal_error("device delivery: the arrived spikes span more than 2^20 steps");
    return first;
  }

  void deliver_pending() {
    if (incoming_.empty())
      return;
    const std::uint64_t n = incoming_.size();
    const std::int64_t first = has_plastic() ? earliest_incoming() : 0;
    assign(arrived_, incoming_);
    incoming_.clear();
    deliver_plastic(raw(arrived_), n, first);
    deliver_static(raw(arrived_), n);
  }

  rank_layout layout_;
  device_post_histories post_;
  int threads_;
  std::vector<std::unique_ptr<device_group>> groups_; // one per slice
  std::vector<std::unique_ptr<group_batch>> batches_; // merged groups, one per model
  std::vector<device_group*> unmerged_;               // the groups of no batch
  std::int64_t reserved_steps_ = 0;                   // the longest call the groups have room for
  std::uint64_t groups_made_ = 0;                     // times the batches were made, for graph_key
  std::vector<device_static_table> tables_;           // one per piece of each target block
  device_vector<static_view> piece_views_;            // tables_' views, for delivery
  std::vector<std::vector<std::unique_ptr<device_plastic>>> plastic_; // [block][plastic projection]
  std::uint64_t synapses_ = 0, synapse_bytes_ = 0;
  device_vector<std::int64_t> ring_;
  std::int64_t chunk_steps_ = 1;
  device_vector<local_spike> neuron_spikes_, source_spikes_;
  device_vector<unsigned long long> counters_;
  std::vector<trace> traces_;
  device_vector<trace_target> trace_targets_;
  std::vector<arriving_spike> incoming_;
  device_vector<arriving_spike> arrived_;
  std::vector<arrived_sources> arrivals_; // per plastic projection
  device_vector<std::uint64_t> plastic_keys_;
  device_vector<std::uint64_t> first_event_;
  std::vector<local_spike> emitted_;
  std::int64_t first_step_ = 0, n_steps_ = 0;
  // The call's first step (begin_call), on the host and on the device
  // (engine/device/step_window.hpp).
  std::int64_t call_first_host_ = 0;
  device_vector<std::int64_t> call_first_ = device_vector<std::int64_t>(1, 0);
  // Running alone (steps_alone()): each epoch's spikes in their own region of
  // neurons_ * epoch_steps entries, with their own count.
  // Spike entries a step may need on this rank: its model neurons (not
  // sources), each times its model's most spikes per step.
  std::uint64_t neurons_ = 0;
  std::int64_t alone_epochs_ = 0;
  epoch_graph graph_{device_graphs_setting().value_or(
      MYELIN_DEVICE_CUDA != 0)}; // advance_alone's launches, captured once where they can be
  device_vector<local_spike> alone_spikes_;
  device_vector<unsigned long long> alone_counts_;
  device_vector<arriving_spike> own_arrived_;
  device_vector<std::uint64_t> row_of_local_;
  std::vector<std::uint64_t> host_row_of_local_;
  // Running alone with sources: a call's source arrivals, and where each
  // epoch's lie (emit_sources).
  std::uint64_t sources_ = 0; // spike and Poisson source neurons on this rank
  device_vector<arriving_spike> source_arrived_;
  std::vector<std::size_t> source_epoch_first_, source_epoch_count_; // each epoch's in source_arrived_
  std::uint64_t source_region_ = 0;                                  // entries an epoch's padded region holds
  bool source_padded_ = false; // this call's arrivals in regions of source_region_
  // Running alone on several ranks (route_epoch): the records' way out,
  // each source's subscribers, per-rank counts and cursors, the records
  // packed and received, and the arrivals they make.
  std::unique_ptr<record_transport> transport_;
  device_vector<local_spike> source_routed_; // a call's source spikes by step
  device_vector<std::uint64_t> subscriber_offsets_, subscriber_rows_;
  device_vector<std::uint32_t> subscriber_ranks_;
  device_vector<unsigned long long> rank_counts_;
  std::vector<unsigned long long> rank_cursor_;
  std::vector<int> send_counts_;
  device_vector<std::uint64_t> send_records_, received_records_;
  device_vector<arriving_spike> routed_;
  device_vector<unsigned long long> received_count_ = device_vector<unsigned long long>(1, 0);
  std::uint64_t records_sent_ = 0, records_received_ = 0;
  // Each epoch's halves around the exchange, 2e and 2e + 1, where captured.
  std::vector<std::unique_ptr<epoch_graph>> routed_graphs_;
};

} // namespace

std::map<std::string, device_group_factory>& device_group_factories() {
  static auto factories = table(models::neuron_models{});
  return factories;
}

std::unique_ptr<backend> make_backend(const spec::network& net, built_network built,
                                      static_table_maker* made) {
  return std::make_unique<device_backend>(net, std::move(built), made);
}

} // namespace myelin::MYELIN_DEVICE_NS
