// Parameters given per neuron (a model file's arrays, a SONATA file's
// per-node values) against the same neurons as populations of one: the
// same spikes and traces, bit for bit, on every backend; and the checks
// that name the neuron whose values are bad.
#include "io/model_file.hpp"
#include "spec/error.hpp"
#include "tests/support/bad_model.hpp"
#include "tests/support/harness.hpp"

#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace myelin::test {
namespace {

class PerNeuronParameters : public backend_test {};

constexpr int n = 4;
const double E_L[n] = {-70.0, -65.0, -72.5, -60.0};
const double V_th[n] = {-55.0, -52.0, -58.0, -50.0};
const double I_e[n] = {400.0, 300.0, 420.0, 376.0};
const char* inputs[n] = {"[5.0, 20.0, 21.0, 40.0]", "[3.0, 3.5, 4.0, 4.5, 30.0]", "[50.0]", "[10.0, 60.0]"};

std::string array(const double* v) {
  std::ostringstream os;
  os << "[" << v[0] << ", " << v[1] << ", " << v[2] << ", " << v[3] << "]";
  return os.str();
}

std::string head() {
  return "[run]\ndt = 0.1\nduration = 80.0\nseed = 5\n[recorders.spikes]\nkind = \"spikes\"\n";
}

// One population of four neurons with per-neuron E_L, V_th and I_e, each
// driven by its own spike train.
std::string together(const std::string& model) {
  std::ostringstream os;
  os << head() << "[populations.src]\nmodel = \"spike_source\"\nsize = 4\nparams = { spike_times = ["
     << inputs[0] << ", " << inputs[1] << ", " << inputs[2] << ", " << inputs[3] << "] }\n"
     << "[populations.n]\nmodel = \"" << model << "\"\nsize = 4\n"
     << "params = { E_L = " << array(E_L) << ", V_th = " << array(V_th) << ", I_e = " << array(I_e) << " }\n"
     << "init = { V_m = -62.0 }\n"
     << "[[projections]]\nsource = \"src\"\ntarget = \"n\"\nrule = { kind = \"one_to_one\" }\n"
     << "synapse = { weight = 25.0, delay = 1.0 }\n"
     << "[recorders.vm]\nkind = \"multimeter\"\npopulation = \"n\"\nvariables = [\"V_m\"]\ninterval = 0.5\n";
  return os.str();
}

// The same neurons, each a population of one with its own source.
std::string apart(const std::string& model) {
  std::ostringstream os;
  os << head();
  for (int k = 0; k < n; ++k)
    os << "[populations.src" << k
       << "]\nmodel = \"spike_source\"\nsize = 1\nparams = { spike_times = " << inputs[k] << " }\n"
       << "[populations.n" << k << "]\nmodel = \"" << model << "\"\nsize = 1\n"
       << "params = { E_L = " << E_L[k] << ", V_th = " << V_th[k] << ", I_e = " << I_e[k] << " }\n"
       << "init = { V_m = -62.0 }\n"
       << "[[projections]]\nsource = \"src" << k << "\"\ntarget = \"n" << k << "\"\n"
       << "rule = { kind = \"one_to_one\" }\nsynapse = { weight = 25.0, delay = 1.0 }\n"
       << "[recorders.vm" << k << "]\nkind = \"multimeter\"\npopulation = \"n" << k
       << "\"\nvariables = [\"V_m\"]\ninterval = 0.5\n";
  return os.str();
}

TEST_P(PerNeuronParameters, EachNeuronRunsAsIfItWereAPopulationOfItsOwn) {
  for (const char* model : {"iaf_psc_exp", "iaf_psc_alpha", "iaf_cond_exp", "aeif_cond_alpha"}) {
    const auto one = simulate(together(model));
    const auto many = simulate(apart(model));
    // Gids: together src 0..3, n 4..7; apart src_k 2k, n_k 2k + 1.
    for (int k = 0; k < n; ++k) {
      std::vector<double> a, b;
      for (const auto& s : one.spikes)
        if (s.gid == static_cast<std::uint64_t>(4 + k))
          a.push_back(s.time_ms);
      for (const auto& s : many.spikes)
        if (s.gid == static_cast<std::uint64_t>(2 * k + 1))
          b.push_back(s.time_ms);
      EXPECT_EQ(a, b) << model << " neuron " << k;
      ASSERT_EQ(one.traces[0].rows.size(), many.traces[k].rows.size());
      for (std::size_t r = 0; r < one.traces[0].rows.size(); ++r)
        ASSERT_EQ(one.traces[0].rows[r][k], many.traces[k].rows[r][0])
            << model << " neuron " << k << " row " << r;
    }
    EXPECT_GE(one.spikes.size(), 4u + 6u) << model; // the sources' 12 spikes and some of the neurons'
  }
}

MYELIN_ON_EVERY_BACKEND(PerNeuronParameters);

TEST(PerNeuronParameterChecks, BadArraysNameTheNeuronAndTheKey) {
  const std::string pop =
      "[run]\ndt = 0.1\nduration = 1.0\n[populations.n]\nmodel = \"iaf_psc_exp\"\nsize = 3\n";
  const struct {
    std::string params, key, reason;
  } cases[] = {
      {"tau_m = [10.0, -1.0, 5.0]", "populations.n.params.tau_m[1]", "> 0"},
      {"V_th = [-55.0, -80.0, -50.0]", "populations.n.params.V_reset", "smaller than V_th"},
      {"V_th = [-55.0, -50.0]", "populations.n.params.V_th", "3 values, got 2"},
      {"tau_minus = [1.0, 2.0, 3.0]", "populations.n.params.tau_minus", "one value for the whole population"},
  };
  for (const auto& c : cases) {
    expect_model_error(pop + "params = { " + c.params + " }\n", c.key, c.reason);
  }
  // A flag takes one value.
  EXPECT_THROW(io::parse_model("[populations.z]\nmodel = \"izhikevich\"\nsize = 2\n"
                               "params = { consistent_integration = [true, false] }\n",
                               "bad.toml"),
               model_error);
}

} // namespace
} // namespace myelin::test
