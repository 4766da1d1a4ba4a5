// parrot_neuron against NEST's definition: it fires in every step in which
// spikes reach it, at their arrival time, whatever their weights or signs;
// its spikes reach its targets with the weight of the projection out of it;
// Poisson input makes it fire with probability 1 - e^{-rate dt} per step.
// Plastic synapses and current devices into it are refused.
#include "io/model_file.hpp"
#include "spec/error.hpp"
#include "tests/support/bad_model.hpp"
#include "tests/support/harness.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
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
  // 12 + 2.5): one spike, NEST's multiplicity 2 (docs/design-decisions.md).
  const std::vector<recorded_spike> expected = {{3, 6.0},  {4, 8.3},  {3, 14.5},
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

// A Poisson generator into parrots: each neuron-step fires when at least
// one of its Poisson events falls in it, whatever the device's weight.
TEST_P(ParrotNeuron, PoissonInputFiresWithTheProbabilityOfAtLeastOneEvent) {
  const std::uint64_t n = 1000, steps = 1000;
  const double rate = 2000.0, dt_ms = 0.1;
  const auto r = simulate("[run]\ndt = 0.1\nduration = 100.0\nseed = 11\n"
                          "[populations.parrot]\nmodel = \"parrot_neuron\"\nsize = " +
                          std::to_string(n) +
                          "\n[devices.drive]\nmodel = \"poisson_generator\"\nrate = 2000.0\n"
                          "targets = [\"parrot\"]\nweight = -7.0\ndelay = 0.1\n"
                          "[recorders.spikes]\nkind = \"spikes\"\n");
  const double p = 1.0 - std::exp(-rate * dt_ms * 1e-3);
  // Input reaches a neuron `delay` (one step) after it is drawn, so the
  // first step gets none.
  const double trials = static_cast<double>(n * (steps - 1));
  const double mean = trials * p, sd = std::sqrt(trials * p * (1.0 - p));
  EXPECT_NEAR(static_cast<double>(r.spikes.size()), mean, 5.0 * sd);
  for (std::size_t k = 1; k < r.spikes.size(); ++k) // one spike per neuron and step at most
    if (r.spikes[k].gid == r.spikes[k - 1].gid) {
      ASSERT_NE(r.spikes[k].time_ms, r.spikes[k - 1].time_ms);
    }
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
