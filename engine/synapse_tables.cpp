#include "engine/synapse_tables.hpp"

#include "engine/connectivity.hpp"
#include "engine/fixed_point.hpp"
#include "engine/sampling.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <barrier>
#include <bit>
#include <exception>
#include <limits>
#include <thread>

namespace myelin {
namespace {

// Sources are numbered twice while tables are built. First as candidates:
// every neuron of a population that feeds this rank (a source of a
// projection with targets here, or of a listed synapse), so that counting
// needs no lookup. Then, once every block has counted, as rows: only the
// candidates with synapses here, ascending by gid. Tables end up sized by
// rows, never by the whole network.
struct source_candidates {
  static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::uint64_t> base; // per population: its first candidate, or none
  std::uint64_t count = 0;
  std::uint64_t of(std::size_t population, std::uint64_t index_in_population) const {
    return base[population] + index_in_population;
  }
};

bool is_plastic(const spec::projection& pr) {
  return models::find_synapse_model(pr.synapse_model)->plastic;
}

// Listed synapses grouped by their target's local index, sources as candidates.
struct listed_by_target {
  struct entry {
    std::uint64_t candidate;
    std::int64_t delay;
    double weight;
    int port;
  };
  std::vector<std::uint64_t> offsets; // per local neuron, plus the total
  std::vector<entry> synapses;

  listed_by_target() = default;
  // The listed synapses `mine` (indices into listed, ascending), each
  // target's in the order listed (file row order).
  listed_by_target(const std::vector<listed_synapse>& listed, const std::vector<std::size_t>& mine,
                   const rank_layout& ln, const source_candidates& cands) {
    if (mine.empty())
      return;
    offsets.assign(ln.n_local + 1, 0);
    std::vector<std::uint64_t> local(mine.size());
    for (std::size_t k = 0; k < mine.size(); ++k) {
      const auto& s = listed[mine[k]];
      const auto p = ln.population_of(s.target);
      if (!ln.owns(p, s.target))
        throw internal_error("a listed synapse of a target this rank does not own");
      local[k] = ln.local_index(p, s.target);
      ++offsets[local[k] + 1];
    }
    for (std::uint64_t l = 0; l < ln.n_local; ++l)
      offsets[l + 1] += offsets[l];
    synapses.resize(mine.size());
    std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      const auto& s = listed[mine[k]];
      const auto sp = ln.population_of(s.source);
      synapses[cursor[local[k]]++] = {cands.of(sp, s.source - ln.population_offsets[sp]), s.delay, s.weight,
                                      s.port};
    }
  }

