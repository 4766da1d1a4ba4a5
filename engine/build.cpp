#include "engine/build.hpp"

#include "engine/connectivity.hpp"
#include "engine/cpu/group_factory.hpp"
#include "engine/error.hpp"
#include "engine/fixed_point.hpp"
#include "engine/sampling.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

namespace myelin {
namespace {

// Walks every synapse of the included projections whose target has a local
// index in [first, end), in a fixed order: projections in file order, then
// targets (or sources, for fixed_outdegree) ascending.
// visit(source_gid, target_local, delay_steps, weight).
template <bool with_weights, class Visit>
void for_each_synapse(const std::vector<projection_generator>& gens, const spec::network& net,
                      const local_network& ln, const std::vector<char>& include, std::uint64_t first,
                      std::uint64_t end, connect_scratch& sc, Visit&& visit) {
  for (std::size_t p = 0; p < gens.size(); ++p) {
    if (!include[p])
      continue;
    const auto& g = gens[p];
    try {
      const std::uint64_t tg = g.target_first_gid(), sg = g.source_first_gid();
      const auto tp = static_cast<std::size_t>(net.find_population(net.projections[p].target));
      const auto [pop_first, pop_end] = ln.local_range(tp);
      const std::uint64_t lo = std::max(first, pop_first), hi = std::min(end, pop_end);
      if (lo >= hi)
        continue;
      if (g.keyed_by_source()) {
        for (std::uint64_t s = 0; s < g.source_size(); ++s) {
          g.choose(s, sc);
          auto ds = g.delay_stream(s);
          auto ws = g.weight_stream(s);
          for (auto t : sc.chosen) {
            // Draw for every synapse, owned or not, so streams stay aligned.
            const auto d = g.next_delay(ds);
            const double w = with_weights ? g.next_weight(ws) : 0.0;
            if (!ln.owns(tp, tg + t))
              continue;
            const std::uint64_t local = ln.local_index(tp, tg + t);
            if (local >= lo && local < hi)
              visit(sg + s, local, d, w);
          }
        }
      } else {
        for (std::uint64_t local = lo; local < hi; ++local) {
          const std::uint64_t t = ln.index_in_population(local);
          g.choose(t, sc);
          auto ds = g.delay_stream(t);
          auto ws = g.weight_stream(t);
          for (auto s : sc.chosen) {
            const auto d = g.next_delay(ds);
            const double w = with_weights ? g.next_weight(ws) : 0.0;
            visit(sg + s, local, d, w);
          }
        }
      }
    } catch (const sampling_error& e) {
      throw model_error(net.source_file, "projections[" + std::to_string(p) + "].synapse.weight", e.what());
    }
  }
}

// Listed synapses grouped by their target's local index.
struct listed_by_target {
  std::vector<std::uint64_t> offsets; // per local neuron, plus the total
  std::vector<listed_synapse> synapses;

  listed_by_target(const std::vector<listed_synapse>& listed, const local_network& ln)
      : offsets(ln.n_local + 1, 0)
      , synapses(listed.size()) {
    std::vector<std::uint64_t> local(listed.size());
    for (std::size_t k = 0; k < listed.size(); ++k) {
      const auto p = ln.population_of(listed[k].target);
      if (!ln.owns(p, listed[k].target))
        throw internal_error("a listed synapse of a target this rank does not own");
      local[k] = ln.local_index(p, listed[k].target);
      ++offsets[local[k] + 1];
    }
    for (std::uint64_t l = 0; l < ln.n_local; ++l)
      offsets[l + 1] += offsets[l];
    std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (std::size_t k = 0; k < listed.size(); ++k)
      synapses[cursor[local[k]]++] = listed[k];
  }

