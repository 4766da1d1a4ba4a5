// Networks across ranks: subscriptions reach exactly the ranks that hold
// targets, more ranks than neurons, ranks whose neurons never spike, and the
// same spikes as on one rank.
#include "tests/distributed/distributed.hpp"
#include "tests/support/source_files.hpp"

#include <gtest/gtest.h>
#include <set>

namespace myelin::test {
namespace {

TEST(Subscriptions, ASpikeGoesExactlyToTheRanksHoldingTargetsOfItsSource) {
  auto& comm = *world_comm;
  const auto net = io::parse_model(all_rules(), "test.toml");
  for (auto strategy :
       {partition::strategy::block, partition::strategy::round_robin, partition::strategy::graph}) {
    const auto decomp = strategy == partition::strategy::graph
                            ? partition::graph_decomposition(net, comm.size())
                            : partition::decomposition(net, comm.size(), strategy);
    const auto built = build(net, decomp, comm, 2);
    const auto& ln = built.layout;
    // What this rank needs: sources with synapses here, by owner (every row
    // of the subscription table has synapses in some table).
    std::vector<std::vector<std::uint64_t>> needed(static_cast<std::size_t>(comm.size()));
    std::set<std::uint64_t> with_synapses;
    for (const auto& block : built.blocks) {
      for (std::uint64_t row = 0; row + 1 < block.table.source_segments.size(); ++row)
        if (block.table.source_segments[row + 1] > block.table.source_segments[row])
          with_synapses.insert(ln.row_gid[row]);
      for (const auto& pt : block.plastic)
        for (std::uint64_t s = 0; s + 1 < pt.table.source_segments.size(); ++s)
          if (pt.table.source_segments[s + 1] > pt.table.source_segments[s])
            with_synapses.insert(ln.row_gid[pt.row_first + s]);
    }
    EXPECT_EQ(with_synapses.size(), ln.row_gid.size()) << "a row without synapses";
    for (auto gid : with_synapses)
      needed[static_cast<std::size_t>(decomp.owner(gid))].push_back(gid);
    // What each owner believes: its neurons subscribed by this rank.
    std::vector<std::vector<std::uint64_t>> promised(static_cast<std::size_t>(comm.size()));
    for (const auto& sl : ln.slices)
      for (std::uint64_t k = 0; k < sl.count; ++k) {
        const std::uint64_t gid = sl.first_gid + k * sl.stride;
        const std::uint64_t local = ln.local_index(sl.population, gid);
        for (auto i = ln.subscriber_offsets[local]; i < ln.subscriber_offsets[local + 1]; ++i)
          promised[ln.subscriber_ranks[i]].push_back(gid);
      }
    for (auto& v : promised)
      std::sort(v.begin(), v.end());
    std::vector<std::span<const std::byte>> blocks;
    for (const auto& v : promised)
      blocks.push_back(std::as_bytes(std::span(v)));
    std::vector<std::size_t> counts;
    const auto got = comm.all_to_all_v(blocks, counts);
    std::size_t at = 0;
    for (int owner = 0; owner < comm.size(); ++owner) {
      std::vector<std::uint64_t> from_owner(counts[static_cast<std::size_t>(owner)] / 8);
      std::memcpy(from_owner.data(), got.data() + at, counts[static_cast<std::size_t>(owner)]);
      at += counts[static_cast<std::size_t>(owner)];
      EXPECT_EQ(from_owner, needed[static_cast<std::size_t>(owner)])
          << partition::strategy_name(strategy) << ": rank " << comm.rank() << " from owner " << owner;
    }
  }
}

TEST(Ranks, SameSpikesAsOneRankWithEveryStrategy) {
  const auto text = all_rules();
  // One rank's answer, computed by every rank alone.
  const auto net = io::parse_model(text, "test.toml");
  comm::local_communicator self;
  auto engine =
      make_backend(backend_kind::cpu, net,
                   build(net, partition::decomposition(net, 1, partition::strategy::block), self, 1));
  simulation sim(*engine, self);
  struct collect : spike_output {
    std::vector<std::pair<std::int64_t, std::uint64_t>> all;
    void write(std::span<const spike> s) override {
      for (const auto& x : s)
        all.emplace_back(x.step, x.gid);
    }
  } one;
  sim.set_spike_output(&one);
  sim.run(3000);
  ASSERT_GT(one.all.size(), 1000u);
  EXPECT_EQ(one.all, run_everywhere(text, partition::strategy::block, 1));
  EXPECT_EQ(one.all, run_everywhere(text, partition::strategy::round_robin, 2));
  EXPECT_EQ(one.all, run_everywhere(text, partition::strategy::graph, 3));
}

TEST(Ranks, MoreRanksThanNeurons) {
  // Two neurons: with 4 ranks, two ranks own nothing and must still take part.
  const std::string toml = R"(
[run]
duration = 50.0
[populations.src]
model = "spike_source"
size = 1
params = { spike_times = [5.0, 20.0] }
[populations.n]
model = "iaf_psc_delta"
size = 1
[[projections]]
source = "src"
target = "n"
rule = { kind = "all_to_all" }
synapse = { weight = 20.0, delay = 1.0 }
)";
  for (auto s : {partition::strategy::block, partition::strategy::round_robin, partition::strategy::graph}) {
    const auto spikes = run_everywhere(toml, s, 1);
    // The source fires at 5 and 20 ms (steps 49, 199); each input of 20 mV
    // reaches threshold (-55 from -70) one delay later (steps 59, 209).
    const std::vector<std::pair<std::int64_t, std::uint64_t>> expected = {
        {49, 0}, {59, 1}, {199, 0}, {209, 1}};
    EXPECT_EQ(spikes, expected) << partition::strategy_name(s);
  }
}

TEST(Ranks, RanksWhoseNeuronsNeverSpike) {
  // 40 neurons without input: whatever ranks they land on stay silent, and
  // their (empty) epochs still exchange with the busy ones.
  const std::string toml = R"(
[run]
duration = 30.0
[populations.quiet]
model = "iaf_psc_alpha"
size = 40
[populations.busy]
model = "iaf_psc_alpha"
size = 2
params = { I_e = 1000.0 }
[[projections]]
source = "busy"
target = "quiet"
rule = { kind = "all_to_all" }
synapse = { weight = 1.0, delay = 0.5 }
)";
  const auto spikes = run_everywhere(toml, partition::strategy::block, 1);
  ASSERT_FALSE(spikes.empty());
  for (const auto& [step, gid] : spikes)
    EXPECT_GE(gid, 40u); // only the driven neurons fire
}

} // namespace
} // namespace myelin::test
