// The conductance-based and AdEx models against closed forms computed here,
// independently of the model code: a conductance's response to one input
// spike (exponential and alpha shapes, NEST's timing and scaling), the
// approach to rest and the first spike under DC input (iaf_cond_*), the
// rheobase of AdEx from its nullclines, reset, refractoriness and
// spike-triggered adaptation, and the parameter checks.
#include "io/model_file.hpp"
#include "models/registry.hpp"
#include "spec/error.hpp"
#include "tests/support/bad_model.hpp"
#include "tests/support/harness.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <numbers>
#include <sstream>

namespace myelin::test {
namespace {

class ConductanceModels : public backend_test {};

std::string one_neuron(const std::string& model, const std::string& params, double duration,
                       const std::string& variables, const std::string& input = "",
                       const std::string& init = "") {
  std::ostringstream os;
  os << "[run]\ndt = 0.1\nduration = " << duration << "\nseed = 1\n"
     << "[populations.n]\nmodel = \"" << model << "\"\nsize = 1\nparams = { " << params << " }\n"
     << "init = { " << init << " }\n"
     << input << "[recorders.vm]\nkind = \"multimeter\"\npopulation = \"n\"\nvariables = [" << variables
     << "]\ninterval = 0.1\n"
     << "[recorders.spikes]\nkind = \"spikes\"\n";
  return os.str();
}

std::string spike_at(double time, double weight, double delay) {
  std::ostringstream os;
  os.precision(17);
  os << "[populations.src]\nmodel = \"spike_source\"\nsize = 1\nparams = { spike_times = [" << time << "] }\n"
     << "[[projections]]\nsource = \"src\"\ntarget = \"n\"\nrule = { kind = \"all_to_all\" }\n"
     << "synapse = { weight = " << weight << ", delay = " << delay << " }\n";
  return os.str();
}

// A spike at 10 ms with delay 1 ms reaches the neuron at the end of the step
// that ends at 11 ms: the conductance is w e^{-u/tau} (exp) or
// w (u/tau) e^{1 - u/tau} (alpha: peak w at u = tau), u = t - 11.
TEST_P(ConductanceModels, OneSpikeGivesTheConductanceItsClosedForm) {
  struct shape {
    const char* model;
    bool alpha;
  };
  for (const shape s : {shape{"iaf_cond_exp", false}, shape{"iaf_cond_alpha", true},
                        shape{"aeif_cond_exp", false}, shape{"aeif_cond_alpha", true}}) {
    for (double w : {3.0, -2.0}) {
      const auto r = simulate(one_neuron(s.model, "tau_syn_ex = 1.5, tau_syn_in = 4.0", 40.0,
                                         "\"g_ex\", \"g_in\"", spike_at(10.0, w, 1.0)));
      const double tau = w > 0 ? 1.5 : 4.0;
      const std::size_t column = w > 0 ? 0 : 1, other = 1 - column;
      double worst = 0.0;
      for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
        const double u = r.traces[0].times_ms[k] - 11.0;
        const double x = u / tau;
        const double expected =
            u < -1e-9 ? 0.0 : (s.alpha ? std::fabs(w) * x * std::exp(1.0 - x) : std::fabs(w) * std::exp(-x));
        worst = std::max(worst, std::fabs(r.traces[0].rows[k][column] - expected));
        ASSERT_EQ(r.traces[0].rows[k][other], 0.0) << s.model << " w=" << w;
      }
      // NEST's error control allows 1e-3 nS per substep; smooth shapes do far better.
      EXPECT_LT(worst, 1e-6) << s.model << " w=" << w;
    }
  }
}

// Below threshold under DC the membrane approaches E_L + I / g_L with
// tau = C_m / g_L; the first spike comes at the first grid point past
// T = -tau ln(1 - g_L (V_th - E_L) / I), then V_m sits at V_reset for t_ref.
TEST_P(ConductanceModels, IafCondUnderDcApproachesRestAndSpikesOnTime) {
  const double g_L = 16.6667, C = 250.0, E_L = -70.0, V_th = -55.0, tau = C / g_L;
  for (const char* model : {"iaf_cond_exp", "iaf_cond_alpha"}) {
    // Rheobase g_L (V_th - E_L) = 250.0005 pA: just below, no spike ever.
    {
      const auto r = simulate(one_neuron(model, "I_e = 249.9", 500.0, "\"V_m\""));
      EXPECT_TRUE(r.spikes.empty()) << model;
      for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
        const double t = r.traces[0].times_ms[k];
        ASSERT_NEAR(r.traces[0].rows[k][0], E_L + 249.9 / g_L * (1 - std::exp(-t / tau)), 1e-8)
            << model << " t=" << t;
      }
    }
    for (double I : {300.0, 500.0}) {
      std::ostringstream params;
      params << "I_e = " << I;
      const auto r = simulate(one_neuron(model, params.str(), 100.0, "\"V_m\""));
      const double T = -tau * std::log(1 - g_L * (V_th - E_L) / I);
      ASSERT_FALSE(r.spikes.empty()) << model;
      EXPECT_NEAR(r.spikes[0].time_ms, std::ceil(T / 0.1 - 1e-9) * 0.1, 1e-9) << model << " I=" << I;
      for (std::size_t k = 0; k < r.traces[0].times_ms.size(); ++k) {
        const double t = r.traces[0].times_ms[k];
        if (t > r.spikes[0].time_ms - 1e-9 && t < r.spikes[0].time_ms + 2.0 + 1e-9) {
          ASSERT_EQ(r.traces[0].rows[k][0], -60.0) << model << " t=" << t; // V_reset for t_ref
        }
      }
    }
  }
}

