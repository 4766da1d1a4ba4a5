// iaf_psc_exp_multisynapse against closed forms computed here: each port's
// current decays with its own tau_syn, and the membrane follows the sum of
// the ports' exact responses (LIF driven by exponential currents); the
// first spike under I_e comes where the DC charging curve reaches V_th.
// Also: the list-valued tau_syn, the ring holding only the ports used, and
// the checks on ports and receptors.
#include "engine/build.hpp"
#include "io/model_file.hpp"
#include "spec/error.hpp"
#include "tests/support/bad_model.hpp"
#include "tests/support/harness.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <string>

namespace myelin::test {
namespace {

class Multisynapse : public backend_test {};

const std::string three_ports = R"(
[run]
dt = 0.1
duration = 60.0
seed = 1

[populations.src]
model = "spike_source"
size = 2
params = { spike_times = [[10.0], [25.0]] }

[populations.n]
model = "iaf_psc_exp_multisynapse"
size = 1
params = { tau_syn = [1.0, 3.0, 7.0], E_L = -65.0 }

[[projections]]
source = "src"
target = "n"
rule = { kind = "fixed_total_number", N = 1 }
synapse = { weight = 400.0, delay = 1.0, receptor = 1 }

[[projections]]
source = "src"
target = "n"
rule = { kind = "fixed_total_number", N = 1 }
synapse = { weight = -300.0, delay = 2.0, receptor = 3 }

[recorders.vm]
kind = "multimeter"
population = "n"
variables = ["V_m", "I_syn_1", "I_syn_2", "I_syn_3"]
interval = 0.1
)";

// V(u) after a current w e^{-u/tau_s} starts at u = 0, from rest.
double lif_response(double w, double tau_s, double u) {
  const double C = 250.0, tau_m = 10.0;
  if (u < 0)
    return 0.0;
  return w / C * tau_m * tau_s / (tau_m - tau_s) * (std::exp(-u / tau_m) - std::exp(-u / tau_s));
}

TEST_P(Multisynapse, EachPortDecaysWithItsOwnTauAndTheMembraneSumsThem) {
  const auto r = simulate(three_ports);
  const auto& t = r.traces.at(0);
  ASSERT_EQ(t.rows.size(), 600u);
  // fixed_total_number N = 1 picks one source per projection: find which
  // from the first nonzero sample, then check every sample.
  double arrive_1 = -1, arrive_3 = -1;
  for (std::size_t k = 0; k < t.rows.size(); ++k) {
    if (arrive_1 < 0 && t.rows[k][1] != 0.0)
      arrive_1 = t.times_ms[k];
    if (arrive_3 < 0 && t.rows[k][3] != 0.0)
      arrive_3 = t.times_ms[k];
  }
  // A spike stamped at s with delay d is in the current at the end of the
  // step ending at s + d.
  EXPECT_TRUE(std::fabs(arrive_1 - 11.0) < 1e-9 || std::fabs(arrive_1 - 26.0) < 1e-9) << arrive_1;
  EXPECT_TRUE(std::fabs(arrive_3 - 12.0) < 1e-9 || std::fabs(arrive_3 - 27.0) < 1e-9) << arrive_3;
  for (std::size_t k = 0; k < t.rows.size(); ++k) {
    const double time = t.times_ms[k];
    const double u1 = time - arrive_1, u3 = time - arrive_3;
    const double i1 = u1 < -1e-9 ? 0.0 : 400.0 * std::exp(-u1 / 1.0);
    const double i3 = u3 < -1e-9 ? 0.0 : -300.0 * std::exp(-u3 / 7.0);
    ASSERT_NEAR(t.rows[k][1], i1, 1e-9) << time;
    ASSERT_EQ(t.rows[k][2], 0.0) << time;
    ASSERT_NEAR(t.rows[k][3], i3, 1e-9) << time;
    const double v = -65.0 + lif_response(400.0, 1.0, u1) + lif_response(-300.0, 7.0, u3);
    ASSERT_NEAR(t.rows[k][0], v, 1e-9) << time;
  }
}

// Under I_e alone, V_m - E_L = I_e tau_m / C (1 - e^{-t/tau_m}) reaches
// V_th - E_L = 15 mV at T = -tau_m ln(1 - 15 C / (I_e tau_m)): the spike is
// stamped at the first grid point at or past T, then V_m stays at V_reset
// for t_ref.
TEST_P(Multisynapse, FirstSpikeUnderDcIsWhereTheChargingCurveReachesThreshold) {
  const auto r = simulate("[run]\ndt = 0.1\nduration = 40.0\n"
                          "[populations.n]\nmodel = \"iaf_psc_exp_multisynapse\"\nsize = 1\n"
                          "params = { I_e = 500.0, tau_syn = [2.0, 4.0] }\n"
                          "[recorders.spikes]\nkind = \"spikes\"\n");
  const double T = -10.0 * std::log(1.0 - 15.0 * 250.0 / (500.0 * 10.0));
  ASSERT_FALSE(r.spikes.empty());
  EXPECT_NEAR(r.spikes[0].time_ms, std::ceil(T / 0.1) * 0.1, 1e-9);
  // Next spike: refractory 2 ms, then the same charging curve from V_reset = E_L.
  ASSERT_GE(r.spikes.size(), 2u);
  EXPECT_NEAR(r.spikes[1].time_ms - r.spikes[0].time_ms, 2.0 + std::ceil(T / 0.1) * 0.1, 1e-9);
}

MYELIN_ON_EVERY_BACKEND(Multisynapse);

TEST(MultisynapseModel, TheRingHasTheChannelsOfThePortsUsed) {
  auto channels = [](const std::string& params) {
    return ring_channels(
        io::parse_model("[populations.a]\nmodel = \"iaf_psc_alpha\"\nsize = 2\n"
                        "[populations.n]\nmodel = \"iaf_psc_exp_multisynapse\"\nsize = 2\nparams = { " +
                            params + " }\n",
                        "net.toml"));
  };
  EXPECT_EQ(channels(""), 2);                          // NEST's default: one port
  EXPECT_EQ(channels("tau_syn = [1.0, 2.0, 3.0]"), 6); // two channels per port
  EXPECT_EQ(channels("tau_syn_1 = 1.0, tau_syn_2 = 5.0"), 4);
  EXPECT_EQ(channels("tau_syn = [1, 2, 3, 4, 5, 6, 7, 8]"), 16);
}

TEST(MultisynapseModel, BadPortsAndReceptorsNameTheKey) {
  const std::string head = "[run]\ndt = 0.1\nduration = 1.0\n"
                           "[populations.src]\nmodel = \"spike_source\"\nsize = 1\n"
                           "params = { spike_times = [0.5] }\n"
                           "[populations.n]\nmodel = \"iaf_psc_exp_multisynapse\"\nsize = 1\n";
  auto projection = [](const std::string& receptor) {
    return "[[projections]]\nsource = \"src\"\ntarget = \"n\"\nrule = { kind = \"all_to_all\" }\n"
           "synapse = { weight = 1.0, delay = 1.0" +
           receptor + " }\n";
  };
  const struct {
    std::string text, key, reason;
  } cases[] = {
      {"params = { tau_syn = [1, 2, 3, 4, 5, 6, 7, 8, 9] }\n", "populations.n.params.tau_syn", "at most 8"},
      {"params = { tau_syn = [1.0, -2.0] }\n", "populations.n.params.tau_syn[1]", "> 0"},
      {"params = { tau_syn_1 = 1.0, tau_syn_3 = 2.0 }\n", "populations.n.params.tau_syn_3", "consecutive"},
      {"params = { tau_syn = [1.0, 2.0] }\n" + projection(", receptor = 3"),
       "projections[0].synapse.receptor", "not a port"},
      {"params = { tau_syn = [1.0, 2.0] }\n" + projection(""), "projections[0].synapse.receptor",
       "receptor = 1..2"},
      {"params = { tau_syn = [] }\n" + projection(", receptor = 1"), "projections[0].synapse.receptor",
       "no receptor ports"},
      {"params = { tau_m = 0.0 }\n", "populations.n.params.tau_m", "> 0"},
  };
  for (const auto& c : cases) {
    expect_model_error(head + c.text, c.key, c.reason);
  }
}

} // namespace
} // namespace myelin::test
