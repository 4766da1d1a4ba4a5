// Connection rules: exact degrees and totals, Bernoulli counts within
// statistical bounds, autapses and multapses only when allowed, delays from
// distributions rounded to steps, and construction independent of threads.
#include "engine/connectivity.hpp"
#include "tests/support/harness.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>

namespace myelin::test {
namespace {

std::string network(const std::string& rule, const std::string& synapse = "weight = 1.0, delay = 1.0",
                    int n_src = 40, int n_tgt = 30, bool same = false) {
  std::ostringstream os;
  os << "[run]\ndt = 0.1\nduration = 1.0\nseed = 7\n"
     << "[populations.A]\nmodel = \"iaf_psc_alpha\"\nsize = " << n_src << "\n"
     << "[populations.B]\nmodel = \"iaf_psc_alpha\"\nsize = " << n_tgt << "\n"
     << "[[projections]]\nsource = \"A\"\ntarget = \"" << (same ? "A" : "B") << "\"\nrule = { " << rule
     << " }\n"
     << "synapse = { " << synapse << " }\n";
  return os.str();
}

std::vector<edge> build_edges(const std::string& toml, unsigned threads = 1) {
  const auto net = io::parse_model(toml, "test.toml");
  return edges(build(net, threads));
}

std::map<std::uint64_t, int> indegrees(const std::vector<edge>& e) {
  std::map<std::uint64_t, int> d;
  for (const auto& x : e)
    ++d[std::get<1>(x)];
  return d;
}

bool has_multapse(const std::vector<edge>& e) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
  for (const auto& x : e)
    if (!pairs.insert({std::get<0>(x), std::get<1>(x)}).second)
      return true;
  return false;
}

bool has_autapse(const std::vector<edge>& e) {
  for (const auto& x : e)
    if (std::get<0>(x) == std::get<1>(x))
      return true;
  return false;
}

TEST(Rules, FixedIndegreeGivesEveryTargetExactlyK) {
  const auto e = build_edges(network("kind = \"fixed_indegree\", indegree = 25"));
  ASSERT_EQ(e.size(), 30u * 25u);
  const auto d = indegrees(e);
  ASSERT_EQ(d.size(), 30u);
  for (const auto& [t, k] : d) {
    EXPECT_EQ(k, 25);
    EXPECT_GE(t, 40u); // targets are B's gids
  }
  for (const auto& x : e)
    EXPECT_LT(std::get<0>(x), 40u);
}

TEST(Rules, FixedIndegreeWithoutMultapsesOrAutapses) {
  const auto e = build_edges(
      network("kind = \"fixed_indegree\", indegree = 39, allow_autapses = false, allow_multapses = false",
              "weight = 1.0, delay = 1.0", 40, 40, true));
  EXPECT_EQ(e.size(), 40u * 39u); // every other neuron exactly once
  EXPECT_FALSE(has_multapse(e));
  EXPECT_FALSE(has_autapse(e));
}

TEST(Rules, FixedOutdegreeGivesEverySourceExactlyK) {
  const auto e =
      build_edges(network("kind = \"fixed_outdegree\", outdegree = 12, allow_multapses = false"), 3);
  std::map<std::uint64_t, int> out;
  for (const auto& x : e)
    ++out[std::get<0>(x)];
  ASSERT_EQ(out.size(), 40u);
  for (const auto& [s, k] : out)
    EXPECT_EQ(k, 12);
  EXPECT_FALSE(has_multapse(e));
}

TEST(Rules, FixedTotalNumberIsExact) {
  for (const char* flags : {"allow_multapses = true", "allow_multapses = false"}) {
    const auto e = build_edges(network(std::string("kind = \"fixed_total_number\", N = 1000, ") + flags));
    EXPECT_EQ(e.size(), 1000u) << flags;
    if (std::string(flags).find("false") != std::string::npos) {
      EXPECT_FALSE(has_multapse(e));
    }
  }
  // All possible pairs without multapses: every pair exactly once.
  const auto all = build_edges(network("kind = \"fixed_total_number\", N = 1200, allow_multapses = false"));
  EXPECT_EQ(all.size(), 1200u);
  EXPECT_FALSE(has_multapse(all));
}

TEST(Rules, FixedTotalNumberSpreadsOverTargetsMultinomially) {
  // 30 targets, N = 30000: per-target counts ~ Binomial(30000, 1/30), sd ~ 31.
  const auto d = indegrees(build_edges(network("kind = \"fixed_total_number\", N = 30000")));
  ASSERT_EQ(d.size(), 30u);
  double sum = 0, sum2 = 0;
  for (const auto& [t, k] : d) {
    EXPECT_NEAR(k, 1000, 6 * 31.1);
    sum += k;
    sum2 += double(k) * k;
  }
  const double var = sum2 / 30 - (sum / 30) * (sum / 30);
  EXPECT_GT(var, 966.7 * 0.3); // not a degenerate equal split
  EXPECT_LT(var, 966.7 * 2.5);
}

TEST(Rules, PairwiseBernoulliCountWithinFiveSigma) {
  const auto e =
      build_edges(network("kind = \"pairwise_bernoulli\", p = 0.1", "weight = 1.0, delay = 1.0", 200, 300));
  const double n = 200.0 * 300.0, mean = 0.1 * n, sd = std::sqrt(n * 0.1 * 0.9);
  EXPECT_NEAR(static_cast<double>(e.size()), mean, 5 * sd);
  EXPECT_FALSE(has_multapse(e));
}

TEST(Rules, AllToAllAndOneToOne) {
  EXPECT_EQ(build_edges(network("kind = \"all_to_all\"")).size(), 40u * 30u);
  const auto no_self = build_edges(
      network("kind = \"all_to_all\", allow_autapses = false", "weight = 1.0, delay = 1.0", 20, 20, true));
  EXPECT_EQ(no_self.size(), 20u * 19u);
  EXPECT_FALSE(has_autapse(no_self));
  const auto o = build_edges(network("kind = \"one_to_one\"", "weight = 1.0, delay = 1.0", 25, 25));
  ASSERT_EQ(o.size(), 25u);
  for (const auto& x : o)
    EXPECT_EQ(std::get<1>(x), std::get<0>(x) + 25);
}

TEST(Rules, DelaysAndWeightsFromDistributions) {
  const auto e =
      build_edges(network("kind = \"fixed_indegree\", indegree = 40",
                          "weight = { dist = \"normal\", mean = 5.0, std = 2.0, min = 0.0, max = 9.0 }, "
                          "delay = { dist = \"uniform\", low = 0.5, high = 3.0 }"));
  std::set<std::int64_t> delays;
  for (const auto& [s, t, d, w] : e) {
    EXPECT_GE(d, 5);
    EXPECT_LE(d, 30);
    EXPECT_GE(w, 0.0f);
    EXPECT_LE(w, 9.0f);
    delays.insert(d);
  }
  EXPECT_GT(delays.size(), 20u); // many distinct delays: several segments per source
}

TEST(Rules, ConstructionDoesNotDependOnThreads) {
  const std::string toml =
      network("kind = \"pairwise_bernoulli\", p = 0.2",
              "weight = { dist = \"lognormal\", mean = 0.0, std = 0.5 }, "
              "delay = { dist = \"normal\", mean = 2.0, std = 1.0, min = 0.1, max = 6.0 }",
              300, 200);
  const auto one = build_edges(toml, 1);
  EXPECT_EQ(one, build_edges(toml, 2));
  EXPECT_EQ(one, build_edges(toml, 7));
}

} // namespace
} // namespace myelin::test

