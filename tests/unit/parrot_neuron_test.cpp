// parrot_neuron against NEST's definition: it repeats every spike that
// reaches it, at its arrival time, whatever its weight or sign (k arrivals
// in one step: k spikes, NEST's multiplicity k, at most 8, more counted as
// saturated); its spikes reach its targets with the weight of the
// projection out of it; under Poisson input its spikes per step are Poisson
// counts. Plastic synapses and current devices into it are refused.
#include "io/model_file.hpp"
#include "spec/error.hpp"
#include "tests/support/bad_model.hpp"
#include "tests/support/harness.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <string>

namespace myelin::test {
namespace {

class ParrotNeuron : public backend_test {};

// gids: src 0..2, parrot 3..5, listener 6, late 7 (file order).
const std::string repeating = R"(
[run]
dt = 0.1
duration = 40.0
seed = 3

[populations.src]
model = "spike_source"
size = 3
params = { spike_times = [[5.0, 13.5], [7.3], [30.5]] }

[populations.parrot]
model = "parrot_neuron"
size = 3

[populations.listener]
model = "iaf_psc_delta"
size = 1
params = { V_th = 1000.0, tau_m = 1e12, E_L = 0.0, V_reset = 0.0 }

[populations.late]
model = "spike_source"
size = 1
params = { spike_times = [12.0] }

[[projections]]
source = "src"
target = "parrot"
rule = { kind = "one_to_one" }
synapse = { weight = -3.5, delay = 1.0 }

[[projections]]
source = "late"
target = "parrot"
rule = { kind = "all_to_all" }
synapse = { weight = 0.0, delay = 2.5 }

[[projections]]
source = "parrot"
target = "listener"
rule = { kind = "all_to_all" }
synapse = { weight = 0.25, delay = 1.0 }

[recorders.spikes]
kind = "spikes"

[recorders.vm]
kind = "multimeter"
population = "listener"
variables = ["V_m"]
interval = 0.1
)";

TEST_P(ParrotNeuron, RepeatsEveryInputStepAtTheArrivalTimeWhateverTheWeight) {
  const auto r = simulate(repeating);
  std::vector<recorded_spike> parrots;
  for (const auto& s : r.spikes)
    if (s.gid >= 3 && s.gid <= 5)
      parrots.push_back(s);
  std::sort(parrots.begin(), parrots.end(), [](const auto& a, const auto& b) {
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.gid < b.gid;
  });
  // Parrot 3 gets two spikes in the step ending at 14.5 (13.5 + 1 and
  // 12 + 2.5): two spikes, NEST's multiplicity 2, and its listener twice
  // the weight.
  const std::vector<recorded_spike> expected = {{3, 6.0},  {4, 8.3},  {3, 14.5}, {3, 14.5},
                                                {4, 14.5}, {5, 14.5}, {5, 31.5}};
  ASSERT_EQ(parrots.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(parrots[k].gid, expected[k].gid) << k;
    EXPECT_NEAR(parrots[k].time_ms, expected[k].time_ms, 1e-9) << k;
  }
  // The listener's V_m rises by the outgoing weight, 0.25 mV, one delay
  // (1 ms) after each parrot spike.
  const auto& vm = r.traces[0];
  for (std::size_t k = 0; k < vm.times_ms.size(); ++k) {
    double expected_v = 0.0;
    for (const auto& s : expected)
      if (s.time_ms + 1.0 <= vm.times_ms[k] + 1e-9)
        expected_v += 0.25;
    ASSERT_NEAR(vm.rows[k][0], expected_v, 1e-9) << "t = " << vm.times_ms[k];
  }
}

// A Poisson generator into parrots: each neuron-step repeats its Poisson
// events, whatever the device's weight, so the number of neuron-steps with k
// spikes follows the Poisson law of mean rate dt.
TEST_P(ParrotNeuron, PoissonInputIsRepeatedEventForEvent) {
  const std::uint64_t n = 1000, steps = 1000;
  const double rate = 2000.0, dt_ms = 0.1;
  const auto r = simulate("[run]\ndt = 0.1\nduration = 100.0\nseed = 11\n"
                          "[populations.parrot]\nmodel = \"parrot_neuron\"\nsize = " +
                          std::to_string(n) +
                          "\n[devices.drive]\nmodel = \"poisson_generator\"\nrate = 2000.0\n"
                          "targets = [\"parrot\"]\nweight = -7.0\ndelay = 0.1\n"
                          "[recorders.spikes]\nkind = \"spikes\"\n");
  const double lambda = rate * dt_ms * 1e-3;
  // Input reaches a neuron `delay` (one step) after it is drawn, so the
  // first step gets none.
  const double trials = static_cast<double>(n * (steps - 1));
  EXPECT_NEAR(static_cast<double>(r.spikes.size()), trials * lambda, 5.0 * std::sqrt(trials * lambda));
  std::map<std::pair<std::uint64_t, double>, int> per_step;
  for (const auto& s : r.spikes)
    ++per_step[{s.gid, s.time_ms}];
  std::vector<double> with(4, 0.0); // neuron-steps with k spikes, k = 1..3
  for (const auto& [at, k] : per_step)
    if (k < 4)
      ++with[static_cast<std::size_t>(k)];
  double poisson = std::exp(-lambda); // P(k), from k = 0
  for (int k = 1; k < 4; ++k) {
    poisson *= lambda / k;
    const double mean = trials * poisson, sd = std::sqrt(trials * poisson * (1.0 - poisson));
    EXPECT_NEAR(with[static_cast<std::size_t>(k)], mean, 5.0 * sd) << k << " spikes in one step";
  }
  EXPECT_EQ(r.saturated_input_steps, 0u);
}

// Ten spikes in one step into one parrot: it repeats eight, and the step is
// counted as saturated input (reported by the run).
TEST_P(ParrotNeuron, RepeatsAtMostEightSpikesAStepAndCountsTheRest) {
  const auto r =
      simulate("[run]\ndt = 0.1\nduration = 10.0\n"
               "[populations.src]\nmodel = \"spike_source\"\nsize = 10\n"
               "params = { spike_times = [2.0] }\n"
               "[populations.parrot]\nmodel = \"parrot_neuron\"\nsize = 2\n"
               "[[projections]]\nsource = \"src\"\ntarget = \"parrot\"\n"
               "rule = { kind = \"fixed_indegree\", indegree = 10, allow_multapses = false }\n"
               "synapse = { weight = 1.0, delay = 1.0 }\n"
               "[[projections]]\nsource = \"src\"\ntarget = \"parrot\"\n"
               "rule = { kind = \"fixed_indegree\", indegree = 1 }\nsynapse = { weight = 1.0, delay = 5.0 }\n"
               "[recorders.spikes]\nkind = \"spikes\"\n");
  std::map<std::pair<std::uint64_t, double>, int> per_step;
  for (const auto& s : r.spikes)
    if (s.gid >= 10) // the parrots
      ++per_step[{s.gid, s.time_ms}];
  const std::map<std::pair<std::uint64_t, double>, int> expected = {
      {{10, 3.0}, 8}, {{11, 3.0}, 8}, {{10, 7.0}, 1}, {{11, 7.0}, 1}};
  EXPECT_EQ(per_step, expected);
  EXPECT_EQ(r.saturated_input_steps, 2u);
}

MYELIN_ON_EVERY_BACKEND(ParrotNeuron);

TEST(ParrotNeuronChecks, PlasticSynapsesAndCurrentsIntoAParrotAreRefused) {
  const std::string net = "[run]\ndt = 0.1\nduration = 1.0\n"
                          "[populations.src]\nmodel = \"spike_source\"\nsize = 1\n"
                          "params = { spike_times = [0.5] }\n"
                          "[populations.parrot]\nmodel = \"parrot_neuron\"\nsize = 2\n";
  const struct {
    std::string extra, key, reason;
  } cases[] = {
      {"[[projections]]\nsource = \"src\"\ntarget = \"parrot\"\nrule = { kind = \"all_to_all\" }\n"
       "synapse = { model = \"stdp_synapse\", weight = 1.0, delay = 1.0 }\n",
       "projections[0].synapse.model", "ignores the weights"},
      {"[devices.dc]\nmodel = \"dc_generator\"\namplitude = 5.0\ntargets = [\"parrot\"]\n",
       "devices.dc.targets", "parrot_neuron"},
      {"[populations.parrot.params]\nV_th = 1.0\n", "populations.parrot.params.V_th", "V_th"},
  };
  for (const auto& c : cases) {
    expect_model_error(net + c.extra, c.key, c.reason);
  }
}

} // namespace
} // namespace myelin::test
