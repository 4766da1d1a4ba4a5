#include "app/model_changes.hpp"

#include "models/registry.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace myelin::cli {
namespace {

bool same(const spec::distribution& a, const spec::distribution& b) {
  return a.type == b.type && a.value == b.value && a.low == b.low && a.high == b.high && a.mean == b.mean &&
         a.std == b.std && a.beta == b.beta && a.min == b.min && a.max == b.max && a.values == b.values;
}

bool same(const spec::rule& a, const spec::rule& b) {
  return a.type == b.type && a.n == b.n && a.p == b.p && a.allow_autapses == b.allow_autapses &&
         a.allow_multapses == b.allow_multapses && a.edge_set == b.edge_set && a.edge_types == b.edge_types;
}

// Equal, or both unset (NaN).
bool same_value(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// The names whose values differ, or that one side has and the other not.
template <class Map>
std::set<std::string> differing(const Map& a, const Map& b) {
  std::set<std::string> out;
  for (const auto& [k, v] : a)
    if (const auto it = b.find(k); it == b.end() || !(it->second == v))
      out.insert(k);
  for (const auto& [k, v] : b)
    if (!a.count(k))
      out.insert(k);
  return out;
}

template <class T>
std::string change(const T& from, const T& to) {
  std::ostringstream os;
  os << from << " -> " << to;
  return os.str();
}

} // namespace

model_changes compare_models(const spec::network& saved, const spec::network& now) {
  model_changes c;
  auto refuse = [&](const std::string& key, const std::string& what) {
    c.refused.push_back(key + ": " + what);
  };
  auto accept = [&](const std::string& key, const std::string& what) {
    c.accepted.push_back(key + ": " + what);
  };

  if (saved.run.dt != now.run.dt)
    refuse("run.dt", change(saved.run.dt, now.run.dt));
  if (saved.run.seed != now.run.seed)
    refuse("run.seed", change(saved.run.seed, now.run.seed));

  if (saved.populations.size() != now.populations.size())
    refuse("populations", change(saved.populations.size(), now.populations.size()) + " populations");
  for (std::size_t i = 0; i < std::min(saved.populations.size(), now.populations.size()); ++i) {
    const auto &a = saved.populations[i], &b = now.populations[i];
    const std::string key = "populations." + b.name;
    if (a.name != b.name || a.model != b.model || a.size != b.size) {
      refuse(key, a.name + " (" + a.model + ", " + std::to_string(a.size) + ") -> " + b.name + " (" +
                      b.model + ", " + std::to_string(b.size) + ")");
      continue;
    }
    for (const auto& k : differing(a.params, b.params)) {
      const auto ia = a.params.find(k), ib = b.params.find(k);
      accept(key + ".params." + k,
             (ia == a.params.end() ? std::string("default") : std::to_string(ia->second)) + " -> " +
                 (ib == b.params.end() ? std::string("default") : std::to_string(ib->second)));
    }
    if (a.spike_times != b.spike_times)
      accept(key + ".params.spike_times", "changed");
    for (const auto& k : differing(a.param_arrays, b.param_arrays))
      accept(key + ".params." + k, "per-neuron values changed");
    // The ring's channels and the projections' ports follow the number of
    // receptor ports (tau_syn of iaf_psc_exp_multisynapse): it stays.
    if (const auto* info = models::find_model(a.model); info && info->typed_receptors) {
      const int from = info->ports(a.params_of(0)), to = info->ports(b.params_of(0));
      if (from != to)
        refuse(key + ".params", "receptor ports " + change(from, to));
    }
  }

  if (saved.projections.size() != now.projections.size())
    refuse("projections", change(saved.projections.size(), now.projections.size()) + " projections");
  for (std::size_t i = 0; i < std::min(saved.projections.size(), now.projections.size()); ++i) {
    const auto &a = saved.projections[i], &b = now.projections[i];
    const std::string key = "projections[" + std::to_string(i) + "]";
    if (a.source != b.source || a.target != b.target || !same(a.connectivity, b.connectivity))
      refuse(key, "source, target or rule changed");
    if (a.receptor != b.receptor)
      refuse(key + ".synapse.receptor", change(a.receptor, b.receptor));
    // A plastic rule's state is the checkpoint's: another rule cannot take
    // it over; its parameters may change (learning goes on with the new ones).
    if (a.synapse_model != b.synapse_model)
      refuse(key + ".synapse.model", a.synapse_model + " -> " + b.synapse_model);
    for (const auto& k : differing(a.synapse_params, b.synapse_params))
      accept(key + ".synapse." + k, "changed");
    if (!same(a.weight, b.weight))
      accept(key + ".synapse.weight", "changed");
    if (!same(a.delay, b.delay))
      accept(key + ".synapse.delay", "changed");
  }

  if (saved.poisson_devices.size() != now.poisson_devices.size())
    refuse("devices", change(saved.poisson_devices.size(), now.poisson_devices.size()) + " devices");
  for (std::size_t i = 0; i < std::min(saved.poisson_devices.size(), now.poisson_devices.size()); ++i) {
    const auto &a = saved.poisson_devices[i], &b = now.poisson_devices[i];
    const std::string key = "devices." + b.name;
    if (a.name != b.name || a.targets != b.targets)
      refuse(key, "name or targets changed");
    if (a.rate != b.rate)
      accept(key + ".rate", change(a.rate, b.rate));
    if (a.weight != b.weight)
      accept(key + ".weight", change(a.weight, b.weight));
    if (a.delay != b.delay)
      accept(key + ".delay", change(a.delay, b.delay));
  }

  // Current devices hold no state: their parameters may change on resume
  // (from the restart on); which devices there are and whom they drive may
  // not (a noise device's draws are keyed by its position).
  if (saved.current_devices.size() != now.current_devices.size())
    refuse("devices", change(saved.current_devices.size(), now.current_devices.size()) + " current devices");
  for (std::size_t i = 0; i < std::min(saved.current_devices.size(), now.current_devices.size()); ++i) {
    const auto &a = saved.current_devices[i], &b = now.current_devices[i];
    const std::string key = "devices." + b.name;
    if (a.name != b.name || a.type != b.type || a.targets != b.targets) {
      refuse(key, "name, model or targets changed");
      continue;
    }
    const auto numbers = [](const spec::current_device& d) {
      return std::vector<double>{d.weight, d.delay,     d.start, d.stop, d.origin, d.amplitude,
                                 d.offset, d.frequency, d.phase, d.mean, d.std,    d.dt};
    };
    if (numbers(a) != numbers(b) || a.amplitude_times != b.amplitude_times ||
        a.amplitude_values != b.amplitude_values)
      accept(key, "parameters changed");
  }

  // SONATA edges are read again from their files on resume: the same edge
  // populations with the same counts and types must be there (a moved file is
  // accepted with --force-model; edits that keep the counts are not detected).
  if (saved.edge_sets.size() != now.edge_sets.size())
    refuse("edges", change(saved.edge_sets.size(), now.edge_sets.size()) + " SONATA edge populations");
  for (std::size_t i = 0; i < std::min(saved.edge_sets.size(), now.edge_sets.size()); ++i) {
    const auto &a = saved.edge_sets[i], &b = now.edge_sets[i];
    const std::string key = "edges." + b.population;
    if (a.population != b.population || a.source != b.source || a.target != b.target || a.edges != b.edges)
      refuse(key, a.population + " (" + std::to_string(a.edges) + " edges) -> " + b.population + " (" +
                      std::to_string(b.edges) + " edges)");
    bool types_same = a.types.size() == b.types.size();
    for (auto ia = a.types.begin(), ib = b.types.begin(); types_same && ia != a.types.end(); ++ia, ++ib)
      types_same = ia->first == ib->first && same_value(ia->second.weight, ib->second.weight) &&
                   same_value(ia->second.delay, ib->second.delay);
    if (!types_same)
      accept(key + ".types", "edge types file changed");
    if (a.file != b.file)
      accept(key + ".file", a.file + " -> " + b.file);
  }

  // Output files continue where the checkpoint left them: recorders must match.
  bool recorders_same = saved.spike_recorders.size() == now.spike_recorders.size() &&
                        saved.multimeters.size() == now.multimeters.size();
  for (std::size_t i = 0; recorders_same && i < saved.spike_recorders.size(); ++i)
    recorders_same = saved.spike_recorders[i].name == now.spike_recorders[i].name &&
                     saved.spike_recorders[i].populations == now.spike_recorders[i].populations;
  for (std::size_t i = 0; recorders_same && i < saved.multimeters.size(); ++i) {
    const auto &a = saved.multimeters[i], &b = now.multimeters[i];
    recorders_same = a.name == b.name && a.population == b.population && a.ids == b.ids &&
                     a.variables == b.variables && a.interval == b.interval;
  }
  if (!recorders_same)
    refuse("recorders", "recorders changed; their output files could not continue");
  return c;
}

} // namespace myelin::cli
