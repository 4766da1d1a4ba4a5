#pragma once
// The synapses of one projection as the simulation has them (PyNEST's
// GetConnections): built again on this process from the same per-target
// keys, with every other projection emptied, so the draws are those of the
// run whatever its ranks and threads.
#include "spec/spec.hpp"

#include <cstdint>
#include <vector>

namespace myelin::python {

struct connection_list {
  std::vector<std::uint64_t> source, target; // gids
  std::vector<double> weight;                // as stored (static weights are floats)
  std::vector<double> delay;                 // ms
};

connection_list projection_connections(const spec::network& net, std::size_t projection);

} // namespace myelin::python
