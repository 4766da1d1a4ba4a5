#include "io/sonata/edge_reader.hpp"

#include "io/model_checks.hpp"
#include "io/number_text.hpp"
#include "io/sonata/h5_reader.hpp"
#include "models/model_api.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

namespace myelin::io::sonata {

namespace {

// The target_to_source index of an edge population, if the file has one.
struct index_paths {
  std::string node_to_ranges, range_to_edges;
};

std::optional<index_paths> find_index(const h5_reader& f, const std::string& base) {
  for (const char* group : {"/indices/target_to_source", "/indicies/target_to_source"})
    for (const char* name : {"/node_id_to_ranges", "/node_id_to_range"}) {
      const std::string g = base + group;
      if (f.has(g + name) && f.has(g + "/range_to_edge_id"))
        return index_paths{g + name, g + "/range_to_edge_id"};
    }
  return std::nullopt;
}

// Rows (ascending) of the edges whose targets are the given node ids, via the index.
std::vector<std::uint64_t> rows_from_index(const h5_reader& f, const index_paths& ix,
                                           const spec::edge_set& es, const std::vector<std::int64_t>& ranges,
                                           const std::vector<std::uint64_t>& targets) {
  std::vector<std::uint64_t> range_rows;
  // Ranges index range_to_edge_id: checked against its rows before any is
  // listed (a damaged end once asked for 2 GiB of row numbers: fuzz_sonata).
  const auto n_ranges = static_cast<std::int64_t>(f.pair_rows(ix.range_to_edges));
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const auto a = ranges[2 * targets[k]], b = ranges[2 * targets[k] + 1];
    if (a < 0) // no edges
      continue;
    if (b < a || b > n_ranges)
      f.fail(ix.node_to_ranges, "row " + std::to_string(targets[k]) +
                                    " is not a range [start, end) within the " + std::to_string(n_ranges) +
                                    " rows of " + ix.range_to_edges);
    for (auto r = a; r < b; ++r)
      range_rows.push_back(static_cast<std::uint64_t>(r));
  }
  std::sort(range_rows.begin(), range_rows.end());
  const auto edge_ranges = f.pairs(ix.range_to_edges, runs_of(range_rows));
  std::vector<std::uint64_t> rows;
  for (std::size_t k = 0; k < edge_ranges.size(); k += 2) {
    const auto s = edge_ranges[k], e = edge_ranges[k + 1];
    if (s < 0 || e < s || static_cast<std::uint64_t>(e) > es.edges)
      f.fail(ix.range_to_edges, "range [" + std::to_string(s) + ", " + std::to_string(e) +
                                    ") lies outside the " + std::to_string(es.edges) + " edges");
    for (auto r = s; r < e; ++r)
      rows.push_back(static_cast<std::uint64_t>(r));
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

void check_node(const h5_reader& f, const std::string& dataset, std::int64_t id, std::uint64_t count,
                const std::string& population, std::uint64_t row) {
  if (id < 0 || static_cast<std::uint64_t>(id) >= count)
    f.fail(dataset, "edge " + std::to_string(row) + " points to node " + std::to_string(id) + ", which " +
                        population + " (" + std::to_string(count) + " nodes) does not have");
}

// Without an index: rank r reads target_node_id rows [r E / n, (r + 1) E / n),
// and sends each owner the row numbers of its targets' edges.
// A rank that meets bad input still takes part in the exchange (sending
// nothing) and keeps the error in `error`.
std::vector<std::uint64_t> rows_by_shared_pass(const h5_reader& f, const spec::edge_set& es,
                                               const partition::decomposition& decomp,
                                               comm::communicator& comm, std::optional<model_error>& error) {
  const std::string dataset = "/edges/" + es.population + "/target_node_id";
  const auto n = static_cast<std::uint64_t>(comm.size()), r = static_cast<std::uint64_t>(comm.rank());
  const std::uint64_t first = es.edges * r / n, end = es.edges * (r + 1) / n;
  std::vector<std::vector<std::uint64_t>> per_owner(n);
  try {
    const auto targets = f.integers(dataset, {{first, end - first}});
    for (std::uint64_t k = 0; k < targets.size(); ++k) {
      check_node(f, dataset, targets[k], es.target_count, es.target, first + k);
      const auto owner = decomp.owner(es.target_first_gid + static_cast<std::uint64_t>(targets[k]));
      per_owner[static_cast<std::size_t>(owner)].push_back(first + k);
    }
  } catch (const model_error& e) {
    if (!error)
      error = e;
    per_owner.assign(n, {});
  }
  std::vector<std::span<const std::byte>> blocks;
  for (const auto& rows : per_owner)
    blocks.push_back(std::as_bytes(std::span(rows)));
  std::vector<std::size_t> counts;
  const auto received = comm.all_to_all_v(blocks, counts);
  std::vector<std::uint64_t> rows(received.size() / sizeof(std::uint64_t));
  if (!rows.empty()) // memcpy with a null pointer is undefined even for 0 bytes
    std::memcpy(rows.data(), received.data(), rows.size() * sizeof(std::uint64_t));
  return rows; // ascending: senders' slices are ascending and in rank order
}

// Values of one per-edge attribute (syn_weight, delay, nsyns) for the given
// edges, from their groups; NaN where an edge's group lacks it.
std::vector<double> group_attribute(const h5_reader& f, const std::string& base, const std::string& name,
                                    const std::vector<std::int64_t>& group,
                                    const std::vector<std::int64_t>& index) {
  std::vector<double> out(group.size(), std::nan(""));
  std::map<std::int64_t, std::vector<std::uint64_t>> wanted; // group -> indices
  for (std::size_t k = 0; k < group.size(); ++k)
    wanted[group[k]].push_back(static_cast<std::uint64_t>(index[k]));
  for (auto& [g, idx] : wanted) {
    const std::string dataset = base + "/" + std::to_string(g) + "/" + name;
    if (!f.has(dataset))
      continue;
    const std::uint64_t len = f.length(dataset);
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    if (!idx.empty() && idx.back() >= len)
      f.fail(dataset, "an edge's group index " + std::to_string(static_cast<std::int64_t>(idx.back())) +
                          " lies beyond its " + std::to_string(len) + " rows");
    const auto values = f.numbers(dataset, runs_of(idx));
    for (std::size_t k = 0; k < group.size(); ++k)
      if (group[k] == g)
        out[k] = values[static_cast<std::size_t>(
            std::lower_bound(idx.begin(), idx.end(), static_cast<std::uint64_t>(index[k])) - idx.begin())];
  }
  return out;
}

// The plastic edge types of one edge set: for each, its projection per pair
// of source and target parts (add_edge_projections) and its rule's weight
// check. Types not here are static.
class plastic_types {
public:
  plastic_types(const spec::network& net, std::size_t edge_set)
      : net_(net) {
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
      const auto& pr = net.projections[p];
      if (pr.connectivity.type != spec::rule::kind::edges || pr.connectivity.edge_set != edge_set)
        continue;
      const auto* info = models::find_synapse_model(pr.synapse_model);
      for (const auto id : pr.connectivity.edge_types) {
        auto& t = types_[id];
        if (!t.check_weight)
          t.check_weight = info->weight_checker(pr.synapse_params, net.run.dt);
        t.parts.push_back({static_cast<std::size_t>(net.find_population(pr.source)),
                           static_cast<std::size_t>(net.find_population(pr.target)),
                           static_cast<std::uint32_t>(p)});
      }
    }
  }

  // The projection of an edge of type `type` from gid source to gid target,
  // after checking its weight; in_static_table for static types. Throws
  // parameter_error for a weight the rule cannot start from.
  std::uint32_t projection_of(std::int64_t type, std::uint64_t source, std::uint64_t target, double w) const {
    const auto it = types_.find(type);
    if (it == types_.end())
      return listed_synapse::in_static_table;
    it->second.check_weight(w);
    const auto sp = net_.population_of(source), tp = net_.population_of(target);
    for (const auto& part : it->second.parts)
      if (part.source == sp && part.target == tp)
        return part.projection;
    throw internal_error("a plastic edge between populations without a projection");
  }

private:
  struct part {
    std::size_t source, target;
    std::uint32_t projection;
  };
  struct type {
    std::function<void(double)> check_weight;
    std::vector<part> parts;
  };
  const spec::network& net_;
  std::map<std::int64_t, type> types_;
};

void read_rows(const h5_reader& f, const spec::edge_set& es, const plastic_types& plastic,
               const std::vector<std::uint64_t>& rows, double dt, std::vector<listed_synapse>& out) {
  const std::string base = "/edges/" + es.population;
  const auto runs = runs_of(rows);
  const auto src = f.integers(base + "/source_node_id", runs);
  const auto tgt = f.integers(base + "/target_node_id", runs);
  const auto type = f.integers(base + "/edge_type_id", runs);
  std::vector<std::int64_t> group(rows.size(), 0), index(rows.begin(), rows.end());
  if (f.has(base + "/edge_group_id")) {
    if (f.length(base + "/edge_group_id") != es.edges || f.length(base + "/edge_group_index") != es.edges)
      f.fail(base + "/edge_group_index",
             "wrong shape: edge_group_id and edge_group_index need one row per edge");
    group = f.integers(base + "/edge_group_id", runs);
    index = f.integers(base + "/edge_group_index", runs);
  }
  for (std::size_t k = 0; k < index.size(); ++k)
    if (index[k] < 0)
      f.fail(base + "/edge_group_index", "edge " + std::to_string(rows[k]) + " has a negative group index");
  const auto weight = group_attribute(f, base, "syn_weight", group, index);
  const auto delay = group_attribute(f, base, "delay", group, index);
  const auto nsyns = group_attribute(f, base, "nsyns", group, index);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    check_node(f, base + "/source_node_id", src[k], es.source_count, es.source, rows[k]);
    check_node(f, base + "/target_node_id", tgt[k], es.target_count, es.target, rows[k]);
    const auto t = es.types.find(type[k]);
    if (t == es.types.end())
      f.fail(base + "/edge_type_id", "edge " + std::to_string(rows[k]) + " has type " +
                                         std::to_string(type[k]) + ", which " + es.types_file +
                                         " does not list");
    double w = !std::isnan(weight[k])          ? weight[k]
               : !std::isnan(t->second.weight) ? t->second.weight
                                               : es.default_weight;
    const double d = !std::isnan(delay[k])          ? delay[k]
                     : !std::isnan(t->second.delay) ? t->second.delay
                                                    : es.default_delay;
    if (!std::isnan(nsyns[k])) {
      if (!(nsyns[k] >= 0))
        f.fail(base + "/nsyns", "edge " + std::to_string(rows[k]) + " has nsyns " + fmt(nsyns[k]));
      w *= nsyns[k];
    }
    // Where a value came from, for messages (built only for one): the
    // edge's group dataset, or its edge type.
    auto key_of = [&](const std::vector<double>& per_edge, const char* name) {
      return !std::isnan(per_edge[k])
                 ? base + "/" + std::to_string(group[k]) + "/" + name
                 : es.types_file + ": edge_type_id " + std::to_string(type[k]) + ": " + name;
    };
    const auto weight_key = [&] { return key_of(weight, "syn_weight"); };
    const auto delay_key = [&] { return key_of(delay, "delay"); };
    if (!std::isfinite(w))
      f.fail(weight_key(), "edge " + std::to_string(rows[k]) + " has weight " + fmt(w));
    if (const auto problem = weight_range_problem(w); !problem.empty())
      f.fail(weight_key(), "edge " + std::to_string(rows[k]) + ": " + problem);
    const auto source = es.source_first_gid + static_cast<std::uint64_t>(src[k]);
    const auto target = es.target_first_gid + static_cast<std::uint64_t>(tgt[k]);
    std::uint32_t projection = listed_synapse::in_static_table;
    try {
      projection = plastic.projection_of(type[k], source, target, w);
    } catch (const models::parameter_error& e) {
      f.fail(weight_key(),
             "edge " + std::to_string(rows[k]) + " (edge type " + std::to_string(type[k]) + "): " + e.what());
    }
    if (!(d >= 0))
      f.fail(delay_key(), "edge " + std::to_string(rows[k]) + " has a negative delay, " + fmt(d) + " ms");
    const auto steps = spec::delay_steps(d, dt);
    if (steps < 1)
      f.fail(delay_key(), "edge " + std::to_string(rows[k]) + " has delay " + fmt(d) +
                              " ms, less than one step of dt = " + fmt(dt) + " ms");
    if (steps > max_delay_steps)
      f.fail(delay_key(), "edge " + std::to_string(rows[k]) + " has delay " + fmt(d) + " ms, more than " +
                              std::to_string(max_delay_steps) + " steps");
    // The edge type's receptor_type was checked against the target's ports (edge_types.cpp).
    out.push_back(
        {source, target, w, steps, t->second.receptor > 0 ? t->second.receptor - 1 : 0, projection});
  }
}

} // namespace