  // visit(source_gid, target_local, delay_steps, weight) for targets in [first, end).
  template <class Visit>
  void for_each(std::uint64_t first, std::uint64_t end, Visit&& visit) const {
    if (synapses.empty())
      return;
    for (std::uint64_t l = first; l < end; ++l)
      for (std::uint64_t k = offsets[l]; k < offsets[l + 1]; ++k)
        visit(synapses[k].source, l, synapses[k].delay, synapses[k].weight);
  }
};

// Sorts each source's synapses by delay (stable: targets stay ascending) and
// records one segment per distinct delay. Narrow delay ranges (the 8-bit
// case) use a counting sort; wide ones a comparison sort, so the cost never
// grows with the range times the number of sources.
template <class Delay>
void make_segments(synapse_table& t, std::uint64_t n_sources, const std::vector<std::uint64_t>& offsets,
                   const std::vector<Delay>& delay, std::int64_t dmin, std::int64_t dmax) {
  const auto range = static_cast<std::size_t>(dmax - dmin + 1);
  const bool counting = range <= 256;
  std::vector<std::uint64_t> histogram(counting ? range : 0);
  std::vector<std::pair<Delay, synapse>> by_delay;
  std::vector<synapse> sorted;
  t.source_segments.assign(n_sources + 1, 0);
  t.segment_synapses.push_back(0);
  auto open_segment = [&](std::int64_t d, std::uint64_t end) {
    t.segment_delay.push_back(static_cast<std::uint16_t>(d));
    t.segment_synapses.push_back(end);
  };
  for (std::uint64_t src = 0; src < n_sources; ++src) {
    t.source_segments[src] = t.segment_delay.size();
    const std::uint64_t b = offsets[src], e = offsets[src + 1];
    if (b == e)
      continue;
    if (delay.empty()) {
      open_segment(dmin, e);
      continue;
    }
    if (!counting) {
      by_delay.clear();
      for (std::uint64_t k = b; k < e; ++k)
        by_delay.emplace_back(delay[k], t.synapses[k]);
      std::stable_sort(by_delay.begin(), by_delay.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      for (std::uint64_t k = b; k < e; ++k) {
        const auto& [d, syn] = by_delay[k - b];
        t.synapses[k] = syn;
        if (k + 1 == e || by_delay[k + 1 - b].first != d)
          open_segment(dmin + static_cast<std::int64_t>(d), k + 1);
      }
      continue;
    }
    std::fill(histogram.begin(), histogram.end(), 0);
    for (std::uint64_t k = b; k < e; ++k)
      ++histogram[delay[k]];
    std::uint64_t pos = b;
    for (std::size_t d = 0; d < range; ++d) {
      if (!histogram[d])
        continue;
      const std::uint64_t n = histogram[d];
      histogram[d] = pos; // becomes the write cursor
      pos += n;
      open_segment(dmin + static_cast<std::int64_t>(d), pos);
    }
    sorted.resize(e - b);
    for (std::uint64_t k = b; k < e; ++k)
      sorted[histogram[delay[k]]++ - b] = t.synapses[k];
    std::copy(sorted.begin(), sorted.end(), t.synapses.begin() + static_cast<std::ptrdiff_t>(b));
  }
  t.source_segments[n_sources] = t.segment_delay.size();
}

struct shard_result {
  std::int64_t dmin = std::numeric_limits<std::int64_t>::max(), dmax = 0;
  void merge(const shard_result& o) {
    dmin = std::min(dmin, o.dmin);
    dmax = std::max(dmax, o.dmax);
  }
};

// Which synapses go into one table, and how its rows are numbered.
struct table_request {
  std::vector<char> include;       // per projection
  std::uint64_t source_offset = 0; // row = source gid - source_offset
  std::uint64_t n_rows = 0;
  const listed_by_target* listed = nullptr; // listed synapses join this (static) table
  bool canonical = false;                   // plastic: keep each synapse's canonical position
  std::uint64_t target_first = 0; // canonical: the targets' local indices [target_first, target_end)
  std::uint64_t target_end = 0;
};

// What a canonical table adds: positions and the initial weights, in table order.
struct canonical_order {
  std::vector<std::uint64_t> target_offsets{0};
  std::vector<std::uint32_t> position;
  std::vector<double> weight;
};

// Builds one table in two passes over the same walk: count per row (and per
// target), then write each synapse in place; delays are kept beside the
// synapses only until they become segments.
shard_result build_table(synapse_table& t, canonical_order* order, const table_request& req,
                         const std::vector<projection_generator>& gens, const spec::network& net,
                         const local_network& ln, const thread_shard& shard) {
  connect_scratch sc;
  shard_result r;
  const std::uint64_t n_rows = req.n_rows;
  std::vector<std::uint64_t> offsets(n_rows + 1, 0);
  std::vector<std::uint64_t> per_target(req.canonical ? req.target_end - req.target_first + 1 : 0, 0);
  for_each_synapse<false>(gens, net, ln, req.include, shard.first_local, shard.end_local, sc,
                          [&](std::uint64_t s, std::uint64_t tgt, std::int64_t d, double) {
                            ++offsets[s - req.source_offset + 1];
                            if (req.canonical)
                              ++per_target[tgt - req.target_first + 1];
                            r.dmin = std::min(r.dmin, d);
                            r.dmax = std::max(r.dmax, d);
                          });
  if (req.listed)
    req.listed->for_each(shard.first_local, shard.end_local,
                         [&](std::uint64_t s, std::uint64_t, std::int64_t d, double) {
                           ++offsets[s - req.source_offset + 1];
                           r.dmin = std::min(r.dmin, d);
                           r.dmax = std::max(r.dmax, d);
                         });
  for (std::uint64_t i = 0; i < n_rows; ++i)
    offsets[i + 1] += offsets[i];
  for (std::size_t i = 0; i + 1 < per_target.size(); ++i)
    per_target[i + 1] += per_target[i];
  const std::uint64_t total = offsets[n_rows];
  if (req.canonical && total >= (std::uint64_t{1} << 32))
    throw model_error(
        net.source_file, "projections",
        "more than 2^32 - 1 plastic synapses of one projection on one thread; use more threads or ranks");
  t.synapses.resize(total);
  const bool varied = total > 0 && r.dmax > r.dmin;
  const bool narrow = r.dmax - r.dmin < 256;
  std::vector<std::uint8_t> delay8(varied && narrow ? total : 0);
  std::vector<std::uint16_t> delay16(varied && !narrow ? total : 0);
  std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
  // Canonical tables park each synapse's canonical position in the weight's
  // bits while the table is sorted by delay, and keep the weights aside.
  std::vector<std::uint64_t> seen;
  std::vector<double> canonical_weight;
  if (req.canonical) {
    seen.assign(per_target.begin(), per_target.end() - 1);
    canonical_weight.resize(total);
  }
  auto place = [&](std::uint64_t s, std::uint64_t tgt, std::int64_t d, double w) {
    const std::uint64_t k = cursor[s - req.source_offset]++;
    // Held within the fixed-point range here, once, so that delivery need
    // not check (a rare draw of an unbounded distribution beyond it).
    w = clamp_weight(w);
    float stored = static_cast<float>(w);
    if (req.canonical) {
      const std::uint64_t c = seen[tgt - req.target_first]++;
      canonical_weight[c] = w;
      stored = std::bit_cast<float>(static_cast<std::uint32_t>(c));
    }
    t.synapses[k] = {static_cast<std::uint32_t>(tgt), stored};
    if (varied) {
      if (narrow)
        delay8[k] = static_cast<std::uint8_t>(d - r.dmin);
      else
        delay16[k] = static_cast<std::uint16_t>(d - r.dmin);
    }
  };
  for_each_synapse<true>(gens, net, ln, req.include, shard.first_local, shard.end_local, sc, place);
  if (req.listed)
    req.listed->for_each(shard.first_local, shard.end_local, place);
  cursor = {};
  if (varied && !narrow)
    make_segments(t, n_rows, offsets, delay16, r.dmin, r.dmax);
  else
    make_segments(t, n_rows, offsets, delay8, total ? r.dmin : 1, total ? r.dmax : 1);
  t.segment_delay.shrink_to_fit();
  t.segment_synapses.shrink_to_fit();
  if (req.canonical) {
    order->target_offsets = std::move(per_target);
    order->position.resize(total);
    order->weight.resize(total);
    for (std::uint64_t k = 0; k < total; ++k) {
      const auto c = std::bit_cast<std::uint32_t>(t.synapses[k].weight);
      order->position[k] = c;
      order->weight[k] = canonical_weight[c];
      t.synapses[k].weight = static_cast<float>(canonical_weight[c]);
    }
  }
  return r;
}

bool is_plastic(const spec::projection& pr) {
  return models::find_synapse_model(pr.synapse_model)->plastic;
}

// One thread's tables: every static projection in one table, each plastic
// projection in its own.
shard_result build_shard(thread_shard& shard, const std::vector<projection_generator>& gens,
                         const spec::network& net, const local_network& ln, const listed_by_target& listed) {
  table_request stat;
  stat.n_rows = ln.n_global;
  stat.listed = &listed;
  for (const auto& pr : net.projections)
    stat.include.push_back(!is_plastic(pr));
  shard_result r = build_table(shard.table, nullptr, stat, gens, net, ln, shard);
  for (std::size_t p = 0; p < net.projections.size(); ++p) {
    if (stat.include[p])
      continue;
    const auto& pr = net.projections[p];
    const auto sp = static_cast<std::size_t>(net.find_population(pr.source));
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto [pop_first, pop_end] = ln.local_range(tp);
    table_request req;
    req.include.assign(net.projections.size(), 0);
    req.include[p] = 1;
    req.source_offset = ln.population_offsets[sp];
    req.n_rows = net.populations[sp].size;
    req.canonical = true;
    req.target_first = std::max(shard.first_local, pop_first);
    req.target_end = std::max(req.target_first, std::min(shard.end_local, pop_end));
    auto proj = make_plastic_projection(net, p);
    proj->source_first_gid = req.source_offset;
    proj->n_sources = req.n_rows;
    proj->target_first = req.target_first;
    canonical_order order;
    r.merge(build_table(proj->table, &order, req, gens, net, ln, shard));
    proj->target_offsets = std::move(order.target_offsets);
    proj->canonical = std::move(order.position);
    proj->init_state(std::move(order.weight));
    shard.plastic.push_back(std::move(proj));
  }
  return r;
}

void attach_devices(local_network& ln, const spec::network& net) {
  for (std::size_t d = 0; d < net.poisson_devices.size(); ++d) {
    const auto& dev = net.poisson_devices[d];
    for (const auto& target : dev.targets) {
      poisson_input in;
      in.table = poisson_table(dev.rate * net.run.dt * 1e-3);
      in.key = rng::make_key(net.run.seed, rng::purpose::poisson, d);
      in.weight = to_fixed(dev.weight);
      in.channel = dev.weight < 0 ? 1 : 0;
      in.delay = spec::delay_steps(dev.delay, net.run.dt);
      const auto p = static_cast<std::size_t>(net.find_population(target));
      for (auto g = ln.population_slices[p]; g < ln.population_slices[p + 1]; ++g)
        ln.groups[g]->add_poisson(in);
    }
  }
}

void attach_multimeters(local_network& ln, const spec::network& net) {
  for (const auto& m : net.multimeters) {
    // A SONATA population's parts may differ in model: state indices are per part.
    const auto [first_gid, size] = net.output_range(m.population);
    auto buf = std::make_unique<trace_buffer>();
    buf->interval = std::llround(m.interval / net.run.dt);
    for (const auto& v : m.variables)
      buf->variables.push_back(
          models::find_model(net.populations[net.population_of(first_gid)].model)->find_state(v));
    std::vector<std::uint64_t> ids = m.ids;
    if (ids.empty())
      for (std::uint64_t i = 0; i < size; ++i)
        ids.push_back(i);
    std::vector<std::uint64_t> columns; // positions in ids held by this rank
    for (std::size_t c = 0; c < ids.size(); ++c) {
      const std::uint64_t gid = first_gid + ids[c];
      const std::size_t pop = net.population_of(gid);
      if (!ln.owns(pop, gid))
        continue;
      const auto g = ln.slice_of(pop, gid);
      const std::uint64_t in_group = ln.local_index(pop, gid) - ln.slices[g].first_local;
      ln.groups[g]->add_probe({in_group, buf.get(), columns.size() * buf->variables.size()});
      columns.push_back(c);
    }
    buf->row_size = columns.size() * buf->variables.size();
    ln.trace_columns.push_back(std::move(columns));
    ln.traces.push_back(std::move(buf));
  }
}

// Neurons that are targets of an STDP projection keep their spike history,
// with their population's tau_minus.
void attach_post_histories(local_network& ln, const spec::network& net) {
  std::vector<double> tau_minus(ln.n_local, 0.0);
  for (const auto& pr : net.projections) {
    if (!models::find_synapse_model(pr.synapse_model)->uses_post_spikes)
      continue;
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto& params = net.populations[tp].params;
    const auto it = params.find(models::tau_minus_name);
    const double tau = it != params.end() ? it->second : models::default_tau_minus;
    const auto [first, end] = ln.local_range(tp);
    std::fill(tau_minus.begin() + static_cast<std::ptrdiff_t>(first),
              tau_minus.begin() + static_cast<std::ptrdiff_t>(end), tau);
  }
  ln.post = post_histories(std::move(tau_minus));
  for (auto& sh : ln.shards)
    sh.prune_at = prune_threshold(sh, 0);
}

// Tells the owner of every source with synapses here that this rank needs its
// spikes; builds, for each local neuron, the list of ranks that need them.
void subscribe(local_network& ln, const partition::decomposition& decomp, comm::communicator& comm) {
  std::vector<std::vector<std::uint64_t>> wanted(static_cast<std::size_t>(ln.n_ranks));
  for (std::uint64_t gid = 0; gid < ln.n_global; ++gid) {
    bool needed = false;
    for (const auto& sh : ln.shards) {
      needed = needed || sh.table.source_segments[gid + 1] > sh.table.source_segments[gid];
      for (const auto& pp : sh.plastic)
        needed = needed || (gid >= pp->source_first_gid && gid - pp->source_first_gid < pp->n_sources &&
                            pp->has_source(gid - pp->source_first_gid));
    }
    if (needed)
      wanted[static_cast<std::size_t>(decomp.owner(gid))].push_back(gid);
  }
  std::vector<std::span<const std::byte>> blocks;
  for (const auto& w : wanted)
    blocks.push_back(std::as_bytes(std::span(w)));
  std::vector<std::size_t> counts;
  const auto received = comm.all_to_all_v(blocks, counts);
  // received: rank after rank, the local gids that rank needs.
  std::vector<std::uint64_t> per_neuron(ln.n_local + 1, 0);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pairs; // (local index, subscriber rank)
  std::size_t at = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    for (std::size_t k = 0; k < counts[r] / sizeof(std::uint64_t); ++k) {
      std::uint64_t gid;
      std::memcpy(&gid, received.data() + at + k * sizeof gid, sizeof gid);
      const std::uint64_t local = ln.local_index(ln.population_of(gid), gid);
      pairs.emplace_back(local, static_cast<std::uint32_t>(r));
      ++per_neuron[local + 1];
    }
    at += counts[r];
  }
  for (std::uint64_t l = 0; l < ln.n_local; ++l)
    per_neuron[l + 1] += per_neuron[l];
  ln.subscriber_ranks.resize(pairs.size());
  std::vector<std::uint64_t> cursor(per_neuron.begin(), per_neuron.end() - 1);
  for (const auto& [local, r] : pairs) // ranks ascending per neuron, as received
    ln.subscriber_ranks[cursor[local]++] = r;
  ln.subscriber_offsets = std::move(per_neuron);
}

} // namespace

std::int64_t choose_epoch_steps(std::int64_t min_delay, bool overlap) {
  // Without synapses nothing constrains the epoch; 100 steps keeps the
  // per-epoch overhead small and recorder buffers short.
  if (min_delay <= 0)
    return 100;
  return overlap ? min_delay / 2 : min_delay;
}

local_network build(const spec::network& net, unsigned threads, const std::vector<listed_synapse>& listed) {
  comm::local_communicator comm;
  return build(net, partition::decomposition(net, 1, partition::strategy::block), comm, threads, listed);
}

local_network build(const spec::network& net, const partition::decomposition& decomp,
                    comm::communicator& comm, unsigned threads, const std::vector<listed_synapse>& listed) {
  if (threads == 0)
    threads = 1;
  local_network ln;
  ln.rank = comm.rank();
  ln.n_ranks = comm.size();
  ln.dt = net.run.dt;
  ln.n_global = net.total_neurons();
  ln.n_local = decomp.local_count(ln.rank);
  ln.population_offsets = net.population_offsets();
  ln.slices = decomp.slices(ln.rank);
  ln.population_slices.assign(net.populations.size() + 1, 0);
  for (const auto& s : ln.slices)
    ++ln.population_slices[s.population + 1];
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    ln.population_slices[p + 1] += ln.population_slices[p];
  for (const auto& s : ln.slices)
    ln.groups.push_back(cpu::make_group(net, s.population, s));
  for (std::size_t p = 0; p < net.populations.size(); ++p) { // known even where a rank holds none
    partition::slice none;
    none.population = p;
    ln.raw_fields.push_back(cpu::make_group(net, p, none)->raw_fields());
  }

  std::vector<projection_generator> gens;
  for (std::size_t p = 0; p < net.projections.size(); ++p)
    gens.emplace_back(net, p);

  const listed_by_target by_target(listed, ln);
  ln.shards.resize(threads);
  for (unsigned t = 0; t < threads; ++t) {
    ln.shards[t].first_local = ln.n_local * t / threads;
    ln.shards[t].end_local = ln.n_local * (t + 1) / threads;
  }
  std::vector<shard_result> results(threads);
  std::vector<std::exception_ptr> errors(threads);
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        try {
          results[t] = build_shard(ln.shards[t], gens, net, ln, by_target);
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
  }
  for (auto& e : errors)
    if (e)
      std::rethrow_exception(e);

  std::int64_t dmin = std::numeric_limits<std::int64_t>::max(), dmax = 0;
  for (const auto& r : results) {
    dmin = std::min(dmin, r.dmin);
    dmax = std::max(dmax, r.dmax);
  }
  // The epoch must be the same on every rank: the smallest delay anywhere.
  // Local spikes travel the same path as remote ones (sent at the end of the
  // epoch), so local synapses bound it too.
  const double global_min = comm.min(dmax > 0 ? static_cast<double>(dmin) : 1e18);
  ln.min_delay = global_min < 1e18 ? static_cast<std::int64_t>(global_min) : 0;
  ln.max_delay = dmax;
  ln.overlap = ln.n_ranks > 1 && ln.min_delay >= 2;
  ln.epoch_steps = choose_epoch_steps(ln.min_delay, ln.overlap);
  attach_devices(ln, net);
  attach_multimeters(ln, net);
  attach_post_histories(ln, net);
  subscribe(ln, decomp, comm);

  std::int64_t device_delay = 0;
  for (const auto& d : net.poisson_devices)
    device_delay = std::max(device_delay, spec::delay_steps(d.delay, net.run.dt));
  // Slots a neuron's pending input can span, counted from the step it reads
  // next. Spikes are delivered before an epoch reads anything, for steps
  // below (epoch start + largest delay); Poisson input is written `delay`
  // steps past the step being read. So max(largest delay, device delay + 1)
  // slots suffice, with or without overlapping epochs.
  ln.ring_slots = std::max<std::int64_t>({ln.max_delay, device_delay + 1, 1});
  ln.ring.assign(2 * static_cast<std::size_t>(ln.ring_slots) * ln.n_local, 0);
  for (auto& tb : ln.traces)
    tb->rows.assign(static_cast<std::size_t>(ln.epoch_steps / tb->interval + 1) * tb->row_size, 0.0);
  return ln;
}

} // namespace myelin
