#include "engine/cpu/cpu_backend.hpp"

#include "engine/cpu/group_factory.hpp"
#include "engine/fixed_point.hpp"
#include "engine/pending_input.hpp"
#include "engine/plastic_order.hpp"
#include "spec/error.hpp"
#include "spec/spec.hpp"

#include <algorithm>
#include <limits>

namespace myelin::cpu {

// Order of work in one advance(), per thread t: deliver the spikes handed
// over since the last advance into t's targets (ring slots >= first_step),
// then step t's neurons through the epoch, reading the ring. Every delay is
// at least one epoch, so no spike of this epoch is needed before it ends.

cpu_backend::cpu_backend(const spec::network& net, built_network built)
    : layout_(std::move(built.layout))
    , post_(std::move(built.tau_minus))
    , errors_(std::max<std::size_t>(1, built.blocks.size()))
    , start_(static_cast<int>(std::max<std::size_t>(1, built.blocks.size())), no_completion{})
    , end_(static_cast<int>(std::max<std::size_t>(1, built.blocks.size())), no_completion{}) {
  for (const auto& s : layout_.slices) {
    groups_.push_back(make_group(net, s.population, s));
    for (const auto& in : built.inputs[s.population])
      groups_.back()->add_poisson(in);
    groups_.back()->set_currents(built.currents[s.population]);
  }
  for (std::size_t m = 0; m < built.multimeters.size(); ++m) {
    auto buf = std::make_unique<trace_buffer>();
    buf->interval = layout_.trace_interval[m];
    buf->variables = built.multimeters[m].variables;
    buf->row_size = layout_.trace_row_size[m];
    buf->rows.assign(static_cast<std::size_t>(layout_.epoch_steps / buf->interval + 1) * buf->row_size, 0.0);
    for (const auto& p : built.multimeters[m].probes)
      groups_[p.slice]->add_probe({p.in_slice, buf.get(), p.column});
    traces_.push_back(std::move(buf));
  }
  for (auto& block : built.blocks) {
    shard sh;
    sh.first_local = block.first_local;
    sh.end_local = block.end_local;
    sh.table = std::move(block.table);
    for (auto& pt : block.plastic) {
      auto proj = make_plastic_projection(net, pt.projection);
      proj->synapses = std::move(pt);
      proj->init_state();
      sh.plastic.push_back(std::move(proj));
    }
    sh.prune_at = prune_threshold(sh, 0);
    shards_.push_back(std::move(sh));
  }
  if (shards_.empty())
    shards_.emplace_back();
  ring_.assign(layout_.ring.size(), 0);
  for (unsigned t = 1; t < shards_.size(); ++t)
    pool_.emplace_back([this, t] {
      while (true) {
        start_.arrive_and_wait();
        if (quit_)
          return;
        try {
          work(t);
        } catch (...) {
          errors_[t] = std::current_exception();
        }
        end_.arrive_and_wait();
      }
    });
}

cpu_backend::~cpu_backend() {
  quit_ = true;
  if (!pool_.empty())
    start_.arrive_and_wait();
}

std::span<const local_spike> cpu_backend::advance(std::int64_t first_step, std::int64_t n_steps) {
  emitted_.clear();
  if (n_steps <= 0)
    return {};
  first_step_ = first_step;
  n_steps_ = n_steps;
  for (auto& tb : traces_)
    tb->first_sample = first_step / tb->interval + 1;
  std::fill(errors_.begin(), errors_.end(), nullptr);
  if (!pool_.empty())
    start_.arrive_and_wait();
  try {
    work(0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  if (!pool_.empty())
    end_.arrive_and_wait();
  incoming_.clear();
  for (auto& e : errors_)
    if (e)
      std::rethrow_exception(e);
  for (auto& sh : shards_) {
    emitted_.insert(emitted_.end(), sh.spikes.begin(), sh.spikes.end());
    sh.spikes.clear();
  }
  return emitted_;
}

void cpu_backend::work(unsigned t) {
  shard& sh = shards_[t];
  deliver_into(sh);
  const advance_window window{ring(), first_step_, n_steps_};
  for (auto& g : groups_) {
    const std::uint64_t lo = std::max(sh.first_local, g->first_local());
    const std::uint64_t hi = std::min(sh.end_local, g->first_local() + g->size());
    if (lo < hi)
      g->advance(lo - g->first_local(), hi - g->first_local(), window, sh.spikes);
  }
  if (post_.enabled())
    for (std::size_t k = 0; k < sh.spikes.size(); ++k) {
      const local_spike& s = sh.spikes[k];
      // A neuron's several spikes in one step (pushed one after the other)
      // are one history entry, as on the device backend, whose lists keep
      // room for one entry a step.
      if (k > 0 && sh.spikes[k - 1].local == s.local && sh.spikes[k - 1].step == s.step)
        continue;
      sh.history_entries += post_.record(s.local, s.step + 1, layout_.dt);
    }
}

void cpu_backend::deliver(std::span<const arriving_spike> spikes) {
  incoming_.insert(incoming_.end(), spikes.begin(), spikes.end());
}

void cpu_backend::deliver_into(shard& sh) {
  const auto& table = sh.table;
  const ring_layout& rl = layout_.ring;
  std::int64_t* const data = ring_.data();
  const std::uint64_t negative = rl.channel_stride(); // channel 1 (ring_layout)
  const bool ports = !table.segment_port.empty();
  for (const arriving_spike& s : incoming_) {
    sh.static_events += table.segment_synapses[table.source_segments[s.row + 1]] -
                        table.segment_synapses[table.source_segments[s.row]];
    for (std::uint64_t seg = table.source_segments[s.row]; seg < table.source_segments[s.row + 1]; ++seg) {
      const int port = ports ? table.segment_port[seg] : 0;
      std::int64_t* slot = data + rl.slot_base(2 * port, s.step + table.segment_delay[seg]);
      for (std::uint64_t k = table.segment_synapses[seg]; k < table.segment_synapses[seg + 1]; ++k) {
        const synapse syn = table.synapses[k];
        ring_add(slot[syn.target + (syn.weight < 0.0f ? negative : 0)], to_fixed_in_range(syn.weight));
      }
    }
  }
  if (sh.plastic.empty())
    return;
  if (sh.history_entries > sh.prune_at)
    prune_histories(sh);
  for (auto& p : sh.plastic)
    p->deliver(incoming_, ring(), post_);
}

void cpu_backend::settle() {
  for (auto& sh : shards_)
    deliver_into(sh);
  incoming_.clear();
}

// When a shard's postsynaptic histories are next pruned: when they have
// doubled since the last pruning, and not before they average 16 entries.
std::uint64_t cpu_backend::prune_threshold(const shard& sh, std::uint64_t entries_now) const {
  return std::max<std::uint64_t>(2 * entries_now, 16 * (sh.end_local - sh.first_local) + 1024);
}

// Drops the postsynaptic spikes no STDP synapse of this thread can pair with
// any more (NEST prunes by access counters; here the horizon is computed from
// every synapse's last presynaptic spike and delay). Results do not change.
void cpu_backend::prune_histories(shard& sh) {
  std::vector<std::int64_t> horizon(sh.end_local - sh.first_local, std::numeric_limits<std::int64_t>::max());
  for (const auto& p : sh.plastic)
    if (p->uses_post_spikes())
      p->history_horizon(sh.first_local, horizon);
  std::uint64_t kept = 0;
  for (std::uint64_t l = sh.first_local; l < sh.end_local; ++l)
    if (post_.keeps(l)) {
      post_.prune(l, horizon[l - sh.first_local]);
      kept += post_.spikes(l).size();
    }
  sh.history_entries = kept;
  sh.prune_at = prune_threshold(sh, kept);
}

std::span<const double> cpu_backend::trace_rows(std::size_t m) const {
  const auto& tb = *traces_[m];
  const std::int64_t last = (first_step_ + n_steps_) / tb.interval;
  const auto rows = static_cast<std::size_t>(std::max<std::int64_t>(0, last - tb.first_sample + 1));
  return {tb.rows.data(), rows * tb.row_size};
}

std::vector<double> cpu_backend::read_state(std::size_t slice, std::size_t field) const {
  std::vector<double> out;
  groups_[slice]->get_raw(field, out);
  return out;
}

void cpu_backend::write_state(std::size_t slice, std::size_t field, std::span<const double> values) {
  groups_[slice]->set_raw(field, std::vector<double>(values.begin(), values.end()));
}

std::vector<std::int64_t> cpu_backend::read_pending(std::int64_t step, std::int64_t horizon) const {
  return pack_pending(layout_.ring, ring_.data(), step, horizon);
}

void cpu_backend::write_pending(std::int64_t step, std::int64_t horizon,
                                std::span<const std::int64_t> values) {
  unpack_pending(layout_.ring, ring_.data(), step, horizon, values);
}

plastic_synapses cpu_backend::plastic_layout(std::size_t i, bool with_sources) const {
  plastic_synapses out;
  for (const auto& sh : shards_)
    append_plastic_layout(layout_, sh.plastic[i]->synapses, with_sources, out);
  return out;
}

plastic_state cpu_backend::read_plastic(std::size_t i) const {
  plastic_state st;
  std::vector<const plastic_table*> tables;
  std::vector<source_state> states;
  for (const auto& sh : shards_) {
    const auto w = sh.plastic[i]->canonical_weights();
    st.weight.insert(st.weight.end(), w.begin(), w.end());
    tables.push_back(&sh.plastic[i]->synapses);
    states.push_back({sh.plastic[i]->pre_fields(), sh.plastic[i]->pre_last()});
  }
  gather_sources(layout_, tables, states, st);
  return st;
}

void cpu_backend::write_plastic(std::size_t i, const plastic_state& st) {
  std::size_t at = 0;
  for (auto& sh : shards_) {
    auto& pp = *sh.plastic[i];
    const std::size_t n = pp.synapses.canonical.size();
    if (pp.plastic_weight()) {
      if (at + n > st.weight.size())
        throw internal_error("write_plastic: too few weights");
      pp.set_canonical_weights(std::vector<double>(st.weight.begin() + static_cast<std::ptrdiff_t>(at),
                                                   st.weight.begin() + static_cast<std::ptrdiff_t>(at + n)));
    }
    at += n;
    // Per-source state arrives indexed by population; this shard's rows cover part of it.
    const auto rows = scatter_sources(layout_, pp.synapses, st);
    pp.set_pre(rows.fields, rows.last);
  }
}

post_history_lists cpu_backend::read_post_histories() const {
  post_history_lists lists(layout_.n_local);
  for (std::uint64_t l = 0; l < layout_.n_local; ++l)
    if (post_.keeps(l))
      lists[l] = post_.spikes(l);
  return lists;
}

void cpu_backend::write_post_histories(post_history_lists lists) {
  for (std::uint64_t l = 0; l < layout_.n_local && l < lists.size(); ++l)
    if (post_.keeps(l))
      post_.set_spikes(l, std::move(lists[l]));
  for (auto& sh : shards_) {
    sh.history_entries = 0;
    for (std::uint64_t l = sh.first_local; l < sh.end_local; ++l)
      if (post_.keeps(l))
        sh.history_entries += post_.spikes(l).size();
    sh.prune_at = prune_threshold(sh, sh.history_entries);
  }
}

backend_counters cpu_backend::counters() const {
  backend_counters c;
  for (const auto& sh : shards_) {
    c.static_synaptic_events += sh.static_events;
    c.synapses += sh.table.synapses.size();
    c.synapse_bytes += sh.table.bytes();
    for (const auto& p : sh.plastic) {
      c.synapses += p->n_synapses();
      c.synapse_bytes += p->bytes();
    }
  }
  for (const auto& g : groups_)
    c.saturated_input_steps += g->saturated_inputs();
  return c;
}

} // namespace myelin::cpu
