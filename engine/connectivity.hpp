#pragma once
// Connection rules, generated per target neuron from the target's own key
// (seed, projection, target gid), so a neuron's incoming synapses are the same
// whichever rank or thread builds them. fixed_outdegree is the exception that
// the rule forces: its streams are keyed by the source, and every builder scans
// all sources and keeps the targets it owns.
#include "engine/draw_rules.hpp"
#include "engine/rng.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <vector>

namespace myelin {

// Reusable per-thread buffers for drawing without replacement.
struct connect_scratch {
  std::vector<std::uint64_t> chosen; // indices within the other population
  std::vector<std::uint64_t> marks;  // bitset for Floyd's algorithm
};

class projection_generator {
public:
  projection_generator(const spec::network& net, std::size_t index);

  bool keyed_by_source() const { return rule_.type == spec::rule::kind::fixed_outdegree; }

  // Fills scratch.chosen with the partners of element `index` (a target index,
  // or a source index when keyed_by_source()), in draw order.
  void choose(std::uint64_t index, connect_scratch& scratch) const;

  // Per-synapse values come from streams of the element the draws are keyed by.
  rng::stream delay_stream(std::uint64_t index) const { return {delay_key_, key_gid(index)}; }
  rng::stream weight_stream(std::uint64_t index) const { return {weight_key_, key_gid(index)}; }
  // Delay in steps of the next synapse (throws model_error below one step).
  std::int64_t next_delay(rng::stream& s) const;
  double next_weight(rng::stream& s) const;
  // Synapse `at` of the projection's canonical order (element `index`'s k-th
  // of n: at = index * n + k) where weights or delays are listed, else the
  // next draw of the stream.
  std::int64_t delay_of(std::uint64_t at, rng::stream& s) const;
  double weight_of(std::uint64_t at, rng::stream& s) const;

  std::uint64_t source_size() const { return S_; }
  std::uint64_t target_size() const { return T_; }
  std::uint64_t source_first_gid() const { return source_gid_; }
  std::uint64_t target_first_gid() const { return target_gid_; }
  bool constant_delay() const { return proj_.delay.is_constant(); }
  bool constant_weight() const { return counts_spikes_ || proj_.weight.is_constant(); }
  // Expected number of synapses (exact for all rules but pairwise_bernoulli).
  double expected_synapses() const;

  // What a device needs to draw this projection's synapses as choose(),
  // delay_of() and weight_of() do (engine/device/construction.hpp), for a
  // projection drawn per target whose weights and delays are not listed.
  const partner_law& partners() const { return partners_; }
  const synapse_law& synapses() const { return synapses_; }
  const rng::philox::key_type& connect_key() const { return connect_key_; }
  const rng::philox::key_type& delay_key() const { return delay_key_; }
  const rng::philox::key_type& weight_key() const { return weight_key_; }
  // fixed_total_number: element index's synapse count; other rules: 0.
  std::uint64_t total_of(std::uint64_t index) const {
    return total_counts_.empty() ? 0 : total_counts_[index];
  }
  const std::vector<std::uint64_t>& total_counts() const { return total_counts_; }

private:
  std::uint64_t key_gid(std::uint64_t index) const {
    return (keyed_by_source() ? source_gid_ : target_gid_) + index;
  }
  std::int64_t steps_of(double ms) const;

  const spec::network& net_;
  const spec::projection& proj_;
  spec::rule rule_;
  partner_law partners_;
  std::size_t index_;
  std::uint64_t S_, T_, source_gid_, target_gid_;
  bool same_population_;
  bool counts_spikes_; // the target counts spikes (parrot_neuron): every weight is 1
  rng::philox::key_type connect_key_, delay_key_, weight_key_;
  std::vector<std::uint64_t> total_counts_; // fixed_total_number: synapses per target
  synapse_law synapses_;                    // delay and weight laws; a constant delay rounded once
};

} // namespace myelin
