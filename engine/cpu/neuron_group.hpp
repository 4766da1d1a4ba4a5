#pragma once
// A population's neurons on one rank in the CPU backend: state as structure
// of arrays, advanced over a window of steps. Implemented once per model by
// model_group<Model> (generated from models/all_models.hpp) and by the
// spike source groups.
#include "engine/built_network.hpp"
#include "engine/spike.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace myelin {

// The ring buffer in memory: pending synaptic input (engine/ring_layout.hpp).
struct ring_view {
  std::int64_t* data;
  ring_layout layout;
  std::int64_t* at(int channel, std::int64_t step, std::uint64_t local) const {
    return data + layout.index(channel, step, local);
  }
};

// Where a multimeter wants a neuron's values.
struct trace_buffer {
  std::int64_t interval;         // steps between samples
  std::vector<int> variables;    // state field indices
  std::size_t row_size;          // values per sample row
  std::int64_t first_sample = 0; // sample number of row 0 in the current epoch
  std::vector<double> rows;
};
struct probe {
  std::uint64_t neuron; // group-local index
  trace_buffer* buffer;
  std::size_t column;
};

struct advance_window {
  ring_view ring;
  std::int64_t first_step;
  std::int64_t n_steps;
};

// A rank's neurons of one population: gids first_gid + i * gid_stride, local
// indices first_local + i, for i < size.
class neuron_group {
public:
  neuron_group(std::uint64_t first_gid, std::uint64_t gid_stride, std::uint64_t first_local,
               std::uint64_t size)
      : first_gid_(first_gid)
      , gid_stride_(gid_stride)
      , first_local_(first_local)
      , size_(size) {}
  virtual ~neuron_group() = default;

  // Advances group-local neurons [begin, end) over the window, appending
  // their spikes (local indices).
  virtual void advance(std::uint64_t begin, std::uint64_t end, const advance_window& w,
                       std::vector<local_spike>& out) = 0;
  // State variable `var` (a state field index) in absolute units.
  virtual double read(int var, std::uint64_t i) const = 0;
  virtual void write(int var, std::uint64_t i, double value) = 0;

  // Everything a checkpoint must hold to continue bit for bit: the stored
  // values themselves (models::model_info::stored_fields), all neurons of
  // the group at once.
  virtual void get_raw(std::size_t field, std::vector<double>& out) const = 0;
  virtual void set_raw(std::size_t field, const std::vector<double>& in) = 0;

  void add_poisson(poisson_input in) { poisson_.push_back(std::move(in)); }
  void set_currents(population_currents c) { currents_ = std::move(c); }
  void add_probe(probe p); // keeps probes sorted by neuron

  std::uint64_t first_gid() const { return first_gid_; }
  std::uint64_t gid(std::uint64_t i) const { return first_gid_ + i * gid_stride_; }
  std::uint64_t first_local() const { return first_local_; }
  std::uint64_t size() const { return size_; }
  // Neuron-steps whose summed input sat at an end of the fixed-point range
  // (engine/fixed_point.hpp): reported after the run, never silent.
  std::uint64_t saturated_inputs() const { return saturated_.load(std::memory_order_relaxed); }

protected:
  std::uint64_t first_gid_, gid_stride_, first_local_, size_;
  std::vector<poisson_input> poisson_;
  population_currents currents_;
  std::vector<probe> probes_;
  std::atomic<std::uint64_t> saturated_{0}; // several threads advance parts of one group
};

} // namespace myelin
