#pragma once
// Runs a model given as TOML text entirely in memory, for tests.
#include "engine/build.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "io/model_file.hpp"

#include <string>
#include <tuple>
#include <vector>

namespace myelin::test {

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

// A plastic projection's weights in canonical order, over all threads.
std::vector<double> canonical_weights(const local_network& net, std::size_t plastic_index);

run_result simulate(const std::string& toml, unsigned threads = 1);

// Every synapse of a built network, sorted: (source, target, delay, weight).
using edge = std::tuple<std::uint64_t, std::uint64_t, std::int64_t, float>;
std::vector<edge> edges(const local_network& net);

} // namespace myelin::test
