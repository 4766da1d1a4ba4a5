#include "io/sonata/edge_types.hpp"

#include "io/number_text.hpp"
#include "io/sonata/dynamics_params.hpp"
#include "models/model_api.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <cmath>
#include <sstream>
#include <tuple>

namespace myelin::io::sonata {
namespace {

// Where a value came from, for messages: the CSV's cell or the JSON's key.
struct origin {
  std::string file, key;
};

double number(const types_table& types, std::int64_t id, const std::string& col, const std::string& s) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v))
      return v;
  } catch (const std::exception&) {
  }
  types.fail(types.key(id, col), "'" + s + "' is not a number");
}

int receptor_number(const origin& at, double v) {
  if (!(v >= 0 && v <= 255 && v == std::floor(v)))
    throw model_error(at.file, at.key, "must be a whole number in 0..255, got " + fmt(v));
  return static_cast<int>(v);
}

// NEST's synapse model names, with or without "nest:".
const models::synapse_info& synapse_named(const std::string& name, const origin& at) {
  const std::string bare = name.rfind("nest:", 0) == 0 ? name.substr(5) : name;
  if (const auto* s = models::find_synapse_model(bare); s && bare != "static")
    return *s;
  std::string known;
  for (const auto& n : models::synapse_model_names())
    known += " " + n;
  throw model_error(at.file, at.key, "unknown synapse model '" + name + "'; myelin has:" + known);
}

// NEST's receptor_type: 1..n for targets with typed receptor ports (which
// need it), 0 (or none) for the others.
void check_receptor(const std::vector<const spec::population*>& targets, int receptor, const origin& at) {
  for (const auto* p : targets) {
    const auto* info = models::find_model(p->model);
    if (!info->typed_receptors) {
      if (receptor != 0)
        throw model_error(
            at.file, at.key,
            "receptor_type " + std::to_string(receptor) + " onto " + info->name +
                ", which has no typed receptor ports (NEST's default 0 routes by the weight's sign)");
      continue;
    }
    const int ports = info->ports(p->params_of(0));
    if (receptor < 1 || receptor > ports)
      throw model_error(at.file, at.key,
                        "receptor_type " + std::to_string(receptor) + " onto " + info->name + " (" + p->name +
                            "), whose ports are 1.." + std::to_string(ports));
  }
}

class edge_type_reader {
public:
  edge_type_reader(const types_table& table, const std::set<std::int64_t>& used,
                   const std::filesystem::path& synapse_dir,
                   const std::vector<const spec::population*>& targets, double dt)
      : types_(table)
      , used_(used)
      , dir_(synapse_dir)
      , targets_(targets)
      , dt_(dt) {}

