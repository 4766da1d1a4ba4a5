// The `myelin` command line. Exit codes: 0 success, 2 bad input (model file,
// flags, unusable output directory), 1 any other failure.
#include "engine/cli/commands.hpp"
#include "engine/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace myelin;
  CLI::App app{"myelin: GPU-resident simulator for large networks of spiking point neurons"};
  app.set_version_flag("--version", cli::version_text());
  app.require_subcommand(1, 1);

  cli::run_options run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a model file and write spikes, traces and run.json");
  run_cmd->add_option("model", run.model, "Model file (TOML)")->required();
  run_cmd->add_option("-o,--output", run.output_dir, "Output directory")->capture_default_str();
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all hardware threads)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--duration", run.duration_ms, "Simulated time in ms (overrides [run] duration)");
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides [run] seed)");
  run_cmd->add_flag("--quiet", run.quiet, "No progress display, no summary");

  std::string check_model;
  auto* check_cmd =
      app.add_subcommand("check", "Validate a model file and estimate its size, without simulating");
  check_cmd->add_option("model", check_model, "Model file (TOML)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e); // prints help, version or the error
    return code == 0 ? 0 : 2;
  }
  try {
    if (*run_cmd)
      return cli::run_command(run);
    return cli::check_command(check_model);
  } catch (const model_error& e) {
    std::cerr << "myelin: error: " << e.what() << "\n";
    return 2;
  } catch (const usage_error& e) {
    std::cerr << "myelin: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "myelin: failed: " << e.what() << "\n";
    return 1;
  }
}
