// The model-file reader: values land in the spec with their units, defaults
// apply, and errors carry file, key and reason as fields.
#include "io/model_file.hpp"
#include "spec/error.hpp"

#include <gtest/gtest.h>

namespace myelin::io {
namespace {

TEST(ModelFile, ReadsTheBrunelExample) {
  const auto net = read_model(std::string(MYELIN_SOURCE_DIR) + "/examples/brunel_alpha.toml");
  EXPECT_EQ(net.run.dt, 0.1);
  EXPECT_EQ(net.run.duration, 1000.0);
  EXPECT_EQ(net.run.seed, 1234u);
  ASSERT_EQ(net.populations.size(), 2u);
  EXPECT_EQ(net.populations[0].name, "E");
  EXPECT_EQ(net.populations[0].size, 10000u);
  EXPECT_EQ(net.populations[0].params.at("tau_syn_ex"), 0.5);
  ASSERT_EQ(net.projections.size(), 4u);
  EXPECT_EQ(net.projections[2].connectivity.type, spec::rule::kind::fixed_indegree);
  EXPECT_EQ(net.projections[2].connectivity.n, 250u);
  EXPECT_DOUBLE_EQ(net.projections[2].weight.value, -103.4007762183923);
  ASSERT_EQ(net.poisson_devices.size(), 1u);
  EXPECT_EQ(net.poisson_devices[0].targets.size(), 2u);
  ASSERT_EQ(net.multimeters.size(), 1u);
  EXPECT_EQ(net.multimeters[0].ids.size(), 3u);
}

TEST(ModelFile, DistributionsAndDefaults) {
  const auto net = parse_model(R"(
[populations.A]
model = "iaf_psc_exp"
size = 3
init = { V_m = { dist = "normal", mean = -60.0, std = 2.0, min = -70.0 } }
[[projections]]
source = "A"
target = "A"
rule = { kind = "pairwise_bernoulli", p = 0.5, allow_autapses = false }
synapse = { weight = { dist = "exponential", beta = 2.0 }, delay = 1 }
)",
                               "x.toml");
  EXPECT_EQ(net.run.dt, 0.1); // defaults
  const auto& d = net.populations[0].init.at("V_m");
  EXPECT_EQ(d.type, spec::distribution::kind::normal);
  EXPECT_EQ(d.min, -70.0);
  EXPECT_FALSE(net.projections[0].connectivity.allow_autapses);
  EXPECT_TRUE(net.projections[0].connectivity.allow_multapses);
  EXPECT_EQ(net.projections[0].weight.beta, 2.0);
  EXPECT_EQ(net.projections[0].delay.value, 1.0); // integers accepted as numbers
}

TEST(ModelFile, ErrorsCarryFileKeyAndReason) {
  try {
    parse_model("[populations.A]\nmodel = \"iaf_psc_exp\"\nsize = 3\nparams = { tau_m = -1.0 }\n",
                "bad.toml");
    FAIL() << "no error";
  } catch (const model_error& e) {
    EXPECT_EQ(e.file, "bad.toml");
    EXPECT_EQ(e.key, "populations.A.params.tau_m");
    EXPECT_NE(e.reason.find("> 0"), std::string::npos);
  }
  try {
    parse_model("[populations.A]\nmodel = \"iaf_psc_exp\"\nsize = 3\n[[projections]]\nsource = \"A\"\ntarget "
                "= \"B\"\n",
                "bad.toml");
    FAIL() << "no error";
  } catch (const model_error& e) {
    EXPECT_EQ(e.key, "projections[0].target");
    EXPECT_NE(e.reason.find("'B'"), std::string::npos);
  }
}

} // namespace
} // namespace myelin::io

namespace myelin::io {
namespace {

TEST(ModelFile, PopulationsDevicesAndRecordersKeepFileOrder) {
  const auto net = parse_model(R"(
[populations.zeta]
model = "iaf_psc_exp"
size = 2
[populations.alpha]
model = "iaf_psc_exp"
size = 3
[devices.z]
model = "poisson_generator"
rate = 1.0
targets = ["alpha"]
weight = 1.0
delay = 1.0
[devices.a]
model = "poisson_generator"
rate = 2.0
targets = ["zeta"]
weight = 1.0
delay = 1.0
)",
                               "x.toml");
  EXPECT_EQ(net.populations[0].name, "zeta"); // gids 0-1
  EXPECT_EQ(net.populations[1].name, "alpha");
  EXPECT_EQ(net.poisson_devices[0].name, "z");
}

} // namespace
} // namespace myelin::io

#include "io/spec_archive.hpp"

namespace myelin::io {
namespace {

TEST(SpecArchive, RoundTripsEveryFieldExactly) {
  const auto net = read_model(std::string(MYELIN_SOURCE_DIR) + "/tests/data/all_rules.toml");
  const auto bytes = save_spec(net);
  const auto back = load_spec(bytes);
  EXPECT_EQ(save_spec(back), bytes);
  ASSERT_EQ(back.populations.size(), net.populations.size());
  EXPECT_EQ(back.populations[4].spike_times, net.populations[4].spike_times);
  EXPECT_EQ(back.projections[0].weight.mean, net.projections[0].weight.mean);
  EXPECT_EQ(back.projections[2].connectivity.allow_multapses, false);
  EXPECT_EQ(back.projections[3].delay.type, spec::distribution::kind::exponential);
  EXPECT_EQ(back.multimeters[0].variables, net.multimeters[0].variables);
  EXPECT_EQ(back.run.seed, 42u);
  const double tricky = 0.1 + 0.2; // not representable in a short decimal
  auto copy = net;
  copy.run.dt = tricky;
  EXPECT_EQ(load_spec(save_spec(copy)).run.dt, tricky);
}

TEST(SpecArchive, RefusesForeignOrDamagedBytes) {
  EXPECT_THROW(load_spec("hello"), error);
  auto bytes = save_spec(read_model(std::string(MYELIN_SOURCE_DIR) + "/examples/brunel_alpha.toml"));
  EXPECT_THROW(load_spec(bytes.substr(0, bytes.size() / 2)), error);
}

} // namespace
} // namespace myelin::io
