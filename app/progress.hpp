#pragma once
// Progress of a run: simulated time, real-time factor, estimated time left.
// On a terminal, one line redrawn at most 5 times a second; in a log (stderr
// not a terminal, e.g. under SLURM), a full line at every tenth of the run
// and at least every 60 s, so a batch log shows that the job is alive.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace myelin::cli {

class progress_line {
public:
  progress_line(std::int64_t total_steps, double dt_ms, bool terminal)
      : total_(total_steps)
      , dt_(dt_ms)
      , terminal_(terminal) {}

  void update(std::int64_t steps_done) {
    const auto now = std::chrono::steady_clock::now();
    const bool finished = steps_done >= total_;
    const double fraction = static_cast<double>(steps_done) / static_cast<double>(total_ > 0 ? total_ : 1);
    if (terminal_) {
      if (!finished && now - last_ < std::chrono::milliseconds(200))
        return;
    } else {
      const int tenth = static_cast<int>(fraction * 10.0);
      if (tenth <= last_tenth_ && now - last_ < std::chrono::seconds(60))
        return;
      last_tenth_ = tenth;
    }
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double sim_ms = static_cast<double>(steps_done) * dt_;
    const double rtf = sim_ms > 0 ? wall / (sim_ms * 1e-3) : 0.0;
    const double eta = steps_done > 0
                           ? wall * static_cast<double>(total_ - steps_done) / static_cast<double>(steps_done)
                           : 0.0;
    std::fprintf(stderr,
                 terminal_ ? "\r  %5.1f%%  t = %.1f / %.1f ms  rtf %.2f  ETA %.1f s   "
                           : "myelin: progress %5.1f%%  t = %.1f / %.1f ms  rtf %.2f  ETA %.1f s\n",
                 100.0 * fraction, sim_ms, static_cast<double>(total_) * dt_, rtf, eta);
    if (terminal_ && finished)
      std::fputc('\n', stderr);
    std::fflush(stderr);
  }

private:
  std::int64_t total_;
  double dt_;
  bool terminal_;
  int last_tenth_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

} // namespace myelin::cli
