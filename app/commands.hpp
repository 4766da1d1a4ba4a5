#pragma once
// The `myelin` subcommands, separated from argument parsing in main.cpp.
#include "engine/comm/communicator.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace myelin::cli {

// An error another rank has already reported: exit with `code`, print nothing.
struct reported_elsewhere {
  int code;
  std::string message = {}; // what was printed, where this rank knows it (the Python module raises it)
};

struct run_options {
  std::string model;
  std::string output_dir; // empty: a SONATA config's output_dir, else "output"
  unsigned threads = 0;   // 0: all hardware threads
  std::optional<double> duration_ms;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
  std::string partition = "block";
  std::string backend = "auto"; // cpu, omp, cuda or auto
  std::optional<double> checkpoint_every_ms;
  std::vector<double> checkpoint_at_ms;
  int keep_checkpoints = 2;
  std::string resume; // empty, "latest" or a checkpoint file
  bool force_model = false;
  bool force = false; // run even when the memory estimate exceeds what a rank can have
};

// Exit code of a run stopped by SIGUSR1/SIGTERM after writing a checkpoint.
inline constexpr int exit_resume_me = 75;

struct check_options {
  std::string model;
  int ranks = 1;
  std::string partition = "block";
  std::string connections; // write the built synapses here (HDF5)
};

int run_command(const run_options& opts, comm::communicator& comm);
int check_command(const check_options& opts);
int inspect_command(const std::string& file);
std::string version_text();

} // namespace myelin::cli
