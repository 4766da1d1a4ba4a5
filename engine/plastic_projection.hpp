#pragma once
// One thread's share of one plastic projection: its synapses (source-indexed,
// by delay, as the static table), each synapse's weight when the rule changes
// it, and the per-source state the rule keeps (K+, or u and x). Implemented
// once per rule by cpu::rule_projection<Rule> (generated from
// models/all_synapses.hpp).
#include "engine/neuron_group.hpp"
#include "engine/post_history.hpp"
#include "engine/synapse_table.hpp"

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

  std::size_t projection = 0;         // index in the spec
  std::uint64_t source_first_gid = 0; // table rows are gid - source_first_gid
  std::uint64_t n_sources = 0;
  synapse_table table; // weight: the initial weight (for rules that scale it, the weight itself)
  // Canonical order, independent of ranks and threads: targets ascending,
  // each target's synapses in the order they were drawn. This shard's targets
  // are local neurons [target_first, target_first + target_offsets.size() - 1);
  // target i's synapses hold canonical positions [target_offsets[i], target_offsets[i+1]).
  std::uint64_t target_first = 0;
  std::vector<std::uint64_t> target_offsets{0};
  std::vector<std::uint32_t> canonical; // [synapse in table order] -> canonical position

  // Called once the table is built, with the initial weights in table order:
  // per-source state starts as the rule says.
  virtual void init_state(std::vector<double> weights) = 0;
  // Hands every spike of a source of this projection to its synapses, in the
  // order given (spikes of one source must come in time order), and adds what
  // they transmit to the ring.
  virtual void deliver(std::span<const spike> spikes, const ring_view& ring, const post_histories& post) = 0;
  // Lowers horizon[target - first] to the oldest postsynaptic stamp a future
  // spike of any source may still pair with.
  virtual void history_horizon(std::uint64_t first, std::vector<std::int64_t>& horizon) const = 0;

  virtual bool plastic_weight() const = 0;
  virtual bool uses_post_spikes() const = 0;
  // Weights in canonical order, and back.
  virtual std::vector<double> canonical_weights() const = 0;
  virtual void set_canonical_weights(const std::vector<double>& w) = 0;
  // Per-source state: one vector per field (plus the last spike's stamp),
  // indexed by source; has_source[s] says whether this shard keeps source s.
  virtual std::vector<std::string> pre_field_names() const = 0;
  virtual std::vector<std::vector<double>> pre_fields() const = 0;
  virtual std::vector<std::int64_t> pre_last() const = 0;
  virtual void set_pre(const std::vector<std::vector<double>>& fields,
                       const std::vector<std::int64_t>& last) = 0;
  bool has_source(std::uint64_t s) const { return table.source_segments[s + 1] > table.source_segments[s]; }

  virtual std::uint64_t state_bytes() const = 0;
  std::uint64_t bytes() const {
    return table.bytes() + canonical.capacity() * 4 + target_offsets.capacity() * 8 + state_bytes();
  }
  std::uint64_t n_synapses() const { return table.synapses.size(); }
};

// The rule named by projection p's synapse model, with its constants.
std::unique_ptr<plastic_projection> make_plastic_projection(const spec::network& net, std::size_t p);

} // namespace myelin
