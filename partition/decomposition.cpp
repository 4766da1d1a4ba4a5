#include "partition/decomposition.hpp"

#include "engine/error.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::partition {

strategy parse_strategy(const std::string& name) {
  if (name == "block")
    return strategy::block;
  if (name == "round_robin")
    return strategy::round_robin;
  throw usage_error("--partition: unknown strategy '" + name + "'; expected block or round_robin");
}

const char* strategy_name(strategy s) {
  return s == strategy::block ? "block" : "round_robin";
}

std::vector<double> expected_indegree(const spec::network& net) {
  using kind = spec::rule::kind;
  std::vector<double> k(net.populations.size(), 0.0);
  for (const auto& pr : net.projections) {
    const auto s = static_cast<std::size_t>(net.find_population(pr.source));
    const auto t = static_cast<std::size_t>(net.find_population(pr.target));
    const double S = static_cast<double>(net.populations[s].size),
                 T = static_cast<double>(net.populations[t].size);
    const auto& r = pr.connectivity;
    const double self = (s == t && !r.allow_autapses) ? 1.0 : 0.0;
    switch (r.type) {
    case kind::all_to_all:
      k[t] += S - self;
      break;
    case kind::one_to_one:
      k[t] += self > 0 ? 0.0 : 1.0;
      break;
    case kind::fixed_indegree:
      k[t] += static_cast<double>(r.n);
      break;
    case kind::fixed_outdegree:
      k[t] += S * static_cast<double>(r.n) / T;
      break;
    case kind::fixed_total_number:
      k[t] += static_cast<double>(r.n) / T;
      break;
    case kind::pairwise_bernoulli:
      k[t] += r.p * (S - self);
      break;
    }
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
    , pop_first_(net.population_offsets()) {
  if (n_ranks < 1)
    throw internal_error("decomposition over fewer than one rank");
  for (double k : expected_indegree(net))
    cost_per_neuron_.push_back(neuron_cost + k);
  if (s != strategy::block)
    return;
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
}

int decomposition::owner(std::uint64_t gid) const {
  if (strategy_ == strategy::round_robin)
    return static_cast<int>(gid % static_cast<std::uint64_t>(n_ranks_));
  return static_cast<int>(std::upper_bound(boundaries_.begin(), boundaries_.end(), gid) -
                          boundaries_.begin() - 1);
}

std::uint64_t decomposition::local_index(std::uint64_t gid) const {
  const int r = owner(gid);
  if (strategy_ == strategy::block)
    return gid - boundaries_[static_cast<std::size_t>(r)];
  const auto p = static_cast<std::size_t>(std::upper_bound(pop_first_.begin(), pop_first_.end(), gid) -
                                          pop_first_.begin() - 1);
  const auto s = slices(r)[p];
  return s.first_local + (gid - s.first_gid) / s.stride;
}

std::vector<slice> decomposition::slices(int rank) const {
  std::vector<slice> out;
  std::uint64_t local = 0;
  const auto n = static_cast<std::uint64_t>(n_ranks_);
  const auto r = static_cast<std::uint64_t>(rank);
  for (std::size_t p = 0; p + 1 < pop_first_.size(); ++p) {
    const std::uint64_t lo = pop_first_[p], hi = pop_first_[p + 1];
    slice s;
    s.first_local = local;
    if (strategy_ == strategy::block) {
      const std::uint64_t b = std::max(lo, boundaries_[r]), e = std::min(hi, boundaries_[r + 1]);
      s.first_gid = b;
      s.count = b < e ? e - b : 0;
    } else {
      s.stride = n;
      s.first_gid = lo + (r + n - lo % n) % n;
      s.count = s.first_gid < hi ? (hi - s.first_gid + n - 1) / n : 0;
    }
    s.first_index = s.first_gid - lo;
    local += s.count;
    out.push_back(s);
  }
  return out;
}

std::uint64_t decomposition::local_count(int rank) const {
  std::uint64_t n = 0;
  for (const auto& s : slices(rank))
    n += s.count;
  return n;
}

std::vector<double> decomposition::costs() const {
  std::vector<double> c(static_cast<std::size_t>(n_ranks_), 0.0);
  for (int r = 0; r < n_ranks_; ++r) {
    const auto sl = slices(r);
    for (std::size_t p = 0; p < sl.size(); ++p)
      c[static_cast<std::size_t>(r)] += cost_per_neuron_[p] * static_cast<double>(sl[p].count);
  }
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
