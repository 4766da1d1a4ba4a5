// Each LIF model against closed-form solutions computed here, independently of
// the propagator code: DC step, single excitatory and inhibitory input spikes
// (including NEST's timing: a spike at t with delay d acts at t + d), reset,
// refractoriness, and the firing rate under DC input.
#include "models/portable_math.hpp"
#include "tests/support/harness.hpp"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <numbers>
#include <random>
#include <sstream>

namespace myelin::test {
namespace {

class Izhikevich : public backend_test {};
class LifModels : public backend_test {};
class PoissonSource : public backend_test {};

constexpr double tolerance_mV = 1e-9; // NEST agreement asks for 1e-6

std::string one_neuron(const std::string& model, const std::string& params, double duration,
                       const std::string& input = "", const std::string& init = "", double dt = 0.1) {
  std::ostringstream os;
  os << "[run]\ndt = " << dt << "\nduration = " << duration << "\nseed = 1\n"
     << "[populations.n]\nmodel = \"" << model << "\"\nsize = 1\nparams = { " << params << " }\n"
     << "init = { " << init << " }\n"
     << input
     << "[recorders.vm]\nkind = \"multimeter\"\npopulation = \"n\"\nvariables = [\"V_m\"]\ninterval = " << dt
     << "\n"
     << "[recorders.spikes]\nkind = \"spikes\"\n";
  return os.str();
}

std::string spike_input(double time, double weight, double delay) {
  std::ostringstream os;
  os.precision(17);
  os << "[populations.src]\nmodel = \"spike_source\"\nsize = 1\nparams = { spike_times = [" << time << "] }\n"
     << "[[projections]]\nsource = \"src\"\ntarget = \"n\"\nrule = { kind = \"all_to_all\" }\n"
     << "synapse = { weight = " << weight << ", delay = " << delay << " }\n";
  return os.str();
}

// \int_0^u e^{-(u-s)/tau_m} s e^{-s/tau_s} ds by composite Simpson (reference only).
double alpha_integral(double u, double tau_s, double tau_m) {
  const int n = 4000;
  const double h = u / n;
  auto f = [&](double s) { return std::exp(-(u - s) / tau_m) * s * std::exp(-s / tau_s); };
  double sum = f(0) + f(u);
  for (int i = 1; i < n; ++i)
    sum += f(i * h) * (i % 2 ? 4 : 2);
  return sum * h / 3;
}

double psp_exp(double u, double w, double tau_s, double tau_m, double C) {
  return w / C * (std::exp(-u / tau_s) - std::exp(-u / tau_m)) / (1 / tau_m - 1 / tau_s);
}
double psp_alpha(double u, double w, double tau_s, double tau_m, double C) {
  return w * std::numbers::e / tau_s / C * alpha_integral(u, tau_s, tau_m);
}

TEST_P(LifModels, DcStepFollowsTheExponentialApproach) {
  for (const char* model : {"iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha"}) {
    const auto r = simulate(one_neuron(model, "I_e = 300.0", 100.0));
    ASSERT_EQ(r.traces[0].times_ms.size(), 1000u) << model;
    EXPECT_TRUE(r.spikes.empty()) << model;
    for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
      const double t = r.traces[0].times_ms[k];
      const double expected = -70.0 + 300.0 * 10.0 / 250.0 * (1 - std::exp(-t / 10.0));
      ASSERT_NEAR(r.traces[0].rows[k][0], expected, tolerance_mV) << model << " t=" << t;
    }
  }
}

struct psp_case {
  const char* model;
  double weight;
  double (*shape)(double, double, double, double, double);
};

TEST_P(LifModels, SingleSpikeMatchesClosedFormAndArrivesAtTimePlusDelay) {
  // tau_syn_ex != tau_syn_in, so routing by sign is checked too.
  const psp_case cases[] = {{"iaf_psc_exp", 100.0, psp_exp},
                            {"iaf_psc_exp", -100.0, psp_exp},
                            {"iaf_psc_alpha", 100.0, psp_alpha},
                            {"iaf_psc_alpha", -100.0, psp_alpha}};
  for (const auto& c : cases) {
    const auto r = simulate(
        one_neuron(c.model, "tau_syn_ex = 2.0, tau_syn_in = 5.0", 60.0, spike_input(10.0, c.weight, 1.0)));
    const double tau_s = c.weight > 0 ? 2.0 : 5.0;
    for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
      const double t = r.traces[0].times_ms[k];
      const double u = t - 11.0; // spike at 10 ms + delay 1 ms
      const double expected = -70.0 + (u > 1e-9 ? c.shape(u, c.weight, tau_s, 10.0, 250.0) : 0.0);
      ASSERT_NEAR(r.traces[0].rows[k][0], expected, tolerance_mV)
          << c.model << " w=" << c.weight << " t=" << t;
    }
  }
}

