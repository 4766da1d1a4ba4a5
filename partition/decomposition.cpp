#include "partition/decomposition.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::partition {

strategy parse_strategy(const std::string& name) {
  if (name == "block")
    return strategy::block;
  if (name == "round_robin")
    return strategy::round_robin;
  if (name == "graph")
    return strategy::graph;
  throw usage_error("--partition: unknown strategy '" + name + "'; expected block, round_robin or graph");
}

const char* strategy_name(strategy s) {
  return s == strategy::block ? "block" : s == strategy::round_robin ? "round_robin" : "graph";
}

std::vector<double> expected_indegree(const spec::network& net) {
  std::vector<double> k(net.populations.size(), 0.0);
  for (const auto& pr : net.projections) {
    const auto t = static_cast<std::size_t>(net.find_population(pr.target));
    k[t] += spec::expected_synapses(net, pr) / static_cast<double>(net.populations[t].size);
  }
  // SONATA edges: their mean in-degree, over every part of the target population.
  for (const auto& es : net.edge_sets)
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      if (net.populations[p].output() == es.target && es.target_count > 0)
        k[p] += static_cast<double>(es.edges) / static_cast<double>(es.target_count);
  return k;
}

decomposition::decomposition(const spec::network& net, int n_ranks, strategy s)
    : n_ranks_(n_ranks)
    , strategy_(s)
    , pop_first_(net.population_offsets())
    , slices_(static_cast<std::size_t>(std::max(n_ranks, 0))) {
  if (n_ranks < 1)
    throw internal_error("decomposition over fewer than one rank");
  if (s == strategy::graph)
    throw internal_error("a graph decomposition needs its blocks' owners");
  for (double k : expected_indegree(net))
    cost_per_neuron_.push_back(neuron_cost + k);
  const auto n = static_cast<std::uint64_t>(n_ranks);
  if (s == strategy::round_robin) {
    for (std::uint64_t r = 0; r < n; ++r)
      for (std::size_t p = 0; p + 1 < pop_first_.size(); ++p) {
        const std::uint64_t lo = pop_first_[p], hi = pop_first_[p + 1];
        const std::uint64_t first = lo + (r + n - lo % n) % n;
        if (first < hi)
          add_slice(static_cast<int>(r), p, first, n, (hi - first + n - 1) / n);
      }
    return;
  }
  // Rank r starts at the first gid where the cumulative cost reaches
  // r / n of the total; cost is piecewise linear over populations.
  double total = 0;
  for (std::size_t p = 0; p < cost_per_neuron_.size(); ++p)
    total += cost_per_neuron_[p] * static_cast<double>(pop_first_[p + 1] - pop_first_[p]);
  boundaries_.assign(static_cast<std::size_t>(n_ranks) + 1, pop_first_.back());
  boundaries_[0] = 0;
  std::size_t p = 0;
  double before = 0; // cost of populations before p
  for (int r = 1; r < n_ranks; ++r) {
    const double goal = total * r / n_ranks;
    while (p + 1 < cost_per_neuron_.size() &&
           before + cost_per_neuron_[p] * static_cast<double>(pop_first_[p + 1] - pop_first_[p]) <= goal) {
      before += cost_per_neuron_[p] * static_cast<double>(pop_first_[p + 1] - pop_first_[p]);
      ++p;
    }
    const double within = std::ceil((goal - before) / cost_per_neuron_[p] - 1e-9);
    const auto gid = pop_first_[p] + static_cast<std::uint64_t>(std::max(0.0, within));
    boundaries_[static_cast<std::size_t>(r)] =
        std::clamp(gid, boundaries_[static_cast<std::size_t>(r) - 1], pop_first_.back());
  }
  for (int r = 0; r < n_ranks; ++r)
    for (std::size_t q = 0; q + 1 < pop_first_.size(); ++q) {
      const std::uint64_t b = std::max(pop_first_[q], boundaries_[static_cast<std::size_t>(r)]),
                          e = std::min(pop_first_[q + 1], boundaries_[static_cast<std::size_t>(r) + 1]);
      if (b < e)
        add_slice(r, q, b, 1, e - b);
    }
}

decomposition::decomposition(const spec::network& net, int n_ranks, const blocks& blk,
                             const std::vector<int>& block_owner)
    : n_ranks_(n_ranks)
    , strategy_(strategy::graph)
    , pop_first_(net.population_offsets())
    , blocks_(blk)
    , block_owner_(block_owner)
    , slices_(static_cast<std::size_t>(std::max(n_ranks, 0))) {
  if (n_ranks < 1 || block_owner.size() != blk.size())
    throw internal_error("graph decomposition: wrong rank count or one owner per block missing");
  for (double k : expected_indegree(net))
    cost_per_neuron_.push_back(neuron_cost + k);
  for (std::size_t b = 0; b < blk.size(); ++b) {
    const int r = block_owner[b];
    if (r < 0 || r >= n_ranks)
      throw internal_error("graph decomposition: a block's owner is not a rank");
    auto& mine = slices_[static_cast<std::size_t>(r)];
    if (!mine.empty() && mine.back().population == blk.population(b) &&
        mine.back().first_gid + mine.back().count == blk.first(b))
      mine.back().count += blk.neurons(b); // continues the rank's previous block
    else
      add_slice(r, blk.population(b), blk.first(b), 1, blk.neurons(b));
  }
}

void decomposition::add_slice(int rank, std::size_t p, std::uint64_t first_gid, std::uint64_t stride,
                              std::uint64_t count) {
  auto& mine = slices_[static_cast<std::size_t>(rank)];
  slice s;
  s.population = p;
  s.first_gid = first_gid;
  s.stride = stride;
  s.count = count;
  s.first_index = first_gid - pop_first_[p];
  s.first_local = mine.empty() ? 0 : mine.back().first_local + mine.back().count;
  mine.push_back(s);
}

int decomposition::owner(std::uint64_t gid) const {
  if (strategy_ == strategy::round_robin)
    return static_cast<int>(gid % static_cast<std::uint64_t>(n_ranks_));
  if (strategy_ == strategy::graph)
    return block_owner_[blocks_.block_of(gid)];
  return static_cast<int>(std::upper_bound(boundaries_.begin(), boundaries_.end(), gid) -
                          boundaries_.begin() - 1);
}

std::uint64_t decomposition::local_index(std::uint64_t gid) const {
  const auto& mine = slices(owner(gid));
  // The slice holding gid is the last one starting at or before it.
  const auto it = std::upper_bound(mine.begin(), mine.end(), gid,
                                   [](std::uint64_t g, const slice& s) { return g < s.first_gid; });
  const slice& s = *(it - 1);
  return s.first_local + (gid - s.first_gid) / s.stride;
}

std::uint64_t decomposition::local_count(int rank) const {
  const auto& mine = slices(rank);
  return mine.empty() ? 0 : mine.back().first_local + mine.back().count;
}

std::vector<double> decomposition::costs() const {
  std::vector<double> c(static_cast<std::size_t>(n_ranks_), 0.0);
  for (int r = 0; r < n_ranks_; ++r)
    for (const auto& s : slices(r))
      c[static_cast<std::size_t>(r)] += cost_per_neuron_[s.population] * static_cast<double>(s.count);
  return c;
}

double decomposition::imbalance() const {
  const auto c = costs();
  double sum = 0, mx = 0;
  for (double x : c) {
    sum += x;
    mx = std::max(mx, x);
  }
  return sum > 0 ? mx / (sum / static_cast<double>(c.size())) : 1.0;
}

} // namespace myelin::partition
