// _myelin: the C++ half of the `myelin` Python package (python/myelin/ is the
// other). Networks are built and run in this process by the same code as
// `myelin run`; results come back as numpy arrays. myelin's bad-input errors
// (model files, checkpoints, arguments) become myelin.ModelError with the
// same file/key/reason text.
#include "app/commands.hpp"
#include "models/registry.hpp"
#include "models/synapse_registry.hpp"
#include "python/connections.hpp"
#include "python/network_handle.hpp"
#include "spec/error.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using myelin::python::network_handle;
using myelin::python::network_options;

namespace {

template <class T>
py::array_t<T> to_numpy(std::vector<T> values) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free_it(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({owned->size()}, {sizeof(T)}, owned->data(), free_it);
}

// {output population: (model, size)} in the order of the spec: what spike
// files and reports name (a SONATA node population split into parts by
// their parameters is one; its model is "mixed" if the parts differ).
py::dict output_populations(const network_handle& n) {
  py::dict d;
  for (const auto& p : n.spec().populations) {
    const auto key = py::str(p.output());
    if (d.contains(key)) {
      if (d[key].cast<py::tuple>()[0].cast<std::string>() != p.model)
        d[key] = py::make_tuple("mixed", n.spec().output_range(p.output()).second);
      continue;
    }
    d[key] = py::make_tuple(p.model, n.spec().output_range(p.output()).second);
  }
  return d;
}

void check_population(const network_handle& n, const std::string& name) {
  for (const auto& p : n.spec().populations)
    if (p.output() == name)
      return;
  throw py::key_error("no population named '" + name + "'");
}

std::size_t multimeter_index(const network_handle& n, const std::string& name) {
  const auto& ms = n.spec().multimeters;
  for (std::size_t m = 0; m < ms.size(); ++m)
    if (ms[m].name == name)
      return m;
  throw py::key_error("no multimeter named '" + name + "'");
}

network_options options(unsigned threads, const std::string& backend, const std::string& output_dir,
                        std::optional<std::uint64_t> seed, bool record_spikes) {
  network_options o;
  o.threads = threads;
  o.backend = backend;
  o.output_dir = output_dir;
  o.seed = seed;
  o.record_spikes = record_spikes;
  // Python's signal handlers run only when asked; a run asks at every
  // epoch's end (with the interpreter held for the moment), so Ctrl-C stops
  // it there.
  o.interrupted = [] {
    py::gil_scoped_acquire python;
    return PyErr_CheckSignals() != 0;
  };
  return o;
}

// {parameter: default}
py::dict defaults(const std::vector<myelin::models::parameter_info>& parameters) {
  py::dict d;
  for (const auto& p : parameters)
    d[py::str(p.name)] = p.default_value;
  return d;
}

// {name: {"parameters": {name: default}, "state": [names], "is_source": bool}}
py::dict model_catalog() {
  py::dict out;
  for (const auto& name : myelin::models::model_names()) {
    const auto* m = myelin::models::find_model(name);
    py::list state;
    for (const auto& s : m->state)
      state.append(s.name);
    py::dict entry;
    entry["parameters"] = defaults(m->parameters);
    entry["state"] = state;
    entry["is_source"] = m->is_source;
    entry["receptors"] = m->n_receptors;
    out[py::str(name)] = entry;
  }
  return out;
}

// {name: {"parameters": {name: default}, "plastic": bool}}
py::dict synapse_catalog() {
  py::dict out;
  for (const auto& name : myelin::models::synapse_model_names()) {
    const auto* s = myelin::models::find_synapse_model(name);
    py::dict entry;
    entry["parameters"] = defaults(s->parameters);
    entry["plastic"] = s->plastic;
    out[py::str(name)] = entry;
  }
  return out;
}

} // namespace

