// Promise 1 inside one process: the same spikes and traces for any thread
// count, and a run split into pieces equals one run (what restarts rely on).
#include "engine/fixed_point.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/source_files.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace myelin::test {
namespace {

class Simulation : public backend_test {};
class Saturation : public backend_test {};

TEST_P(Simulation, AllRulesNetworkIsActiveAndThreadInvariant) {
  const auto text = all_rules();
  const auto one = simulate(text, 1);
  // Every population fires: the test exercises every path.
  for (std::size_t p = 0; p < one.spike_counts.size(); ++p)
    EXPECT_GT(one.spike_counts[p], 0u) << "population " << p;
  for (unsigned threads : {2u, 3u, 8u}) {
    const auto many = simulate(text, threads);
    EXPECT_EQ(one.spikes, many.spikes) << threads << " threads";
    ASSERT_EQ(one.traces.size(), many.traces.size());
    EXPECT_EQ(one.traces[0].rows, many.traces[0].rows) << threads << " threads";
  }
}

TEST_P(Simulation, RunInPiecesEqualsOneRun) {
  auto run_pieces = [&](std::vector<std::int64_t> pieces) {
    const auto run = start(all_rules(), 2);
    auto& sim = *run->sim;
    struct collect : spike_output {
      std::vector<spike> all;
      void write(std::span<const spike> s) override { all.insert(all.end(), s.begin(), s.end()); }
    } out;
    sim.set_spike_output(&out);
    for (auto n : pieces)
      sim.run(n);
    std::vector<std::pair<std::uint64_t, std::int64_t>> v;
    for (const auto& s : out.all)
      v.emplace_back(s.gid, s.step);
    return v;
  };
  const auto whole = run_pieces({3000});
  EXPECT_FALSE(whole.empty());
  EXPECT_EQ(whole, run_pieces({1000, 7, 1993}));
  EXPECT_EQ(whole, run_pieces({1, 1, 2998}));
}

TEST(FixedPoint, ConversionsAndSumsSaturateInsteadOfOverflowing) {
  EXPECT_EQ(to_fixed(1.5), std::int64_t{3} << 31);
  EXPECT_EQ(to_fixed(1e12), to_fixed(max_weight)); // once undefined behaviour
  EXPECT_EQ(to_fixed(-1e300), to_fixed(-max_weight));
  EXPECT_EQ(to_fixed(std::nan("")), 0);
  std::int64_t slot = fixed_max - 5;
  ring_add(slot, 4);
  EXPECT_EQ(slot, fixed_max - 1);
  ring_add(slot, to_fixed(max_weight));
  EXPECT_EQ(slot, fixed_max);
  EXPECT_TRUE(saturated(slot));
  slot = fixed_min + 1;
  ring_add(slot, to_fixed(-1.0));
  EXPECT_EQ(slot, fixed_min);
  EXPECT_EQ(fixed_times(10000, to_fixed(max_weight)), fixed_max);
  EXPECT_EQ(fixed_times(10000, to_fixed(-max_weight)), fixed_min);
  EXPECT_EQ(fixed_times(3, to_fixed(2.0)), to_fixed(6.0));
}

TEST_P(Saturation, ASaturatedInputIsCountedAndThreadInvariant) {
  // tests/data/saturating_input.toml: 3e9 mV at once into one delta neuron.
  const std::string text = source_file("tests/data/saturating_input.toml");
  const auto one = simulate(text, 1);
  EXPECT_EQ(one.saturated_input_steps, 1u);
  ASSERT_EQ(one.spike_counts.size(), 2u);
  EXPECT_EQ(one.spike_counts[1], 1u); // a positive input made it fire; a wrapped one would not
  const auto three = simulate(text, 3);
  EXPECT_EQ(one.spikes, three.spikes);
  EXPECT_EQ(one.traces[0].rows, three.traces[0].rows);
  EXPECT_EQ(three.saturated_input_steps, 1u);
}

TEST_P(Simulation, SeedChangesTheSpikes) {
  auto text = all_rules();
  const auto a = simulate(text, 1);
  text.replace(text.find("seed = 42"), 9, "seed = 43");
  EXPECT_NE(a.spikes, simulate(text, 1).spikes);
}

MYELIN_ON_EVERY_BACKEND(Simulation);
MYELIN_ON_EVERY_BACKEND(Saturation);

} // namespace
} // namespace myelin::test