std::vector<listed_synapse> read_owned_edges(const spec::network& net, const partition::decomposition& decomp,
                                             comm::communicator& comm) {
  std::vector<listed_synapse> out;
  // The first bad input this rank meets waits until every edge set is done,
  // so every rank makes the same collective calls.
  std::optional<model_error> error;
  auto keep = [&](const model_error& e) {
    if (!error)
      error = e;
  };
  for (std::size_t set = 0; set < net.edge_sets.size(); ++set) {
    const auto& es = net.edge_sets[set];
    const std::string base = "/edges/" + es.population;
    std::optional<h5_reader> f;
    std::optional<index_paths> ix;
    try {
      f.emplace(es.file);
      ix = find_index(*f, base);
    } catch (const model_error& e) {
      keep(e);
      continue; // the same file fails on every rank
    }
    std::vector<std::uint64_t> rows;
    if (!ix) {
      rows = rows_by_shared_pass(*f, es, decomp, comm, error);
    } else {
      try {
        const auto ranges = f->pairs(ix->node_to_ranges); // one [start, end) per target node
        if (ranges.size() / 2 != es.target_count)
          f->fail(ix->node_to_ranges, "wrong shape: " + std::to_string(ranges.size() / 2) + " rows for the " +
                                          std::to_string(es.target_count) + " nodes of " + es.target);
        std::vector<std::uint64_t> mine;
        for (std::uint64_t t = 0; t < es.target_count; ++t)
          if (decomp.owner(es.target_first_gid + t) == comm.rank())
            mine.push_back(t);
        rows = rows_from_index(*f, *ix, es, ranges, mine);
      } catch (const model_error& e) {
        keep(e);
      }
    }
    if (error)
      continue;
    try {
      const std::size_t before = out.size();
      read_rows(*f, es, plastic_types(net, set), rows, net.run.dt, out);
      for (std::size_t k = before; k < out.size(); ++k)
        if (decomp.owner(out[k].target) != comm.rank())
          f->fail(base + "/indices/target_to_source",
                  "the index gives edge " + std::to_string(rows[k - before]) + " to the wrong target node");
    } catch (const model_error& e) {
      keep(e);
    }
  }
  if (error)
    throw *error;
  return out;
}