TEST_P(LifModels, DeltaSpikeJumpsAtTimePlusDelayAndDecays) {
  for (double w : {2.0, -3.0}) {
    const auto r = simulate(one_neuron("iaf_psc_delta", "", 40.0, spike_input(10.0, w, 1.5)));
    for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
      const double t = r.traces[0].times_ms[k];
      const double u = t - 11.5;
      const double expected = -70.0 + (u > -1e-9 ? w * std::exp(-u / 10.0) : 0.0);
      ASSERT_NEAR(r.traces[0].rows[k][0], expected, tolerance_mV) << "w=" << w << " t=" << t;
    }
  }
}

// Under DC drive I_e the neuron rises from V_reset toward V_inf = I_e tau_m / C,
// crosses threshold theta after T = tau_m ln((V_inf - V_reset)/(V_inf - theta)),
// is detected at the next grid point, then stays at V_reset for t_ref.
TEST_P(LifModels, ResetRefractorinessAndDcRateMatchTheory) {
  const double tau_m = 10.0, C = 250.0, theta = 15.0, t_ref = 2.0, dt = 0.1;
  for (const char* model : {"iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha"}) {
    for (double I_e : {400.0, 600.0, 1000.0}) {
      std::ostringstream params;
      params << "I_e = " << I_e;
      const auto r = simulate(one_neuron(model, params.str(), 1000.0));
      const double v_inf = I_e * tau_m / C;
      const double rise = tau_m * std::log(v_inf / (v_inf - theta));
      const double first = std::ceil(rise / dt - 1e-9) * dt; // first grid point at or past threshold
      ASSERT_FALSE(r.spikes.empty()) << model;
      EXPECT_NEAR(r.spikes[0].time_ms, first, 1e-9) << model << " I_e=" << I_e;
      const double isi = t_ref + first;
      for (std::size_t i = 1; i < r.spikes.size(); ++i)
        ASSERT_NEAR(r.spikes[i].time_ms - r.spikes[i - 1].time_ms, isi, 1e-9) << model << " I_e=" << I_e;
      // Grid count, and the continuous-time rate 1 / (t_ref + rise) within one grid step.
      EXPECT_EQ(r.spikes.size(), static_cast<std::size_t>(std::floor((1000.0 + 1e-9 - first) / isi)) + 1);
      const double rate = static_cast<double>(r.spikes.size());
      EXPECT_NEAR(rate, 1000.0 / (t_ref + rise), 1000.0 / (t_ref + rise) * dt / isi + 1.0) << model;
      // Clamped at V_reset for t_ref after each spike, then the DC approach again.
      const auto& tr = r.traces[0];
      const double ts = r.spikes[0].time_ms;
      for (std::size_t k = 0; k < tr.times_ms.size(); ++k) {
        const double t = tr.times_ms[k];
        if (t < ts - 1e-9 || t > ts + isi - 1e-9)
          continue;
        const double since = t - ts - t_ref;
        const double expected = -70.0 + (since < 1e-9 ? 0.0 : v_inf * (1 - std::exp(-since / tau_m)));
        ASSERT_NEAR(tr.rows[k][0], expected, tolerance_mV) << model << " t=" << t;
      }
    }
  }
}

const char* izhikevich_rest = "V_m = -70.0, U_m = -14.0"; // a fixed point for a = 0.02, b = 0.2

TEST_P(Izhikevich, SpikeInputJumpsVAtTimePlusDelay) {
  const auto r = simulate(one_neuron("izhikevich", "", 10.0, spike_input(5.0, 5.0, 1.0), izhikevich_rest));
  for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
    const double t = r.traces[0].times_ms[k];
    if (t < 6.0 - 1e-9) {
      ASSERT_NEAR(r.traces[0].rows[k][0], -70.0, 1e-9) << t;
    } else if (t < 6.0 + 1e-9) {
      ASSERT_NEAR(r.traces[0].rows[k][0], -65.0, 1e-9) << t;
    }
  }
}

// Reference: the Izhikevich ODE integrated with classical RK4 at 1e-4 ms.
double izhikevich_first_spike_reference(double I) {
  double v = -70.0, u = -14.0, t = 0.0;
  const double h = 1e-4;
  auto fv = [&](double v_, double u_) { return 0.04 * v_ * v_ + 5 * v_ + 140 - u_ + I; };
  auto fu = [&](double v_, double u_) { return 0.02 * (0.2 * v_ - u_); };
  while (v < 30.0 && t < 1000.0) {
    const double k1v = fv(v, u), k1u = fu(v, u);
    const double k2v = fv(v + h / 2 * k1v, u + h / 2 * k1u), k2u = fu(v + h / 2 * k1v, u + h / 2 * k1u);
    const double k3v = fv(v + h / 2 * k2v, u + h / 2 * k2u), k3u = fu(v + h / 2 * k2v, u + h / 2 * k2u);
    const double k4v = fv(v + h * k3v, u + h * k3u), k4u = fu(v + h * k3v, u + h * k3u);
    v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    u += h / 6 * (k1u + 2 * k2u + 2 * k3u + k4u);
    t += h;
  }
  return t;
}