// AdEx rest and rheobase from its nullclines: with w = a (V - E_L) the
// steady state solves I = F(V) = (g_L + a)(V - E_L) - g_L Delta_T e^{(V - V_th)/Delta_T},
// whose maximum over V (a saddle-node for these parameters) is the
// rheobase I_rh = (g_L + a)(V_th - E_L - Delta_T + Delta_T ln(1 + a / g_L)).
// Started on the stable fixed point for 0.99 I_rh, the neuron stays there;
// at 1.01 I_rh the fixed point is gone and it fires.
TEST_P(ConductanceModels, AdexFiresJustAboveItsRheobaseAndAdapts) {
  const double g_L = 30.0, a = 4.0, E_L = -70.6, V_th = -50.4, D = 2.0, b = 80.5;
  const double I_rh = (g_L + a) * (V_th - E_L - D + D * std::log(1 + a / g_L));
  const auto F = [&](double V) { return (g_L + a) * (V - E_L) - g_L * D * std::exp((V - V_th) / D); };
  // The stable root of F(V) = 0.99 I_rh lies below the maximum at V_th + D ln(1 + a / g_L).
  double lo = E_L, hi = V_th + D * std::log(1 + a / g_L);
  for (int i = 0; i < 200; ++i)
    (F(0.5 * (lo + hi)) < 0.99 * I_rh ? lo : hi) = 0.5 * (lo + hi);
  const double V_rest = 0.5 * (lo + hi);
  std::ostringstream init;
  init.precision(17);
  init << "V_m = " << V_rest << ", w = " << a * (V_rest - E_L);
  for (const char* model : {"aeif_cond_exp", "aeif_cond_alpha"}) {
    std::ostringstream below, above;
    below.precision(17);
    above.precision(17);
    below << "I_e = " << 0.99 * I_rh;
    above << "I_e = " << 1.01 * I_rh;
    const auto quiet = simulate(one_neuron(model, below.str(), 1000.0, "\"V_m\", \"w\"", "", init.str()));
    EXPECT_TRUE(quiet.spikes.empty()) << model;
    const auto& last = quiet.traces[0].rows.back();
    EXPECT_NEAR(last[0], V_rest, 1e-6) << model;
    EXPECT_NEAR(last[1], a * (V_rest - E_L), 1e-6) << model;

    const auto firing = simulate(one_neuron(model, above.str(), 3000.0, "\"V_m\", \"w\"", "", init.str()));
    ASSERT_GE(firing.spikes.size(), 2u) << model;
    // Spike-triggered adaptation: w jumps by b at each spike (decays slowly, tau_w = 144 ms).
    const auto& tr = firing.traces[0];
    for (std::size_t k = 1; k < tr.times_ms.size(); ++k)
      if (std::fabs(tr.times_ms[k] - firing.spikes[0].time_ms) < 1e-9) {
        EXPECT_NEAR(tr.rows[k][1] - tr.rows[k - 1][1], b, 1.0) << model;
        EXPECT_LT(tr.rows[k][0], -55.0) << model; // reset towards V_reset = -60 mV
      }
    // Adaptation lengthens the intervals.
    if (firing.spikes.size() >= 3) {
      EXPECT_GT(firing.spikes[2].time_ms - firing.spikes[1].time_ms,
                firing.spikes[1].time_ms - firing.spikes[0].time_ms)
          << model;
    }
  }
}

