#include "app/run_setup.hpp"

#include "app/model_changes.hpp"
#include "app/on_root.hpp"
#include "app/output_dir.hpp"
#include "io/checkpoint.hpp"
#include "io/model_checks.hpp"
#include "io/model_file.hpp"
#include "io/spec_archive.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

namespace myelin::cli {

spec::network read_and_share(const run_options& opts, comm::communicator& comm) {
  const auto bytes = on_root(comm, [&] {
    auto net = io::read_model(opts.model);
    if (opts.duration_ms) {
      if (!(*opts.duration_ms >= 0))
        throw usage_error("--duration must be >= 0 ms");
      net.run.duration = *opts.duration_ms;
    }
    if (opts.seed)
      net.run.seed = *opts.seed;
    try {
      io::check_network(net); // --duration may not be a multiple of dt
    } catch (const model_error& e) {
      if (opts.duration_ms && e.key == "run.duration")
        throw usage_error("--duration: " + e.reason);
      throw;
    }
    return io::save_spec(net);
  });
  // Other ranks never parse the model file: they get rank 0's spec.
  return io::load_spec(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Checkpoint steps from --checkpoint-every and --checkpoint-at, ascending.
std::vector<std::int64_t> checkpoint_steps(const run_options& opts, double dt, std::int64_t end) {
  auto to_steps = [&](double ms, const char* flag) {
    const double k = ms / dt;
    if (!(ms > 0) || std::fabs(k - std::round(k)) > 1e-9 * std::max(1.0, k))
      throw usage_error(std::string(flag) + ": " + std::to_string(ms) +
                        " ms is not a positive multiple of dt");
    return static_cast<std::int64_t>(std::llround(k));
  };
  std::vector<std::int64_t> steps;
  if (opts.checkpoint_every_ms) {
    const auto every = to_steps(*opts.checkpoint_every_ms, "--checkpoint-every");
    for (std::int64_t s = every; s <= end; s += every)
      steps.push_back(s);
  }
  for (double ms : opts.checkpoint_at_ms)
    steps.push_back(to_steps(ms, "--checkpoint-at"));
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

std::string prepare_and_find_resume(const run_options& opts, const spec::network& net,
                                    comm::communicator& comm, std::int64_t n_steps) {
  const std::filesystem::path out(opts.output_dir);
  const auto bytes = on_root(comm, [&]() -> std::string {
    prepare_output_dir(out);
    std::error_code ec;
    std::filesystem::create_directories(out / "checkpoints", ec);
    if (ec)
      throw usage_error("cannot create " + (out / "checkpoints").string() + ": " + ec.message());
    checkpoint_steps(opts, net.run.dt, n_steps); // flags are checked before any work
    if (opts.resume.empty())
      return {};
    std::filesystem::path path = opts.resume;
    if (opts.resume == "latest") {
      const auto found = io::latest_checkpoint(out / "checkpoints");
      if (!found) {
        if (!opts.quiet)
          std::cout << "no checkpoint in " << (out / "checkpoints").string()
                    << ": starting from the beginning\n";
        return {};
      }
      path = *found;
    }
    const auto info = io::validate_checkpoint(path);
    // Both digests through this version's serialiser: a checkpoint of an
    // older version with the same model still matches.
    if (io::model_digest(info.spec) != io::model_digest(net)) {
      const auto changes = compare_models(info.spec, net);
      std::string list;
      for (const auto& c : changes.refused)
        list += "\n  " + c;
      if (!changes.refused.empty())
        throw usage_error(path.string() +
                          ": the model's shape differs from the checkpoint's; it cannot continue:" + list);
      for (const auto& c : changes.accepted)
        list += "\n  " + c;
      if (!opts.force_model)
        throw usage_error(path.string() +
                          ": the model differs from the one this checkpoint was written with:" + list +
                          "\n(--force-model accepts these parameter changes)");
      std::cout << "resuming " << path.string() << " with changed parameters:" << list << "\n";
    }
    if (info.state.step > n_steps)
      throw usage_error(path.string() + ": the checkpoint is at " +
                        std::to_string(info.state.step * net.run.dt) + " ms, beyond the run's duration");
    return path.string();
  });
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace myelin::cli
