#pragma once
// Hands the simulation's output to two receivers: the run's files and a
// second one (the Python module keeps spikes and samples in memory).
#include "engine/recording.hpp"

namespace myelin::cli {

class spike_tee final : public spike_output {
public:
  spike_tee(spike_output& first, spike_output& second)
      : first_(first)
      , second_(second) {}
  void write(std::span<const spike> spikes) override {
    first_.write(spikes);
    second_.write(spikes);
  }

private:
  spike_output& first_;
  spike_output& second_;
};

class trace_tee final : public trace_output {
public:
  trace_tee(trace_output& first, trace_output& second)
      : first_(first)
      , second_(second) {}
  void write(std::size_t index, std::int64_t first_sample, std::size_t n_rows, const double* rows) override {
    first_.write(index, first_sample, n_rows, rows);
    second_.write(index, first_sample, n_rows, rows);
  }

private:
  trace_output& first_;
  trace_output& second_;
};

} // namespace myelin::cli
