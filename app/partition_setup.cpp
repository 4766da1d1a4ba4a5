#include "app/partition_setup.hpp"

#include "app/on_root.hpp"
#include "io/sonata/edge_reader.hpp"
#include "partition/block_graph.hpp"
#include "partition/graph_partition.hpp"

#include <cstring>
#include <span>
#include <type_traits>

namespace myelin::cli {

namespace {
static_assert(std::is_trivially_copyable_v<partition::block_pair>, "block pairs travel as bytes");
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
  const partition::blocks blk(net, partition::default_block_count(n_ranks));
  // SONATA edges: every rank counts its share of the rows; rank 0 gets all counts.
  std::vector<std::byte> received;
  if (!net.edge_sets.empty()) {
    const auto mine = on_every_rank(
        comm, [&] { return io::sonata::count_block_pairs(net, blk, comm.rank(), comm.size()); });
    std::vector<std::span<const std::byte>> to(static_cast<std::size_t>(comm.size()));
    to[0] = std::as_bytes(std::span(mine));
    std::vector<std::size_t> counts;
    received = comm.all_to_all_v(to, counts);
  }
  const auto bytes = on_root(comm, [&] {
    std::vector<partition::block_pair> counted(received.size() / sizeof(partition::block_pair));
    if (!counted.empty()) // memcpy from an empty vector's null data() is undefined, even for 0 bytes
      std::memcpy(counted.data(), received.data(), counted.size() * sizeof(partition::block_pair));
    const auto g = partition::make_block_graph(net, blk, partition::merge_pairs(std::move(counted)));
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
    if (!owners.empty())
      std::memcpy(out.data() + sizeof(double) * 9, owners.data(), owners.size() * sizeof(int));
    return out;
  });
  message m;
  std::memcpy(m.q, bytes.data(), sizeof m.q);
  m.owners.resize((bytes.size() - sizeof m.q) / sizeof(int));
  if (!m.owners.empty())
    std::memcpy(m.owners.data(), bytes.data() + sizeof m.q, m.owners.size() * sizeof(int));
  std::vector<strategy_quality> qualities;
  for (int k = 0; k < 3; ++k)
    qualities.push_back({partition::strategy_name(all_strategies[k]), {m.q[k][0], m.q[k][1], m.q[k][2]}});
  if (s == partition::strategy::graph)
    return {partition::decomposition(net, n_ranks, blk, m.owners), qualities};
  return {partition::decomposition(net, n_ranks, s), qualities};
}

} // namespace myelin::cli