TEST_P(Izhikevich, ForwardEulerConvergesToTheOdeAndResetsToC) {
  const double reference = izhikevich_first_spike_reference(10.0);
  double previous_error = 1e9;
  for (double dt : {0.1, 0.01}) {
    const auto r = simulate(one_neuron("izhikevich", "I_e = 10.0", 200.0, "", izhikevich_rest, dt));
    ASSERT_FALSE(r.spikes.empty());
    const double error = std::fabs(r.spikes[0].time_ms - reference);
    EXPECT_LT(error, 30 * dt) << "dt=" << dt; // first order in dt
    EXPECT_LT(error, previous_error);
    previous_error = error;
    for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
      if (std::fabs(r.traces[0].times_ms[k] - r.spikes[0].time_ms) < dt / 2) {
        EXPECT_EQ(r.traces[0].rows[k][0], -65.0); // reset to c
      }
    }
  }
}

TEST_P(PoissonSource, RateAndWindowMatchTheParameters) {
  // 400 trains at 50 Hz, active for spikes stamped in (100, 500] ms: 8000 expected.
  const auto r = simulate(R"(
[run]
duration = 700.0
[populations.p]
model = "poisson_source"
size = 400
params = { rate = 50.0, start = 100.0, stop = 500.0 }
[recorders.spikes]
kind = "spikes"
)");
  EXPECT_NEAR(static_cast<double>(r.spikes.size()), 8000.0, 5 * std::sqrt(8000.0));
  for (const auto& s : r.spikes) {
    ASSERT_GT(s.time_ms, 100.0 + 1e-9);
    ASSERT_LE(s.time_ms, 500.0 + 1e-9);
  }
}

// The exp, log and pow every backend shares (models/portable_math.hpp): within
// one ulp of the C library for exp and log, and of pow within 2 |y log x| + 2
// ulps, over the whole range; the C library's values at the edges.
std::int64_t ulps(double a, double b) {
  if (a == b)
    return 0;
  std::int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  return ia > ib ? ia - ib : ib - ia;
}

TEST(PortableMath, CloseToTheCLibraryEverywhere) {
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> exp_arg(-745.0, 709.7), log_exponent(-700.0, 700.0),
      base(0.0, 300.0), power(0.0, 3.0);
  for (int k = 0; k < 200000; ++k) {
    const double x = exp_arg(gen);
    ASSERT_LE(ulps(models::portable_exp(x), std::exp(x)), 1) << x;
    const double y = std::exp(log_exponent(gen));
    ASSERT_LE(ulps(models::portable_log(y), std::log(y)), 1) << y;
    const double a = base(gen), e = power(gen);
    ASSERT_LE(ulps(models::portable_pow(a, e), std::pow(a, e)), 2 * std::abs(e * std::log(a)) + 2)
        << a << "^" << e;
  }
  for (const double x : {0.0, -0.0, 1e-300, -1e-300, 1e-20, 1.0, -1.0, 0.5, 708.0, -708.0, -744.0})
    EXPECT_LE(ulps(models::portable_exp(x), std::exp(x)), 1) << x;
  EXPECT_EQ(models::portable_exp(800.0), HUGE_VAL);
  EXPECT_EQ(models::portable_exp(-800.0), 0.0);
  EXPECT_TRUE(std::isnan(models::portable_exp(NAN)));
  EXPECT_EQ(models::portable_log(1.0), 0.0);
  EXPECT_EQ(models::portable_log(0.0), -HUGE_VAL);
  EXPECT_TRUE(std::isnan(models::portable_log(-1.0)));
  EXPECT_LE(ulps(models::portable_log(4.9e-324), std::log(4.9e-324)), 1); // subnormal
  EXPECT_EQ(models::portable_pow(0.0, 0.4), 0.0);
  EXPECT_EQ(models::portable_pow(0.0, 0.0), 1.0);
  EXPECT_EQ(models::portable_pow(7.5, 1.0), 7.5);
  EXPECT_EQ(models::portable_pow(2.0, 2.0), 4.0);
}

MYELIN_ON_EVERY_BACKEND(Izhikevich);
MYELIN_ON_EVERY_BACKEND(LifModels);
MYELIN_ON_EVERY_BACKEND(PoissonSource);

} // namespace
} // namespace myelin::test
