// The `myelin` command line. Exit codes: 0 success, 2 bad input (model file,
// flags, unusable output directory), 1 any other failure. Under an MPI
// launcher every rank runs this; bad input is reported once, by rank 0.
#include "app/commands.hpp"
#include "engine/comm/communicator.hpp"
#include "spec/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace myelin;
  std::unique_ptr<comm::world> world;
  try {
    world = std::make_unique<comm::world>(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "myelin: failed to start: " << e.what() << "\n";
    return 1;
  }
  const bool speaks = world->comm().rank() == 0;

  CLI::App app{"myelin: a simulator for large networks of spiking point neurons"};
  app.set_version_flag("--version", cli::version_text());
  app.require_subcommand(1, 1);

  cli::run_options run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a model file and write spikes, traces and run.json");
  run_cmd->add_option("model", run.model, "Model file (TOML) or SONATA config (JSON)")->required();
  run_cmd->add_option("-o,--output", run.output_dir,
                      "Output directory (default: output, or a SONATA config's output_dir)");
  run_cmd->add_option("--threads", run.threads, "Worker threads per rank (default: all hardware threads)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--duration", run.duration_ms, "Simulated time in ms (overrides [run] duration)");
  run_cmd->add_option("--seed", run.seed, "Random seed (overrides [run] seed)");
  run_cmd
      ->add_option("--partition", run.partition,
                   "How neurons are spread over ranks: block, round_robin or graph")
      ->capture_default_str();
  run_cmd
      ->add_option(
          "--backend", run.backend,
          "What steps the neurons: cpu (threads), cuda (a GPU per rank), omp (the GPU code on CPU threads, "
          "to check a GPU run without one) or auto (cuda when a GPU is present, else cpu)")
      ->capture_default_str();
  run_cmd->add_flag("--quiet", run.quiet, "No progress display, no summary");
  run_cmd->add_option("--checkpoint-every", run.checkpoint_every_ms,
                      "Write a checkpoint every MS of simulated time");
  run_cmd
      ->add_option("--checkpoint-at", run.checkpoint_at_ms,
                   "Write checkpoints at these times (ms), comma-separated")
      ->delimiter(',');
  run_cmd->add_option("--keep-checkpoints", run.keep_checkpoints, "Checkpoints kept in DIR/checkpoints")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run_cmd->add_option("--resume", run.resume,
                      "Continue from a checkpoint file, or 'latest' (the newest in DIR/checkpoints, if any)");
  run_cmd->add_flag("--force", run.force, "Run even when the memory estimate exceeds what a rank can have");
  run_cmd->add_flag("--force-model", run.force_model,
                    "Resume although model parameters changed (not sizes, rules or recorders)");

  cli::check_options check;
  auto* check_cmd =
      app.add_subcommand("check", "Validate a model file and estimate its size, without simulating");
  check_cmd->add_option("model", check.model, "Model file (TOML) or SONATA config (JSON)")->required();
  check_cmd->add_option("--ranks", check.ranks, "Show the decomposition over this many ranks")
      ->capture_default_str();
  check_cmd->add_option("--partition", check.partition, "block, round_robin or graph")->capture_default_str();
  check_cmd->add_option(
      "--connections", check.connections,
      "Build the network on one rank and write its synapses (plastic ones with their initial "
      "weights) to this HDF5 file");

  std::string inspect_file;
  auto* inspect_cmd =
      app.add_subcommand("inspect", "Show what a checkpoint or spike file holds (verifies checkpoints)");
  inspect_cmd->add_option("file", inspect_file, "Checkpoint or SONATA spike file (.h5)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same arguments; only rank 0 says what is wrong.
    const int code = speaks ? app.exit(e) : e.get_exit_code();
    return code == 0 ? 0 : 2;
  }
  if (*check_cmd || *inspect_cmd) {
    // Rank 0 does the work; the others wait for its exit code, so all agree.
    int code = 0;
    if (speaks) {
      try {
        code = *check_cmd ? cli::check_command(check) : cli::inspect_command(inspect_file);
      } catch (const error& e) {
        std::cerr << "myelin: error: " << e.what() << "\n";
        code = dynamic_cast<const bad_input*>(&e) ? 2 : 1;
      } catch (const std::exception& e) {
        std::cerr << "myelin: failed: " << e.what() << "\n";
        code = 1;
      }
    }
    return static_cast<int>(world->comm().max(code));
  }
  try {
    return cli::run_command(run, world->comm());
  } catch (const cli::reported_elsewhere& r) {
    return r.code;
  } catch (const bad_input& e) {
    std::cerr << "myelin: error: " << e.what() << "\n";
    if (world->comm().size() > 1)
      world->abort(2); // seen by this rank alone, mid-way: the others would wait forever
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "myelin: failed (rank " << world->comm().rank() << "): " << e.what() << "\n";
    if (world->comm().size() > 1)
      world->abort(1);
    return 1;
  }
}
