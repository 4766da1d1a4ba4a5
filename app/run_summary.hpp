#pragma once
// What a `myelin run` reports: DIR/run.json (sizes, timings, per-rank
// figures, rates) and the short summary on standard output.
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/simulation.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace myelin::cli {

struct run_record {
  std::string model;
  unsigned threads = 1;
  std::string backend = "cpu";
  std::string static_tables_built_on = "host";  // "device": drawn by the device backend (rank 0's)
  std::string plastic_tables_built_on = "none"; // "host", "device" or "device and host" (rank 0's)
  std::string partition;
  double partition_s = 0, build_s = 0, sim_s = 0, restore_s = 0;
  bool completed = true;
  std::int64_t start_step = 0;
  std::string resumed_from;
  nlohmann::ordered_json checkpoints = nlohmann::ordered_json::array();
  // Every strategy measured on the block graph: crossing fraction, imbalance, bytes per spike.
  nlohmann::ordered_json partition_quality = nlohmann::ordered_json::object();
};

// Collective: gathers every rank's figures; rank 0 writes run.json and, unless
// quiet, prints the summary.
void report_run(const std::filesystem::path& out, const run_record& rec, const spec::network& net,
                const backend& b, const simulation& sim, comm::communicator& comm, bool quiet);

std::uint64_t peak_rss_bytes();

} // namespace myelin::cli
