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

// Spikes (gid, step) of a run made of these pieces, on the current backend.
std::vector<std::pair<std::uint64_t, std::int64_t>>
spikes_in_pieces(const std::string& text, const std::vector<std::int64_t>& pieces) {
  const auto run = start(text, 2);
  struct collect : spike_output {
    std::vector<std::pair<std::uint64_t, std::int64_t>> all;
    void write(std::span<const spike> s) override {
      for (const auto& x : s)
        all.emplace_back(x.gid, x.step);
    }
  } out;
  run->sim->set_spike_output(&out);
  for (auto n : pieces)
    run->sim->run(n);
  return out.all;
}

TEST_P(Simulation, RunInPiecesEqualsOneRun) {
  const auto whole = spikes_in_pieces(all_rules(), {3000});
  EXPECT_FALSE(whole.empty());
  EXPECT_EQ(whole, spikes_in_pieces(all_rules(), {1000, 7, 1993}));
  EXPECT_EQ(whole, spikes_in_pieces(all_rules(), {1, 1, 2998}));
}

// One rank, synapses with heterogeneous delays (E -> E and ext -> I plastic
// if asked), Poisson input, Poisson spike trains and a multimeter: what the
// device backend runs alone (engine/backend.hpp, advance_alone).
std::string alone_network(bool plastic) {
  const std::string e_to_e =
      plastic
          ? R"(synapse = { model = "stdp_synapse", weight = { dist = "normal", mean = 50.0, std = 10.0, min = 0.0, max = 150.0 }, delay = { dist = "uniform", low = 0.3, high = 3.0 }, lambda = 0.05, Wmax = 150.0 })"
          : R"(synapse = { weight = { dist = "normal", mean = 50.0, std = 10.0, min = 0.0 }, delay = { dist = "uniform", low = 0.3, high = 3.0 } })";
  const std::string ext_to_i =
      plastic
          ? R"(synapse = { model = "stdp_synapse", weight = 30.0, delay = 0.4, lambda = 0.1, Wmax = 100.0 })"
          : R"(synapse = { weight = 30.0, delay = 0.4 })";
  return R"(
[run]
dt = 0.1
duration = 300.0
seed = 7
[populations.E]
model = "iaf_psc_exp"
size = 300
init = { V_m = { dist = "uniform", low = -70.0, high = -55.0 } }
[populations.I]
model = "iaf_psc_alpha"
size = 80
[[projections]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", indegree = 30 }
)" + e_to_e +
         R"(
[[projections]]
source = "E"
target = "I"
rule = { kind = "pairwise_bernoulli", p = 0.1 }
synapse = { weight = 40.0, delay = 1.5 }
[[projections]]
source = "I"
target = "E"
rule = { kind = "fixed_indegree", indegree = 20 }
synapse = { weight = -120.0, delay = 0.8 }
[populations.ext]
model = "poisson_source"
size = 40
params = { rate = 30.0, start = 20.0, stop = 250.0 }
[[projections]]
source = "ext"
target = "I"
rule = { kind = "fixed_indegree", indegree = 5 }
)" + ext_to_i +
         R"(
[devices.drive]
model = "poisson_generator"
rate = 9000.0
targets = ["E", "I"]
weight = 40.0
delay = 0.7
[recorders.traces]
kind = "multimeter"
population = "E"
ids = [0, 150, 299]
variables = ["V_m"]
interval = 0.3
)";
}

// The device backend runs such a network alone, and the CPU backend through
// the epoch loop; both give the same spikes, samples and learned weights, in
// one run or in pieces that end inside epochs. The all-rules network adds
// spike sources (several spikes on one step) and every connection rule.
TEST_P(Simulation, RunningAloneEqualsTheEpochLoop) {
  const backend_kind kind = GetParam();
  const std::string texts[] = {alone_network(false), alone_network(true), all_rules()};
  for (std::size_t i = 0; i < std::size(texts); ++i) {
    const auto& text = texts[i];
    current_backend() = kind;
    EXPECT_EQ(start(text, 2)->engine->steps_alone() > 0, kind != backend_kind::cpu) << "network " << i;
    const auto here = simulate(text, 2);
    const auto in_pieces = spikes_in_pieces(text, {1000, 7, 1993});
    current_backend() = backend_kind::cpu;
    const auto cpu = simulate(text, 2);
    EXPECT_GT(cpu.spikes.size(), 1000u);
    EXPECT_EQ(here.spikes, cpu.spikes) << "network " << i;
    ASSERT_EQ(here.traces.size(), cpu.traces.size());
    ASSERT_FALSE(here.traces.empty());
    EXPECT_EQ(here.traces[0].times_ms, cpu.traces[0].times_ms);
    EXPECT_EQ(here.traces[0].rows, cpu.traces[0].rows);
    EXPECT_EQ(here.plastic_weights, cpu.plastic_weights);
    EXPECT_EQ(here.plastic_weights.size(), i == 1 ? 2u : 0u);
    EXPECT_EQ(in_pieces, spikes_in_pieces(text, {3000})) << "network " << i;
  }
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