  // visit(source_candidate, target_local, delay_steps, weight, port) for targets in [first, end).
  template <class Visit>
  void for_each(std::uint64_t first, std::uint64_t end, Visit&& visit) const {
    if (synapses.empty())
      return;
    for (std::uint64_t l = first; l < end; ++l)
      for (std::uint64_t k = offsets[l]; k < offsets[l + 1]; ++k)
        visit(synapses[k].candidate, l, synapses[k].delay, synapses[k].weight, synapses[k].port);
  }
};

// Walks every synapse of the included projections whose target has a local
// index in [first, end), in a fixed order: projections in file order, then
// targets (or sources, for fixed_outdegree) ascending; a projection of
// listed edges (rule kind edges) walks them, targets ascending.
// visit(source_candidate, target_local, delay_steps, weight, receptor_port).
template <bool with_weights, class Visit>
void for_each_synapse(const std::vector<projection_generator>& gens, const spec::network& net,
                      const rank_layout& ln, const source_candidates& cands,
                      const std::vector<listed_by_target>& listed_of, const std::vector<char>& include,
                      std::uint64_t first, std::uint64_t end, connect_scratch& sc, Visit&& visit) {
  for (std::size_t p = 0; p < gens.size(); ++p) {
    if (!include[p])
      continue;
    const auto& g = gens[p];
    try {
      const std::uint64_t tg = g.target_first_gid();
      const auto sp = static_cast<std::size_t>(net.find_population(net.projections[p].source));
      const auto tp = static_cast<std::size_t>(net.find_population(net.projections[p].target));
      const auto [pop_first, pop_end] = ln.local_range(tp);
      const std::uint64_t lo = std::max(first, pop_first), hi = std::min(end, pop_end);
      if (lo >= hi)
        continue;
      if (net.projections[p].connectivity.type == spec::rule::kind::edges) {
        listed_of[p].for_each(lo, hi, visit);
        continue;
      }
      const std::uint64_t cbase = cands.of(sp, 0);
      const int port = net.projections[p].receptor > 0 ? net.projections[p].receptor - 1 : 0;
      if (g.keyed_by_source()) {
        for (std::uint64_t s = 0; s < g.source_size(); ++s) {
          g.choose(s, sc);
          auto ds = g.delay_stream(s);
          auto ws = g.weight_stream(s);
          for (std::size_t k = 0; k < sc.chosen.size(); ++k) {
            const auto t = sc.chosen[k];
            // Draw for every synapse, owned or not, so streams stay aligned.
            const std::uint64_t at = s * sc.chosen.size() + k;
            const auto d = g.delay_of(at, ds);
            const double w = with_weights ? g.weight_of(at, ws) : 0.0;
            if (!ln.owns(tp, tg + t))
              continue;
            const std::uint64_t local = ln.local_index(tp, tg + t);
            if (local >= lo && local < hi)
              visit(cbase + s, local, d, w, port);
          }
        }
      } else {
        for (std::uint64_t local = lo; local < hi; ++local) {
          const std::uint64_t t = ln.index_in_population(local);
          g.choose(t, sc);
          auto ds = g.delay_stream(t);
          auto ws = g.weight_stream(t);
          for (std::size_t k = 0; k < sc.chosen.size(); ++k) {
            const auto s = sc.chosen[k];
            const std::uint64_t at = t * sc.chosen.size() + k;
            const auto d = g.delay_of(at, ds);
            const double w = with_weights ? g.weight_of(at, ws) : 0.0;
            visit(cbase + s, local, d, w, port);
          }
        }
      }
    } catch (const sampling_error& e) {
      throw model_error(net.source_file, "projections[" + std::to_string(p) + "].synapse.weight", e.what());
    }
  }
}

// Sorts each source's synapses by segment key, (delay - dmin) * ports +
// port (stable: targets stay ascending), and records one segment per
// distinct key. Narrow key ranges (the 8-bit case) use a counting sort; wide
// ones a comparison sort, so the cost never grows with the range times the
// number of sources. Without keys every synapse has delay dmin on port 0.
template <class Key>
void make_segments(synapse_table& t, std::uint64_t n_sources, const std::vector<std::uint64_t>& offsets,
                   const std::vector<Key>& key, std::size_t range, std::int64_t dmin, int ports) {
  const bool counting = range <= 256;
  std::vector<std::uint64_t> histogram(counting ? range : 0);
  std::vector<std::pair<Key, synapse>> by_key;
  std::vector<synapse> sorted;
  t.source_segments.assign(n_sources + 1, 0);
  t.segment_synapses.push_back(0);
  auto open_segment = [&](std::uint64_t k, std::uint64_t end) {
    t.segment_delay.push_back(static_cast<std::uint16_t>(dmin + static_cast<std::int64_t>(k) / ports));
    if (ports > 1)
      t.segment_port.push_back(static_cast<std::uint8_t>(static_cast<int>(k) % ports));
    t.segment_synapses.push_back(end);
  };
  for (std::uint64_t src = 0; src < n_sources; ++src) {
    t.source_segments[src] = t.segment_delay.size();
    const std::uint64_t b = offsets[src], e = offsets[src + 1];
    if (b == e)
      continue;
    if (key.empty()) {
      open_segment(0, e);
      continue;
    }
    if (!counting) {
      by_key.clear();
      for (std::uint64_t k = b; k < e; ++k)
        by_key.emplace_back(key[k], t.synapses[k]);
      std::stable_sort(by_key.begin(), by_key.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      for (std::uint64_t k = b; k < e; ++k) {
        const auto& [d, syn] = by_key[k - b];
        t.synapses[k] = syn;
        if (k + 1 == e || by_key[k + 1 - b].first != d)
          open_segment(d, k + 1);
      }
      continue;
    }
    std::fill(histogram.begin(), histogram.end(), 0);
    for (std::uint64_t k = b; k < e; ++k)
      ++histogram[key[k]];
    std::uint64_t pos = b;
    for (std::size_t d = 0; d < range; ++d) {
      if (!histogram[d])
        continue;
      const std::uint64_t n = histogram[d];
      histogram[d] = pos; // becomes the write cursor
      pos += n;
      open_segment(d, pos);
    }
    sorted.resize(e - b);
    for (std::uint64_t k = b; k < e; ++k)
      sorted[histogram[key[k]]++ - b] = t.synapses[k];
    std::copy(sorted.begin(), sorted.end(), t.synapses.begin() + static_cast<std::ptrdiff_t>(b));
  }
  t.source_segments[n_sources] = t.segment_delay.size();
}

struct delay_range {
  std::int64_t dmin = std::numeric_limits<std::int64_t>::max(), dmax = 0;
  void add(std::int64_t d) {
    dmin = std::min(dmin, d);
    dmax = std::max(dmax, d);
  }
  void merge(const delay_range& o) {
    dmin = std::min(dmin, o.dmin);
    dmax = std::max(dmax, o.dmax);
  }
};

// What every table is built from: the walk over the synapses and the numbering.
struct build_context {
  const std::vector<projection_generator>& gens;
  const spec::network& net;
  const rank_layout& ln;
  const source_candidates& cands;
  const listed_by_target& listed;                 // of the static table
  const std::vector<listed_by_target>& listed_of; // per projection (rule kind edges)
};

// One table of one block, built in two walks over the same synapses: count
// per candidate source (and per target), then, once rows are known, write
// each synapse in place; delays are kept beside the synapses only until they
// become segments.
struct table_builder {
  std::vector<char> include;      // per projection
  bool with_listed = false;       // listed synapses join this (static) table
  std::uint64_t cand_first = 0;   // candidates [cand_first, cand_first + counts.size())
  bool canonical = false;         // plastic: keep each synapse's canonical position
  std::uint64_t target_first = 0; // canonical: the targets' local indices [target_first, target_end)
  std::uint64_t target_end = 0;
  std::vector<std::uint64_t> counts; // per candidate: synapses
  std::vector<std::uint64_t> per_target;
  delay_range delays;
  int ports = 1;                           // receptor ports used: 1 + the largest
  std::uint64_t row_first = 0, n_rows = 0; // once numbered

  template <bool with_weights, class Visit>
  void walk(const build_context& cx, const target_block& b, Visit&& visit) const {
    connect_scratch sc;
    for_each_synapse<with_weights>(cx.gens, cx.net, cx.ln, cx.cands, cx.listed_of, include, b.first_local,
                                   b.end_local, sc, visit);
    if (with_listed)
      cx.listed.for_each(b.first_local, b.end_local, visit);
  }

  void count(const build_context& cx, const target_block& b) {
    per_target.assign(canonical ? target_end - target_first + 1 : 0, 0);
    // Locals only in the walk (see fill).
    std::uint64_t* const per_candidate = counts.data();
    std::uint64_t* const per_target_plus_one = per_target.data() + (canonical ? 1 : 0);
    const std::uint64_t first_candidate = cand_first, first_target = target_first;
    const bool keep_canonical = canonical;
    delay_range seen;
    int most_ports = ports;
    walk<false>(cx, b,
                [&, per_candidate, per_target_plus_one, first_candidate, first_target,
                 keep_canonical](std::uint64_t c, std::uint64_t tgt, std::int64_t d, double, int port) {
                  ++per_candidate[c - first_candidate];
                  if (keep_canonical)
                    ++per_target_plus_one[tgt - first_target];
                  seen.add(d);
                  most_ports = std::max(most_ports, port + 1);
                });
    delays = seen;
    ports = most_ports;
  }

  // row_before[c]: rows numbered before candidate c (c's row when c is one).
  void fill(const build_context& cx, const target_block& b, const std::vector<std::uint64_t>& row_before,
            std::uint64_t total_rows, synapse_table& t, plastic_table* order) {
    const std::uint64_t counts_size = counts.size();
    const std::uint64_t cand_end = cand_first + counts_size;
    row_first = counts.empty() ? 0 : row_before[cand_first];
    n_rows =
        counts.empty() ? 0 : (cand_end < row_before.size() ? row_before[cand_end] : total_rows) - row_first;
    std::vector<std::uint64_t> offsets(n_rows + 1, 0);
    for (std::uint64_t c = 0; c < counts.size(); ++c)
      if (counts[c])
        offsets[row_before[cand_first + c] - row_first + 1] = counts[c];
    counts = {};
    for (std::uint64_t i = 0; i < n_rows; ++i)
      offsets[i + 1] += offsets[i];
    for (std::size_t i = 0; i + 1 < per_target.size(); ++i)
      per_target[i + 1] += per_target[i];
    const std::uint64_t total = offsets[n_rows];
    if (canonical && total >= (std::uint64_t{1} << 32))
      throw model_error(
          cx.net.source_file, "projections",
          "more than 2^32 - 1 plastic synapses of one projection on one thread; use more threads or ranks");
    t.synapses.resize(total);
    const delay_range r = delays;
    // Segment keys: (delay - dmin) * ports + port, kept beside the synapses
    // until they become segments; none when every synapse shares one key.
    const bool varied = total > 0 && (r.dmax > r.dmin || ports > 1);
    const std::size_t range =
        varied ? static_cast<std::size_t>(r.dmax - r.dmin + 1) * static_cast<std::size_t>(ports) : 1;
    const bool narrow = range <= 256;
    std::vector<std::uint8_t> key8(varied && narrow ? total : 0);
    std::vector<std::uint32_t> key32(varied && !narrow ? total : 0);
    std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
    // Canonical tables park each synapse's canonical position in the weight's
    // bits while the table is sorted by delay, and keep the weights aside.
    std::vector<std::uint64_t> seen;
    std::vector<double> canonical_weight;
    if (canonical) {
      seen.assign(per_target.begin(), per_target.end() - 1);
      canonical_weight.resize(total);
    }
    // Usually every candidate has synapses (the rows are the candidates):
    // then the row needs no lookup. Everything the walk touches is a local,
    // so that the draws' out-of-line calls do not force reloads of members.
    const bool dense = n_rows == counts_size;
    const bool keep_canonical = canonical;
    const std::uint64_t first_candidate = cand_first, first_row = row_first, first_target = target_first;
    const std::uint64_t ports_used = static_cast<std::uint64_t>(ports);
    const std::uint64_t* const row_of = row_before.data();
    std::uint64_t* const next = cursor.data();
    std::uint64_t* const next_position = seen.data();
    double* const weight_at = canonical_weight.data();
    synapse* const out = t.synapses.data();
    std::uint8_t* const out_key8 = key8.data();
    std::uint32_t* const out_key32 = key32.data();
    walk<true>(cx, b, [=](std::uint64_t c, std::uint64_t tgt, std::int64_t d, double w, int port) {
      const std::uint64_t k = next[dense ? c - first_candidate : row_of[c] - first_row]++;
      // Held within the fixed-point range here, once, so that delivery need
      // not check (a rare draw of an unbounded distribution beyond it).
      w = clamp_weight(w);
      float stored = static_cast<float>(w);
      if (keep_canonical) {
        const std::uint64_t pos = next_position[tgt - first_target]++;
        weight_at[pos] = w;
        stored = std::bit_cast<float>(static_cast<std::uint32_t>(pos));
      }
      out[k] = {static_cast<std::uint32_t>(tgt), stored};
      if (varied) {
        const auto key =
            static_cast<std::uint64_t>(d - r.dmin) * ports_used + static_cast<std::uint64_t>(port);
        if (narrow)
          out_key8[k] = static_cast<std::uint8_t>(key);
        else
          out_key32[k] = static_cast<std::uint32_t>(key);
      }
    });
    cursor = {};
    if (varied && !narrow)
      make_segments(t, n_rows, offsets, key32, range, r.dmin, ports);
    else
      make_segments(t, n_rows, offsets, key8, range, total ? r.dmin : 1, ports);
    // Transient buffers go before the segment arrays are shrunk (copied),
    // so that the copies can reuse their memory.
    key8 = {};
    key32 = {};
    offsets = {};
    t.segment_delay.shrink_to_fit();
    t.segment_port.shrink_to_fit();
    t.segment_synapses.shrink_to_fit();
    if (canonical) {
      order->target_first = target_first;
      order->target_offsets = std::move(per_target);
      order->canonical.resize(total);
      order->initial_weight.resize(total);
      for (std::uint64_t k = 0; k < total; ++k) {
        const auto pos = std::bit_cast<std::uint32_t>(t.synapses[k].weight);
        order->canonical[k] = pos;
        order->initial_weight[k] = canonical_weight[pos];
        t.synapses[k].weight = static_cast<float>(canonical_weight[pos]);
      }
    }
  }
};

// A block's builders: every static projection (and the listed synapses) in
// one table, each plastic projection in its own.
std::vector<table_builder> plan_block(const build_context& cx, const target_block& b) {
  const auto& net = cx.net;
  std::vector<table_builder> builders(1);
  auto& stat = builders[0];
  stat.with_listed = true;
  stat.counts.assign(cx.cands.count, 0);
  for (const auto& pr : net.projections)
    stat.include.push_back(!is_plastic(pr));
  const std::vector<char> is_static = stat.include; // builders grows below: no references into it
  for (std::size_t p = 0; p < net.projections.size(); ++p) {
    if (is_static[p])
      continue;
    const auto& pr = net.projections[p];
    const auto sp = static_cast<std::size_t>(net.find_population(pr.source));
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto [pop_first, pop_end] = cx.ln.local_range(tp);
    table_builder req;
    req.include.assign(net.projections.size(), 0);
    req.include[p] = 1;
    req.canonical = true;
    req.target_first = std::max(b.first_local, pop_first);
    req.target_end = std::max(req.target_first, std::min(b.end_local, pop_end));
    const bool feeds = cx.cands.base[sp] != source_candidates::none;
    req.cand_first = feeds ? cx.cands.of(sp, 0) : 0;
    req.counts.assign(feeds ? net.populations[sp].size : 0, 0);
    builders.push_back(std::move(req));
  }
  return builders;
}

// Which populations feed this rank: sources of projections with targets
// here, and of listed synapses.
source_candidates find_candidates(const spec::network& net, const rank_layout& ln,
                                  const std::vector<listed_synapse>& listed) {
  std::vector<char> feeds(net.populations.size(), 0);
  for (const auto& pr : net.projections) {
    const auto tp = static_cast<std::size_t>(net.find_population(pr.target));
    const auto [first, end] = ln.local_range(tp);
    if (first < end)
      feeds[static_cast<std::size_t>(net.find_population(pr.source))] = 1;
  }
  for (const auto& s : listed)
    feeds[ln.population_of(s.source)] = 1;
  source_candidates c;
  c.base.assign(net.populations.size(), source_candidates::none);
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    if (feeds[p]) {
      c.base[p] = c.count;
      c.count += net.populations[p].size;
    }
  return c;
}

// The gid of candidate c.
std::uint64_t candidate_gid(const source_candidates& c, const rank_layout& ln, std::uint64_t cand) {
  std::size_t p = 0;
  for (std::size_t q = 0; q < c.base.size(); ++q)
    if (c.base[q] != source_candidates::none && c.base[q] <= cand)
      p = q;
  return ln.population_offsets[p] + (cand - c.base[p]);
}

// Asks the maker to draw the static tables (every projection but the
// plastic ones, when no listed synapse joins them) and the plastic ones'
// own tables it can.
bool draw_by(static_table_maker& maker, const build_context& cx, const std::vector<target_block>& blocks,
             drawn_tables& drawn) {
  if (!cx.listed.synapses.empty())
    return false;
  const auto& net = cx.net;
  std::vector<char> include, own;
  std::vector<std::uint64_t> source_base, source_size;
  for (const auto& pr : net.projections) {
    include.push_back(!is_plastic(pr));
    own.push_back(is_plastic(pr));
    const auto sp = static_cast<std::size_t>(net.find_population(pr.source));
    source_base.push_back(cx.cands.base[sp]);
    source_size.push_back(net.populations[sp].size);
  }
  static_draws d{net, cx.ln, cx.gens, include, own, source_base, cx.cands.count, {}, source_size};
  for (const auto& b : blocks)
    d.blocks.emplace_back(b.first_local, b.end_local);
  return maker.draw(d, drawn);
}

} // namespace

built_tables build_tables(const spec::network& net, const rank_layout& ln,
                          const std::vector<listed_synapse>& listed, std::vector<target_block>& blocks,
                          static_table_maker* maker) {
  std::vector<projection_generator> gens;
  for (std::size_t p = 0; p < net.projections.size(); ++p)
    gens.emplace_back(net, p);
  const auto cands = find_candidates(net, ln, listed);
  // The listed synapses by the table they join: the static one, or their
  // plastic projection's (rule kind edges).
  std::vector<std::size_t> in_static;
  std::vector<std::vector<std::size_t>> in_projection(net.projections.size());
  for (std::size_t k = 0; k < listed.size(); ++k)
    (listed[k].projection == listed_synapse::in_static_table ? in_static
                                                             : in_projection.at(listed[k].projection))
        .push_back(k);
  const listed_by_target by_target(listed, in_static, ln, cands);
  std::vector<listed_by_target> listed_of;
  for (const auto& mine : in_projection)
    listed_of.emplace_back(listed, mine, ln, cands);
  in_static = {};
  in_projection = {};
  const build_context cx{gens, net, ln, cands, by_target, listed_of};
  drawn_tables drawn;
  const bool by_maker = maker && draw_by(*maker, cx, blocks, drawn);
  // Whether builder i of a block (i > 0: plastic projection i - 1's own
  // table) is the maker's to make.
  const auto drawn_own = [&](std::size_t i) { return by_maker && drawn.own[ln.plastic_projections[i - 1]]; };

  // Each block on its own thread: count its synapses per candidate source;
  // then, once every block has counted, one thread numbers the rows; then
  // each writes its tables in place. (One thread per block throughout keeps
  // a block's transient buffers in one malloc arena.)
  const auto n_blocks = static_cast<unsigned>(blocks.size());
  std::vector<std::vector<table_builder>> builders(n_blocks);
  std::vector<std::uint64_t> row_before(cands.count, 0);
  std::uint64_t rows = 0;
  auto number_rows = [&]() noexcept {
    // Rows: the candidates with a synapse in any table, ascending by gid.
    for (std::uint64_t c = 0; c < cands.count; ++c) {
      row_before[c] = rows;
      bool used = false;
      for (const auto& block : builders)
        for (const auto& tb : block)
          used = used ||
                 (c >= tb.cand_first && c - tb.cand_first < tb.counts.size() && tb.counts[c - tb.cand_first]);
      if (used)
        ++rows;
    }
  };
  std::barrier counted(static_cast<std::ptrdiff_t>(n_blocks), number_rows);
  std::vector<std::exception_ptr> errors(n_blocks);
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < n_blocks; ++t)
      pool.emplace_back([&, t] {
        auto& block = blocks[t];
        auto& tbs = builders[t];
        try {
          tbs = plan_block(cx, block);
          for (std::size_t i = by_maker ? 1 : 0; i < tbs.size(); ++i)
            if (i > 0 && drawn_own(i)) { // its count, as drawn by the maker
              const drawn_block& own = drawn.own_blocks[t][ln.plastic_projections[i - 1]];
              tbs[i].delays = {own.dmin, own.dmax};
              tbs[i].ports = own.ports;
            } else {
              tbs[i].count(cx, block);
            }
          if (by_maker) { // the static table's count, as drawn by the maker
            tbs[0].delays = {drawn.blocks[t].dmin, drawn.blocks[t].dmax};
            tbs[0].ports = drawn.blocks[t].ports;
            if (t == 0) // the rows of every table it drew
              std::copy(drawn.used.begin(), drawn.used.end(), tbs[0].counts.begin());
          }
        } catch (...) {
          errors[t] = std::current_exception();
        }
        counted.arrive_and_wait(); // every thread, failed or not: nobody waits forever
        if (std::any_of(errors.begin(), errors.end(), [](const auto& e) { return e != nullptr; }))
          return;
        try {
          if (!by_maker)
            tbs[0].fill(cx, block, row_before, rows, block.table, nullptr);
          for (std::size_t i = 1; i < tbs.size(); ++i) {
            plastic_table pt; // the maker's, made below
            pt.projection = ln.plastic_projections[i - 1];
            if (!drawn_own(i)) {
              tbs[i].fill(cx, block, row_before, rows, pt.table, &pt);
              pt.row_first = tbs[i].row_first;
            }
            block.plastic.push_back(std::move(pt));
          }
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
  }
  for (auto& e : errors)
    if (e)
      std::rethrow_exception(e);
  std::uint64_t out_plastic_by_maker = 0;
  if (by_maker) // one block at a time: the maker's device is shared
    for (std::size_t t = 0; t < blocks.size(); ++t) {
      maker->make(t, row_before, rows);
      for (std::size_t i = 1; i <= ln.plastic_projections.size(); ++i)
        if (drawn_own(i)) {
          blocks[t].plastic[i - 1] = maker->make_own(t, ln.plastic_projections[i - 1], row_before, rows);
          ++out_plastic_by_maker;
        }
    }
  built_tables out;
  out.static_by_maker = by_maker;
  out.plastic_by_maker = out_plastic_by_maker;
  out.row_gid.reserve(rows);
  for (std::uint64_t c = 0; c < cands.count; ++c)
    if ((c + 1 < cands.count ? row_before[c + 1] : rows) > row_before[c])
      out.row_gid.push_back(candidate_gid(cands, ln, c));

  delay_range dr;
  for (const auto& tbs : builders)
    for (const auto& tb : tbs)
      dr.merge(tb.delays);
  out.min_delay = dr.dmin;
  out.max_delay = dr.dmax;
  return out;
}

} // namespace myelin
