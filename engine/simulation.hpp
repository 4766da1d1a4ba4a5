#pragma once
// The epoch loop on one rank: advance the backend by an epoch, record its
// spikes, send each to the ranks that subscribed to its source, and hand the
// spikes that arrived back to the backend. It knows nothing of threads,
// shards or ring buffers (engine/backend.hpp).
#include "engine/backend.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/recording.hpp"

#include <array>
#include <functional>
#include <vector>

namespace myelin {

// What a rank did, for run.json.
struct rank_statistics {
  std::uint64_t spikes_emitted = 0;
  std::uint64_t records_sent = 0, records_received = 0, bytes_sent = 0;
  double advance_s = 0;                // the backend: delivery and update
  double exchange_s = 0, output_s = 0; // the loop's serial part at the end of each epoch
};

class simulation {
public:
  simulation(backend& b, comm::communicator& comm);

  void set_spike_output(spike_output* out) { spikes_out_ = out; }
  void set_trace_output(trace_output* out) { traces_out_ = out; }
  // Called after every epoch (every advance_alone() call when the backend
  // runs alone) with the number of steps done so far.
  void set_progress(std::function<void(std::int64_t)> f) { progress_ = std::move(f); }
  // Asked once per epoch on every rank, locally (used for signals); the
  // answers travel with the spike counts, so true on any rank stops every
  // rank at the end of that epoch. (Once per advance_alone() call when the
  // backend runs alone.)
  void set_stop_check(std::function<bool()> f) { stop_check_ = std::move(f); }

  // Advances by n_steps from the current step, or until the stop check says
  // so. Collective.
  void run(std::int64_t n_steps);
  bool stopped() const { return stopped_; }

  // Folds the spikes in flight into the ring, so that the backend's state is
  // the whole pending state (for checkpoints). Results are unchanged.
  void settle();
  // Continues from a checkpoint's step, with its spike counts.
  void restore(std::int64_t step, std::vector<std::uint64_t> spike_counts);

  std::int64_t current_step() const { return step_; }
  // Spikes emitted so far by this rank's neurons of each population.
  const std::vector<std::uint64_t>& spike_counts() const { return spike_counts_; }
  const rank_statistics& statistics() const { return stats_; }

private:
  void run_alone(std::int64_t end_step);
  void record(std::span<const local_spike> spikes, std::int64_t first, std::int64_t epoch_length,
              std::int64_t rows_first);
  bool send_epoch(std::span<const local_spike> spikes, bool stop);
  void receive_oldest();

  backend& backend_;
  comm::communicator& comm_;
  const rank_layout& layout_;
  spike_output* spikes_out_ = nullptr;
  trace_output* traces_out_ = nullptr;
  std::function<void(std::int64_t)> progress_;
  std::function<bool()> stop_check_;
  bool stopped_ = false;

  std::int64_t step_ = 0;               // first step of the next epoch
  std::vector<spike> outgoing_;         // this epoch's spikes by gid, sorted
  std::vector<local_spike> by_step_;    // running alone: a call's spikes by step
  std::vector<arriving_spike> arrived_; // decoded records of one exchange
  // Exchanges in flight (at most two: with overlap, the previous epoch's and
  // this one's): buffers reused in turn, and each one's first step.
  std::array<comm::spike_exchange, 2> exchanges_;
  std::array<std::int64_t, 2> exchange_step_{};
  std::uint64_t started_ = 0, finished_ = 0;
  std::vector<std::size_t> per_rank_; // packing cursor
  std::vector<std::uint64_t> spike_counts_;
  rank_statistics stats_;
};

} // namespace myelin