  edge_type_set read() {
    std::map<std::tuple<std::string, std::map<std::string, double>, int>, std::vector<std::int64_t>> groups;
    for (const auto id : types_.ids()) {
      read_type(id);
      if (synapse_->plastic && used_.count(id))
        groups[{synapse_->name, params_, out_.types[id].receptor}].push_back(id);
    }
    for (auto& [key, ids] : groups)
      out_.plastic.push_back({0, std::move(ids), std::get<0>(key), std::get<1>(key), std::get<2>(key)});
    return std::move(out_);
  }

private:
  void read_type(std::int64_t id) {
    spec::edge_type t;
    params_.clear();
    origin model_at{types_.file(), types_.key(id, "model_template")};
    synapse_ = models::find_synapse_model(models::static_synapse_name);
    if (const auto tmpl = types_.value(id, "model_template"))
      synapse_ = &synapse_named(*tmpl, model_at);
    origin weight_at{types_.file(), types_.key(id, "syn_weight")};
    origin receptor_at{types_.file(), types_.key(id, "receptor_type")};
    origin delay_at{types_.file(), types_.key(id, "delay")};
    if (const auto w = types_.value(id, "syn_weight"))
      t.weight = number(types_, id, "syn_weight", *w);
    if (const auto d = types_.value(id, "delay"))
      t.delay = number(types_, id, "delay", *d);
    if (const auto r = types_.value(id, "receptor_type"))
      t.receptor = receptor_number(receptor_at, number(types_, id, "receptor_type", *r));
    origin params_at{types_.file(), types_.key(id, "dynamics_params")};
    if (const auto dyn = types_.value(id, "dynamics_params")) {
      const std::filesystem::path name(*dyn);
      const auto file = (name.is_absolute() ? name : dir_ / name).string();
      params_at = {file, "file"};
      const auto json = read_dynamics_params(file, {"synapse_model", "model"});
      bool named_before = types_.value(id, "model_template").has_value();
      for (const auto& [key, value] : json.texts) {
        const auto& named = synapse_named(value, {file, key});
        if (named_before && &named != synapse_)
          throw model_error(file, key,
                            "names " + named.name + ", but " + model_at.file + " (" + model_at.key +
                                ") names " + synapse_->name);
        synapse_ = &named;
        model_at = {file, key};
        named_before = true;
      }
      for (const auto& [p, v] : json.numbers) {
        if (p == "weight") {
          t.weight = v;
          weight_at = {file, p};
        } else if (p == "delay") {
          t.delay = v;
          delay_at = {file, p};
        } else if (p == "receptor_type") {
          receptor_at = {file, p};
          t.receptor = receptor_number(receptor_at, v);
        } else if (synapse_->find_parameter(p)) {
          params_[p] = v;
        } else {
          std::string known = " weight delay receptor_type synapse_model";
          for (const auto& q : synapse_->parameters)
            known += " " + q.name;
          throw model_error(file, p, "not a parameter of " + synapse_->name + "; known:" + known);
        }
      }
    }
    if (!std::isnan(t.delay) && !(t.delay >= 0))
      throw model_error(delay_at.file, delay_at.key, "negative delay " + fmt(t.delay) + " ms");
    const bool used = used_.count(id) > 0;
    if (used)
      check_receptor(targets_, t.receptor, receptor_at);
    if (synapse_->plastic)
      check_plastic(t, used, model_at, params_at, weight_at);
    out_.types[id] = t;
  }

  // The rule's own checks, with the type's weight when it gives one (each
  // edge's own weight is checked when the ranks read the edges).
  void check_plastic(const spec::edge_type& t, bool used, const origin& model_at, const origin& params_at,
                     const origin& weight_at) const {
    for (const auto* p : targets_) {
      const auto* info = models::find_model(p->model);
      if (used && info->counts_spikes)
        throw model_error(model_at.file, model_at.key,
                          info->name + " (" + p->name + ") ignores the weights of its input, so '" +
                              synapse_->name + "' into it would learn nothing; use static_synapse");
    }
    try {
      synapse_->validate(params_, dt_);
    } catch (const models::parameter_error& e) {
      throw model_error(params_at.file,
                        params_at.key == "file" ? e.parameter : params_at.key + ": " + e.parameter, e.what());
    }
    if (std::isnan(t.weight))
      return;
    try {
      synapse_->check_weight(params_, dt_, t.weight);
    } catch (const models::parameter_error& e) {
      throw model_error(weight_at.file, weight_at.key, e.what());
    }
  }

  const types_table& types_;
  const std::set<std::int64_t>& used_;
  std::filesystem::path dir_;
  const std::vector<const spec::population*>& targets_;
  double dt_;
  edge_type_set out_;
  const models::synapse_info* synapse_ = nullptr;
  std::map<std::string, double> params_;
};

} // namespace

edge_type_set read_edge_types(const types_table& table, const std::set<std::int64_t>& used,
                              const std::filesystem::path& synapse_dir,
                              const std::vector<const spec::population*>& target_parts, double dt) {
  return edge_type_reader(table, used, synapse_dir, target_parts, dt).read();
}

} // namespace myelin::io::sonata
