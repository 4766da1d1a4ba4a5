#pragma once
// One thread's share of one plastic projection in the CPU backend: its
// synapses (plastic_table: indexed by subscription row, by delay, as the
// static table), each synapse's weight when the rule changes it, and the
// per-source state the rule keeps (K+, or u and x). Implemented once per rule
// by cpu::rule_projection<Rule> (generated from models/all_synapses.hpp).
#include "engine/built_network.hpp"
#include "engine/cpu/neuron_group.hpp"
#include "engine/cpu/post_history.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace myelin::spec {
struct network;
}

namespace myelin {

class plastic_projection {
public:
  virtual ~plastic_projection() = default;

  // The synapses, their canonical order and rows (engine/built_network.hpp);
  // table weight: the initial weight (for rules that scale it, the weight itself).
  plastic_table synapses;
  std::uint64_t n_sources() const { return synapses.table.source_segments.size() - 1; }

  // Called once the table is in place: per-source state starts as the rule
  // says, per-synapse weights from synapses.initial_weight.
  virtual void init_state() = 0;
  // Hands every spike of a source of this projection to its synapses, in the
  // order given (spikes of one source must come in time order), and adds what
  // they transmit to the ring.
  virtual void deliver(std::span<const arriving_spike> spikes, const ring_view& ring,
                       const post_histories& post) = 0;
  // Lowers horizon[target - first] to the oldest postsynaptic stamp a future
  // spike of any source may still pair with.
  virtual void history_horizon(std::uint64_t first, std::vector<std::int64_t>& horizon) const = 0;

  virtual bool plastic_weight() const = 0;
  virtual bool uses_post_spikes() const = 0;
  // Weights in canonical order, and back.
  virtual std::vector<double> canonical_weights() const = 0;
  virtual void set_canonical_weights(const std::vector<double>& w) = 0;
  // Per-source state: one vector per field (plus the last spike's stamp),
  // indexed by source (row - row_first); engine/plastic_order tells which
  // sources this shard keeps.
  virtual std::vector<std::vector<double>> pre_fields() const = 0;
  virtual std::vector<std::int64_t> pre_last() const = 0;
  virtual void set_pre(const std::vector<std::vector<double>>& fields,
                       const std::vector<std::int64_t>& last) = 0;

  virtual std::uint64_t state_bytes() const = 0;
  std::uint64_t bytes() const {
    return synapses.table.bytes() + synapses.canonical.capacity() * 4 +
           synapses.target_offsets.capacity() * 8 + state_bytes();
  }
  std::uint64_t n_synapses() const { return synapses.table.synapses.size(); }
};

namespace cpu {
// The rule named by projection p's synapse model, with its constants.
std::unique_ptr<plastic_projection> make_plastic_projection(const spec::network& net, std::size_t p);
} // namespace cpu

} // namespace myelin
