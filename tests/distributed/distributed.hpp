#pragma once
// Shared by the MPI test files: the communicator of all ranks, and a network
// run in memory across them.
#include "engine/backend.hpp"
#include "engine/build.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "io/model_file.hpp"
#include "partition/graph_partition.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace myelin::test {

extern comm::communicator* world_comm;

// Every spike of the network as (step, gid), identical on all ranks.
inline std::vector<std::pair<std::int64_t, std::uint64_t>>
run_everywhere(const std::string& toml, partition::strategy s, unsigned threads) {
  auto& comm = *world_comm;
  const auto net = io::parse_model(toml, "test.toml");
  const auto decomp = s == partition::strategy::graph ? partition::graph_decomposition(net, comm.size())
                                                      : partition::decomposition(net, comm.size(), s);
  auto engine = make_backend(backend_kind::cpu, net, build(net, decomp, comm, threads));
  simulation sim(*engine, comm);
  struct collect : spike_output {
    std::vector<std::uint64_t> flat; // step, gid, step, gid, ...
    void write(std::span<const spike> spikes) override {
      for (const auto& x : spikes) {
        flat.push_back(static_cast<std::uint64_t>(x.step));
        flat.push_back(x.gid);
      }
    }
  } out;
  sim.set_spike_output(&out);
  sim.run(std::llround(net.run.duration / net.run.dt));
  // Everyone sends everything to everyone: fine for test-sized networks.
  std::vector<std::span<const std::byte>> blocks(static_cast<std::size_t>(comm.size()),
                                                 std::as_bytes(std::span(out.flat)));
  std::vector<std::size_t> counts;
  const auto bytes = comm.all_to_all_v(blocks, counts);
  std::vector<std::pair<std::int64_t, std::uint64_t>> all;
  for (std::size_t i = 0; i + 16 <= bytes.size(); i += 16) {
    std::uint64_t v[2];
    std::memcpy(v, bytes.data() + i, 16);
    all.emplace_back(static_cast<std::int64_t>(v[0]), v[1]);
  }
  std::sort(all.begin(), all.end());
  return all;
}

} // namespace myelin::test
