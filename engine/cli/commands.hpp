#pragma once
// The `myelin` subcommands, separated from argument parsing in main.cpp.
#include <cstdint>
#include <optional>
#include <string>

namespace myelin::cli {

struct run_options {
  std::string model;
  std::string output_dir = "output";
  unsigned threads = 0; // 0: all hardware threads
  std::optional<double> duration_ms;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
};

int run_command(const run_options& opts);
int check_command(const std::string& model);
std::string version_text();

} // namespace myelin::cli
