#include "io/model_file.hpp"

#include "io/model_checks.hpp"
#include "io/sonata/circuit.hpp"
#include "io/sonata/simulation.hpp"
#include "io/toml_access.hpp"
#include "models/model_api.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

namespace myelin::io {
namespace {

class model_reader {
public:
  explicit model_reader(const std::string& file)
      : t_(file) {}

  spec::network read(const toml::table& root) {
    net_.source_file = t_.file();
    t_.only_keys(root, "", {"run", "populations", "projections", "devices", "recorders", "sonata"});
    if (auto n = root.get("run"))
      read_run(t_.table(*n, "run"));
    if (!root.get("sonata") || root.get("populations")) {
      const auto& pops = t_.table(t_.required(root, "", "populations"), "populations");
      if (pops.empty() && !root.get("sonata"))
        t_.fail("populations", "at least one population is needed", &pops);
      for (const auto& [name, node] : in_file_order(pops))
        read_population(name, *node);
    }
    sonata::circuit circuit;
    if (auto n = root.get("sonata"))
      circuit = read_sonata_section(t_.table(*n, "sonata"));
    if (auto n = root.get("projections")) {
      const auto& a = t_.array(*n, "projections");
      for (std::size_t i = 0; i < a.size(); ++i)
        read_projection(*a.get(i), "projections[" + std::to_string(i) + "]");
    }
    // The circuit's plastic edges follow the file's own projections, so that
    // those keep their numbers (weight recorders may name either).
    sonata::add_edge_projections(net_, circuit);
    if (auto n = root.get("devices"))
      for (const auto& [name, node] : in_file_order(t_.table(*n, "devices")))
        read_device(name, *node);
    if (auto n = root.get("recorders"))
      for (const auto& [name, node] : in_file_order(t_.table(*n, "recorders")))
        read_recorder(name, *node);
    check_network(net_);
    return std::move(net_);
  }

private:
  void read_run(const toml::table& t) {
    t_.only_keys(t, "run", {"dt", "duration", "seed"});
    if (auto n = t.get("dt"))
      net_.run.dt = t_.number(*n, "run.dt");
    if (!(net_.run.dt > 0))
      t_.fail("run.dt", "must be > 0", t.get("dt"));
    if (auto n = t.get("duration"))
      net_.run.duration = t_.number(*n, "run.duration");
    if (!(net_.run.duration >= 0))
      t_.fail("run.duration", "must be >= 0", t.get("duration"));
    if (auto n = t.get("seed")) {
      const auto s = t_.integer(*n, "run.seed");
      if (s < 0)
        t_.fail("run.seed", "must be >= 0", n);
      net_.run.seed = static_cast<std::uint64_t>(s);
    }
  }

  // A SONATA circuit beside the rule-based populations: its populations follow
  // them in gid order, and projections, devices and recorders may name them.
  sonata::circuit read_sonata_section(const toml::table& t) {
    t_.only_keys(t, "sonata", {"circuit"});
    const auto path = t_.string(t_.required(t, "sonata", "circuit"), "sonata.circuit");
    std::filesystem::path circuit(path);
    if (circuit.is_relative())
      circuit = std::filesystem::path(t_.file()).parent_path() / circuit;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(circuit, ec))
      t_.fail("sonata.circuit", "no such file: " + circuit.string(), t.get("circuit"));
    const auto before = net_.populations.size();
    const auto c = sonata::add_circuit(net_, circuit);
    for (std::size_t i = before; i < net_.populations.size(); ++i)
      for (std::size_t j = 0; j < before; ++j)
        if (net_.populations[j].name == net_.populations[i].output())
          t_.fail("sonata.circuit",
                  "the circuit's population " + net_.populations[i].output() +
                      " has the name of a population of this file",
                  t.get("circuit"));
    for (const auto& w : c.warnings)
      std::cerr << "myelin: warning: " << w << "\n";
    return c;
  }

  void read_population(const std::string& name, const toml::node& node) {
    const std::string key = "populations." + name;
    check_name(name, key, &node);
    const auto& t = t_.table(node, key);
    t_.only_keys(t, key, {"model", "size", "params", "init"});
    spec::population p;
    p.name = name;
    p.model = t_.string(t_.required(t, key, "model"), key + ".model");
    const auto* info = models::find_model(p.model);
    if (!info) {
      std::string known;
      for (const auto& m : models::model_names())
        known += " " + m;
      t_.fail(key + ".model", "unknown model '" + p.model + "'; known models:" + known, t.get("model"));
    }
    const auto size = t_.integer(t_.required(t, key, "size"), key + ".size");
    if (size <= 0)
      t_.fail(key + ".size", "must be a positive integer, got " + std::to_string(size), t.get("size"));
    p.size = static_cast<std::uint64_t>(size);
    if (auto n = t.get("params"))
      read_params(p, *info, t_.table(*n, key + ".params"), key + ".params");
    if (auto n = t.get("init"))
      read_init(p, *info, t_.table(*n, key + ".init"), key + ".init");
    net_.populations.push_back(std::move(p));
  }

