#pragma once
// SONATA spike file: /spikes/<population>/{timestamps (ms, float64), node_ids
// (uint64, index within the population)}, sorting = by_time. Spikes are
// buffered and appended in chunks while the run goes on, so a long run never
// holds all its spikes in memory.
#include "engine/recording.hpp"
#include "engine/spec.hpp"
#include "io/hdf5_handle.hpp"

#include <string>
#include <vector>

namespace myelin::io {

class spike_file final : public spike_output {
public:
  // Records the populations named by the spec's spike recorders.
  spike_file(const std::string& path, const spec::network& net);
  ~spike_file() override;

  void write(std::span<const spike> spikes) override;
  void flush(); // appends what is buffered
  void close(); // flush and close; further writes are an error

private:
  struct population_out {
    bool recorded = false;
    h5::handle group, timestamps, node_ids;
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
  };
  std::string path_;
  double dt_;
  std::vector<std::uint64_t> offsets_;
  std::vector<population_out> pops_;
  std::size_t buffered_ = 0;
  h5::handle file_;
};

} // namespace myelin::io
