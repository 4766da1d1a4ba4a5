#pragma once
// Spike trains from a SONATA spike file, for the virtual nodes of one
// population: /spikes/<population>/{timestamps, node_ids}, or BMTK's older flat
// /spikes/{gids, timestamps}. Times are rounded to the nearest microsecond, as
// NEST does before it rounds them up to the grid; each node's train is sorted.
#include <cstdint>
#include <string>
#include <vector>

namespace myelin::io::sonata {

struct spike_trains {
  std::vector<std::vector<double>> times; // per node id of the population (ms)
  std::uint64_t dropped = 0;              // spikes at t <= 0, which no simulator can emit
};

// n_nodes: the population's size; a spike of a node id outside it is an error.
spike_trains read_spike_trains(const std::string& file, const std::string& population, std::uint64_t n_nodes);

} // namespace myelin::io::sonata