std::vector<partition::block_pair> count_block_pairs(const spec::network& net, const partition::blocks& blk,
                                                     int rank, int n_ranks) {
  std::vector<partition::block_pair> pairs;
  for (const auto& es : net.edge_sets) {
    h5_reader f(es.file);
    const std::string base = "/edges/" + es.population;
    const auto n = static_cast<std::uint64_t>(n_ranks), r = static_cast<std::uint64_t>(rank);
    const row_range mine{es.edges * r / n, es.edges * (r + 1) / n - es.edges * r / n};
    const auto src = f.integers(base + "/source_node_id", {mine});
    const auto tgt = f.integers(base + "/target_node_id", {mine});
    std::vector<std::pair<std::uint64_t, std::uint64_t>> edges;
    edges.reserve(src.size());
    for (std::size_t k = 0; k < src.size(); ++k) {
      check_node(f, base + "/source_node_id", src[k], es.source_count, es.source, mine.first + k);
      check_node(f, base + "/target_node_id", tgt[k], es.target_count, es.target, mine.first + k);
      edges.emplace_back(es.source_first_gid + static_cast<std::uint64_t>(src[k]),
                         es.target_first_gid + static_cast<std::uint64_t>(tgt[k]));
    }
    const auto counted = partition::count_pairs(blk, edges);
    pairs.insert(pairs.end(), counted.begin(), counted.end());
  }
  return partition::merge_pairs(std::move(pairs));
}

} // namespace myelin::io::sonata
