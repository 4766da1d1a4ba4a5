#pragma once
// Base of the neuron groups that only emit spikes (spike_source,
// poisson_source): no state to read, write or checkpoint.
#include "engine/cpu/neuron_group.hpp"
#include "spec/error.hpp"

namespace myelin::cpu {

class stateless_group : public neuron_group {
public:
  using neuron_group::neuron_group;
  double read(int, std::uint64_t) const override { throw internal_error("a spike source has no state"); }
  void write(int, std::uint64_t, double) override { throw internal_error("a spike source has no state"); }
  void get_raw(std::size_t, std::vector<double>&) const override {
    throw internal_error("a spike source has no state");
  }
  void set_raw(std::size_t, const std::vector<double>&) override {
    throw internal_error("a spike source has no state");
  }
};

} // namespace myelin::cpu
