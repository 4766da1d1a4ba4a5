#pragma once
// NetworkSpec: everything a model file says, in engine units (ms, mV, pA, pF,
// Hz), validated by the reader. Built on one rank, shared with all ranks.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace myelin::spec {

struct distribution {
  // listed: one value per synapse, given (NEST's arrays in syn_spec).
  enum class kind { constant, uniform, normal, lognormal, exponential, listed };
  kind type = kind::constant;
  double value = 0.0;           // constant
  double low = 0.0, high = 0.0; // uniform
  double mean = 0.0, std = 0.0; // normal; lognormal: of the underlying normal
  double beta = 1.0;            // exponential: scale (= mean), as NEST
  // Values outside [min, max] are redrawn (NEST's redraw), never clipped.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  // listed: per synapse in the projection's canonical order (targets
  // ascending, or sources for fixed_outdegree; each one's synapses in draw
  // order), which is NEST's row order for its arrays.
  std::vector<double> values;

  static distribution constant(double v) {
    distribution d;
    d.value = v;
    return d;
  }
  bool is_constant() const { return type == kind::constant; }
  bool is_listed() const { return type == kind::listed; }
};

struct population {
  std::string name;
  std::string model;
  std::uint64_t size = 0;
  std::map<std::string, double> params; // model parameters (flags as 0/1)
  // Parameters given per neuron (one value each, `size` of them): a model
  // file's array, a SONATA file's per-node values. A name is in params or
  // here, never both.
  std::map<std::string, std::vector<double>> param_arrays;
  std::map<std::string, distribution> init;     // initial state, absolute units
  std::vector<std::vector<double>> spike_times; // spike_source: one list, or one per neuron (ms)
  // Output identity. A SONATA node population becomes several myelin
  // populations when its nodes differ in model (one per run of nodes of one
  // model); they share output_name, and their node ids continue one another
  // from output_first_id, so spikes and reports name the circuit's
  // population and node ids.
  std::string output_name; // empty: name
  std::uint64_t output_first_id = 0;

  const std::string& output() const { return output_name.empty() ? name : output_name; }
  // Neuron i's parameters: params with its entry of every array.
  std::map<std::string, double> params_of(std::uint64_t i) const {
    auto all = params;
    for (const auto& [name, values] : param_arrays)
      all[name] = values.at(i);
    return all;
  }
};

struct rule {
  enum class kind {
    all_to_all,
    one_to_one,
    fixed_indegree,
    fixed_outdegree,
    fixed_total_number,
    pairwise_bernoulli,
    // The synapses listed in a SONATA edge set (network::edge_sets[edge_set])
    // whose edge type is one of edge_types and whose source and target lie in
    // the projection's populations: how a SONATA circuit's plastic edge types
    // become projections (io/sonata/circuit.cpp). Canonical order: targets
    // ascending, each target's edges in file row order.
    edges
  };
  kind type = kind::all_to_all;
  std::uint64_t n = 0; // indegree, outdegree or total number
  double p = 0.0;      // pairwise_bernoulli
  bool allow_autapses = true;
  bool allow_multapses = true;
  std::size_t edge_set = 0;             // edges
  std::vector<std::int64_t> edge_types; // edges: ascending
};

struct projection {
  std::string source, target;
  rule connectivity;
  std::string synapse_model = "static_synapse";
  std::map<std::string, double> synapse_params;      // the synapse model's parameters (NEST names)
  distribution weight = distribution::constant(1.0); // pA (current models) or mV (delta models)
  distribution delay = distribution::constant(1.0);  // ms
  // The target's receptor port, numbered as NEST numbers receptor_type
  // (1-based) for models with typed receptors; 0: routed by the weight's sign.
  int receptor = 0;
};

// Synapses listed in a SONATA edges file. The spec holds only where they
// are and their per-type defaults; each rank reads the edges of the targets
// it owns when it builds (io/sonata/edge_reader).
struct edge_type {
  double weight = std::numeric_limits<double>::quiet_NaN(); // syn_weight from the edge-types CSV (NaN: none)
  double delay = std::numeric_limits<double>::quiet_NaN();  // ms (NaN: none)
  int receptor = 0; // NEST's receptor_type: the port (1-based) of a target with typed receptors; 0: none
};

struct edge_set {
  std::string file;           // edges HDF5 file
  std::string types_file;     // edge-types CSV, for messages
  std::string population;     // /edges/<population>
  std::string source, target; // node populations (output names)
  std::uint64_t source_first_gid = 0, source_count = 0;
  std::uint64_t target_first_gid = 0, target_count = 0;
  std::uint64_t edges = 0; // rows in the file
  std::map<std::int64_t, edge_type> types;
  double default_weight = 1.0; // where neither the file nor the CSV gives one
  double default_delay = 1.0;  // ms, NEST's default
};

struct poisson_device {
  std::string name;
  double rate = 0.0; // Hz, an independent train for every target neuron
  std::vector<std::string> targets;
  double weight = 1.0;
  double delay = 1.0; // ms
};

