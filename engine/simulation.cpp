#include "engine/simulation.hpp"

#include "spec/error.hpp"

#include <algorithm>
#include <chrono>

namespace myelin {

// Order of work in epoch k = [step_, step_ + length):
//   1. advance:  the backend delivers the spikes handed to it, then steps its
//                neurons through the epoch;
//   2. send:     each spike once to every rank that subscribed to its source
//                (this rank included), packed into one buffer; the stop flag
//                rides with the counts;
//   3. record:   while the records travel, the epoch's spikes, sorted by
//                (step, gid), go to the spike output and multimeter rows to
//                the trace output;
//   4. receive:  the oldest exchange in flight finishes and its spikes are
//                handed to the backend, which delivers them in step 1 of the
//                next epoch.
// Without overlap the exchange of epoch k finishes right after it starts and
// is delivered in epoch k+1: the epoch is the smallest delay D. With overlap
// (several ranks, D >= 2) epochs are D/2 long and the exchange of epoch k
// stays in flight during epoch k+1's update; it is delivered at the start of
// epoch k+2, still before its earliest arrival (k * D/2 + D). run() drains
// every exchange before it returns, so pending spikes wait in the backend.
// A backend that runs alone (steps_alone() > 0) does steps 1, 2 and 4 itself
// for many epochs per call; the loop only records (run_alone).

namespace {
using clock = std::chrono::steady_clock;
double seconds(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
} // namespace

simulation::simulation(backend& b, comm::communicator& comm)
    : backend_(b)
    , comm_(comm)
    , layout_(b.layout())
    , per_rank_(static_cast<std::size_t>(comm.size()))
    , spike_counts_(b.layout().population_offsets.size() - 1, 0) {
  if (comm.size() > 1)
    backend_.set_communicator(comm);
}

void simulation::run(std::int64_t n_steps) {
  stopped_ = false;
  const std::int64_t end_step = step_ + std::max<std::int64_t>(n_steps, 0);
  if (backend_.steps_alone() > 0 && started_ == finished_)
    return run_alone(end_step);
  while (step_ < end_step) {
    const std::int64_t length = std::min(layout_.epoch_steps, end_step - step_);
    const auto t0 = clock::now();
    const auto spikes = backend_.advance(step_, length);
    const auto t1 = clock::now();
    stopped_ = send_epoch(spikes, stop_check_ && stop_check_());
    const auto t2 = clock::now();
    // Output is written while the records are on their way, not before.
    record(spikes, step_, length, step_);
    const auto t3 = clock::now();
    const bool last_epoch = stopped_ || step_ + length >= end_step;
    // With overlap the newest exchange stays in flight, except after the
    // run's last epoch, when everything is drained.
    while (started_ - finished_ > (layout_.overlap && !last_epoch ? 1u : 0u))
      receive_oldest();
    stats_.advance_s += seconds(t0, t1);
    stats_.output_s += seconds(t2, t3);
    stats_.exchange_s += seconds(t1, t2) + seconds(t3, clock::now());
    step_ += length;
    if (progress_)
      progress_(step_);
    if (stopped_)
      break;
  }
}

// A backend that runs alone: each call covers several epochs, whose spikes
// the backend sends and delivers itself. They are recorded epoch by epoch, as
// the loop above records them, so that the output files are the same to the
// byte (writers flush by the number of writes). The stop check is asked once
// per call instead of once per epoch (on several ranks, one collective
// carries every rank's answer).
void simulation::run_alone(std::int64_t end_step) {
  while (step_ < end_step) {
    const std::int64_t length = std::min(backend_.steps_alone(), end_step - step_);
    const auto t0 = clock::now();
    const auto spikes = backend_.advance_alone(step_, length);
    const auto t1 = clock::now();
    stopped_ = stop_check_ && stop_check_();
    if (comm_.size() > 1)
      stopped_ = comm_.max(stopped_ ? 1.0 : 0.0) > 0;
    by_step_.assign(spikes.begin(), spikes.end());
    std::sort(by_step_.begin(), by_step_.end(),
              [](const local_spike& a, const local_spike& b) { return a.step < b.step; });
    auto from = by_step_.begin();
    for (std::int64_t at = step_; at < step_ + length; at += layout_.epoch_steps) {
      const std::int64_t epoch = std::min(layout_.epoch_steps, step_ + length - at);
      const auto to = std::lower_bound(from, by_step_.end(), at + epoch,
                                       [](const local_spike& s, std::int64_t step) { return s.step < step; });
      record({from, to}, at, epoch, step_);
      from = to;
    }
    stats_.advance_s += seconds(t0, t1);
    stats_.output_s += seconds(t1, clock::now());
    step_ += length;
    if (progress_)
      progress_(step_);
    if (stopped_)
      break;
  }
}

// The spikes of the epoch [first, first + epoch_length); the backend's
// multimeter rows are those of its last advance, which began at rows_first.
void simulation::record(std::span<const local_spike> spikes, std::int64_t first, std::int64_t epoch_length,
                        std::int64_t rows_first) {
  outgoing_.clear();
  for (const local_spike& s : spikes)
    outgoing_.push_back({layout_.gid_of(s.local), s.step});
  std::sort(outgoing_.begin(), outgoing_.end(), [](const spike& a, const spike& b) {
    return a.step != b.step ? a.step < b.step : a.gid < b.gid;
  });
  for (const spike& s : outgoing_)
    ++spike_counts_[layout_.population_of(s.gid)];
  stats_.spikes_emitted += outgoing_.size();
  if (spikes_out_)
    spikes_out_->write(outgoing_);
  if (!traces_out_)
    return;
  for (std::size_t m = 0; m < layout_.trace_interval.size(); ++m) {
    // Samples are taken at multiples of the interval: those in (first, first + length].
    const std::int64_t interval = layout_.trace_interval[m];
    const auto n_rows = static_cast<std::size_t>((first + epoch_length) / interval - first / interval);
    const auto skipped = static_cast<std::size_t>(first / interval - rows_first / interval);
    traces_out_->write(m, first / interval + 1, n_rows,
                       backend_.trace_rows(m).data() + skipped * layout_.trace_row_size[m]);
  }
}

bool simulation::send_epoch(std::span<const local_spike> spikes, bool stop) {
  // Wire record: the source's row in the receiving rank's subscription table
  // << 16 | step offset within the sending epoch (epochs are at most 65535
  // steps). One record per subscribed rank, none for others. Packed into one
  // buffer after a counting pass; the buffers are reused epoch after epoch.
  auto& x = exchanges_[started_ % exchanges_.size()];
  const auto n_ranks = per_rank_.size();
  const auto& offsets = layout_.subscriber_offsets;
  const auto& ranks = layout_.subscriber_ranks;
  const auto& rows = layout_.subscriber_rows;
  std::fill(per_rank_.begin(), per_rank_.end(), 0);
  for (const local_spike& s : spikes)
    for (auto k = offsets[s.local]; k < offsets[s.local + 1]; ++k)
      ++per_rank_[ranks[k]];
  x.send_counts.resize(n_ranks);
  std::size_t total = 0;
  for (std::size_t r = 0; r < n_ranks; ++r) {
    x.send_counts[r] = static_cast<int>(per_rank_[r]);
    const std::size_t n = per_rank_[r];
    per_rank_[r] = total; // becomes the write cursor
    total += n;
  }
  x.send.resize(total);
  for (const local_spike& s : spikes) {
    const auto offset = static_cast<std::uint64_t>(s.step - step_);
    for (auto k = offsets[s.local]; k < offsets[s.local + 1]; ++k)
      x.send[per_rank_[ranks[k]]++] = rows[k] << 16 | offset;
  }
  stats_.records_sent += total;
  stats_.bytes_sent += total * sizeof(std::uint64_t);
  exchange_step_[started_ % exchanges_.size()] = step_;
  const bool any_stop = comm_.exchange_start(x, stop);
  ++started_;
  return any_stop;
}

void simulation::receive_oldest() {
  comm_.exchange_finish();
  const auto& x = exchanges_[finished_ % exchanges_.size()];
  const std::int64_t epoch_start = exchange_step_[finished_ % exchanges_.size()];
  ++finished_;
  stats_.records_received += x.received.size();
  arrived_.clear();
  for (const std::uint64_t r : x.received)
    arrived_.push_back({r >> 16, epoch_start + static_cast<std::int64_t>(r & 0xffff)});
  backend_.deliver(arrived_);
}

void simulation::settle() {
  backend_.settle();
}

void simulation::restore(std::int64_t step, std::vector<std::uint64_t> spike_counts) {
  if (started_ != finished_)
    throw internal_error("restore into a simulation with spikes in flight");
  step_ = step;
  spike_counts_ = std::move(spike_counts);
}

} // namespace myelin