  void read_params(spec::population& p, const models::model_info& info, const toml::table& t,
                   const std::string& key) {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      const std::string pk = key + "." + name;
      const auto* param = info.find_parameter(name);
      if (!param && v.is_array() && info.find_parameter(name + "_1")) {
        read_listed_param(p, info, name, v, pk);
        continue;
      }
      if (!param) {
        std::string known;
        for (const auto& q : info.parameters)
          known += " " + q.name;
        t_.fail(pk, "unknown parameter of " + info.name + "; known:" + known, &v);
      }
      if (info.is_source && name == "spike_times")
        p.spike_times = read_spike_times(v, pk, p.size);
      else if (v.is_array())
        p.param_arrays[name] = read_param_array(info, *param, v, pk, p.size);
      else if (param->is_flag)
        p.params[name] = t_.boolean(v, pk) ? 1.0 : 0.0;
      else
        p.params[name] = t_.number(v, pk);
    }
    if (p.param_arrays.empty()) {
      try {
        info.validate(p.params, net_.run.dt);
      } catch (const models::parameter_error& e) {
        t_.fail(key + "." + e.parameter, e.what(), &t);
      }
    } // else: every neuron's set is checked by io/model_checks.cpp
  }

  // One value per neuron (NEST's per-node SetStatus, a SONATA file's
  // per-node parameters).
  std::vector<double> read_param_array(const models::model_info& info, const models::parameter_info& param,
                                       const toml::node& v, const std::string& key, std::uint64_t size) {
    if (info.is_source || param.is_flag || param.name == models::tau_minus_name)
      t_.fail(key, "takes one value for the whole population, not an array", &v);
    auto values = t_.numbers(v, key);
    if (values.size() != size)
      t_.fail(key,
              "one value per neuron needs " + std::to_string(size) + " values, got " +
                  std::to_string(values.size()),
              &v);
    return values;
  }

  // A list-valued NEST parameter (tau_syn = [a, b]) fills the numbered
  // parameters name_1, name_2, ...; those past the list are 0 (absent).
  void read_listed_param(spec::population& p, const models::model_info& info, const std::string& name,
                         const toml::node& v, const std::string& key) {
    const auto values = t_.numbers(v, key);
    std::size_t most = 0;
    while (info.find_parameter(name + "_" + std::to_string(most + 1)))
      ++most;
    if (values.size() > most)
      t_.fail(key,
              info.name + " takes at most " + std::to_string(most) + " values, got " +
                  std::to_string(values.size()),
              &v);
    for (std::size_t k = 0; k < most; ++k) {
      const double value = k < values.size() ? values[k] : 0.0;
      if (k < values.size() && !(value > 0.0))
        t_.fail(key + "[" + std::to_string(k) + "]", "must be > 0, got " + std::to_string(value), &v);
      p.params[name + "_" + std::to_string(k + 1)] = value;
    }
  }

  std::vector<std::vector<double>> read_spike_times(const toml::node& n, const std::string& key,
                                                    std::uint64_t size) {
    const auto& a = t_.array(n, key);
    if (!a.empty() && a.get(0)->is_array()) {
      if (a.size() != size)
        t_.fail(key,
                "one list per neuron needs " + std::to_string(size) + " lists, got " +
                    std::to_string(a.size()),
                &n);
      std::vector<std::vector<double>> lists;
      for (std::size_t i = 0; i < a.size(); ++i)
        lists.push_back(t_.numbers(*a.get(i), key + "[" + std::to_string(i) + "]"));
      return lists;
    }
    return {t_.numbers(n, key)};
  }

