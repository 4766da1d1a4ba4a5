#include "partition/graph_partition.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <metis.h>

namespace myelin::partition {

std::vector<int> partition_blocks(const block_graph& g, int n_ranks) {
  const std::size_t B = g.blocks.size();
  std::vector<int> owner(B, 0);
  if (n_ranks <= 1 || B == 0)
    return owner;
  if (B <= static_cast<std::size_t>(n_ranks)) { // a block per rank at most
    for (std::size_t b = 0; b < B; ++b)
      owner[b] = static_cast<int>(b);
    return owner;
  }
  // Symmetric adjacency: synapses a -> c and c -> a both tie the two blocks.
  std::vector<std::map<std::uint32_t, double>> adj(B);
  for (std::size_t a = 0; a < B; ++a)
    for (auto k = g.arc_first[a]; k < g.arc_first[a + 1]; ++k) {
      const auto c = g.arc_target[k];
      if (c == a)
        continue;
      adj[a][c] += g.arc_synapses[k];
      adj[c][static_cast<std::uint32_t>(a)] += g.arc_synapses[k];
    }
  // METIS takes integer weights (32-bit here): scale so every sum fits.
  double total_cost = 0;
  for (double c : g.cost)
    total_cost += c;
  const double cost_scale = 1e8 / std::max(total_cost, 1.0);
  const double synapse_scale = 5e8 / std::max(2.0 * g.total_synapses, 1.0);
  std::vector<idx_t> xadj{0}, adjncy, adjwgt, vwgt;
  for (std::size_t a = 0; a < B; ++a) {
    for (const auto& [c, w] : adj[a]) {
      adjncy.push_back(static_cast<idx_t>(c));
      adjwgt.push_back(static_cast<idx_t>(std::max(1.0, std::round(w * synapse_scale))));
    }
    xadj.push_back(static_cast<idx_t>(adjncy.size()));
    vwgt.push_back(static_cast<idx_t>(std::max(1.0, std::round(g.cost[a] * cost_scale))));
  }
  idx_t nvtxs = static_cast<idx_t>(B), ncon = 1, nparts = n_ranks, objval = 0;
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_SEED] = 1;
  options[METIS_OPTION_NUMBERING] = 0;
  options[METIS_OPTION_UFACTOR] = static_cast<idx_t>(std::lround((graph_balance_bound - 1.0) * 1000));
  std::vector<idx_t> part(B, 0);
  const int status = METIS_PartGraphKway(&nvtxs, &ncon, xadj.data(), adjncy.data(), vwgt.data(), nullptr,
                                         adjwgt.empty() ? nullptr : adjwgt.data(), &nparts, nullptr, nullptr,
                                         options, &objval, part.data());
  if (status != METIS_OK)
    throw error("METIS could not partition the block graph (status " + std::to_string(status) + ")");
  for (std::size_t b = 0; b < B; ++b)
    owner[b] = static_cast<int>(part[b]);
  return owner;
}

decomposition graph_decomposition(const spec::network& net, int n_ranks) {
  const auto g = make_block_graph(net, blocks(net, default_block_count(n_ranks)), {});
  return decomposition(net, n_ranks, g.blocks, partition_blocks(g, n_ranks));
}

} // namespace myelin::partition
