#include "io/sonata/circuit.hpp"

#include "io/number_text.hpp"
#include "io/sonata/dynamics_params.hpp"
#include "io/sonata/edge_types.hpp"
#include "io/sonata/h5_reader.hpp"
#include "io/sonata/json_config.hpp"
#include "io/sonata/types_table.hpp"
#include "models/model_api.hpp"
#include "models/registry.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>

namespace myelin::io::sonata {

namespace {

using params = std::map<std::string, double>;

struct point_model {
  const char* sonata;
  const char* myelin;
  params nest_initial; // NEST's initial state: NEST ignores the config's v_init
};

const std::vector<point_model>& point_models() {
  static const std::vector<point_model> m{
      {"nest:iaf_psc_alpha", "iaf_psc_alpha", {{"V_m", -70.0}}},
      {"nest:iaf_psc_exp", "iaf_psc_exp", {{"V_m", -70.0}}},
      {"nest:iaf_psc_delta", "iaf_psc_delta", {{"V_m", -70.0}}},
      {"nest:izhikevich", "izhikevich", {{"V_m", -65.0}, {"U_m", 0.0}}},
      {"nest:iaf_cond_exp", "iaf_cond_exp", {{"V_m", -70.0}}},
      {"nest:iaf_cond_alpha", "iaf_cond_alpha", {{"V_m", -70.0}}},
      {"nest:aeif_cond_exp", "aeif_cond_exp", {{"V_m", -70.6}}},
      {"nest:aeif_cond_alpha", "aeif_cond_alpha", {{"V_m", -70.6}}},
      {"nest:iaf_psc_exp_multisynapse", "iaf_psc_exp_multisynapse", {{"V_m", -70.0}}},
      {"nest:parrot_neuron", "parrot_neuron", {}}};
  return m;
}

// Where the circuit config's components of one kind lie (its own folder
// when it names none).
std::filesystem::path component_dir(const json_config& cfg, const std::string& dir_key) {
  const auto& root = cfg.root();
  if (root.contains("components") && root["components"].contains(dir_key))
    return cfg.path(root["components"][dir_key], "components." + dir_key);
  return cfg.dir();
}

std::filesystem::path component_file(const json_config& cfg, const std::string& dir_key,
                                     const std::string& name) {
  const std::filesystem::path p(name);
  return p.is_absolute() ? p : component_dir(cfg, dir_key) / p;
}

// One node as myelin sees it: which model, which parameters and initial state.
struct node_kind {
  std::string model;
  params parameters, init;
  bool operator==(const node_kind&) const = default;
};

class circuit_reader {
public:
  // The circuit's gids follow the populations net already has.
  circuit_reader(spec::network& net, const std::filesystem::path& config)
      : net_(net)
      , cfg_(config)
      , first_gid_(net.total_neurons()) {}

  circuit read() {
    const auto& root = cfg_.root();
    const auto& networks = cfg_.required(root, "", "networks");
    if (networks.contains("nodes")) {
      const auto& nodes = networks["nodes"];
      if (!nodes.is_array())
        cfg_.fail("networks.nodes", "must be a list");
      for (std::size_t i = 0; i < nodes.size(); ++i)
        read_nodes_entry(nodes[i], "networks.nodes[" + std::to_string(i) + "]");
    }
    if (out_.nodes.empty())
      cfg_.fail("networks.nodes", "the circuit has no nodes");
    if (networks.contains("edges")) {
      const auto& edges = networks["edges"];
      if (!edges.is_array())
        cfg_.fail("networks.edges", "must be a list");
      for (std::size_t i = 0; i < edges.size(); ++i)
        read_edges_entry(edges[i], "networks.edges[" + std::to_string(i) + "]");
    }
    return std::move(out_);
  }

private:
  void read_nodes_entry(const nlohmann::json& e, const std::string& key) {
    const auto file = cfg_.path(cfg_.required(e, key, "nodes_file"), key + ".nodes_file").string();
    const auto types_file =
        cfg_.path(cfg_.required(e, key, "node_types_file"), key + ".node_types_file").string();
    h5_reader f(file);
    auto types = std::make_shared<const types_table>(types_file, "node_type_id");
    for (const auto& pop : f.members("/nodes"))
      read_node_population(f, types, pop);
  }

