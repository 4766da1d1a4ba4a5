#pragma once
// Where the simulation hands its results. Implemented in io/ (SONATA files)
// and in tests (memory), so the engine never depends on a file format.
#include "engine/spike.hpp"

#include <cstdint>
#include <span>

namespace myelin {

class spike_output {
public:
  virtual ~spike_output() = default;
  // The epoch's spikes, sorted by (step, gid).
  virtual void write(std::span<const spike> spikes) = 0;
};

class trace_output {
public:
  virtual ~trace_output() = default;
  // Rows of multimeter `index`: n_rows samples, numbered from first_sample
  // (sample n is taken at time n * interval).
  virtual void write(std::size_t index, std::int64_t first_sample, std::size_t n_rows,
                     const double* rows) = 0;
};

} // namespace myelin
