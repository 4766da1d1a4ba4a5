#pragma once
// The seam between the epoch loop and the hardware that steps neurons
// (DESIGN.md §5). A backend owns a rank's neurons, synapse tables, ring
// buffer, postsynaptic histories and multimeter buffers in its own memory and
// layout; the loop (engine/simulation) only advances it, hands it the spikes
// that arrived, and reads what it emitted. Checkpoints, recorders and weight
// files see its state only through the state API below, in a layout that
// does not depend on the backend, so a checkpoint written by one backend is
// read by any other.
#include "engine/built_network.hpp"
#include "engine/comm/communicator.hpp"
#include "engine/spike.hpp"
#include "engine/static_table_maker.hpp"
#include "models/synapse_api.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace myelin::spec {
struct network;
}

namespace myelin {

// This rank's synapses of one plastic projection, in canonical order
// (targets ascending, each target's synapses in draw order).
struct plastic_synapses {
  std::vector<std::uint64_t> target;   // index in the target population of each target held here, ascending
  std::vector<std::uint64_t> indegree; // its synapses in the projection
  std::vector<std::uint64_t> source;   // per synapse in canonical order: index in the source population
};

// What a plastic projection has learned, on this rank.
struct plastic_state {
  // Canonical order. Read: every rule's (fixed ones for rules that do not
  // change weights). Written: only rules that change them use it.
  std::vector<double> weight;
  // Per-source state of the sources held here (index in the source
  // population, ascending): one vector per field of the rule, and the last
  // presynaptic stamp.
  std::vector<std::uint64_t> source;
  std::vector<std::vector<double>> pre;
  std::vector<std::int64_t> last;
};

// Postsynaptic spikes kept for STDP, per local neuron.
using post_history_lists = std::vector<std::vector<models::post_spike>>;

struct backend_counters {
  std::uint64_t synapses = 0, synapse_bytes = 0;
  std::uint64_t saturated_input_steps = 0;  // neuron-steps whose input sat at an end of the range
  std::uint64_t graph_calls = 0;            // CUDA graphs replayed: calls, or epoch halves on several ranks
  std::uint64_t static_synaptic_events = 0; // static synapses delivered: each spike's row, summed
  // Spike records the backend sent and received itself (running alone on
  // several ranks); the loop counts its own.
  std::uint64_t records_sent = 0, records_received = 0;
};

class backend {
public:
  virtual ~backend() = default;
  virtual const rank_layout& layout() const = 0;

  // Delivers the spikes handed over since the last advance, then steps every
  // neuron over [first_step, first_step + n_steps). Returns the spikes
  // emitted, in no particular order; valid until the next call.
  virtual std::span<const local_spike> advance(std::int64_t first_step, std::int64_t n_steps) = 0;
  // Spikes that arrived (from any rank, this one included); they reach the
  // ring at the start of the next advance, or at settle.
  virtual void deliver(std::span<const arriving_spike> spikes) = 0;
  // Several ranks (collective, before the first advance): what the backend
  // may use to exchange spikes itself, and so run alone on several ranks.
  virtual void set_communicator(comm::communicator&) {}
  // How spikes leave this rank: "loop" (the epoch loop packs and sends them),
  // or, running alone, "device" (one rank: they never leave the device),
  // "mpi" or "nccl" (engine/device/record_transport.hpp).
  virtual std::string spike_exchange() const { return "loop"; }
  // Runs alone: advances through several epochs in one call, delivering
  // each epoch's spikes itself (on several ranks, sending them to the ranks
  // that subscribed and delivering what arrives) exactly as the epoch loop
  // would by handing them back; on one rank's device, nothing leaves it
  // between epochs. steps_alone() is the most steps one call may take (0:
  // this backend cannot here; the same on every rank).
  virtual std::int64_t steps_alone() const { return 0; }
  // [first_step, first_step + n_steps) in epochs of layout().epoch_steps (the
  // last one shorter where n_steps ends first); returns the spikes emitted,
  // in no particular order; valid until the next call. Multimeter rows as
  // advance() leaves them, for the whole range.
  virtual std::span<const local_spike> advance_alone(std::int64_t first_step, std::int64_t n_steps);
  // Delivers what was handed over now, so that neuron state, ring and
  // plastic state are the whole pending state (checkpoints, weight snapshots).
  virtual void settle() = 0;
  // Multimeter m's sample rows taken by the last advance (rows of
  // layout().trace_row_size[m] values, the first for sample first_step /
  // interval + 1).
  virtual std::span<const double> trace_rows(std::size_t m) const = 0;

