#include "engine/simulation.hpp"

#include "engine/epoch_barrier.hpp"
#include "engine/fixed_point.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <thread>

namespace myelin {

// Order of work in epoch k = [step_, step_ + epoch_length_), per thread t:
//   1. deliver(t):  the spikes in incoming_ go into ring slots >= step_, only
//                   for targets in t's block;
//   2. advance(t):  t's neurons step through the epoch reading the ring;
//   -- barrier --   end_of_epoch() runs once on this rank: sort the epoch's
//                   spikes, record them, start sending them to subscribed
//                   ranks (this rank included), and finish the oldest exchange
//                   in flight into incoming_.
// Without overlap the exchange of epoch k finishes right after it starts and
// is delivered in epoch k+1: the epoch is the smallest delay D. With overlap
// (several ranks, D >= 2) epochs are D/2 long and the exchange of epoch k
// stays in flight during epoch k+1's update; it is delivered at the start of
// epoch k+2, still before its earliest arrival (k * D/2 + D). run() drains
// every exchange before it returns, so pending spikes wait in incoming_.

namespace {
struct epoch_completion {
  simulation* sim;
  void (simulation::*fn)() noexcept;
  void operator()() noexcept { (sim->*fn)(); }
};

// Drops the postsynaptic spikes no STDP synapse of this thread can pair with
// any more (NEST prunes by access counters; here the horizon is computed from
// every synapse's last presynaptic spike and delay). Results do not change.
void prune_histories(thread_shard& sh, post_histories& post) {
  std::vector<std::int64_t> horizon(sh.end_local - sh.first_local, std::numeric_limits<std::int64_t>::max());
  for (const auto& p : sh.plastic)
    if (p->uses_post_spikes())
      p->history_horizon(sh.first_local, horizon);
  std::uint64_t kept = 0;
  for (std::uint64_t l = sh.first_local; l < sh.end_local; ++l)
    if (post.keeps(l)) {
      post.prune(l, horizon[l - sh.first_local]);
      kept += post.spikes(l).size();
    }
  sh.history_entries = kept;
  sh.prune_at = prune_threshold(sh, kept);
}

using clock = std::chrono::steady_clock;
double seconds(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
} // namespace

simulation::simulation(local_network& net, comm::communicator& comm)
    : net_(net)
    , comm_(comm)
    , threads_(static_cast<unsigned>(net.shards.size()))
    , thread_spikes_(net.shards.size())
    , send_blocks_(static_cast<std::size_t>(comm.size()))
    , spike_counts_(net.population_offsets.size() - 1, 0) {}

void simulation::run(std::int64_t n_steps) {
  if (n_steps <= 0)
    return;
  end_step_ = step_ + n_steps;
  epoch_length_ = std::min(net_.epoch_steps, end_step_ - step_);
  for (auto& tb : net_.traces)
    tb->first_sample = step_ / tb->interval + 1;
  done_ = false;
  stopped_ = false;
  errors_.assign(threads_, nullptr);

  epoch_barrier sync(static_cast<int>(threads_), epoch_completion{this, &simulation::end_of_epoch});
  auto loop = [&](unsigned t) {
    while (true) {
      if (!errors_[t]) {
        try {
          worker(t);
        } catch (...) {
          errors_[t] = std::current_exception();
        }
      }
      sync.arrive_and_wait();
      if (done_)
        break;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads_; ++t)
      pool.emplace_back(loop, t);
    loop(0);
  }
  for (auto& e : errors_)
    if (e)
      std::rethrow_exception(e);
}

void simulation::worker(unsigned t) {
  thread_shard& shard = net_.shards[t];
  const auto t0 = clock::now();
  deliver(shard);
  const auto t1 = clock::now();
  const advance_window window{net_.ring_access(), step_, epoch_length_};
  for (auto& g : net_.groups) {
    const std::uint64_t lo = std::max(shard.first_local, g->first_local());
    const std::uint64_t hi = std::min(shard.end_local, g->first_local() + g->size());
    if (lo < hi)
      g->advance(lo - g->first_local(), hi - g->first_local(), window, thread_spikes_[t]);
  }
  if (net_.post.enabled())
    for (const spike& s : thread_spikes_[t])
      shard.history_entries +=
          net_.post.record(net_.local_index(net_.population_of(s.gid), s.gid), s.step + 1, net_.dt);
  if (t == 0) {
    stats_.deliver_s += seconds(t0, t1);
    stats_.update_s += seconds(t1, clock::now());
  }
}

void simulation::deliver(thread_shard& shard) {
  const auto& table = shard.table;
  const std::int64_t slots = net_.ring_slots;
  const std::uint64_t n = net_.n_local;
  std::int64_t* ring = net_.ring.data();
  const std::uint64_t inhibitory = static_cast<std::uint64_t>(slots) * n;
  for (const spike& s : incoming_) {
    for (std::uint64_t seg = table.source_segments[s.gid]; seg < table.source_segments[s.gid + 1]; ++seg) {
      std::int64_t* slot = ring + static_cast<std::uint64_t>((s.step + table.segment_delay[seg]) % slots) * n;
      for (std::uint64_t k = table.segment_synapses[seg]; k < table.segment_synapses[seg + 1]; ++k) {
        const synapse syn = table.synapses[k];
        ring_add(slot[syn.target + (syn.weight < 0.0f ? inhibitory : 0)], to_fixed_in_range(syn.weight));
      }
    }
  }
  if (shard.plastic.empty())
    return;
  if (shard.history_entries > shard.prune_at)
    prune_histories(shard, net_.post);
  for (auto& p : shard.plastic)
    p->deliver(incoming_, net_.ring_access(), net_.post);
}

void simulation::end_of_epoch() noexcept {
  try {
    for (auto& e : errors_)
      if (e) {
        done_ = true;
        return;
      }
    const auto t0 = clock::now();
    outgoing_.clear();
    for (auto& ts : thread_spikes_) {
      outgoing_.insert(outgoing_.end(), ts.begin(), ts.end());
      ts.clear();
    }
    std::sort(outgoing_.begin(), outgoing_.end(), [](const spike& a, const spike& b) {
      return a.step != b.step ? a.step < b.step : a.gid < b.gid;
    });
    for (const spike& s : outgoing_)
      ++spike_counts_[net_.population_of(s.gid)];
    stats_.spikes_emitted += outgoing_.size();
    if (spikes_out_)
      spikes_out_->write(outgoing_);
    for (std::size_t m = 0; m < net_.traces.size(); ++m) {
      auto& tb = *net_.traces[m];
      const std::int64_t last = (step_ + epoch_length_) / tb.interval;
      const std::int64_t rows = std::max<std::int64_t>(0, last - tb.first_sample + 1);
      if (traces_out_)
        traces_out_->write(m, tb.first_sample, static_cast<std::size_t>(rows), tb.rows.data());
    }
    const auto t1 = clock::now();
    incoming_.clear();
    send_epoch();
    stopped_ = stop_check_ && stop_check_();
    const bool last_epoch = stopped_ || step_ + epoch_length_ >= end_step_;
    // With overlap the newest exchange stays in flight, except after the
    // run's last epoch, when everything is drained.
    while (in_flight_.size() > (net_.overlap && !last_epoch ? 1u : 0u))
      receive_oldest();
    stats_.output_s += seconds(t0, t1);
    stats_.exchange_s += seconds(t1, clock::now());

    step_ += epoch_length_;
    if (progress_)
      progress_(step_);
    if (stopped_ || step_ >= end_step_) {
      done_ = true;
      return;
    }
    epoch_length_ = std::min(net_.epoch_steps, end_step_ - step_);
    for (auto& tb : net_.traces)
      tb->first_sample = step_ / tb->interval + 1;
  } catch (...) {
    errors_[0] = std::current_exception();
    done_ = true;
  }
}

void simulation::settle() {
  for (auto& shard : net_.shards)
    deliver(shard);
  incoming_.clear();
}

void simulation::restore(std::int64_t step, std::vector<std::uint64_t> spike_counts) {
  if (!incoming_.empty() || !in_flight_.empty())
    throw internal_error("restore into a simulation with spikes in flight");
  step_ = step;
  spike_counts_ = std::move(spike_counts);
}

void simulation::send_epoch() {
  // Wire record: gid << 16 | step offset within the sending epoch (epochs are
  // at most 65535 steps). One record per subscribed rank, none for others.
  for (auto& b : send_blocks_)
    b.clear();
  for (const spike& s : outgoing_) {
    const std::uint64_t local = net_.local_index(net_.population_of(s.gid), s.gid);
    const std::uint64_t record = s.gid << 16 | static_cast<std::uint64_t>(s.step - step_);
    for (auto k = net_.subscriber_offsets[local]; k < net_.subscriber_offsets[local + 1]; ++k)
      send_blocks_[net_.subscriber_ranks[k]].push_back(record);
  }
  std::vector<std::span<const std::byte>> blocks;
  for (const auto& b : send_blocks_) {
    blocks.push_back(std::as_bytes(std::span(b)));
    stats_.records_sent += b.size();
    stats_.bytes_sent += b.size() * sizeof(std::uint64_t);
  }
  comm_.exchange_start(blocks);
  in_flight_.push_back(step_);
}

void simulation::receive_oldest() {
  std::vector<std::size_t> counts;
  const auto received = comm_.exchange_finish(counts);
  const std::int64_t epoch_start = in_flight_.front();
  in_flight_.pop_front();
  const std::size_t n = received.size() / sizeof(std::uint64_t);
  stats_.records_received += n;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t r;
    std::memcpy(&r, received.data() + i * sizeof r, sizeof r);
    incoming_.push_back({r >> 16, epoch_start + static_cast<std::int64_t>(r & 0xffff)});
  }
}

} // namespace myelin
