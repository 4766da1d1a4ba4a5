#include "fuzz/small_network.hpp"

#include "app/memory_estimate.hpp"
#include "app/partition_setup.hpp"
#include "engine/backend.hpp"
#include "engine/build.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "partition/decomposition.hpp"

#include <algorithm>
#include <cmath>

namespace myelin::fuzz {

void build_and_step(const spec::network& net, const std::vector<listed_synapse>& listed) {
  constexpr double max_neurons = 2000, max_synapses = 200000, max_bytes = 64.0 * (1 << 20);
  if (static_cast<double>(net.total_neurons()) > max_neurons)
    return;
  comm::local_communicator comm;
  const partition::decomposition one(net, 1, partition::strategy::block);
  const auto need = cli::estimate_memory(net, one, cli::projection_delays(net));
  if (need.synapses > max_synapses || need.total() > max_bytes || !std::isfinite(need.total()))
    return;
  // What `myelin check --ranks 3 --partition graph` computes.
  cli::choose_partition(net, 3, partition::strategy::graph, comm);
  auto engine = make_backend(backend_kind::cpu, net, build(net, one, comm, 2, listed));
  simulation sim(*engine, comm);
  const auto steps = static_cast<std::int64_t>(std::llround(net.run.duration / net.run.dt));
  sim.run(std::min<std::int64_t>(steps, 300));
  sim.settle();
}

} // namespace myelin::fuzz
