#pragma once
// The CPU backend, the reference: N threads, each owning a contiguous block
// of neurons and the incoming synapses of that block (a target_block), so a
// thread delivers only into its own targets, with no atomics and no races.
// The threads live as long as the backend and wait between epochs; each
// advance() releases them once and collects them once.
#include "engine/backend.hpp"
#include "engine/cpu/epoch_barrier.hpp"
#include "engine/cpu/neuron_group.hpp"
#include "engine/cpu/plastic_projection.hpp"
#include "engine/cpu/post_history.hpp"

#include <exception>
#include <memory>
#include <thread>
#include <vector>

namespace myelin::cpu {

class cpu_backend final : public backend {
public:
  cpu_backend(const spec::network& net, built_network built);
  ~cpu_backend() override;

  const rank_layout& layout() const override { return layout_; }
  std::span<const local_spike> advance(std::int64_t first_step, std::int64_t n_steps) override;
  void deliver(std::span<const arriving_spike> spikes) override;
  void settle() override;
  std::span<const double> trace_rows(std::size_t m) const override;

  std::vector<double> read_state(std::size_t slice, std::size_t field) const override;
  void write_state(std::size_t slice, std::size_t field, std::span<const double> values) override;
  std::vector<std::int64_t> read_pending(std::int64_t step, std::int64_t horizon) const override;
  void write_pending(std::int64_t step, std::int64_t horizon, std::span<const std::int64_t> values) override;
  plastic_synapses plastic_layout(std::size_t i, bool with_sources) const override;
  plastic_state read_plastic(std::size_t i) const override;
  void write_plastic(std::size_t i, const plastic_state& state) override;
  post_history_lists read_post_histories() const override;
  void write_post_histories(post_history_lists lists) override;
  backend_counters counters() const override;

private:
  // One thread's targets [first_local, end_local) and their incoming synapses.
  struct shard {
    std::uint64_t first_local = 0, end_local = 0;
    synapse_table table;                                      // static synapses
    std::vector<std::unique_ptr<plastic_projection>> plastic; // one per plastic projection
    std::vector<local_spike> spikes;                          // emitted in the current epoch
    // Postsynaptic history entries kept by this thread's neurons, and the
    // count at which they are next pruned.
    std::uint64_t history_entries = 0, prune_at = 0;
    std::uint64_t static_events = 0; // static synapses delivered
  };
  struct no_completion {
    void operator()() noexcept {}
  };

  void work(unsigned t); // thread t's part of an epoch: deliver, then advance its neurons
  void deliver_into(shard& sh);
  void prune_histories(shard& sh);
  std::uint64_t prune_threshold(const shard& sh, std::uint64_t entries_now) const;
  ring_view ring() { return {ring_.data(), layout_.ring}; }

  rank_layout layout_;
  std::vector<std::unique_ptr<neuron_group>> groups_; // one per slice
  std::vector<shard> shards_;
  std::vector<std::int64_t> ring_;
  post_histories post_;
  std::vector<std::unique_ptr<trace_buffer>> traces_; // one per multimeter
  std::vector<arriving_spike> incoming_;              // handed over, delivered at the next advance
  std::vector<local_spike> emitted_;                  // the last advance's spikes, all threads

  // The worker threads (threads 1..N-1; the caller of advance is thread 0).
  std::int64_t first_step_ = 0, n_steps_ = 0;
  bool quit_ = false;
  std::vector<std::exception_ptr> errors_;
  epoch_barrier<no_completion> start_, end_;
  std::vector<std::jthread> pool_;
};

} // namespace myelin::cpu
