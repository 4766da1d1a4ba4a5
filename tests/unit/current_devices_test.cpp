// Current devices against hand-computed responses: a DC step into
// iaf_psc_exp has a closed form (the current flows from start + delay + dt,
// NEST's timing); step_current_generator switches at each time + delay;
// ac_generator's phase and timing follow NEST's oscillator; a noise
// generator draws one current per neuron and interval, with the asked mean
// and spread, and equals a dc_generator when its std is 0. The model
// equations used here are the exact solution for a current that is
// constant during each step: V' = V e^{-dt/tau} + I R (1 - e^{-dt/tau}).
#include "tests/support/harness.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <sstream>

namespace myelin::test {
namespace {

class CurrentDevices : public backend_test {};

constexpr double tau_m = 10.0, C_m = 250.0, E_L = -70.0, dt = 0.1;

std::string driven(const std::string& device, double duration, std::uint64_t size = 1,
                   const std::string& model = "iaf_psc_exp", const std::string& params = "V_th = 1e6") {
  std::ostringstream os;
  os << "[run]\ndt = 0.1\nduration = " << duration << "\nseed = 5\n"
     << "[populations.n]\nmodel = \"" << model << "\"\nsize = " << size << "\nparams = { " << params << " }\n"
     << "[devices.d]\n"
     << device << "\ntargets = [\"n\"]\n"
     << "[recorders.vm]\nkind = \"voltmeter\"\npopulation = \"n\"\ninterval = 0.1\n"; // NEST's alias
  return os.str();
}

// The membrane under a current that is current(u) during step u (u = 0, 1, ...).
template <class Current>
std::vector<double> membrane(std::size_t steps, Current current) {
  std::vector<double> v;
  double V = 0.0;
  const double decay = std::exp(-dt / tau_m), gain = tau_m / C_m * (1 - std::exp(-dt / tau_m));
  for (std::size_t u = 0; u < steps; ++u) {
    V = V * decay + current(static_cast<std::int64_t>(u)) * gain;
    v.push_back(E_L + V);
  }
  return v;
}

void expect_trace(const run_result& r, const std::vector<double>& expected, double tolerance) {
  ASSERT_EQ(r.traces[0].times_ms.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k)
    ASSERT_NEAR(r.traces[0].rows[k][0], expected[k], tolerance) << "t=" << r.traces[0].times_ms[k];
}

TEST_P(CurrentDevices, DcStepHasTheClosedFormFromStartPlusDelayPlusOneStep) {
  // Active [20, 50) ms, delay 1.5 ms, weight 2: 2 * 300 pA flows from
  // 20 + 1.5 + 0.1 ms to 50 + 1.5 + 0.1 ms.
  const auto r = simulate(driven(
      "model = \"dc_generator\"\namplitude = 300.0\nstart = 20.0\nstop = 50.0\ndelay = 1.5\nweight = 2.0",
      80.0));
  const double on = 21.6, off = 51.6, I = 600.0, R = tau_m / C_m;
  for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
    const double t = r.traces[0].times_ms[k];
    double expected = E_L;
    if (t > on + 1e-9)
      expected += I * R * (1 - std::exp(-(std::min(t, off) - on) / tau_m));
    if (t > off + 1e-9)
      expected = E_L + (expected - E_L) * std::exp(-(t - off) / tau_m);
    ASSERT_NEAR(r.traces[0].rows[k][0], expected, 1e-9) << "t=" << t;
  }
}

TEST_P(CurrentDevices, StepCurrentSwitchesAtEachTimePlusDelay) {
  const auto r = simulate(driven("model = \"step_current_generator\"\namplitude_times = [10.0, 30.0, 45.5]\n"
                                 "amplitude_values = [200.0, -100.0, 0.0]\ndelay = 1.0",
                                 60.0));
  // A value for time T (step n) flows from T + delay: during steps u >= n + 10.
  expect_trace(r,
               membrane(600,
                        [](std::int64_t u) {
                          return u >= 455 + 10 ? 0.0 : u >= 300 + 10 ? -100.0 : u >= 100 + 10 ? 200.0 : 0.0;
                        }),
               1e-9);
}

TEST_P(CurrentDevices, AcFollowsNestsOscillatorPhaseAndTiming) {
  const auto r = simulate(driven("model = \"ac_generator\"\namplitude = 150.0\noffset = 50.0\n"
                                 "frequency = 40.0\nphase = 30.0\nstart = 5.0\ndelay = 0.2",
                                 50.0));
  const double omega = 2 * std::numbers::pi * 40.0 / 1000.0, phi = 30.0 * std::numbers::pi / 180.0;
  // Sent at device step s >= 50 (t = 5 ms): offset + amplitude sin(omega (s + 1) dt + phi); flows during s +
  // 2 + 1.
  expect_trace(r,
               membrane(500,
                        [&](std::int64_t u) {
                          const std::int64_t s = u - 3;
                          return s < 50 ? 0.0
                                        : 50.0 + 150.0 * std::sin(omega * (static_cast<double>(s + 1) * dt) +
                                                                  phi);
                        }),
               1e-9);
}

TEST_P(CurrentDevices, NoiseWithoutSpreadIsADcGenerator) {
  const auto noise = simulate(driven(
      "model = \"noise_generator\"\nmean = 120.0\nstd = 0.0\ndt = 0.5\nstart = 3.0\nstop = 17.0", 30.0, 3));
  const auto dc =
      simulate(driven("model = \"dc_generator\"\namplitude = 120.0\nstart = 3.0\nstop = 17.0", 30.0, 3));
  EXPECT_EQ(noise.traces[0].rows, dc.traces[0].rows);
}

// iaf_psc_delta with a very long tau_m integrates the current: the step's
// increment is P30 (I_e + I) with P30 = -tau_m/C_m expm1(-dt/tau_m).
TEST_P(CurrentDevices, NoiseDrawsOneCurrentPerNeuronAndIntervalWithTheAskedMeanAndStd) {
  const std::uint64_t n = 400;
  const double tau = 1e7, C = 1.0, mean = 30.0, sd = 100.0;
  const auto r =
      simulate(driven("model = \"noise_generator\"\nmean = 30.0\nstd = 100.0\ndt = 1.0\ndelay = 0.1", 41.0, n,
                      "iaf_psc_delta", "tau_m = 1e7, C_m = 1.0, E_L = 0.0, V_th = 1e12"));
  const double P30 = -tau / C * std::expm1(-dt / tau), P33 = std::exp(-dt / tau);
  const auto& tr = r.traces[0];
  // Current during step u: (V(u) - P33 V(u - 1)) / P30, V(u) the sample after step u.
  std::vector<double> draws;
  for (std::uint64_t i = 0; i < n; ++i) {
    // Active from device step 0: interval k flows during steps [10 k + 2, 10 k + 12).
    for (std::size_t k = 0; k < 40; ++k) {
      const std::size_t u0 = 10 * k + 2;
      const double I0 = (tr.rows[u0][i] - P33 * tr.rows[u0 - 1][i]) / P30;
      for (std::size_t u = u0 + 1; u < u0 + 10; ++u)
        ASSERT_NEAR((tr.rows[u][i] - P33 * tr.rows[u - 1][i]) / P30, I0, 1e-6 * (1 + std::fabs(I0)))
            << "neuron " << i << " interval " << k << ": constant within dt";
      draws.push_back(I0);
    }
    ASSERT_NEAR(tr.rows[1][i], 0.0, 1e-12) << "nothing flows before start + delay + dt";
  }
  double m = 0, v = 0;
  for (double x : draws)
    m += x;
  m /= static_cast<double>(draws.size());
  for (double x : draws)
    v += (x - m) * (x - m);
  const double s = std::sqrt(v / static_cast<double>(draws.size() - 1));
  const double N = static_cast<double>(draws.size()); // 16,000 draws
  EXPECT_NEAR(m, mean, 5 * sd / std::sqrt(N));
  EXPECT_NEAR(s, sd, 5 * sd / std::sqrt(2 * N));
  // Independent per neuron: the first interval differs between neurons.
  EXPECT_NE(draws[0], draws[40]);
}

MYELIN_ON_EVERY_BACKEND(CurrentDevices);

} // namespace
} // namespace myelin::test
