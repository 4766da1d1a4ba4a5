#pragma once
// Everything `myelin run` decides before building: the spec (read by rank 0,
// shared with all), the checkpoint steps, and what to resume from.
#include "app/commands.hpp"
#include "engine/comm/communicator.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace myelin::cli {

// Rank 0 reads and checks the model file (with --duration and --seed);
// every rank gets its spec.
spec::network read_and_share(const run_options& opts, comm::communicator& comm);

// Checkpoint steps from --checkpoint-every and --checkpoint-at, ascending.
std::vector<std::int64_t> checkpoint_steps(const run_options& opts, double dt, std::int64_t end);

// Rank 0 prepares the output directory and picks the checkpoint to resume
// from (validated, model compared); empty: start from the beginning.
std::string prepare_and_find_resume(const run_options& opts, const spec::network& net,
                                    comm::communicator& comm, std::int64_t n_steps);

} // namespace myelin::cli