// A device that injects current (NEST's CurrentEvent) into every neuron of
// its target populations, with NEST's parameters and activity window: active
// at steps [origin + start, origin + stop); what it sends at step s reaches
// the neuron after `delay` and flows during the step after that (NEST's
// I_stim), i.e. during step s + delay + 1.
struct current_device {
  enum class kind { dc, step, ac, noise };
  std::string name;
  kind type = kind::dc;
  std::vector<std::string> targets;
  double weight = 1.0;
  double delay = 1.0;                                                               // ms
  double start = 0.0, stop = std::numeric_limits<double>::infinity(), origin = 0.0; // ms
  double amplitude = 0.0;                                                           // pA: dc, ac
  double offset = 0.0;                                                              // pA: ac
  double frequency = 0.0, phase = 0.0;                                              // Hz, degrees: ac
  std::vector<double> amplitude_times;                                              // ms: step (on the grid)
  std::vector<double> amplitude_values;                                             // pA: step
  double mean = 0.0, std = 0.0;                                                     // pA: noise
  double dt = 1.0; // ms: noise, a multiple of the resolution

  static const char* nest_name(kind k) {
    switch (k) {
    case kind::dc:
      return "dc_generator";
    case kind::step:
      return "step_current_generator";
    case kind::ac:
      return "ac_generator";
    case kind::noise:
      return "noise_generator";
    }
    return "";
  }
};

struct spike_recorder {
  std::string name;
  std::vector<std::string> populations; // empty: all
};

struct multimeter {
  std::string name;
  std::string population;
  std::vector<std::uint64_t> ids; // indices within the population
  std::vector<std::string> variables;
  double interval = 1.0; // ms
};

// Snapshots of one plastic projection's weights every `interval` ms.
struct weight_recorder {
  std::string name;
  std::size_t projection = 0; // index in network::projections
  double interval = 1000.0;   // ms
};

struct run_settings {
  double dt = 0.1;          // ms
  double duration = 1000.0; // ms
  std::uint64_t seed = 12345;
};

struct network {
  std::string source_file; // where it came from, for messages
  run_settings run;
  std::vector<population> populations;
  std::vector<projection> projections;
  std::vector<poisson_device> poisson_devices;
  std::vector<current_device> current_devices;
  std::vector<spike_recorder> spike_recorders;
  std::vector<multimeter> multimeters;
  std::vector<weight_recorder> weight_recorders;
  std::vector<edge_set> edge_sets;
  // Output names a SONATA simulation config chose (empty: myelin's defaults).
  std::string output_dir, spikes_file;

  std::uint64_t total_neurons() const {
    std::uint64_t n = 0;
    for (const auto& p : populations)
      n += p.size;
    return n;
  }
  // Index of the named population, or -1.
  int find_population(const std::string& name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
      if (populations[i].name == name)
        return static_cast<int>(i);
    return -1;
  }
  // First gid and neuron count of the populations whose output() is name
  // (consecutive, as the SONATA reader lays them out); count 0 if none.
  std::pair<std::uint64_t, std::uint64_t> output_range(const std::string& name) const {
    std::uint64_t first = 0, count = 0, at = 0;
    for (const auto& p : populations) {
      if (p.output() == name) {
        if (count == 0)
          first = at;
        count += p.size;
      }
      at += p.size;
    }
    return {first, count};
  }
  // Index of the population that holds gid.
  std::size_t population_of(std::uint64_t gid) const {
    std::size_t p = 0;
    for (std::uint64_t at = 0; p + 1 < populations.size() && gid >= at + populations[p].size; ++p)
      at += populations[p].size;
    return p;
  }
  // First global id of each population, plus the total (gids are dense,
  // populations in file order).
  std::vector<std::uint64_t> population_offsets() const {
    std::vector<std::uint64_t> off{0};
    for (const auto& p : populations)
      off.push_back(off.back() + p.size);
    return off;
  }
};

// Expected number of synapses a projection makes, from its rule and the
// populations' sizes (exact for every rule but pairwise_bernoulli; 0 for
// edges, whose synapses are counted with their edge set).
inline double expected_synapses(const network& net, const projection& pr) {
  using kind = rule::kind;
  const int s = net.find_population(pr.source), t = net.find_population(pr.target);
  const double S = static_cast<double>(net.populations[static_cast<std::size_t>(s)].size),
               T = static_cast<double>(net.populations[static_cast<std::size_t>(t)].size);
  const auto& r = pr.connectivity;
  const double self = s == t && !r.allow_autapses ? 1.0 : 0.0;
  switch (r.type) {
  case kind::all_to_all:
    return T * (S - self);
  case kind::one_to_one:
    return self > 0 ? 0.0 : T;
  case kind::fixed_indegree:
    return T * static_cast<double>(r.n);
  case kind::fixed_outdegree:
    return S * static_cast<double>(r.n);
  case kind::fixed_total_number:
    return static_cast<double>(r.n);
  case kind::pairwise_bernoulli:
    return r.p * T * (S - self);
  case kind::edges:
    return 0.0; // known once the file is read; counted with its edge set
  }
  return 0.0;
}

// Delay in whole steps (rounded to nearest, as NEST does).
inline std::int64_t delay_steps(double delay_ms, double dt) {
  return std::llround(delay_ms / dt);
}

} // namespace myelin::spec
