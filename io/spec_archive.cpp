#include "io/spec_archive.hpp"

#include "io/bounded_iarchive.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "spec/error.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <sstream>

namespace boost::serialization {

using namespace myelin::spec;

template <class A>
void serialize(A& a, distribution& d, unsigned version) {
  a& d.type& d.value& d.low& d.high& d.mean& d.std& d.beta& d.min& d.max;
  if (version >= 1)
    a& d.values;
}
template <class A>
void serialize(A& a, population& p, unsigned version) {
  a& p.name& p.model& p.size& p.params& p.init& p.spike_times;
  if (version >= 1)
    a& p.output_name& p.output_first_id;
  if (version >= 2)
    a& p.param_arrays;
}
template <class A>
void serialize(A& a, rule& r, unsigned version) {
  a& r.type& r.n& r.p& r.allow_autapses& r.allow_multapses;
  if (version >= 1)
    a& r.edge_set& r.edge_types;
}
template <class A>
void serialize(A& a, projection& p, unsigned version) {
  a& p.source& p.target& p.connectivity& p.synapse_model& p.synapse_params& p.weight& p.delay;
  if (version >= 1)
    a& p.receptor;
}
template <class A>
void serialize(A& a, edge_type& t, unsigned version) {
  a& t.weight& t.delay;
  if (version >= 1)
    a& t.receptor;
}
template <class A>
void serialize(A& a, edge_set& e, unsigned) {
  a& e.file& e.types_file& e.population& e.source& e.target& e.source_first_gid& e.source_count& e
      .target_first_gid& e.target_count& e.edges& e.types& e.default_weight& e.default_delay;
}
template <class A>
void serialize(A& a, poisson_device& d, unsigned) {
  a& d.name& d.rate& d.targets& d.weight& d.delay;
}
template <class A>
void serialize(A& a, current_device& d, unsigned) {
  a& d.name& d.type& d.targets& d.weight& d.delay& d.start& d.stop& d.origin& d.amplitude& d.offset& d
      .frequency& d.phase& d.amplitude_times& d.amplitude_values& d.mean& d.std& d.dt;
}
template <class A>
void serialize(A& a, spike_recorder& r, unsigned) {
  a& r.name& r.populations;
}
template <class A>
void serialize(A& a, multimeter& m, unsigned) {
  a& m.name& m.population& m.ids& m.variables& m.interval;
}
template <class A>
void serialize(A& a, weight_recorder& w, unsigned) {
  a& w.name& w.projection& w.interval;
}
template <class A>
void serialize(A& a, run_settings& r, unsigned) {
  a& r.dt& r.duration& r.seed;
}
template <class A>
void serialize(A& a, network& n, unsigned version) {
  a& n.source_file& n.run& n.populations& n.projections& n.poisson_devices& n.spike_recorders& n
      .multimeters& n.weight_recorders;
  if (version >= 1)
    a& n.edge_sets& n.output_dir& n.spikes_file;
  if (version >= 2)
    a& n.current_devices;
}

} // namespace boost::serialization

// Version 1 adds SONATA (output names, edge sets), network version 2 the
// current devices, population version 2 per-neuron parameters; specs saved
// before load with the new fields empty.
BOOST_CLASS_VERSION(myelin::spec::distribution, 1)
BOOST_CLASS_VERSION(myelin::spec::population, 2)
BOOST_CLASS_VERSION(myelin::spec::network, 2)
BOOST_CLASS_VERSION(myelin::spec::projection, 1)
BOOST_CLASS_VERSION(myelin::spec::rule, 1)      // 1: SONATA edges as a projection's synapses
BOOST_CLASS_VERSION(myelin::spec::edge_type, 1) // 1: receptor_type

namespace myelin::io {
namespace {

// What the code that reads a loaded spec dereferences without looking: every
// model it names exists, every population and projection it refers to. A
// damaged archive that passes its checksum once named an unknown synapse
// model and was dereferenced as null (found by fuzz/fuzz_checkpoint).
void check_references(const spec::network& net) {
  auto population = [&](const std::string& name, const std::string& what) {
    if (net.find_population(name) < 0)
      throw error("network spec: " + what + " names no population ('" + name + "')");
  };
  for (const auto& p : net.populations) {
    const auto* info = models::find_model(p.model);
    if (!info)
      throw error("network spec: population " + p.name + " has unknown model '" + p.model + "'");
    // The backends look each array up among the model's fields, per neuron.
    for (const auto& [name, values] : p.param_arrays)
      if (!info->find_parameter(name) || name == models::tau_minus_name || values.size() != p.size)
        throw error("network spec: population " + p.name + " has a bad per-neuron array '" + name + "'");
  }
  for (const auto& pr : net.projections) {
    population(pr.source, "a projection's source");
    population(pr.target, "a projection's target");
    if (!models::find_synapse_model(pr.synapse_model))
      throw error("network spec: unknown synapse model '" + pr.synapse_model + "'");
    if (static_cast<unsigned>(pr.connectivity.type) > static_cast<unsigned>(spec::rule::kind::edges) ||
        (pr.connectivity.type == spec::rule::kind::edges && pr.connectivity.edge_set >= net.edge_sets.size()))
      throw error("network spec: a projection's rule is damaged");
  }
  for (const auto& d : net.poisson_devices)
    for (const auto& t : d.targets)
      population(t, "device " + d.name);
  for (const auto& d : net.current_devices) {
    for (const auto& t : d.targets)
      population(t, "device " + d.name);
    if (static_cast<unsigned>(d.type) > static_cast<unsigned>(spec::current_device::kind::noise) ||
        d.amplitude_times.size() != d.amplitude_values.size() ||
        (d.type == spec::current_device::kind::noise && !(d.dt >= net.run.dt * 0.5)) ||
        !(d.delay / net.run.dt >= 0.5 && d.delay / net.run.dt < 0x1.0p62))
      throw error("network spec: device " + d.name + " is damaged");
  }
  for (const auto& r : net.spike_recorders)
    for (const auto& p : r.populations)
      if (net.output_range(p).second == 0)
        population(p, "recorder " + r.name);
  for (const auto& m : net.multimeters)
    if (net.output_range(m.population).second == 0)
      throw error("network spec: multimeter " + m.name + " names no population ('" + m.population + "')");
  for (const auto& w : net.weight_recorders)
    if (w.projection >= net.projections.size())
      throw error("network spec: weight recorder " + w.name + " names no projection");
}

// Bumped whenever the spec's fields change; older archives are refused.
constexpr unsigned spec_format = 2; // 2: synapse models and weight recorders
constexpr const char* magic = "myelin-spec";
} // namespace

std::string save_spec(const spec::network& net) {
  std::ostringstream os;
  {
    boost::archive::binary_oarchive out(os);
    std::string m = magic;
    unsigned format = spec_format;
    out << m << format << net;
  }
  return os.str();
}

spec::network load_spec(const std::string& bytes) {
  std::stringbuf buffer(bytes, std::ios::in);
  spec::network net;
  try {
    bounded_iarchive in(buffer);
    std::string m;
    unsigned format = 0;
    in >> m >> format;
    if (m != magic)
      throw error("not a myelin network spec");
    if (format != spec_format)
      throw error("network spec format " + std::to_string(format) + " is not supported (expected " +
                  std::to_string(spec_format) + ")");
    in >> net;
  } catch (const boost::archive::archive_exception& e) {
    throw error(std::string("corrupt network spec: ") + e.what());
  }
  check_references(net);
  return net;
}

} // namespace myelin::io