  void read_node_population(const h5_reader& f, const std::shared_ptr<const types_table>& table,
                            const std::string& pop) {
    const types_table& types = *table;
    if (out_.find(pop))
      f.fail("/nodes/" + pop, "a node population of this name was already read");
    const std::string base = "/nodes/" + pop;
    const auto type_ids = f.integers(base + "/node_type_id");
    const std::uint64_t n = type_ids.size();
    if (n == 0)
      f.fail(base + "/node_type_id", "the population has no nodes");
    if (f.has(base + "/node_id")) {
      const auto ids = f.integers(base + "/node_id");
      if (ids.size() != n)
        f.fail(base + "/node_id",
               "wrong shape: " + std::to_string(ids.size()) + " ids for " + std::to_string(n) + " nodes");
      for (std::uint64_t i = 0; i < n; ++i)
        if (ids[i] != static_cast<std::int64_t>(i))
          f.fail(base + "/node_id", "node ids must be 0, 1, 2, ... in row order (as NEST assumes); row " +
                                        std::to_string(i) + " holds " + std::to_string(ids[i]));
    }
    // Per-node parameter overrides: /nodes/<pop>/<group>/dynamics_params/<name>.
    std::vector<std::int64_t> group_id(n, 0), group_index(n, 0);
    const bool grouped = f.has(base + "/node_group_id");
    if (grouped) {
      group_id = f.integers(base + "/node_group_id");
      group_index = f.integers(base + "/node_group_index");
      if (group_id.size() != n || group_index.size() != n)
        f.fail(base + "/node_group_index",
               "wrong shape: node_group_id and node_group_index need one row per node");
    } else {
      for (std::uint64_t i = 0; i < n; ++i)
        group_index[i] = static_cast<std::int64_t>(i);
    }
    std::map<std::int64_t, std::map<std::string, std::vector<double>>> overrides;
    for (const auto& name : f.members(base)) {
      const bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
      if (!numeric || !f.has(base + "/" + name + "/dynamics_params"))
        continue;
      for (const auto& p : f.members(base + "/" + name + "/dynamics_params"))
        overrides[std::stoll(name)][p] = f.numbers(base + "/" + name + "/dynamics_params/" + p);
    }

    std::map<std::int64_t, node_kind> by_type;
    std::vector<node_kind> kinds;
    bool is_virtual = false, is_point = false;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto t = type_ids[i];
      if (!by_type.count(t))
        by_type[t] = type_kind(types, t, pop);
      node_kind k = by_type[t];
      (k.model == "spike_source" ? is_virtual : is_point) = true;
      const auto g = overrides.find(group_id[i]);
      if (g != overrides.end())
        for (const auto& [p, values] : g->second) {
          const auto row = static_cast<std::uint64_t>(group_index[i]);
          if (group_index[i] < 0 || row >= values.size())
            f.fail(base + "/" + std::to_string(group_id[i]) + "/dynamics_params/" + p,
                   "node " + std::to_string(i) + " has group index " + std::to_string(group_index[i]) +
                       " beyond the dataset's " + std::to_string(values.size()) + " rows");
          apply_parameter(k, p, values[row], f.path(),
                          base + "/" + std::to_string(group_id[i]) + "/dynamics_params/" + p);
        }
      // Each run of equal nodes is checked once, naming its first node.
      if (g != overrides.end() && (kinds.empty() || !(k == kinds.back())))
        check_parameters(k, f.path(), base + " node " + std::to_string(i));
      kinds.push_back(std::move(k));
    }
    if (is_virtual && is_point)
      f.fail(base, "mixes virtual and point nodes; SONATA populations hold one model type");
    add_populations(pop, kinds, f.path());
    out_.nodes.push_back({pop, first_gid_, n, is_virtual, type_ids, table});
    first_gid_ += n;
  }

  node_kind type_kind(const types_table& types, std::int64_t t, const std::string& pop) {
    if (!types.has_type(t))
      types.fail("node_type_id " + std::to_string(t),
                 "used by population " + pop + " but not in the node types file");
    const auto model_type = types.value(t, "model_type");
    if (!model_type)
      types.fail(types.key(t, "model_type"), "missing");
    node_kind k;
    if (*model_type == "virtual") {
      k.model = "spike_source";
      k.parameters["allow_offgrid_times"] = 1.0;
      return k;
    }
    if (*model_type != "point_process" && *model_type != "point_neuron")
      types.fail(types.key(t, "model_type"),
                 "'" + *model_type + "' is not a point neuron; myelin runs point_process and virtual nodes");
    const auto tmpl = types.value(t, "model_template");
    if (!tmpl)
      types.fail(types.key(t, "model_template"), "missing");
    const point_model* m = nullptr;
    for (const auto& pm : point_models())
      if (*tmpl == pm.sonata)
        m = &pm;
    if (!m) {
      std::string known;
      for (const auto& pm : point_models())
        known += std::string(" ") + pm.sonata;
      types.fail(types.key(t, "model_template"),
                 "unknown model template '" + *tmpl + "'; myelin maps:" + known);
    }
    k.model = m->myelin;
    k.init = m->nest_initial;
    if (const auto dyn = types.value(t, "dynamics_params")) {
      const auto file = component_file(cfg_, "point_neuron_models_dir", *dyn);
      for (const auto& [p, v] : read_dynamics_params(file).numbers)
        apply_parameter(k, p, v, file.string(), p);
    }
    check_parameters(k, types.file(), types.key(t, "dynamics_params"));
    return k;
  }