  // --- state API ---
  // Stored state field `field` (layout().state_fields) of slice s's neurons.
  virtual std::vector<double> read_state(std::size_t slice, std::size_t field) const = 0;
  virtual void write_state(std::size_t slice, std::size_t field, std::span<const double> values) = 0;
  // Pending ring input as [local neuron][channel * horizon + offset], offset
  // 0 being `step`; horizon >= layout().ring.n_slots.
  virtual std::vector<std::int64_t> read_pending(std::int64_t step, std::int64_t horizon) const = 0;
  virtual void write_pending(std::int64_t step, std::int64_t horizon,
                             std::span<const std::int64_t> values) = 0;
  // Plastic projection i (layout().plastic_projections[i]).
  // with_sources: also each synapse's source (weight files; checkpoints need only in-degrees).
  virtual plastic_synapses plastic_layout(std::size_t i, bool with_sources) const = 0;
  virtual plastic_state read_plastic(std::size_t i) const = 0;
  // Weights in this rank's canonical order; per-source state given for the
  // whole source population (pre[f][source], last[source]).
  virtual void write_plastic(std::size_t i, const plastic_state& state) = 0;
  virtual post_history_lists read_post_histories() const = 0;
  virtual void write_post_histories(post_history_lists lists) = 0;

  virtual backend_counters counters() const = 0;
  // The device this rank runs on ("cuda:0 (NVIDIA H200)"), "" for CPU threads.
  virtual std::string device() const { return {}; }
};

// `cpu` (engine/cpu), `omp` (the device backend's code on CPU threads),
// `cuda` (the device backend on a GPU) or `auto` (cuda when this build and
// machine can run it, else cpu).
enum class backend_kind { cpu, omp, cuda };
// Throws usage_error for an unknown name, or for a backend this build or
// machine cannot run (with the reason).
backend_kind parse_backend(const std::string& name);
const char* backend_name(backend_kind kind);
// MYELIN_DEVICE_GRAPHS: whether the device backend replays calls as CUDA
// graphs (engine/device/epoch_graph.hpp): "on", "off", or unset (nullopt,
// the backend's default). Throws usage_error for anything else.
std::optional<bool> device_graphs_setting();

// MYELIN_DEVICE_EXCHANGE: how a device backend on several ranks exchanges
// spikes. "loop": the epoch loop packs them on the host, epoch by epoch, as
// for the CPU backend; "mpi": the device packs them and runs alone, the
// records travelling through MPI by way of host buffers; "nccl": the same,
// device buffer to device buffer (engine/device/record_transport.hpp); ""
// (unset): nccl where it works, else mpi. Throws usage_error for anything else.
std::string device_exchange_setting();

// Turns a built network into a backend's memory. The CPU backend runs one
// thread per target block (build()'s `blocks`). `made`: the maker build()
// was given, which holds the static tables when it made them.
std::unique_ptr<backend> make_backend(backend_kind kind, const spec::network& net, built_network built,
                                      static_table_maker* made = nullptr);
// What draws a backend's static tables when it is not the host's threads
// (engine/static_table_maker.hpp): the device backends' construction on the
// device; null for the CPU backend. `host_memory`: bytes this rank may use,
// the omp backend's device memory (cuda asks its device).
std::unique_ptr<static_table_maker> make_table_maker(backend_kind kind, std::uint64_t host_memory);

} // namespace myelin
