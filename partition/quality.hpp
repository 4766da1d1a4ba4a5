#pragma once
// How good a decomposition is for a network, measured on its block graph:
// the fraction of synapses whose source and target sit on different ranks,
// the load imbalance, and the bytes a spike sends on average (one 8-byte
// record to every other rank that holds a target of its neuron; a neuron with
// lambda expected synapses onto a rank reaches it with probability
// 1 - exp(-lambda)).
#include "partition/block_graph.hpp"
#include "partition/decomposition.hpp"

namespace myelin::partition {

struct quality {
  double crossing_fraction = 0; // synapses between ranks / all synapses
  double imbalance = 1;         // largest rank cost / mean
  double bytes_per_spike = 0;   // expected, over all neurons
};

quality measure(const block_graph& g, const decomposition& d);

} // namespace myelin::partition
