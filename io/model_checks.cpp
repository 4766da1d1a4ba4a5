#include "io/model_checks.hpp"

#include "engine/fixed_point.hpp"
#include "io/number_text.hpp"
#include "models/model_api.hpp"
#include "models/registry.hpp"
#include "models/spike_source.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace myelin::io {
namespace {

class network_checker {
public:
  explicit network_checker(const spec::network& net)
      : net_(net) {}

  void run() {
    check_run();
    for (const auto& p : net_.populations)
      check_population(p);
    for (std::size_t i = 0; i < net_.projections.size(); ++i)
      check_projection(net_.projections[i], "projections[" + std::to_string(i) + "]");
    for (const auto& d : net_.poisson_devices)
      check_device(d);
    for (const auto& d : net_.current_devices)
      check_current_device(d);
    for (const auto& m : net_.multimeters)
      check_multimeter(m);
    for (const auto& w : net_.weight_recorders)
      check_weight_recorder(w);
  }

private:
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
    throw model_error(net_.source_file, key, reason);
  }

  void check_run() {
    const double steps = net_.run.duration / net_.run.dt;
    if (std::fabs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps))
      fail("run.duration",
           fmt(net_.run.duration) + " ms is not a multiple of dt = " + fmt(net_.run.dt) + " ms");
    if (net_.total_neurons() >= (std::uint64_t{1} << 32))
      fail("populations", "more than 2^32 - 1 neurons on one rank");
  }

  void check_population(const spec::population& p) {
    const auto* info = models::find_model(p.model);
    const std::string key = "populations." + p.name;
    check_parameter_arrays(p, *info, key);
    if (!info->is_source)
      return;
    const bool offgrid = p.params.count("allow_offgrid_times") && p.params.at("allow_offgrid_times") != 0.0;
    for (std::size_t i = 0; i < p.spike_times.size(); ++i) {
      try {
        models::spike_times_to_emit_steps(p.spike_times[i], net_.run.dt, offgrid);
      } catch (const models::parameter_error& e) {
        fail(key + ".params.spike_times" + (p.spike_times.size() > 1 ? "[" + std::to_string(i) + "]" : ""),
             e.what());
      }
    }
  }

  // Per-neuron parameters: every neuron's set passes the model's checks
  // (each distinct set once), and all neurons have the same receptor ports.
  void check_parameter_arrays(const spec::population& p, const models::model_info& info,
                              const std::string& key) {
    if (p.param_arrays.empty())
      return;
    for (const auto& [name, values] : p.param_arrays) {
      if (p.params.count(name) || values.size() != p.size)
        fail(key + ".params." + name, "needs one value per neuron (" + std::to_string(p.size) + ")");
      if (name == models::tau_minus_name) // the postsynaptic trace is kept per population
        fail(key + ".params." + name, "takes one value for the whole population, not one per neuron");
    }
    std::set<std::vector<double>> seen;
    const int ports = info.ports(p.params_of(0));
    for (std::uint64_t i = 0; i < p.size; ++i) {
      std::vector<double> row;
      for (const auto& [name, values] : p.param_arrays)
        row.push_back(values[i]);
      if (!seen.insert(std::move(row)).second)
        continue;
      const auto all = p.params_of(i);
      try {
        info.validate(all, net_.run.dt);
      } catch (const models::parameter_error& e) {
        const bool listed = p.param_arrays.count(e.parameter) > 0;
        fail(key + ".params." + e.parameter + (listed ? "[" + std::to_string(i) + "]" : ""),
             std::string(e.what()) + " (neuron " + std::to_string(i) + ")");
      }
      if (info.ports(all) != ports)
        fail(key + ".params", "neuron " + std::to_string(i) + " has " + std::to_string(info.ports(all)) +
                                  " receptor ports, neuron 0 has " + std::to_string(ports) +
                                  "; a population's neurons have the same ports");
    }
  }

  const spec::population& pop(const std::string& name) const {
    return net_.populations[static_cast<std::size_t>(net_.find_population(name))];
  }

  void check_target_model(const std::string& target, const std::string& key) {
    if (models::find_model(pop(target).model)->is_source)
      fail(key, "population '" + target + "' is a spike_source and cannot receive input");
  }

  // A parrot ignores weights, so a plastic synapse into it would change
  // nothing it delivers (NEST's receptor 1 for that case does not exist here).
  void check_counting_target(const spec::projection& pr, const std::string& key) {
    const auto* info = models::find_model(pop(pr.target).model);
    if (info && info->counts_spikes && models::find_synapse_model(pr.synapse_model)->plastic)
      fail(key, info->name + " ignores the weights of its input, so '" + pr.synapse_model +
                    "' into it would learn nothing; use static_synapse");
  }

  void check_delay_steps(double delay_ms, const std::string& key) {
    const auto steps = spec::delay_steps(delay_ms, net_.run.dt);
    if (steps < 1)
      fail(key, "delay " + fmt(delay_ms) + " ms is below one step (dt = " + fmt(net_.run.dt) + " ms)");
    if (steps > max_delay_steps)
      fail(key, "delay " + fmt(delay_ms) + " ms exceeds " + std::to_string(max_delay_steps) + " steps");
  }

  void check_delay(const spec::distribution& d, const std::string& key) {
    using kind = spec::distribution::kind;
    if (d.type == kind::constant)
      return check_delay_steps(d.value, key);
    if (d.type == kind::listed) {
      for (std::size_t k = 0; k < d.values.size(); ++k)
        check_delay_steps(d.values[k], key + "[" + std::to_string(k) + "]");
      return;
    }
    // Refuse up front what could draw a delay below one step, instead of
    // failing half-way through construction: name the bound to add.
    const double lowest = d.type == kind::uniform ? std::max(d.low, d.min) : d.min;
    if (spec::delay_steps(lowest, net_.run.dt) < 1)
      fail(key, "the distribution can draw delays below one step (dt = " + fmt(net_.run.dt) +
                    " ms); set min >= " + fmt(net_.run.dt / 2) + " ms");
    const double highest = d.type == kind::uniform ? std::min(d.high, d.max) : d.max;
    if (std::isfinite(highest))
      check_delay_steps(highest, key);
  }

  // NEST's receptor_type: 1..n for models with typed receptors, which need
  // it; models routed by the weight's sign have none.
  void check_receptor(const spec::projection& pr, const std::string& key) {
    const auto& target = pop(pr.target);
    const auto* info = models::find_model(target.model);
    if (!info || info->is_source)
      return; // check_target_model says why
    if (!info->typed_receptors) {
      if (pr.receptor != 0)
        fail(key, info->name + " has no typed receptor ports (its inputs are routed by the weight's sign); "
                               "remove receptor");
      return;
    }
    const int n = info->ports(pop(pr.target).params_of(0));
    if (n == 0)
      fail(key,
           "population '" + pr.target + "' (" + info->name + ") has no receptor ports with its parameters");
    std::string ports;
    for (int r = 0; r < n; ++r)
      ports +=
          (r ? ", " : "") + std::to_string(r + 1) + " (" + info->receptors[static_cast<std::size_t>(r)] + ")";
    if (pr.receptor == 0)
      fail(key, info->name + " takes input on receptor ports " + ports + "; give receptor = 1.." +
                    std::to_string(n) + " (NEST's receptor_type)");
    if (pr.receptor < 1 || pr.receptor > n)
      fail(key, "receptor " + std::to_string(pr.receptor) + " is not a port of " + info->name +
                    "; its ports are " + ports);
  }

  void check_projection(const spec::projection& pr, const std::string& key) {
    using kind = spec::rule::kind;
    // A SONATA circuit's plastic edges: their types were checked with the
    // circuit (io/sonata/edge_types.cpp), each edge when the ranks read it.
    if (pr.connectivity.type == kind::edges)
      return;
    check_target_model(pr.target, key + ".target");
    check_receptor(pr, key + ".synapse.receptor");
    check_counting_target(pr, key + ".synapse.model");
    check_delay(pr.delay, key + ".synapse.delay");
    check_weight(pr.weight, key + ".synapse.weight");
    const auto& r = pr.connectivity;
    const std::uint64_t S = pop(pr.source).size, T = pop(pr.target).size;
    const bool same = pr.source == pr.target;
    const std::uint64_t excluded = (same && !r.allow_autapses) ? 1 : 0;
    switch (r.type) {
    case kind::one_to_one:
      if (S != T)
        fail(key + ".rule.kind", "one_to_one needs equal sizes; source has " + std::to_string(S) +
                                     " neurons, target " + std::to_string(T));
      break;
    case kind::fixed_indegree:
      if (!r.allow_multapses && r.n > S - excluded)
        fail(key + ".rule.indegree", "indegree " + std::to_string(r.n) + " exceeds the " +
                                         std::to_string(S - excluded) +
                                         " available sources and multapses are not allowed");
      if (S - excluded == 0 && r.n > 0)
        fail(key + ".rule.indegree", "no source is available");
      break;
    case kind::fixed_outdegree:
      if (!r.allow_multapses && r.n > T - excluded)
        fail(key + ".rule.outdegree", "outdegree " + std::to_string(r.n) + " exceeds the " +
                                          std::to_string(T - excluded) +
                                          " available targets and multapses are not allowed");
      if (T - excluded == 0 && r.n > 0)
        fail(key + ".rule.outdegree", "no target is available");
      break;
    case kind::fixed_total_number:
      if (!r.allow_multapses && r.n > T * (S - excluded))
        fail(key + ".rule.N", "N = " + std::to_string(r.n) + " exceeds the " +
                                  std::to_string(T * (S - excluded)) +
                                  " possible pairs and multapses are not allowed");
      if (S - excluded == 0 && r.n > 0)
        fail(key + ".rule.N", "no source is available");
      break;
    case kind::all_to_all:
    case kind::pairwise_bernoulli:
    case kind::edges:
      break;
    }
    check_listed(pr, key);
  }

  // Arrays of weights or delays give one value per synapse, in the
  // projection's canonical order; the rule must fix how many there are.
  void check_listed(const spec::projection& pr, const std::string& key) {
    using kind = spec::rule::kind;
    for (const auto& [d, name] : {std::pair{&pr.weight, "weight"}, std::pair{&pr.delay, "delay"}}) {
      if (!d->is_listed())
        continue;
      const std::string k = key + ".synapse." + name;
      if (pr.connectivity.type == kind::pairwise_bernoulli ||
          pr.connectivity.type == kind::fixed_total_number)
        fail(k, std::string("an array of values needs a rule that fixes each neuron's number of synapses "
                            "(all_to_all, one_to_one, fixed_indegree, fixed_outdegree), not ") +
                    rule_name(pr.connectivity.type));
      const auto n = static_cast<std::uint64_t>(spec::expected_synapses(net_, pr));
      if (d->values.size() != n)
        fail(k, "an array of values needs one per synapse: " + std::to_string(n) + ", got " +
                    std::to_string(d->values.size()));
    }
  }

  static const char* rule_name(spec::rule::kind k) {
    using kind = spec::rule::kind;
    switch (k) {
    case kind::all_to_all:
      return "all_to_all";
    case kind::one_to_one:
      return "one_to_one";
    case kind::fixed_indegree:
      return "fixed_indegree";
    case kind::fixed_outdegree:
      return "fixed_outdegree";
    case kind::fixed_total_number:
      return "fixed_total_number";
    case kind::pairwise_bernoulli:
      return "pairwise_bernoulli";
    case kind::edges:
      return "SONATA edges";
    }
    return "?";
  }

  // The constant, the bounds of a bounded distribution, or the location of
  // an unbounded one: a rare draw beyond the range is held at its end.
  void check_weight(const spec::distribution& w, const std::string& key) {
    using kind = spec::distribution::kind;
    std::vector<double> values;
    if (w.type == kind::constant)
      values = {w.value};
    else if (w.type == kind::listed)
      values = w.values;
    else if (w.type == kind::uniform)
      values = {w.low, w.high};
    else {
      values = {w.type == kind::normal ? w.mean : w.type == kind::lognormal ? std::exp(w.mean) : w.beta};
      for (double bound : {w.min, w.max})
        if (std::isfinite(bound))
          values.push_back(bound);
    }
    for (double v : values)
      if (const auto problem = weight_range_problem(v); !problem.empty())
        fail(key, problem);
  }

  void check_device(const spec::poisson_device& d) {
    const std::string key = "devices." + d.name;
    for (std::size_t i = 0; i < d.targets.size(); ++i)
      check_target_model(d.targets[i], key + ".targets[" + std::to_string(i) + "]");
    check_delay_steps(d.delay, key + ".delay");
    if (const auto problem = weight_range_problem(d.weight); !problem.empty())
      fail(key + ".weight", problem);
    if (d.rate * net_.run.dt * 1e-3 > 1e4)
      fail(key + ".rate", "more than 10000 expected events per step; use a smaller dt or rate");
  }

  // A time in ms that must lie on the grid (NEST: a multiple of the resolution).
  void check_grid_time(double ms, const std::string& key, bool may_be_negative = false) {
    const double steps = ms / net_.run.dt;
    if (!may_be_negative && ms < 0)
      fail(key, "must be >= 0 ms, got " + fmt(ms));
    if (!(std::fabs(steps) < 0x1.0p62))
      fail(key, fmt(ms) + " ms is beyond any run (2^62 steps)");
    if (std::fabs(steps - std::round(steps)) > 1e-9 * std::max(1.0, std::fabs(steps)))
      fail(key, fmt(ms) + " ms is not a multiple of dt = " + fmt(net_.run.dt) + " ms");
  }

  void check_current_device(const spec::current_device& d) {
    using kind = spec::current_device::kind;
    const std::string key = "devices." + d.name;
    for (std::size_t i = 0; i < d.targets.size(); ++i) {
      const std::string k = key + ".targets[" + std::to_string(i) + "]";
      check_target_model(d.targets[i], k);
      const auto* info = models::find_model(pop(d.targets[i]).model);
      if (!info->takes_current)
        fail(k, "model " + info->name + " of population '" + d.targets[i] +
                    "' takes no current input, so a " + spec::current_device::nest_name(d.type) +
                    " cannot drive it");
    }
    check_delay_steps(d.delay, key + ".delay");
    check_grid_time(d.origin, key + ".origin");
    check_grid_time(d.start, key + ".start");
    if (std::isfinite(d.stop)) {
      check_grid_time(d.stop, key + ".stop");
      if (!(d.stop >= d.start))
        fail(key + ".stop", "must be >= start (" + fmt(d.start) + " ms), got " + fmt(d.stop));
    }
    if (d.type == kind::step)
      for (std::size_t i = 0; i < d.amplitude_times.size(); ++i) {
        const std::string k = key + ".amplitude_times[" + std::to_string(i) + "]";
        check_grid_time(d.amplitude_times[i], k);
        if (i > 0 && !(d.amplitude_times[i] > d.amplitude_times[i - 1]))
          fail(k, "amplitude_times must be strictly increasing (" + fmt(d.amplitude_times[i]) +
                      " ms follows " + fmt(d.amplitude_times[i - 1]) + " ms)");
      }
    if (d.type == kind::noise) {
      if (!(d.std >= 0))
        fail(key + ".std", "must be >= 0 pA, got " + fmt(d.std));
      if (!(d.dt > 0))
        fail(key + ".dt", "must be > 0 ms, got " + fmt(d.dt));
      check_grid_time(d.dt, key + ".dt");
    }
  }

  void check_multimeter(const spec::multimeter& m) {
    const std::string key = "recorders." + m.name;
    if (m.name == "spikes")
      fail(key, "the name 'spikes' is taken by the spike output file spikes.h5");
    // m.population is a population's name or a SONATA population's (its parts together).
    const auto [first, size] = net_.output_range(m.population);
    for (std::size_t i = 0; i < m.ids.size(); ++i)
      if (m.ids[i] >= size)
        fail(key + ".ids[" + std::to_string(i) + "]", "index " + std::to_string(m.ids[i]) +
                                                          " is outside population '" + m.population +
                                                          "' of size " + std::to_string(size));
    for (std::size_t p = net_.population_of(first); p < net_.populations.size(); ++p) {
      if (net_.populations[p].output() != m.population)
        continue;
      const auto* info = models::find_model(net_.populations[p].model);
      if (info->is_source)
        fail(key + ".population",
             "population '" + m.population + "' is a spike_source and has no state to record");
      const auto* first_info = models::find_model(net_.populations[net_.population_of(first)].model);
      for (std::size_t i = 0; i < m.variables.size(); ++i)
        if (info->find_state(m.variables[i]) >= 0 &&
            info->find_state(m.variables[i]) != first_info->find_state(m.variables[i]))
          fail(key + ".population", "'" + m.population + "' mixes models that hold " + m.variables[i] +
                                        " differently; record each part on its own");
      for (std::size_t i = 0; i < m.variables.size(); ++i)
        if (info->find_state(m.variables[i]) < 0) {
          std::string known;
          for (const auto& s : info->state)
            known += " " + s.name;
          fail(key + ".variables[" + std::to_string(i) + "]",
               "'" + m.variables[i] + "' is not a state variable of " + info->name + "; known:" + known);
        }
    }
    const double k = m.interval / net_.run.dt;
    if (!(m.interval > 0) || std::fabs(k - std::round(k)) > 1e-9 * std::max(1.0, k) || std::round(k) < 1)
      fail(key + ".interval", "must be a positive multiple of dt = " + fmt(net_.run.dt) + " ms");
  }

  void check_weight_recorder(const spec::weight_recorder& w) {
    const std::string key = "recorders." + w.name;
    if (w.name == "spikes")
      fail(key, "the name 'spikes' is taken by the spike file");
    const double k = w.interval / net_.run.dt;
    if (!(w.interval > 0) || std::fabs(k - std::round(k)) > 1e-9 * std::max(1.0, k) || std::round(k) < 1)
      fail(key + ".interval", "must be a positive multiple of dt = " + fmt(net_.run.dt) + " ms");
  }

  const spec::network& net_;
};

} // namespace

std::string weight_range_problem(double w) {
  if (std::fabs(w) <= max_weight)
    return {};
  return "weight " + fmt(w) + " is beyond +-" + fmt(max_weight) +
         " pA (mV for delta synapses), the largest weight the fixed-point synaptic input represents "
         "(docs/model-file.md, \"Weights and the fixed-point range\")";
}

void check_network(const spec::network& net) {
  network_checker(net).run();
}

} // namespace myelin::io