// With t_ref = 0 and a drive that brings V_m from V_reset to V_peak in
// 0.05-0.1 ms, AdEx reaches V_peak once or twice per 0.1 ms step; NEST sends
// a spike each time. Each time w also grows by b (a = 0, tau_w huge: w only
// counts them), so every reset must have sent one spike. A drive ten times
// stronger crosses many times a step: two are kept, the step is reported.
TEST_P(ConductanceModels, AdexWithoutRefractorinessSendsEverySpikeOfAStep) {
  for (const char* model : {"aeif_cond_exp", "aeif_cond_alpha"}) {
    const std::string params =
        "t_ref = 0.0, a = 0.0, b = 1.0, tau_w = 1e12, V_peak = 0.0, V_reset = -60.0, I_e = ";
    const auto r = simulate(one_neuron(model, params + "110000.0", 5.0, "\"w\""));
    std::map<double, int> per_step;
    for (const auto& sp : r.spikes)
      ++per_step[sp.time_ms];
    int twice = 0;
    for (const auto& [t, k] : per_step) {
      EXPECT_LE(k, 2) << model << " at " << t;
      twice += k == 2;
    }
    EXPECT_GT(twice, 10) << model;
    EXPECT_EQ(static_cast<double>(r.spikes.size()), std::round(r.traces[0].rows.back()[0])) << model;
    EXPECT_EQ(r.saturated_input_steps, 0u) << model;

    const auto hard = simulate(one_neuron(model, params + "2500000.0", 1.0, "\"w\""));
    per_step.clear();
    for (const auto& sp : hard.spikes)
      ++per_step[sp.time_ms];
    for (const auto& [t, k] : per_step)
      EXPECT_EQ(k, 2) << model << " at " << t;
    EXPECT_EQ(hard.saturated_input_steps, per_step.size()) << model;
    EXPECT_GT(hard.traces[0].rows.back()[0], 2.0 * static_cast<double>(per_step.size())) << model;
  }
}

MYELIN_ON_EVERY_BACKEND(ConductanceModels);

