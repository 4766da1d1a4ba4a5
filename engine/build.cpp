#include "engine/build.hpp"

#include "engine/connectivity.hpp"
#include "engine/cpu/group_factory.hpp"
#include "engine/error.hpp"
#include "engine/fixed_point.hpp"
#include "engine/sampling.hpp"
#include "models/registry.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <thread>

namespace myelin {
namespace {

// Walks every synapse whose target lies in [first, end), in a fixed order:
// projections in file order, then targets (or sources, for fixed_outdegree)
// ascending. visit(source_gid, target_gid, delay_steps, weight).
template <bool with_weights, class Visit>
void for_each_synapse(const std::vector<projection_generator>& gens, const spec::network& net,
                      std::uint64_t first, std::uint64_t end, connect_scratch& sc, Visit&& visit) {
  for (std::size_t p = 0; p < gens.size(); ++p) {
    const auto& g = gens[p];
    try {
      const std::uint64_t tg = g.target_first_gid(), sg = g.source_first_gid();
      const std::uint64_t lo = std::max(first, tg), hi = std::min(end, tg + g.target_size());
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
            if (tg + t >= lo && tg + t < hi)
              visit(sg + s, tg + t, d, w);
          }
        }
      } else {
        for (std::uint64_t t = lo - tg; t < hi - tg; ++t) {
          g.choose(t, sc);
          auto ds = g.delay_stream(t);
          auto ws = g.weight_stream(t);
          for (auto s : sc.chosen) {
            const auto d = g.next_delay(ds);
            const double w = with_weights ? g.next_weight(ws) : 0.0;
            visit(sg + s, tg + t, d, w);
          }
        }
      }
    } catch (const sampling_error& e) {
      throw model_error(net.source_file, "projections[" + std::to_string(p) + "].synapse.weight", e.what());
    }
  }
}

// Sorts each source's synapses by delay (stable: targets stay ascending) and
// records one segment per distinct delay.
template <class Delay>
void make_segments(synapse_table& t, std::uint64_t n_sources, const std::vector<std::uint64_t>& offsets,
                   const std::vector<Delay>& delay, std::int64_t dmin, std::int64_t dmax) {
  const auto range = static_cast<std::size_t>(dmax - dmin + 1);
  std::vector<std::uint64_t> histogram(range);
  std::vector<synapse> sorted;
  t.source_segments.assign(n_sources + 1, 0);
  t.segment_synapses.push_back(0);
  for (std::uint64_t src = 0; src < n_sources; ++src) {
    t.source_segments[src] = t.segment_delay.size();
    const std::uint64_t b = offsets[src], e = offsets[src + 1];
    if (b == e)
      continue;
    if (delay.empty()) {
      t.segment_delay.push_back(static_cast<std::uint16_t>(dmin));
      t.segment_synapses.push_back(e);
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
      t.segment_delay.push_back(static_cast<std::uint16_t>(dmin + static_cast<std::int64_t>(d)));
      t.segment_synapses.push_back(pos);
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
};

shard_result build_shard(thread_shard& shard, const std::vector<projection_generator>& gens,
                         const spec::network& net, std::uint64_t n_global) {
  connect_scratch sc;
  shard_result r;
  std::vector<std::uint64_t> offsets(n_global + 1, 0);
  // Pass 1: count synapses per source and find the delay range.
  for_each_synapse<false>(gens, net, shard.first_local, shard.end_local, sc,
                          [&](std::uint64_t s, std::uint64_t, std::int64_t d, double) {
                            ++offsets[s + 1];
                            r.dmin = std::min(r.dmin, d);
                            r.dmax = std::max(r.dmax, d);
                          });
  for (std::uint64_t i = 0; i < n_global; ++i)
    offsets[i + 1] += offsets[i];
  const std::uint64_t total = offsets[n_global];
  auto& t = shard.table;
  t.synapses.resize(total);
  // Pass 2: the same walk, now writing each synapse in place. Delays are kept
  // beside the synapses only until they are turned into segments.
  const bool varied = total > 0 && r.dmax > r.dmin;
  const bool narrow = r.dmax - r.dmin < 256;
  std::vector<std::uint8_t> delay8(varied && narrow ? total : 0);
  std::vector<std::uint16_t> delay16(varied && !narrow ? total : 0);
  std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
  for_each_synapse<true>(gens, net, shard.first_local, shard.end_local, sc,
                         [&](std::uint64_t s, std::uint64_t tgt, std::int64_t d, double w) {
                           const std::uint64_t k = cursor[s]++;
                           t.synapses[k] = {static_cast<std::uint32_t>(tgt), static_cast<float>(w)};
                           if (varied) {
                             if (narrow)
                               delay8[k] = static_cast<std::uint8_t>(d - r.dmin);
                             else
                               delay16[k] = static_cast<std::uint16_t>(d - r.dmin);
                           }
                         });
  cursor = {};
  if (varied && !narrow)
    make_segments(t, n_global, offsets, delay16, r.dmin, r.dmax);
  else
    make_segments(t, n_global, offsets, delay8, total ? r.dmin : 1, total ? r.dmax : 1);
  t.segment_delay.shrink_to_fit();
  t.segment_synapses.shrink_to_fit();
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
      ln.groups[static_cast<std::size_t>(net.find_population(target))]->add_poisson(std::move(in));
    }
  }
}