  void apply_parameter(node_kind& k, const std::string& name, double v, const std::string& file,
                       const std::string& key) {
    const auto* info = models::find_model(k.model);
    if (info->find_state(name) >= 0) {
      k.init[name] = v;
      return;
    }
    const auto* p = info->find_parameter(name);
    if (!p || (info->is_source && name == "spike_times")) {
      std::string known;
      for (const auto& q : info->parameters)
        known += " " + q.name;
      for (const auto& s : info->state)
        known += " " + s.name;
      throw model_error(file, key, "not a parameter or state of " + info->name + "; known:" + known);
    }
    k.parameters[name] = v;
  }

  void check_parameters(const node_kind& k, const std::string& file, const std::string& key) {
    try {
      models::find_model(k.model)->validate(k.parameters, net_.run.dt);
    } catch (const models::parameter_error& e) {
      throw model_error(file, key + ": " + e.parameter, e.what());
    }
  }

  // One population per run of consecutive nodes of one model; parameters
  // and initial values that differ between its nodes become per-neuron
  // arrays (spec::population::param_arrays, listed init).
  void add_populations(const std::string& pop, const std::vector<node_kind>& kinds, const std::string& file) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs; // (first node, count)
    for (std::uint64_t i = 0; i < kinds.size(); ++i)
      if (i == 0 || kinds[i].model != kinds[i - 1].model)
        runs.emplace_back(i, 1);
      else
        ++runs.back().second;
    for (const auto& [first, count] : runs) {
      const std::span<const node_kind> nodes(kinds.data() + first, count);
      spec::population p;
      p.name = runs.size() == 1 ? pop : pop + "-" + std::to_string(first);
      if (net_.find_population(p.name) >= 0)
        throw model_error(file, "/nodes/" + pop, "population name " + p.name + " is already taken");
      p.model = nodes[0].model;
      p.size = count;
      for (const auto& [name, values] : per_node_values(nodes, &node_kind::parameters, pop, file))
        if (values.size() == 1)
          p.params[name] = values[0];
        else
          p.param_arrays[name] = values;
      for (const auto& [name, values] : per_node_values(nodes, &node_kind::init, pop, file))
        if (values.size() == 1) {
          p.init[name] = spec::distribution::constant(values[0]);
        } else {
          spec::distribution listed;
          listed.type = spec::distribution::kind::listed;
          listed.values = values;
          p.init[name] = std::move(listed);
        }
      if (p.model == "spike_source")
        p.spike_times = {{}}; // silent until an input gives it spikes
      p.output_name = pop;
      p.output_first_id = first;
      net_.populations.push_back(std::move(p));
    }
  }

  // Each name's value per node: one value where all nodes agree, else one
  // per node. A name some nodes set and others leave to the model's default
  // takes that default for them.
  std::map<std::string, std::vector<double>> per_node_values(std::span<const node_kind> nodes,
                                                             params node_kind::*which, const std::string& pop,
                                                             const std::string& file) const {
    std::set<std::string> names;
    for (const auto& k : nodes)
      for (const auto& [name, v] : k.*which)
        names.insert(name);
    const auto* info = models::find_model(nodes[0].model);
    std::map<std::string, std::vector<double>> out;
    for (const auto& name : names) {
      std::vector<double> values;
      values.reserve(nodes.size());
      bool differ = false;
      for (const auto& k : nodes) {
        const auto it = (k.*which).find(name);
        double v;
        if (it != (k.*which).end()) {
          v = it->second;
        } else if (const auto* param = info->find_parameter(name)) {
          v = param->default_value;
        } else { // an initial value some nodes set and others do not
          throw model_error(file, "/nodes/" + pop,
                            "some nodes set the initial " + name + " and others do not; set it for all");
        }
        differ = differ || (!values.empty() && v != values.front());
        values.push_back(v);
      }
      if (!differ)
        values.resize(1);
      out[name] = std::move(values);
    }
    return out;
  }

  void read_edges_entry(const nlohmann::json& e, const std::string& key) {
    if (e.contains("enabled") && e["enabled"].is_boolean() && !e["enabled"].get<bool>())
      return;
    const auto file = cfg_.path(cfg_.required(e, key, "edges_file"), key + ".edges_file").string();
    const auto types_file =
        cfg_.path(cfg_.required(e, key, "edge_types_file"), key + ".edge_types_file").string();
    h5_reader f(file);
    types_table types(types_file, "edge_type_id");
    for (const auto& pop : f.members("/edges"))
      read_edge_population(f, types, pop);
  }

