#pragma once
// Runs a model given as TOML text entirely in memory, for tests, on any
// backend. Tests that exercise execution (update, delivery, plasticity,
// checkpoints) are written once over the backend interface: a suite derives
// from backend_test and is instantiated with MYELIN_ON_EVERY_BACKEND, so a
// new backend runs all of them by adding itself to test_backends().
#include "engine/backend.hpp"
#include "engine/build.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "io/model_file.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace myelin::test {

// Every backend this build can run here: cpu, omp (with CCCL), cuda (on a GPU).
std::vector<backend_kind> test_backends();
// The backend simulate() and start() use unless told otherwise: set by backend_test.
backend_kind& current_backend();

class backend_test : public ::testing::TestWithParam<backend_kind> {
protected:
  void SetUp() override { current_backend() = GetParam(); }
};

#define MYELIN_ON_BACKENDS(Suite, kinds)                                                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::ValuesIn(kinds),                                      \
                           [](const auto& info) { return std::string(::myelin::backend_name(info.param)); })
#define MYELIN_ON_EVERY_BACKEND(Suite) MYELIN_ON_BACKENDS(Suite, ::myelin::test::test_backends())

struct recorded_spike {
  std::uint64_t gid;
  double time_ms;
  bool operator==(const recorded_spike&) const = default;
};

struct trace {
  std::vector<double> times_ms;
  std::vector<std::vector<double>> rows; // one row of values per sample
};

struct run_result {
  std::vector<recorded_spike> spikes;
  std::vector<trace> traces; // one per multimeter
  std::vector<std::uint64_t> spike_counts;
  // Per plastic projection (file order), its weights in canonical order.
  std::vector<std::vector<double>> plastic_weights;
  // Neuron-steps whose input saturated the fixed-point range.
  std::uint64_t saturated_input_steps = 0;
};

run_result simulate(const std::string& toml, unsigned threads = 1);

// A network built on one rank and uploaded to the current backend, for
// tests that drive the loop themselves.
struct running_network {
  spec::network net;
  comm::local_communicator comm;
  std::unique_ptr<backend> engine;
  std::unique_ptr<simulation> sim;
};
std::unique_ptr<running_network> start(const std::string& toml, unsigned threads);

// Every synapse of a built network, sorted: (source gid, target, delay, weight).
using edge = std::tuple<std::uint64_t, std::uint64_t, std::int64_t, float>;
std::vector<edge> edges(const built_network& net);

} // namespace myelin::test
