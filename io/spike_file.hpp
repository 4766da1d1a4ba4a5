#pragma once
// SONATA spike file: /spikes/<population>/{timestamps (ms, float64), node_ids
// (uint64, index within the population)}. Populations that share an output
// name (the parts of a SONATA node population) share one group, with the
// circuit's node ids. Every rank buffers its own spikes
// and all ranks append them collectively every few epochs, at offsets from a
// prefix sum, so output never funnels through one rank and a long run never
// holds all its spikes in memory. One rank writes them sorted by time
// (sorting = by_time); several ranks, or a resumed run, write each flush rank
// after rank (sorting = none).
#include "engine/recording.hpp"
#include "io/hdf5_handle.hpp"
#include "spec/spec.hpp"

#include <string>
#include <vector>

namespace myelin::io {

class spike_file final : public spike_output {
public:
  // Records the populations named by the spec's spike recorders. Collective.
  // With resume_rows (a checkpoint's positions) an existing file is reopened
  // and truncated to them, so a resumed run neither loses nor repeats a spike.
  spike_file(const std::string& path, const spec::network& net, comm::communicator& comm,
             int flush_every_epochs, const std::vector<std::uint64_t>* resume_rows = nullptr);
  ~spike_file() override;

  void write(std::span<const spike> spikes) override; // collective every flush_every_epochs calls
  void flush();                                       // collective: append what is buffered
  void sync();                                        // collective: flush, and make the file on disk current
  void close();                                       // collective: flush and close
  // Spikes in the file per population (after a flush: everything so far).
  // A group shared by several populations counts at the first of them.
  const std::vector<std::uint64_t>& rows() const { return written_; }

private:
  struct population_out {
    bool recorded = false;
    h5::handle group, timestamps, node_ids;
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
  };
  comm::communicator& comm_;
  double dt_;
  int flush_every_;
  int epochs_ = 0;
  std::vector<std::uint64_t> offsets_;  // first gid per population, plus the total
  std::vector<std::uint64_t> first_id_; // node id of each population's first neuron in its group
  std::vector<std::size_t> group_of_;   // per population: index into pops_ of its group's first population
  std::vector<population_out> pops_;    // per population; only a group's first one is used
  std::vector<std::uint64_t> written_;
  h5::shared_file file_;
  bool open_ = true;
};

} // namespace myelin::io
