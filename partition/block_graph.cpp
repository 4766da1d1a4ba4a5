#include "partition/block_graph.hpp"

#include "partition/decomposition.hpp"

#include <algorithm>

namespace myelin::partition {

std::vector<block_pair> merge_pairs(std::vector<block_pair> pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const block_pair& a, const block_pair& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  std::vector<block_pair> out;
  for (const auto& p : pairs)
    if (!out.empty() && out.back().source == p.source && out.back().target == p.target)
      out.back().synapses += p.synapses;
    else
      out.push_back(p);
  return out;
}

std::vector<block_pair> count_pairs(const blocks& blk,
                                    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& edges) {
  std::vector<block_pair> pairs;
  pairs.reserve(edges.size());
  for (const auto& [s, t] : edges)
    pairs.push_back(
        {static_cast<std::uint32_t>(blk.block_of(s)), static_cast<std::uint32_t>(blk.block_of(t)), 1.0});
  return merge_pairs(std::move(pairs));
}

block_graph make_block_graph(const spec::network& net, const blocks& blk,
                             const std::vector<block_pair>& counted) {
  block_graph g;
  g.blocks = blk;
  const auto& bl = g.blocks;
  const std::size_t B = bl.size();
  const auto indegree = expected_indegree(net);
  for (std::size_t b = 0; b < B; ++b)
    g.cost.push_back(static_cast<double>(bl.neurons(b)) *
                     (decomposition::neuron_cost + indegree[bl.population(b)]));
  // Dense B x B: at most 2048^2 doubles by default_block_count.
  std::vector<double> w(B * B, 0.0);
  const auto offsets = net.population_offsets();
  for (const auto& pr : net.projections) {
    const auto s = static_cast<std::size_t>(net.find_population(pr.source));
    const auto t = static_cast<std::size_t>(net.find_population(pr.target));
    const double S = static_cast<double>(net.populations[s].size),
                 T = static_cast<double>(net.populations[t].size);
    const double total = spec::expected_synapses(net, pr);
    for (auto a = bl.first_block(s); a < bl.first_block(s + 1); ++a)
      for (auto c = bl.first_block(t); c < bl.first_block(t + 1); ++c) {
        if (pr.connectivity.type == spec::rule::kind::one_to_one) {
          // Source index i reaches target index i: blocks overlap in index space.
          const auto lo = std::max(bl.first(a) - offsets[s], bl.first(c) - offsets[t]);
          const auto hi = std::min(bl.end(a) - offsets[s], bl.end(c) - offsets[t]);
          if (lo < hi && total > 0)
            w[a * B + c] += static_cast<double>(hi - lo);
          continue;
        }
        w[a * B + c] +=
            total * static_cast<double>(bl.neurons(a)) / S * static_cast<double>(bl.neurons(c)) / T;
      }
  }
  for (const auto& p : counted)
    w[p.source * B + p.target] += p.synapses;
  g.arc_first.push_back(0);
  for (std::size_t a = 0; a < B; ++a) {
    for (std::size_t c = 0; c < B; ++c)
      if (w[a * B + c] > 0) {
        g.arc_target.push_back(static_cast<std::uint32_t>(c));
        g.arc_synapses.push_back(w[a * B + c]);
        g.total_synapses += w[a * B + c];
      }
    g.arc_first.push_back(g.arc_target.size());
  }
  return g;
}

} // namespace myelin::partition