  const node_population& endpoint(const h5_reader& f, const std::string& dataset) {
    const auto name = f.string_attribute(dataset, "node_population");
    if (name.empty())
      f.fail(dataset, "has no node_population attribute");
    const auto* p = out_.find(name);
    if (!p)
      f.fail(dataset + "@node_population", "node population '" + name + "' is not in the circuit");
    return *p;
  }

  void read_edge_population(const h5_reader& f, const types_table& types, const std::string& pop) {
    const std::string base = "/edges/" + pop;
    spec::edge_set es;
    es.file = f.path();
    es.types_file = types.file();
    es.population = pop;
    const auto& src = endpoint(f, base + "/source_node_id");
    const auto& tgt = endpoint(f, base + "/target_node_id");
    if (tgt.is_virtual)
      f.fail(base + "/target_node_id",
             "targets virtual population " + tgt.name + ", which cannot receive synapses");
    es.source = src.name;
    es.target = tgt.name;
    es.source_first_gid = src.first_gid;
    es.source_count = src.count;
    es.target_first_gid = tgt.first_gid;
    es.target_count = tgt.count;
    es.edges = f.length(base + "/source_node_id");
    for (const char* d : {"/target_node_id", "/edge_type_id"})
      if (f.length(base + d) != es.edges)
        f.fail(base + d, "wrong shape: " + std::to_string(f.length(base + d)) + " rows, source_node_id has " +
                             std::to_string(es.edges));
    bool has_weight = false, has_delay = false;
    for (const auto& name : f.members(base)) {
      has_weight = has_weight || f.has(base + "/" + name + "/syn_weight");
      has_delay = has_delay || f.has(base + "/" + name + "/delay");
    }
    if (types.has_column("weight_function"))
      out_.warnings.push_back(
          types.file() + ": weight_function names BMTK Python functions; myelin uses syn_weight as it is");
    std::vector<const spec::population*> target_parts;
    for (const auto& p : net_.populations)
      if (p.output() == es.target)
        target_parts.push_back(&p);
    auto read = read_edge_types(types, used_types(f, base + "/edge_type_id", es.edges),
                                component_dir(cfg_, "synaptic_models_dir"), target_parts, net_.run.dt);
    for (const auto& [id, t] : read.types) {
      if (!has_delay && std::isnan(t.delay))
        out_.warnings.push_back(types.file() + ": edge type " + std::to_string(id) +
                                " gives no delay; using NEST's default, " + fmt(es.default_delay) + " ms");
      if (!has_weight && std::isnan(t.weight))
        out_.warnings.push_back(types.file() + ": edge type " + std::to_string(id) +
                                " gives no syn_weight; using NEST's default, " + fmt(es.default_weight));
    }
    es.types = std::move(read.types);
    for (auto& g : read.plastic) {
      g.edge_set = net_.edge_sets.size();
      out_.plastic.push_back(std::move(g));
    }
    net_.edge_sets.push_back(std::move(es));
  }

  // The edge types an edge population uses (a types file may serve several),
  // read a million rows at a time.
  static std::set<std::int64_t> used_types(const h5_reader& f, const std::string& dataset,
                                           std::uint64_t rows) {
    std::set<std::int64_t> used;
    constexpr std::uint64_t chunk = std::uint64_t{1} << 20;
    for (std::uint64_t first = 0; first < rows; first += chunk) {
      const auto ids = f.integers(dataset, {{first, std::min(chunk, rows - first)}});
      used.insert(ids.begin(), ids.end());
    }
    return used;
  }

  spec::network& net_;
  json_config cfg_;
  circuit out_;
  std::uint64_t first_gid_ = 0;
};

} // namespace

const node_population* circuit::find(const std::string& name) const {
  for (const auto& p : nodes)
    if (p.name == name)
      return &p;
  return nullptr;
}

circuit add_circuit(spec::network& net, const std::filesystem::path& circuit_config) {
  return circuit_reader(net, circuit_config).read();
}

void add_edge_projections(spec::network& net, const circuit& c) {
  for (const auto& g : c.plastic) {
    const auto& es = net.edge_sets.at(g.edge_set);
    for (const auto& source : net.populations) {
      if (source.output() != es.source)
        continue;
      for (const auto& target : net.populations) {
        if (target.output() != es.target)
          continue;
        spec::projection pr;
        pr.source = source.name;
        pr.target = target.name;
        pr.connectivity.type = spec::rule::kind::edges;
        pr.connectivity.edge_set = g.edge_set;
        pr.connectivity.edge_types = g.types;
        pr.synapse_model = g.synapse_model;
        pr.synapse_params = g.synapse_params;
        pr.receptor = g.receptor;
        net.projections.push_back(std::move(pr));
      }
    }
  }
}

} // namespace myelin::io::sonata