  void read_init(spec::population& p, const models::model_info& info, const toml::table& t,
                 const std::string& key) {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      if (info.find_state(name) < 0) {
        std::string known;
        for (const auto& s : info.state)
          known += " " + s.name;
        t_.fail(key + "." + name, "unknown state variable of " + info.name + "; known:" + known, &v);
      }
      p.init[name] = t_.distribution(v, key + "." + name);
      if (p.init[name].is_listed() && p.init[name].values.size() != p.size)
        t_.fail(key + "." + name,
                "an array of initial values needs one per neuron: " + std::to_string(p.size) + ", got " +
                    std::to_string(p.init[name].values.size()),
                &v);
      if (info.state[static_cast<std::size_t>(info.find_state(name))].unit == "nS")
        check_conductance_init(p.init[name], key + "." + name, v);
    }
  }

  // A conductance cannot start negative (NEST refuses it too): a value, every
  // array entry, and everything a distribution can draw must be >= 0.
  void check_conductance_init(const spec::distribution& d, const std::string& key, const toml::node& v) {
    using kind = spec::distribution::kind;
    const auto fail = [&](const std::string& what) {
      t_.fail(key, "a conductance cannot be negative; " + what, &v);
    };
    if (d.type == kind::constant && !(d.value >= 0))
      fail("got " + std::to_string(d.value) + " nS");
    for (std::size_t i = 0; i < d.values.size(); ++i)
      if (!(d.values[i] >= 0))
        fail("value " + std::to_string(i) + " is " + std::to_string(d.values[i]) + " nS");
    if ((d.type == kind::uniform && !(std::max(d.low, d.min) >= 0)) ||
        (d.type == kind::normal && !(d.min >= 0)))
      fail("the distribution can draw values below 0; set min >= 0");
  }

  void read_projection(const toml::node& node, const std::string& key) {
    const auto& t = t_.table(node, key);
    t_.only_keys(t, key, {"source", "target", "rule", "synapse"});
    spec::projection pr;
    pr.source = population_ref(t, key, "source");
    pr.target = population_ref(t, key, "target");
    const auto& rule = t_.table(t_.required(t, key, "rule"), key + ".rule");
    read_rule(pr.connectivity, rule, key + ".rule");
    const auto& syn = t_.table(t_.required(t, key, "synapse"), key + ".synapse");
    read_synapse(pr, syn, key + ".synapse");
    net_.projections.push_back(std::move(pr));
  }

  void read_synapse(spec::projection& pr, const toml::table& syn, const std::string& key) {
    if (auto n = syn.get("model"))
      pr.synapse_model = t_.string(*n, key + ".model");
    const auto* info = models::find_synapse_model(pr.synapse_model);
    if (!info) {
      std::string known;
      for (const auto& m : models::synapse_model_names())
        known += " " + m;
      t_.fail(key + ".model", "unknown synapse model '" + pr.synapse_model + "'; known:" + known,
              syn.get("model"));
    }
    pr.synapse_model = info->name;
    for (const auto& [k, v] : syn) {
      const std::string name(k.str());
      if (name == "model" || name == "weight" || name == "delay")
        continue;
      if (name == "receptor") {
        const double r = t_.number(v, key + ".receptor");
        if (!(r >= 1 && r <= 255 && r == std::floor(r)))
          t_.fail(key + ".receptor", "a receptor port is a whole number from 1 (NEST's receptor_type)", &v);
        pr.receptor = static_cast<int>(r);
        continue;
      }
      if (!info->find_parameter(name)) {
        std::string known = " model weight delay receptor";
        for (const auto& q : info->parameters)
          known += " " + q.name;
        t_.fail(key + "." + name, "unknown key of a " + info->name + "; known:" + known, &v);
      }
      pr.synapse_params[name] = t_.number(v, key + "." + name);
    }
    pr.weight = t_.distribution(t_.required(syn, key, "weight"), key + ".weight");
    pr.delay = t_.distribution(t_.required(syn, key, "delay"), key + ".delay");
    try {
      info->validate(pr.synapse_params, net_.run.dt);
      for (double w : weight_bounds(pr.weight))
        info->check_weight(pr.synapse_params, net_.run.dt, w);
    } catch (const models::parameter_error& e) {
      std::string reason = e.what();
      const auto bounds = weight_bounds(pr.weight);
      // A constant has one bound, a distribution two (reading bounds[1] of a
      // constant read past the vector: found by ASan on stdp_pl_negative_weight.toml).
      const bool bounded =
          std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); });
      if (e.parameter == "weight" && !bounded)
        reason = "an unbounded weight distribution can draw any value; give min and max within what " +
                 pr.synapse_model + " allows (" + reason + ")";
      else if (e.parameter == "weight" && !pr.weight.is_constant())
        reason += " (checked at the distribution's bounds)";
      t_.fail(key + "." + e.parameter, reason, &syn);
    }
  }

  // The values a weight distribution can take that a rule's weight check
  // must accept: the constant, or the bounds. A plastic rule with weight
  // limits needs bounded initial weights (min and max), so that no draw can
  // fail half-way through construction.
  std::vector<double> weight_bounds(const spec::distribution& d) {
    using kind = spec::distribution::kind;
    if (d.type == kind::constant)
      return {d.value};
    if (d.type == kind::uniform)
      return {d.low, d.high};
    if (d.type == kind::listed) { // every value is given: their extremes
      if (d.values.empty())
        return {};
      const auto [lo, hi] = std::minmax_element(d.values.begin(), d.values.end());
      return {*lo, *hi};
    }
    return {d.min, d.max};
  }

  void read_rule(spec::rule& r, const toml::table& t, const std::string& key) {
    using kind = spec::rule::kind;
    const std::string k = t_.string(t_.required(t, key, "kind"), key + ".kind");
    const char* count_key = nullptr;
    if (k == "all_to_all")
      r.type = kind::all_to_all;
    else if (k == "one_to_one")
      r.type = kind::one_to_one;
    else if (k == "fixed_indegree")
      r.type = kind::fixed_indegree, count_key = "indegree";
    else if (k == "fixed_outdegree")
      r.type = kind::fixed_outdegree, count_key = "outdegree";
    else if (k == "fixed_total_number")
      r.type = kind::fixed_total_number, count_key = "N";
    else if (k == "pairwise_bernoulli")
      r.type = kind::pairwise_bernoulli;
    else
      t_.fail(key + ".kind",
              "unknown rule '" + k +
                  "'; expected all_to_all, one_to_one, fixed_indegree, fixed_outdegree, "
                  "fixed_total_number or pairwise_bernoulli",
              t.get("kind"));
    if (count_key) {
      t_.only_keys(t, key, {"kind", count_key, "allow_autapses", "allow_multapses"});
      const auto n = t_.integer(t_.required(t, key, count_key), key + "." + count_key);
      if (n < 0)
        t_.fail(key + "." + count_key, "must be >= 0", t.get(count_key));
      r.n = static_cast<std::uint64_t>(n);
    } else if (r.type == kind::pairwise_bernoulli) {
      t_.only_keys(t, key, {"kind", "p", "allow_autapses", "allow_multapses"});
      r.p = t_.number(t_.required(t, key, "p"), key + ".p");
      if (!(r.p >= 0.0 && r.p <= 1.0))
        t_.fail(key + ".p", "must be a probability in [0, 1]", t.get("p"));
    } else {
      t_.only_keys(t, key, {"kind", "allow_autapses", "allow_multapses"});
    }
    if (auto n = t.get("allow_autapses"))
      r.allow_autapses = t_.boolean(*n, key + ".allow_autapses");
    if (auto n = t.get("allow_multapses"))
      r.allow_multapses = t_.boolean(*n, key + ".allow_multapses");
  }

  void read_device(const std::string& name, const toml::node& node) {
    const std::string key = "devices." + name;
    check_name(name, key, &node);
    const auto& t = t_.table(node, key);
    const std::string model = t_.string(t_.required(t, key, "model"), key + ".model");
    if (model != "poisson_generator")
      return read_current_device(name, key, model, t);
    t_.only_keys(t, key, {"model", "rate", "targets", "weight", "delay", "synapse_model"});
    if (auto n = t.get("synapse_model")) {
      const std::string sm = t_.string(*n, key + ".synapse_model");
      const auto* info = models::find_synapse_model(sm);
      if (!info)
        t_.fail(key + ".synapse_model", "unknown synapse model '" + sm + "'", n);
      if (info->plastic)
        t_.fail(
            key + ".synapse_model",
            "a poisson_generator sends every target its own train, so a plastic synapse has no presynaptic "
            "neuron to follow (NEST refuses it too); drive a poisson_source population through the " +
                info->name + " projection instead",
            n);
    }
    spec::poisson_device d;
    d.name = name;
    d.rate = t_.number(t_.required(t, key, "rate"), key + ".rate");
    if (d.rate < 0)
      t_.fail(key + ".rate", "must be >= 0 Hz", t.get("rate"));
    d.targets =
        expand_parts(t_.strings(t_.required(t, key, "targets"), key + ".targets"), key + ".targets", &t);
    d.weight = t_.number(t_.required(t, key, "weight"), key + ".weight");
    d.delay = t_.number(t_.required(t, key, "delay"), key + ".delay");
    net_.poisson_devices.push_back(std::move(d));
  }

  // dc_generator, step_current_generator, ac_generator, noise_generator:
  // NEST's names, parameters and defaults (spec::current_device).
  void read_current_device(const std::string& name, const std::string& key, const std::string& model,
                           const toml::table& t) {
    using kind = spec::current_device::kind;
    spec::current_device d;
    d.name = name;
    bool known = false;
    for (kind k : {kind::dc, kind::step, kind::ac, kind::noise})
      if (model == spec::current_device::nest_name(k))
        d.type = k, known = true;
    if (!known)
      t_.fail(key + ".model",
              "unknown device model '" + model +
                  "'; known: poisson_generator, dc_generator, step_current_generator, ac_generator, "
                  "noise_generator",
              t.get("model"));
    const auto number = [&](const char* k, double& to) {
      if (auto n = t.get(k))
        to = t_.number(*n, key + "." + k);
    };
    switch (d.type) {
    case kind::dc:
      t_.only_keys(t, key, {"model", "targets", "weight", "delay", "start", "stop", "origin", "amplitude"});
      number("amplitude", d.amplitude);
      break;
    case kind::step:
      t_.only_keys(t, key,
                   {"model", "targets", "weight", "delay", "start", "stop", "origin", "amplitude_times",
                    "amplitude_values"});
      if (auto n = t.get("amplitude_times"))
        d.amplitude_times = t_.numbers(*n, key + ".amplitude_times");
      if (auto n = t.get("amplitude_values"))
        d.amplitude_values = t_.numbers(*n, key + ".amplitude_values");
      if (d.amplitude_times.size() != d.amplitude_values.size())
        t_.fail(key + ".amplitude_values",
                "gives " + std::to_string(d.amplitude_values.size()) + " values for " +
                    std::to_string(d.amplitude_times.size()) + " amplitude_times; give one value per time",
                &t);
      break;
    case kind::ac:
      t_.only_keys(t, key,
                   {"model", "targets", "weight", "delay", "start", "stop", "origin", "amplitude", "offset",
                    "frequency", "phase"});
      number("amplitude", d.amplitude);
      number("offset", d.offset);
      number("frequency", d.frequency);
      number("phase", d.phase);
      break;
    case kind::noise:
      for (const char* k : {"std_mod", "frequency", "phase"})
        if (auto n = t.get(k))
          t_.fail(key + "." + k,
                  "NEST's sinusoidally modulated noise (std_mod, frequency, phase) is not supported; "
                  "combine a noise_generator with an ac_generator for a modulated mean",
                  n);
      t_.only_keys(t, key,
                   {"model", "targets", "weight", "delay", "start", "stop", "origin", "mean", "std", "dt"});
      number("mean", d.mean);
      number("std", d.std);
      number("dt", d.dt);
      break;
    }
    d.targets =
        expand_parts(t_.strings(t_.required(t, key, "targets"), key + ".targets"), key + ".targets", &t);
    number("weight", d.weight);
    number("delay", d.delay);
    number("start", d.start);
    number("origin", d.origin);
    if (auto n = t.get("stop"))
      d.stop = t_.number(*n, key + ".stop");
    net_.current_devices.push_back(std::move(d));
  }

  void read_recorder(const std::string& name, const toml::node& node) {
    const std::string key = "recorders." + name;
    check_name(name, key, &node);
    const auto& t = t_.table(node, key);
    const std::string kind = t_.string(t_.required(t, key, "kind"), key + ".kind");
    if (kind == "spikes") {
      t_.only_keys(t, key, {"kind", "populations"});
      spec::spike_recorder r;
      r.name = name;
      if (auto n = t.get("populations"))
        r.populations = expand_parts(t_.strings(*n, key + ".populations"), key + ".populations", &t);
      net_.spike_recorders.push_back(std::move(r));
    } else if (kind == "multimeter" || kind == "voltmeter") {
      // NEST's voltmeter is a multimeter that records V_m.
      if (kind == "voltmeter")
        t_.only_keys(t, key, {"kind", "population", "ids", "interval"});
      else
        t_.only_keys(t, key, {"kind", "population", "ids", "variables", "interval"});
      spec::multimeter m;
      m.name = name;
      m.population = t_.string(t_.required(t, key, "population"), key + ".population");
      if (net_.output_range(m.population).second == 0)
        t_.fail(key + ".population", "unknown population '" + m.population + "'", &t);
      if (auto n = t.get("ids")) {
        const auto& a = t_.array(*n, key + ".ids");
        for (std::size_t i = 0; i < a.size(); ++i) {
          const auto id = t_.integer(*a.get(i), key + ".ids[" + std::to_string(i) + "]");
          if (id < 0)
            t_.fail(key + ".ids[" + std::to_string(i) + "]", "must be >= 0", a.get(i));
          m.ids.push_back(static_cast<std::uint64_t>(id));
        }
      }
      m.variables = kind == "voltmeter" ? std::vector<std::string>{"V_m"}
                                        : t_.strings(t_.required(t, key, "variables"), key + ".variables");
      if (m.variables.empty())
        t_.fail(key + ".variables", "name at least one state variable", &t);
      m.interval = net_.run.dt;
      if (auto n = t.get("interval"))
        m.interval = t_.number(*n, key + ".interval");
      net_.multimeters.push_back(std::move(m));
    } else if (kind == "weights") {
      read_weight_recorder(name, t, key);
    } else {
      t_.fail(key + ".kind",
              "unknown recorder kind '" + kind + "'; expected spikes, multimeter, voltmeter or weights",
              t.get("kind"));
    }
  }

  void read_weight_recorder(const std::string& name, const toml::table& t, const std::string& key) {
    t_.only_keys(t, key, {"kind", "projection", "interval"});
    spec::weight_recorder w;
    w.name = name;
    const auto p = t_.integer(t_.required(t, key, "projection"), key + ".projection");
    if (p < 0 || static_cast<std::size_t>(p) >= net_.projections.size())
      t_.fail(key + ".projection",
              "no projection " + std::to_string(p) + " (projections are numbered from 0 in file order; " +
                  std::to_string(net_.projections.size()) + " defined)",
              t.get("projection"));
    w.projection = static_cast<std::size_t>(p);
    const auto& pr = net_.projections[w.projection];
    if (!models::find_synapse_model(pr.synapse_model)->plastic_weight)
      t_.fail(
          key + ".projection",
          "projection " + std::to_string(p) + " uses " + pr.synapse_model +
              ", whose weights do not change; record a projection with stdp_synapse or stdp_pl_synapse_hom",
          t.get("projection"));
    w.interval = net_.run.duration;
    if (auto n = t.get("interval"))
      w.interval = t_.number(*n, key + ".interval");
    net_.weight_recorders.push_back(std::move(w));
  }

  std::string population_ref(const toml::table& t, const std::string& key, const char* which) {
    const std::string name = t_.string(t_.required(t, key, which), key + "." + which);
    require_population(name, key + "." + which, t.get(which));
    return name;
  }

  void require_population(const std::string& name, const std::string& key, const toml::node* at) {
    if (net_.find_population(name) >= 0)
      return;
    std::string parts;
    for (const auto& p : net_.populations)
      if (p.output() == name)
        parts += " " + p.name;
    if (!parts.empty())
      t_.fail(key,
              "SONATA population '" + name +
                  "' holds several node types; a projection names one of them:" + parts,
              at);
    t_.fail(key, "unknown population '" + name + "'", at);
  }

  // Population names, with a SONATA population standing for all its parts.
  std::vector<std::string> expand_parts(const std::vector<std::string>& names, const std::string& key,
                                        const toml::node* at) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (net_.find_population(names[i]) >= 0) {
        out.push_back(names[i]);
        continue;
      }
      const auto before = out.size();
      for (const auto& p : net_.populations)
        if (p.output() == names[i])
          out.push_back(p.name);
      if (out.size() == before)
        t_.fail(key + "[" + std::to_string(i) + "]", "unknown population '" + names[i] + "'", at);
    }
    return out;
  }

  void check_name(const std::string& name, const std::string& key, const toml::node* at) {
    bool ok = !name.empty();
    for (char c : name)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    if (!ok)
      t_.fail(key, "names may use letters, digits, '_' and '-' only", at);
  }

  toml_access t_;
  spec::network net_;
};

} // namespace

spec::network parse_model(const std::string& text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " (line " << e.source().begin.line << ", column " << e.source().begin.column
       << ")";
    throw model_error(file, "(syntax)", os.str());
  }
  return model_reader(file).read(root);
}

spec::network read_model(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw model_error(file.string(), "(file)",
                      std::filesystem::exists(file, ec) ? "not a regular file" : "no such file");
  if (sonata::is_sonata_config(file))
    return sonata::read_sonata(file);
  std::ifstream in(file);
  if (!in)
    throw model_error(file.string(), "(file)", "cannot be opened for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_model(text.str(), file.string());
}

} // namespace myelin::io