PYBIND11_MODULE(_myelin, m) {
  m.doc() = "myelin's engine (use the myelin package, not this module)";
  static py::exception<myelin::bad_input> model_error(m, "ModelError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const myelin::bad_input& e) {
      model_error(e.what());
    } catch (const myelin::cli::reported_elsewhere& e) {
      model_error(e.message.empty() ? "bad input (see the error printed above)" : e.message.c_str());
    }
  });

  py::class_<network_handle>(m, "Network")
      .def_static(
          "from_file",
          [](const std::string& path, unsigned threads, const std::string& backend, const std::string& out,
             std::optional<std::uint64_t> seed, bool record_spikes) {
            return network_handle::from_file(path, options(threads, backend, out, seed, record_spikes));
          },
          py::arg("path"), py::arg("threads"), py::arg("backend"), py::arg("output_dir"), py::arg("seed"),
          py::arg("record_spikes"))
      .def_static(
          "from_text",
          [](const std::string& text, const std::string& origin, unsigned threads, const std::string& backend,
             const std::string& out, std::optional<std::uint64_t> seed, bool record_spikes) {
            return network_handle::from_text(text, origin,
                                             options(threads, backend, out, seed, record_spikes));
          },
          py::arg("text"), py::arg("origin"), py::arg("threads"), py::arg("backend"), py::arg("output_dir"),
          py::arg("seed"), py::arg("record_spikes"))
      .def_static(
          "resume",
          [](const std::string& path, unsigned threads, const std::string& backend, const std::string& out,
             std::optional<std::uint64_t> seed, bool record_spikes) {
            return network_handle::resume(path, options(threads, backend, out, seed, record_spikes));
          },
          py::arg("path"), py::arg("threads"), py::arg("backend"), py::arg("output_dir"), py::arg("seed"),
          py::arg("record_spikes"))
      .def("run_steps",
           [](network_handle& n, std::int64_t steps) {
             {
               py::gil_scoped_release free_python;
               n.run_steps(steps);
             }
             // Ctrl-C: the run stopped at an epoch's end with a checkpoint,
             // and the KeyboardInterrupt is pending.
             if (PyErr_Occurred())
               throw py::error_already_set();
           })
      .def_property_readonly("step", &network_handle::step)
      .def_property_readonly("dt", [](const network_handle& n) { return n.spec().run.dt; })
      .def_property_readonly("seed", [](const network_handle& n) { return n.spec().run.seed; })
      .def_property_readonly("duration", [](const network_handle& n) { return n.spec().run.duration; })
      .def_property_readonly("output_dir", &network_handle::output_dir)
      .def_property_readonly("populations", &output_populations)
      .def_property_readonly("multimeters",
                             [](const network_handle& n) {
                               py::dict d;
                               for (const auto& mm : n.spec().multimeters)
                                 d[py::str(mm.name)] = py::make_tuple(mm.population, mm.ids, mm.variables);
                               return d;
                             })
      .def("spikes",
           [](network_handle& n, const std::string& population) {
             std::vector<double> times;
             std::vector<std::uint64_t> ids;
             check_population(n, population);
             n.spikes(population, times, ids);
             return py::make_tuple(to_numpy(std::move(times)), to_numpy(std::move(ids)));
           })
      .def("traces",
           [](network_handle& n, const std::string& name) {
             auto t = n.traces(multimeter_index(n, name));
             return py::make_tuple(to_numpy(std::move(t.times_ms)), to_numpy(std::move(t.values)));
           })
      .def("connections",
           [](const network_handle& n, std::size_t projection) {
             if (projection >= n.spec().projections.size())
               throw py::index_error("no projection " + std::to_string(projection));
             auto c = myelin::python::projection_connections(n.spec(), projection);
             py::dict d;
             d["source"] = to_numpy(std::move(c.source));
             d["target"] = to_numpy(std::move(c.target));
             d["weight"] = to_numpy(std::move(c.weight));
             d["delay"] = to_numpy(std::move(c.delay));
             return d;
           })
      .def_property_readonly("synapses", &network_handle::synapses)
      .def("checkpoint", &network_handle::checkpoint)
      .def("close", &network_handle::close)
      .def_property_readonly("closed", &network_handle::closed);

  m.def("model_catalog", &model_catalog);
  m.def("synapse_catalog", &synapse_catalog);
  m.def("rank", [] { return myelin::python::world().rank(); });
  m.def("size", [] { return myelin::python::world().size(); });
  m.def("shutdown", &myelin::python::shutdown);
}