namespace myelin::test {
namespace {

TEST(Rules, WideDelayRangesKeepEveryDelay) {
  // Delays from 0.1 to 40 ms (1..400 steps): the 16-bit, comparison-sorted path.
  const auto e = build_edges(network("kind = \"fixed_indegree\", indegree = 30",
                                     "weight = 1.0, delay = { dist = \"uniform\", low = 0.1, high = 40.0 }"));
  ASSERT_EQ(e.size(), 30u * 30u);
  std::int64_t lo = 1 << 20, hi = 0;
  for (const auto& x : e) {
    lo = std::min(lo, std::get<2>(x));
    hi = std::max(hi, std::get<2>(x));
  }
  EXPECT_LE(lo, 20);
  EXPECT_GE(hi, 380);
  // Each synapse carries its own delay: regenerate (source, target, delay)
  // straight from the projection's streams, without the synapse table.
  const auto net =
      io::parse_model(network("kind = \"fixed_indegree\", indegree = 30",
                              "weight = 1.0, delay = { dist = \"uniform\", low = 0.1, high = 40.0 }"),
                      "test.toml");
  const projection_generator g(net, 0);
  std::vector<edge> expected;
  connect_scratch sc;
  for (std::uint64_t t = 0; t < 30; ++t) {
    g.choose(t, sc);
    auto ds = g.delay_stream(t);
    for (auto src : sc.chosen)
      expected.emplace_back(src, 40 + t, g.next_delay(ds), 1.0f);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(e, expected);
}

// One rank of many, alone: collectives answer with this rank's own part (as
// the one-rank communicator does), so build() can make one rank's tables of
// a network no test could run whole.
class pretend_rank final : public comm::local_communicator {
public:
  pretend_rank(int rank, int size)
      : rank_(rank)
      , size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::vector<std::byte> all_to_all_v(const std::vector<std::span<const std::byte>>& blocks,
                                      std::vector<std::size_t>& counts) override {
    const auto& mine = blocks[static_cast<std::size_t>(rank_)];
    counts.assign(static_cast<std::size_t>(size_), 0);
    counts[static_cast<std::size_t>(rank_)] = mine.size();
    return {mine.begin(), mine.end()};
  }

private:
  int rank_, size_;
};

TEST(Tables, ScaleWithSubscribedSourcesNotWithTheNetwork) {
  // 1e6 neurons; the targets see only the 1,000 neurons of `few`. Rank 3 of
  // 8 holds ~125,000 targets: its tables must have ~1,000 rows, not 1e6.
  const auto net = io::parse_model(R"(
[run]
dt = 0.1
duration = 1.0
[populations.few]
model = "iaf_psc_delta"
size = 1000
[populations.many]
model = "iaf_psc_delta"
size = 999000
[[projections]]
source = "few"
target = "many"
rule = { kind = "fixed_indegree", indegree = 3 }
synapse = { weight = 0.1, delay = 1.5 }
)",
                                   "test.toml");
  pretend_rank comm(3, 8);
  const partition::decomposition decomp(net, 8, partition::strategy::block);
  const unsigned threads = 4;
  const auto built = build(net, decomp, comm, threads);
  const auto& ln = built.layout;
  EXPECT_GT(ln.n_local, 100000u);
  EXPECT_LE(ln.row_gid.size(), 1000u);
  EXPECT_GT(ln.row_gid.size(), 990u); // 375,000 draws from 1,000 sources miss none
  std::uint64_t synapses = 0, index_bytes = 0;
  for (const auto& block : built.blocks) {
    EXPECT_EQ(block.table.source_segments.size(), ln.row_gid.size() + 1);
    synapses += block.table.synapses.size();
    index_bytes += block.table.source_segments.capacity() * sizeof(std::uint64_t);
  }
  EXPECT_EQ(synapses, 3 * ln.n_local);
  // ~32 kB of row index over 4 threads, where a table per gid took 32 MB.
  EXPECT_LT(index_bytes, threads * 1001u * 8u + 1024u);
}

} // namespace
} // namespace myelin::test
