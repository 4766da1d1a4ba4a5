#include "io/toml_access.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace myelin::io {

std::string join_key(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const auto& [k, v] : t)
    out.emplace_back(std::string(k.str()), &v);
  auto position = [](const toml::node* n) {
    const auto& b = n->source().begin;
    return std::pair{b.line, b.column};
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto& a, const auto& b) { return position(a.second) < position(b.second); });
  return out;
}

namespace {
const char* type_name(const toml::node& n) {
  switch (n.type()) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a number";
  case toml::node_type::boolean:
    return "a boolean";
  default:
    return "a date/time";
  }
}
} // namespace

void toml_access::fail(const std::string& key, const std::string& reason, const toml::node* at) const {
  std::string r = reason;
  if (at && at->source().begin.line > 0)
    r += " (line " + std::to_string(at->source().begin.line) + ")";
  throw model_error(file_, key, r);
}

const toml::table& toml_access::table(const toml::node& n, const std::string& key) const {
  if (auto t = n.as_table())
    return *t;
  fail(key, std::string("expected a table, got ") + type_name(n), &n);
}

const toml::array& toml_access::array(const toml::node& n, const std::string& key) const {
  if (auto a = n.as_array())
    return *a;
  fail(key, std::string("expected an array, got ") + type_name(n), &n);
}

std::string toml_access::string(const toml::node& n, const std::string& key) const {
  if (auto s = n.as_string())
    return s->get();
  fail(key, std::string("expected a string, got ") + type_name(n), &n);
}

double toml_access::number(const toml::node& n, const std::string& key) const {
  double v = 0.0;
  if (auto i = n.as_integer())
    v = static_cast<double>(i->get());
  else if (auto f = n.as_floating_point())
    v = f->get();
  else
    fail(key, std::string("expected a number, got ") + type_name(n), &n);
  if (!std::isfinite(v))
    fail(key, "must be finite", &n);
  return v;
}

std::int64_t toml_access::integer(const toml::node& n, const std::string& key) const {
  if (auto i = n.as_integer())
    return i->get();
  fail(key, std::string("expected an integer, got ") + type_name(n), &n);
}

bool toml_access::boolean(const toml::node& n, const std::string& key) const {
  if (auto b = n.as_boolean())
    return b->get();
  fail(key, std::string("expected true or false, got ") + type_name(n), &n);
}

std::vector<std::string> toml_access::strings(const toml::node& n, const std::string& key) const {
  std::vector<std::string> out;
  const auto& a = array(n, key);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(string(*a.get(i), key + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<double> toml_access::numbers(const toml::node& n, const std::string& key) const {
  std::vector<double> out;
  const auto& a = array(n, key);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(number(*a.get(i), key + "[" + std::to_string(i) + "]"));
  return out;
}

const toml::node& toml_access::required(const toml::table& t, const std::string& prefix,
                                        const char* name) const {
  if (auto n = t.get(name))
    return *n;
  fail(join_key(prefix, name), "missing (required)", &t);
}

void toml_access::only_keys(const toml::table& t, const std::string& prefix,
                            std::initializer_list<const char*> allowed) const {
  for (const auto& [k, v] : t) {
    bool ok = false;
    for (const char* a : allowed)
      ok = ok || k.str() == a;
    if (!ok) {
      std::ostringstream os;
      os << "unknown key; expected one of:";
      for (const char* a : allowed)
        os << ' ' << a;
      fail(join_key(prefix, std::string(k.str())), os.str(), &v);
    }
  }
}

spec::distribution toml_access::distribution(const toml::node& n, const std::string& key) const {
  using kind = spec::distribution::kind;
  if (n.is_number())
    return spec::distribution::constant(number(n, key));
  if (n.is_array()) { // one value per synapse
    spec::distribution d;
    d.type = kind::listed;
    d.values = numbers(n, key);
    return d;
  }
  if (!n.is_table())
    fail(key, std::string("expected a number, an array or a distribution table, got ") + type_name(n), &n);
  const auto& t = *n.as_table();
  const std::string dist = string(required(t, key, "dist"), join_key(key, "dist"));
  spec::distribution d;
  auto get = [&](const char* name) { return number(required(t, key, name), join_key(key, name)); };
  auto bounds = [&] {
    if (auto m = t.get("min"))
      d.min = number(*m, join_key(key, "min"));
    if (auto m = t.get("max"))
      d.max = number(*m, join_key(key, "max"));
    if (!(d.min <= d.max))
      fail(join_key(key, "min"), "min must not exceed max", &t);
  };
  if (dist == "constant") {
    only_keys(t, key, {"dist", "value"});
    d.value = get("value");
  } else if (dist == "uniform") {
    only_keys(t, key, {"dist", "low", "high"});
    d.type = kind::uniform;
    d.low = get("low");
    d.high = get("high");
    if (!(d.low < d.high))
      fail(join_key(key, "high"), "high must be greater than low", &t);
  } else if (dist == "normal") {
    only_keys(t, key, {"dist", "mean", "std", "min", "max"});
    d.type = kind::normal;
    d.mean = get("mean");
    d.std = get("std");
    if (d.std < 0)
      fail(join_key(key, "std"), "must be >= 0", &t);
    bounds();
  } else if (dist == "lognormal") {
    only_keys(t, key, {"dist", "mean", "std", "min", "max"});
    d.type = kind::lognormal;
    d.mean = get("mean");
    d.std = get("std");
    if (d.std < 0)
      fail(join_key(key, "std"), "must be >= 0", &t);
    bounds();
  } else if (dist == "exponential") {
    only_keys(t, key, {"dist", "beta", "min", "max"});
    d.type = kind::exponential;
    d.beta = get("beta");
    if (!(d.beta > 0))
      fail(join_key(key, "beta"), "must be > 0", &t);
    bounds();
  } else {
    fail(join_key(key, "dist"),
         "unknown distribution '" + dist + "'; expected constant, uniform, normal, lognormal or exponential",
         &t);
  }
  return d;
}

} // namespace myelin::io
