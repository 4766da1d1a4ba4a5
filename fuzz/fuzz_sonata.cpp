// The SONATA readers: simulation and circuit configs (JSON, manifests), node
// and edge type tables (CSV), node, edge and spike-input HDF5 files, node
// sets, dynamics parameter files; then every edge read per rank, and a small
// accepted circuit built and stepped. Seeds: data/sonata's circuits
// (fuzz/make_seeds.py).
#include "engine/comm/communicator.hpp"
#include "fuzz/file_tree.hpp"
#include "fuzz/small_network.hpp"
#include "io/model_file.hpp"
#include "io/sonata/edge_reader.hpp"
#include "partition/decomposition.hpp"
#include "spec/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto dir =
      std::filesystem::temp_directory_path() / ("myelin-fuzz-sonata-" + std::to_string(getpid()));
  myelin::fuzz::byte_reader in(data, size);
  const auto config = myelin::fuzz::write_file_tree(dir, in);
  if (!config)
    return 0;
  try {
    const auto net = myelin::io::read_model(*config);
    myelin::comm::local_communicator comm;
    const myelin::partition::decomposition one(net, 1, myelin::partition::strategy::block);
    const auto listed = myelin::io::sonata::read_owned_edges(net, one, comm);
    myelin::fuzz::build_and_step(net, listed);
  } catch (const myelin::error&) {
  }
  return 0;
}
