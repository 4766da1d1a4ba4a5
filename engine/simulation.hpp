#pragma once
// The epoch loop on one rank: N threads, each owning a contiguous block of
// neurons and the incoming synapses of that block; spikes leave the rank once
// per epoch, only towards ranks that subscribed to their source.
#include "engine/comm/communicator.hpp"
#include "engine/local_network.hpp"
#include "engine/recording.hpp"

#include <deque>
#include <functional>
#include <vector>

namespace myelin {

// What a rank did, for run.json.
struct rank_statistics {
  std::uint64_t spikes_emitted = 0;
  std::uint64_t records_sent = 0, records_received = 0, bytes_sent = 0;
  double update_s = 0, deliver_s = 0;  // thread 0's share of the parallel phase
  double exchange_s = 0, output_s = 0; // serial part at the end of each epoch
};

class simulation {
public:
  simulation(local_network& net, comm::communicator& comm);

  void set_spike_output(spike_output* out) { spikes_out_ = out; }
  void set_trace_output(trace_output* out) { traces_out_ = out; }
  // Called after every epoch with the number of steps done so far.
  void set_progress(std::function<void(std::int64_t)> f) { progress_ = std::move(f); }

  // Asked once per epoch, collectively (it may communicate): true stops the
  // run at the end of that epoch. Used for signals.
  void set_stop_check(std::function<bool()> f) { stop_check_ = std::move(f); }

  // Advances by n_steps from the current step, or until the stop check says
  // so. Collective.
  void run(std::int64_t n_steps);
  bool stopped() const { return stopped_; }

  // Folds the spikes in flight into the ring, so that the ring and the neuron
  // state are the whole pending state (for checkpoints). Results are unchanged.
  void settle();
  // Continues from a checkpoint's step, with its spike counts.
  void restore(std::int64_t step, std::vector<std::uint64_t> spike_counts);

  std::int64_t current_step() const { return step_; }
  // Spikes emitted so far by this rank's neurons of each population.
  const std::vector<std::uint64_t>& spike_counts() const { return spike_counts_; }
  const rank_statistics& statistics() const { return stats_; }

private:
  void worker(unsigned t);
  void end_of_epoch() noexcept;
  void deliver(thread_shard& shard);
  void send_epoch();
  void receive_oldest();

  local_network& net_;
  comm::communicator& comm_;
  unsigned threads_;
  spike_output* spikes_out_ = nullptr;
  trace_output* traces_out_ = nullptr;
  std::function<void(std::int64_t)> progress_;
  std::function<bool()> stop_check_;
  bool stopped_ = false;

  std::int64_t step_ = 0;         // first step of the current epoch
  std::int64_t end_step_ = 0;     // of the current run()
  std::int64_t epoch_length_ = 0; // steps in the current epoch
  bool done_ = false;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::vector<spike>> thread_spikes_;
  std::vector<spike> outgoing_;                         // this epoch's spikes, sorted
  std::vector<spike> incoming_;                         // received, delivered at the start of the next epoch
  std::deque<std::int64_t> in_flight_;                  // first step of each epoch whose exchange is pending
  std::vector<std::vector<std::uint64_t>> send_blocks_; // per rank, packed wire records
  std::vector<std::uint64_t> spike_counts_;
  rank_statistics stats_;
};

} // namespace myelin
