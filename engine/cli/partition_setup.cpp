#include "engine/cli/partition_setup.hpp"

#include "engine/cli/on_root.hpp"
#include "io/sonata/edge_reader.hpp"
#include "partition/block_graph.hpp"
#include "partition/graph_partition.hpp"

#include <cstring>

namespace myelin::cli {

namespace {
constexpr partition::strategy all_strategies[] = {
    partition::strategy::block, partition::strategy::round_robin, partition::strategy::graph};

// What rank 0 tells every rank: three qualities, then the graph's block owners.
struct message {
  double q[3][3];
  std::vector<int> owners;
};
} // namespace

partition_choice choose_partition(const spec::network& net, int n_ranks, partition::strategy s,
                                  comm::communicator& comm) {
  const std::size_t n_blocks = partition::default_block_count(n_ranks);
  const auto bytes = on_root(comm, [&] {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> listed;
    for (const auto& es : net.edge_sets) {
      const auto e = io::sonata::read_edge_endpoints(es);
      listed.insert(listed.end(), e.begin(), e.end());
    }
    const auto g = partition::make_block_graph(net, n_blocks, listed);
    const auto owners = partition::partition_blocks(g, n_ranks);
    std::string out(sizeof(double) * 9 + owners.size() * sizeof(int), '\0');
    for (int k = 0; k < 3; ++k) {
      const auto d = all_strategies[k] == partition::strategy::graph
                         ? partition::decomposition(net, n_ranks, g.blocks, owners)
                         : partition::decomposition(net, n_ranks, all_strategies[k]);
      const auto q = partition::measure(g, d);
      const double v[3] = {q.crossing_fraction, q.imbalance, q.bytes_per_spike};
      std::memcpy(out.data() + sizeof(double) * 3 * static_cast<std::size_t>(k), v, sizeof v);
    }
    std::memcpy(out.data() + sizeof(double) * 9, owners.data(), owners.size() * sizeof(int));
    return out;
  });
  message m;
  std::memcpy(m.q, bytes.data(), sizeof m.q);
  m.owners.resize((bytes.size() - sizeof m.q) / sizeof(int));
  std::memcpy(m.owners.data(), bytes.data() + sizeof m.q, m.owners.size() * sizeof(int));
  std::vector<strategy_quality> qualities;
  for (int k = 0; k < 3; ++k)
    qualities.push_back({partition::strategy_name(all_strategies[k]), {m.q[k][0], m.q[k][1], m.q[k][2]}});
  if (s == partition::strategy::graph)
    return {partition::decomposition(net, n_ranks, partition::blocks(net, n_blocks), m.owners), qualities};
  return {partition::decomposition(net, n_ranks, s), qualities};
}

} // namespace myelin::cli