// STDP onto such a neuron: its double-spike steps enter the postsynaptic
// history once on every backend, so spikes and learned weights agree bit
// for bit.
TEST(ConductanceModelsAcrossBackends, StdpOntoADoubleSpikingAdexAgrees) {
  const std::string toml = R"(
[run]
dt = 0.1
duration = 20.0
[populations.src]
model = "spike_source"
size = 20
params = { spike_times = [1.0, 3.3, 5.2, 8.8, 9.1, 12.4, 15.0, 17.7] }
[populations.n]
model = "aeif_cond_exp"
size = 3
params = { t_ref = 0.0, a = 0.0, b = 1.0, tau_w = 1e12, V_peak = 0.0, V_reset = -60.0, I_e = 110000.0 }
[[projections]]
source = "src"
target = "n"
rule = { kind = "fixed_indegree", indegree = 10 }
synapse = { model = "stdp_synapse", weight = 5.0, delay = 1.0, lambda = 0.0001, alpha = 0.0, Wmax = 50.0 }
[recorders.spikes]
kind = "spikes"
)";
  std::vector<run_result> runs;
  for (const auto b : test_backends()) {
    current_backend() = b;
    runs.push_back(simulate(toml));
  }
  ASSERT_FALSE(runs.empty());
  ASSERT_EQ(runs[0].plastic_weights.size(), 1u);
  EXPECT_NE(runs[0].plastic_weights[0], std::vector<double>(30, 5.0)) << "the weights learn";
  std::map<std::pair<std::uint64_t, double>, int> per_step;
  for (const auto& sp : runs[0].spikes)
    ++per_step[{sp.gid, sp.time_ms}];
  EXPECT_TRUE(std::any_of(per_step.begin(), per_step.end(), [](const auto& e) { return e.second == 2; }));
  for (std::size_t k = 1; k < runs.size(); ++k) {
    EXPECT_EQ(runs[k].plastic_weights, runs[0].plastic_weights) << backend_name(test_backends()[k]);
    ASSERT_EQ(runs[k].spikes.size(), runs[0].spikes.size());
    for (std::size_t i = 0; i < runs[0].spikes.size(); ++i) {
      EXPECT_EQ(runs[k].spikes[i].gid, runs[0].spikes[i].gid);
      EXPECT_EQ(runs[k].spikes[i].time_ms, runs[0].spikes[i].time_ms);
    }
  }
}

// Bad parameters: exit 2's model_error names the file, the key and the reason.
TEST(ConductanceModelChecks, BadParametersNameTheKeyAndReason) {
  struct bad {
    const char* model;
    const char* params;
    const char* key;
    const char* reason;
  };
  const bad cases[] = {
      {"iaf_cond_exp", "g_L = -1.0", "g_L", ">= 0"},
      {"iaf_cond_alpha", "C_m = 0.0", "C_m", "> 0"},
      {"iaf_cond_exp", "V_reset = -50.0", "V_reset", "smaller than V_th"},
      {"aeif_cond_exp", "V_peak = -55.0", "V_peak", ">= V_th"},
      {"aeif_cond_alpha", "Delta_T = -1.0", "Delta_T", ">= 0"},
      {"aeif_cond_exp", "Delta_T = 0.01, V_peak = 100.0", "Delta_T", "overflows"},
      {"aeif_cond_exp", "tau_w = 0.0", "tau_w", "> 0"},
      {"aeif_cond_alpha", "gsl_error_tol = 0.0", "gsl_error_tol", "> 0"},
      {"aeif_cond_exp", "V_reset = 1.0", "V_reset", "smaller than V_peak"},
  };
  for (const auto& c : cases) {
    const std::string text = std::string("[run]\ndt = 0.1\nduration = 1.0\n[populations.n]\nmodel = \"") +
                             c.model + "\"\nsize = 1\nparams = { " + c.params + " }\n";
    expect_model_error(text, std::string("populations.n.params.") + c.key, c.reason);
  }
}

TEST(ConductanceModelChecks, IntegrationStepIsStoredButNotRecordable) {
  for (const char* model : {"iaf_cond_exp", "iaf_cond_alpha", "aeif_cond_exp", "aeif_cond_alpha"}) {
    const auto* info = models::find_model(model);
    ASSERT_NE(info, nullptr) << model;
    EXPECT_TRUE(info->takes_current) << model;
    EXPECT_EQ(info->find_state("integration_step"), -1) << model;
    EXPECT_EQ(info->stored_fields.back(), "refractory_steps") << model;
    EXPECT_NE(std::find(info->stored_fields.begin(), info->stored_fields.end(), "integration_step"),
              info->stored_fields.end())
        << model;
  }
}

} // namespace
} // namespace myelin::test
