#include "engine/simulation.hpp"

#include "engine/fixed_point.hpp"

#include <algorithm>
#include <barrier>
#include <cstring>
#include <thread>

namespace myelin {

// Order of work in one epoch [step_, step_ + epoch_length_), per thread t:
//   1. deliver(t):  spikes received at the end of the previous epoch go into
//                   ring slots >= step_ (every delay >= epoch length), only for
//                   targets in t's block;
//   2. advance(t):  t's neurons step through the epoch reading the ring;
//   -- barrier --   end_of_epoch() runs once: sort the epoch's spikes, record
//                   them, exchange them (a rank sends to itself too).
// Delivery of epoch k's spikes therefore always precedes the update of epoch
// k+1, and the ring holds them until their delay has elapsed.

namespace {
struct epoch_completion {
  simulation* sim;
  void (simulation::*fn)() noexcept;
  void operator()() noexcept { (sim->*fn)(); }
};
} // namespace

simulation::simulation(local_network& net, comm::communicator& comm, unsigned)
    : net_(net)
    , comm_(comm)
    , threads_(static_cast<unsigned>(net.shards.size()))
    , thread_spikes_(net.shards.size())
    , spike_counts_(net.groups.size(), 0) {}

void simulation::run(std::int64_t n_steps) {
  if (n_steps <= 0)
    return;
  end_step_ = step_ + n_steps;
  epoch_length_ = std::min(net_.epoch_steps, end_step_ - step_);
  for (auto& tb : net_.traces)
    tb->first_sample = step_ / tb->interval + 1;
  done_ = false;
  errors_.assign(threads_, nullptr);

  std::barrier sync(static_cast<std::ptrdiff_t>(threads_), epoch_completion{this, &simulation::end_of_epoch});
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
  const thread_shard& shard = net_.shards[t];
  deliver(shard);
  const advance_window window{net_.ring_access(), step_, epoch_length_};
  for (auto& g : net_.groups) {
    const std::uint64_t lo = std::max(shard.first_local, g->first_local());
    const std::uint64_t hi = std::min(shard.end_local, g->first_local() + g->size());
    if (lo < hi)
      g->advance(lo - g->first_local(), hi - g->first_local(), window, thread_spikes_[t]);
  }
}

void simulation::deliver(const thread_shard& shard) {
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
        slot[syn.target + (syn.weight < 0.0f ? inhibitory : 0)] += to_fixed(syn.weight);
      }
    }
  }
}

void simulation::end_of_epoch() noexcept {
  try {
    for (auto& e : errors_)
      if (e) {
        done_ = true;
        return;
      }
    outgoing_.clear();
    for (auto& ts : thread_spikes_) {
      outgoing_.insert(outgoing_.end(), ts.begin(), ts.end());
      ts.clear();
    }
    std::sort(outgoing_.begin(), outgoing_.end(), [](const spike& a, const spike& b) {
      return a.step != b.step ? a.step < b.step : a.gid < b.gid;
    });
    for (const spike& s : outgoing_) {
      const auto p = std::upper_bound(net_.population_offsets.begin(), net_.population_offsets.end(), s.gid) -
                     net_.population_offsets.begin() - 1;
      ++spike_counts_[static_cast<std::size_t>(p)];
    }
    if (spikes_out_)
      spikes_out_->write(outgoing_);
    for (std::size_t m = 0; m < net_.traces.size(); ++m) {
      auto& tb = *net_.traces[m];
      const std::int64_t last = (step_ + epoch_length_) / tb.interval;
      const std::int64_t rows = last - tb.first_sample + 1;
      if (traces_out_ && rows > 0)
        traces_out_->write(m, tb.first_sample, static_cast<std::size_t>(rows), tb.rows.data());
    }
    exchange();
    step_ += epoch_length_;
    if (progress_)
      progress_(step_);
    if (step_ >= end_step_) {
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

void simulation::exchange() {
  // Wire record: gid << 16 | step offset within the epoch (epochs are at most
  // 65535 steps, the largest delay).
  send_buffer_.clear();
  for (const spike& s : outgoing_)
    send_buffer_.push_back(s.gid << 16 | static_cast<std::uint64_t>(s.step - step_));
  std::vector<std::span<const std::byte>> blocks{std::as_bytes(std::span(send_buffer_))};
  std::vector<std::size_t> counts;
  const auto received = comm_.all_to_all_v(blocks, counts);
  incoming_.resize(received.size() / sizeof(std::uint64_t));
  for (std::size_t i = 0; i < incoming_.size(); ++i) {
    std::uint64_t r;
    std::memcpy(&r, received.data() + i * sizeof r, sizeof r);
    incoming_[i] = {r >> 16, step_ + static_cast<std::int64_t>(r & 0xffff)};
  }
}

} // namespace myelin