void attach_multimeters(local_network& ln, const spec::network& net) {
  for (const auto& m : net.multimeters) {
    const auto pop = static_cast<std::size_t>(net.find_population(m.population));
    const auto* info = models::find_model(net.populations[pop].model);
    auto buf = std::make_unique<trace_buffer>();
    buf->interval = std::llround(m.interval / net.run.dt);
    for (const auto& v : m.variables)
      buf->variables.push_back(info->find_state(v));
    std::vector<std::uint64_t> ids = m.ids;
    if (ids.empty())
      for (std::uint64_t i = 0; i < net.populations[pop].size; ++i)
        ids.push_back(i);
    buf->row_size = ids.size() * buf->variables.size();
    for (std::size_t c = 0; c < ids.size(); ++c)
      ln.groups[pop]->add_probe({ids[c], buf.get(), c * buf->variables.size()});
    ln.trace_columns.push_back(ids.size());
    ln.traces.push_back(std::move(buf));
  }
}

} // namespace

std::int64_t choose_epoch_steps(std::int64_t min_delay) {
  // Without synapses nothing constrains the epoch; 100 steps keeps the
  // per-epoch overhead small and recorder buffers short.
  return min_delay > 0 ? min_delay : 100;
}

local_network build(const spec::network& net, unsigned threads) {
  if (threads == 0)
    threads = 1;
  local_network ln;
  ln.dt = net.run.dt;
  ln.n_global = net.total_neurons();
  ln.n_local = ln.n_global;
  ln.population_offsets = net.population_offsets();
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    ln.groups.push_back(cpu::make_group(net, p, ln.population_offsets[p], ln.population_offsets[p], 0,
                                        net.populations[p].size));

  std::vector<projection_generator> gens;
  for (std::size_t p = 0; p < net.projections.size(); ++p)
    gens.emplace_back(net, p);

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
          results[t] = build_shard(ln.shards[t], gens, net, ln.n_global);
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
  ln.min_delay = dmax > 0 ? dmin : 0;
  ln.max_delay = dmax;
  attach_devices(ln, net);
  attach_multimeters(ln, net);

  std::int64_t device_delay = 0;
  for (const auto& d : net.poisson_devices)
    device_delay = std::max(device_delay, spec::delay_steps(d.delay, net.run.dt));
  // Local spikes travel the same path as remote ones (sent to this rank at the
  // end of the epoch), so the epoch may not exceed the smallest delay.
  ln.epoch_steps = choose_epoch_steps(ln.min_delay);
  // Slots from the current step up to the furthest write: the end of the
  // epoch plus the largest delay.
  ln.ring_slots = std::max(ln.max_delay, device_delay) + ln.epoch_steps + 1;
  ln.ring.assign(2 * static_cast<std::size_t>(ln.ring_slots) * ln.n_local, 0);
  for (auto& tb : ln.traces)
    tb->rows.assign(static_cast<std::size_t>(ln.epoch_steps / tb->interval + 1) * tb->row_size, 0.0);
  return ln;
}

} // namespace myelin
