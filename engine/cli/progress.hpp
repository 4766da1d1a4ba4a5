#pragma once
// A one-line progress display on a terminal: simulated time, real-time factor,
// estimated time left. Redrawn at most 5 times a second.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace myelin::cli {

class progress_line {
public:
  progress_line(std::int64_t total_steps, double dt_ms)
      : total_(total_steps)
      , dt_(dt_ms) {}

  void update(std::int64_t steps_done) {
    const auto now = std::chrono::steady_clock::now();
    if (steps_done < total_ && now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double sim_ms = static_cast<double>(steps_done) * dt_;
    const double rtf = sim_ms > 0 ? wall / (sim_ms * 1e-3) : 0.0;
    const double eta = steps_done > 0
                           ? wall * static_cast<double>(total_ - steps_done) / static_cast<double>(steps_done)
                           : 0.0;
    std::fprintf(stderr, "\r  %5.1f%%  t = %.1f / %.1f ms  rtf %.2f  ETA %.1f s   ",
                 100.0 * static_cast<double>(steps_done) / static_cast<double>(total_ > 0 ? total_ : 1),
                 sim_ms, static_cast<double>(total_) * dt_, rtf, eta);
    if (steps_done >= total_)
      std::fputc('\n', stderr);
    std::fflush(stderr);
  }

private:
  std::int64_t total_;
  double dt_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

} // namespace myelin::cli
