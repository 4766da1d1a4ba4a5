#include "partition/quality.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace myelin::partition {

namespace {
// Which fraction of each block each rank holds (sparse: ranks holding some).
using shares = std::vector<std::vector<std::pair<int, double>>>;

shares block_shares(const blocks& bl, const decomposition& d) {
  shares out(bl.size());
  for (int r = 0; r < d.ranks(); ++r)
    for (const auto& s : d.slices(r)) {
      const std::uint64_t last = s.first_gid + (s.count - 1) * s.stride;
      for (auto b = bl.block_of(s.first_gid); b < bl.size() && bl.first(b) <= last; ++b) {
        // Members of the progression inside [first(b), end(b)).
        const std::uint64_t lo = std::max(bl.first(b), s.first_gid), hi = std::min(bl.end(b), last + 1);
        if (lo >= hi)
          continue;
        const std::uint64_t k0 = (lo - s.first_gid + s.stride - 1) / s.stride;
        const std::uint64_t k1 = (hi - 1 - s.first_gid) / s.stride;
        if (k1 + 1 > k0)
          out[b].emplace_back(r, static_cast<double>(k1 + 1 - k0) / static_cast<double>(bl.neurons(b)));
      }
    }
  return out;
}
} // namespace

quality measure(const block_graph& g, const decomposition& d) {
  quality q;
  q.imbalance = d.imbalance();
  const auto& bl = g.blocks;
  const auto m = block_shares(bl, d);
  double crossing = 0, bytes = 0, neurons = 0;
  std::map<int, double> lambda; // per target rank: expected synapses of one neuron of block a
  for (std::size_t a = 0; a < bl.size(); ++a) {
    lambda.clear();
    for (auto k = g.arc_first[a]; k < g.arc_first[a + 1]; ++k) {
      const auto c = g.arc_target[k];
      const double w = g.arc_synapses[k];
      double same = 0; // probability that source and target share a rank (shares sorted by rank)
      for (std::size_t i = 0, j = 0; i < m[a].size() && j < m[c].size();) {
        if (m[a][i].first < m[c][j].first)
          ++i;
        else if (m[c][j].first < m[a][i].first)
          ++j;
        else
          same += m[a][i++].second * m[c][j++].second;
      }
      crossing += w * (1.0 - same);
      for (const auto& [r, y] : m[c])
        lambda[r] += w * y / static_cast<double>(bl.neurons(a));
    }
    // A neuron of block a on rank r sends to every other rank it reaches.
    double reached = 0;
    for (const auto& [r, l] : lambda)
      reached += 1.0 - std::exp(-l);
    for (const auto& [r, x] : m[a]) // its own rank costs nothing
      if (const auto it = lambda.find(r); it != lambda.end())
        reached -= x * (1.0 - std::exp(-it->second));
    bytes += reached * 8.0 * static_cast<double>(bl.neurons(a));
    neurons += static_cast<double>(bl.neurons(a));
  }
  q.crossing_fraction = g.total_synapses > 0 ? crossing / g.total_synapses : 0.0;
  q.bytes_per_spike = neurons > 0 ? bytes / neurons : 0.0;
  return q;
}

} // namespace myelin::partition
