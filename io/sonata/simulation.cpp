#include "io/sonata/simulation.hpp"

#include "io/model_checks.hpp"
#include "io/sonata/circuit.hpp"
#include "io/sonata/clamp_table.hpp"
#include "io/sonata/json_config.hpp"
#include "io/sonata/node_sets.hpp"
#include "io/sonata/spike_input.hpp"
#include "models/registry.hpp"
#include "spec/error.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace myelin::io::sonata {

namespace {

void warn(const std::string& text) {
  std::cerr << "myelin: warning: " << text << "\n";
}

bool enabled(const nlohmann::json& entry) {
  return !(entry.is_object() && entry.contains("enabled") && entry["enabled"].is_boolean() &&
           !entry["enabled"].get<bool>());
}

// The myelin populations (parts) of one SONATA node population.
std::vector<spec::population*> parts_of(spec::network& net, const node_population& pop) {
  std::vector<spec::population*> parts;
  for (auto& p : net.populations)
    if (p.output() == pop.name)
      parts.push_back(&p);
  return parts;
}

class simulation_reader {
public:
  spec::network read(const std::filesystem::path& file) {
    json_config top(file);
    const auto& root = top.root();
    net_.source_file = top.file();
    if (root.contains("networks")) { // a bare circuit config
      circuit_ = add_circuit(net_, file);
      finish();
      return std::move(net_);
    }
    std::unique_ptr<json_config> owned;
    const json_config* sim = &top;
    if (!root.contains("run") && root.contains("simulation")) { // BMTK's combined config
      owned = std::make_unique<json_config>(top.path(root["simulation"], "simulation"));
      sim = owned.get();
    }
    read_run(*sim);
    std::filesystem::path circuit_file;
    if (sim->root().contains("network"))
      circuit_file = sim->path(sim->root()["network"], "network");
    else if (root.contains("network"))
      circuit_file = top.path(root["network"], "network");
    else
      sim->fail("network", "missing: the simulation config must name its circuit config");
    circuit_ = add_circuit(net_, circuit_file);
    const json_config circuit_cfg(circuit_file);
    if (sim->root().contains("node_sets_file"))
      sets_ = node_sets(sim->path(sim->root()["node_sets_file"], "node_sets_file"), circuit_);
    else if (circuit_cfg.root().contains("node_sets_file"))
      sets_ = node_sets(circuit_cfg.path(circuit_cfg.root()["node_sets_file"], "node_sets_file"), circuit_);
    if (sim->root().contains("conditions") && sim->root()["conditions"].contains("v_init"))
      warn(sim->file() + ": conditions.v_init is ignored, as NEST ignores it: cells start at their model's "
                         "initial V_m (NEST's default, or V_m in dynamics_params)");
    if (sim->root().contains("inputs"))
      read_inputs(*sim);
    if (sim->root().contains("reports"))
      read_reports(*sim);
    read_output(*sim);
    finish();
    return std::move(net_);
  }

private:
  void read_run(const json_config& sim) {
    const auto& run = sim.required(sim.root(), "", "run");
    net_.run.dt = sim.number(sim.required(run, "run", "dt"), "run.dt");
    if (!(net_.run.dt > 0))
      sim.fail("run.dt", "must be > 0");
    net_.run.duration = sim.number(sim.required(run, "run", "tstop"), "run.tstop");
    if (!(net_.run.duration >= 0))
      sim.fail("run.tstop", "must be >= 0");
    if (run.contains("tstart") && sim.number(run["tstart"], "run.tstart") != 0.0)
      sim.fail("run.tstart", "myelin runs from 0 ms (use --resume to continue a run)");
    if (run.contains("random_seed")) {
      const double s = sim.number(run["random_seed"], "run.random_seed");
      if (!(s >= 0) || s != std::floor(s))
        sim.fail("run.random_seed", "must be a non-negative integer");
      net_.run.seed = static_cast<std::uint64_t>(s);
    }
  }

  void read_inputs(const json_config& sim) {
    const auto& inputs = sim.root()["inputs"];
    if (!inputs.is_object())
      sim.fail("inputs", "must be an object of named inputs");
    for (const auto& [name, in] : inputs.items()) {
      const std::string key = "inputs." + name;
      if (!enabled(in))
        continue;
      const auto type = sim.string(sim.required(in, key, "input_type"), key + ".input_type");
      if (type == "current_clamp" || type == "csv" || type == "file") {
        read_current_clamp(sim, name, in, type != "current_clamp");
        continue;
      }
      if (type == "nwb" || type == "allen")
        sim.fail(key + ".input_type",
                 "'" + type +
                     "': current clamps from Allen NWB sweeps are not supported; give the "
                     "sweep as a csv table (input_type \"csv\")");
      if (type != "spikes")
        sim.fail(key + ".input_type", "'" + type +
                                          "' is not supported; myelin runs spike inputs to virtual nodes and "
                                          "current clamps (current_clamp, csv)");
      if (in.contains("module")) {
        const auto module = sim.string(in["module"], key + ".module");
        if (module != "h5" && module != "sonata" && module != "hdf5")
          sim.fail(key + ".module",
                   "'" + module + "' is not supported; myelin reads SONATA spike files (h5)");
      }
      const auto input_file = sim.path(sim.required(in, key, "input_file"), key + ".input_file").string();
      const auto set = sim.string(sim.required(in, key, "node_set"), key + ".node_set");
      for (const auto& sel : sets_.resolve(set, sim.file(), key + ".node_set")) {
        const auto& pop = *sel.population;
        if (!pop.is_virtual)
          sim.fail(key + ".node_set", "selects nodes of " + pop.name +
                                          ", which are not virtual; spike inputs drive virtual nodes");
        auto trains = read_spike_trains(input_file, pop.name, pop.count);
        if (trains.dropped)
          warn(input_file + ": " + std::to_string(trains.dropped) + " spikes at or before 0 ms are dropped");
        std::vector<char> selected(pop.count, 0);
        for (auto id : sel.ids)
          selected[id] = 1;
        for (auto* part : parts_of(net_, pop)) {
          part->spike_times.resize(part->size);
          for (std::uint64_t i = 0; i < part->size; ++i) {
            const auto id = part->output_first_id + i;
            if (!selected[id])
              continue;
            auto& mine = part->spike_times[i];
            mine.insert(mine.end(), trains.times[id].begin(), trains.times[id].end());
            std::sort(mine.begin(), mine.end());
          }
        }
      }
    }
  }

  // BMTK PointNet's current clamp: a step_current_generator with
  // amplitude_times [delay, delay + duration] and values [amp, 0] (pA, NEST's
  // units), plus any amplitude_times/amplitude_values given, connected with a
  // delay of one step; or (input_type csv/file, BMTK's CSVAmpReader) the
  // times and amplitudes of a table file. Its node set becomes whole
  // populations: the parts of a SONATA population are split where the set
  // starts or stops.
  void read_current_clamp(const json_config& sim, const std::string& name, const nlohmann::json& in,
                          bool from_table) {
    const std::string key = "inputs." + name;
    if (in.contains("module")) {
      const auto module = sim.string(in["module"], key + ".module");
      if (module != "IClamp")
        sim.fail(key + ".module", "'" + module + "' is not supported; a current_clamp is module IClamp");
    }
    if (!from_table && in.contains("input_file"))
      sim.fail(key + ".input_file",
               "a current_clamp takes amp, delay and duration, or amplitude_times and amplitude_values; a "
               "table file is input_type \"csv\" with \"file\" (BMTK's CSVAmpReader)");
    spec::current_device d;
    d.name = name;
    d.type = spec::current_device::kind::step;
    d.delay = net_.run.dt;
    std::vector<std::pair<double, double>> steps; // (time, value)
    if (from_table) {
      const char* file_key = in.contains("file") ? "file" : "input_file";
      const auto file = sim.path(sim.required(in, key, file_key), key + "." + file_key).string();
      const auto separator =
          in.contains("separator") ? sim.string(in["separator"], key + ".separator") : std::string(" ");
      if (separator.size() != 1)
        sim.fail(key + ".separator", "must be one character, got '" + separator + "'");
      auto column = [&](const char* option, const char* fallback) {
        return in.contains(option) ? sim.string(in[option], key + "." + option) : std::string(fallback);
      };
      steps = read_clamp_table(file, separator[0], column("timestamps_column", "timestamps"),
                               column("amplitudes_column", "amps"));
    }
    if (!from_table && (in.contains("amplitude_times") || in.contains("amplitude_values"))) {
      const auto& times = sim.required(in, key, "amplitude_times");
      const auto& values = sim.required(in, key, "amplitude_values");
      if (!times.is_array() || !values.is_array() || times.size() != values.size())
        sim.fail(key + ".amplitude_values",
                 "amplitude_times and amplitude_values must be arrays of one length");
      for (std::size_t i = 0; i < times.size(); ++i)
        steps.emplace_back(sim.number(times[i], key + ".amplitude_times[" + std::to_string(i) + "]"),
                           sim.number(values[i], key + ".amplitude_values[" + std::to_string(i) + "]"));
    }
    if (!from_table && (in.contains("delay") || in.contains("amp"))) {
      const double delay = sim.number(sim.required(in, key, "delay"), key + ".delay");
      const double amp = sim.number(sim.required(in, key, "amp"), key + ".amp");
      if (!(delay >= 0))
        sim.fail(key + ".delay", "must be >= 0 ms");
      steps.emplace_back(delay, amp);
      if (in.contains("duration")) {
        const double duration = sim.number(in["duration"], key + ".duration");
        if (!(duration >= 0))
          sim.fail(key + ".duration", "must be >= 0 ms");
        steps.emplace_back(delay + duration, 0.0);
      }
    }
    if (steps.empty())
      sim.fail(key,
               "a current_clamp needs amp and delay (and duration), or amplitude_times and amplitude_values");
    std::stable_sort(steps.begin(), steps.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const double at = steps[i].first / net_.run.dt;
      if (!(std::fabs(at) < 0x1.0p62) || std::fabs(at - std::round(at)) > 1e-9 * std::max(1.0, std::fabs(at)))
        sim.fail(key, "the current changes at " + std::to_string(steps[i].first) +
                          " ms, not a multiple of run.dt = " + std::to_string(net_.run.dt) + " ms");
      if (i > 0 && !(steps[i].first > steps[i - 1].first))
        sim.fail(key, "two current changes at " + std::to_string(steps[i].first) + " ms");
      d.amplitude_times.push_back(steps[i].first);
      d.amplitude_values.push_back(steps[i].second);
    }
    const auto set = sim.string(sim.required(in, key, "node_set"), key + ".node_set");
    for (const auto& sel : sets_.resolve(set, sim.file(), key + ".node_set")) {
      if (sel.population->is_virtual)
        sim.fail(key + ".node_set", "selects virtual nodes of " + sel.population->name +
                                        ", which take no current; a current clamp drives cells");
      for (auto* part : split_at_selection(*sel.population, sel.ids))
        d.targets.push_back(part->name);
    }
    if (d.targets.empty())
      sim.fail(key + ".node_set", "node set '" + set + "' selects no nodes");
    net_.current_devices.push_back(std::move(d));
  }

  // Splits the parts of a SONATA population so that the selected nodes are
  // whole parts, which it returns. A part keeps its name when it is not
  // split; split pieces are named <population>-<first node id>, as the
  // circuit names parts.
  std::vector<spec::population*> split_at_selection(const node_population& pop,
                                                    const std::vector<std::uint64_t>& ids) {
    std::vector<char> selected(pop.count, 0);
    for (auto id : ids)
      selected[id] = 1;
    std::vector<spec::population> rebuilt;
    std::vector<std::string> chosen;
    std::map<std::string, std::vector<std::string>> pieces_of; // a part's name -> its pieces' names
    for (auto& p : net_.populations) {
      if (p.output() != pop.name) {
        rebuilt.push_back(std::move(p));
        continue;
      }
      auto& pieces = pieces_of[p.name];
      std::uint64_t start = 0;
      for (std::uint64_t i = 1; i <= p.size; ++i) {
        if (i < p.size && selected[p.output_first_id + i] == selected[p.output_first_id + start])
          continue;
        spec::population piece = p;
        if (start != 0 || i != p.size) {
          piece.name = pop.name + "-" + std::to_string(p.output_first_id + start);
          piece.size = i - start;
          piece.output_first_id = p.output_first_id + start;
          if (p.spike_times.size() == p.size)
            piece.spike_times.assign(p.spike_times.begin() + static_cast<std::ptrdiff_t>(start),
                                     p.spike_times.begin() + static_cast<std::ptrdiff_t>(i));
          for (auto& [var, dist] : piece.init)
            if (dist.is_listed())
              dist.values.assign(p.init.at(var).values.begin() + static_cast<std::ptrdiff_t>(start),
                                 p.init.at(var).values.begin() + static_cast<std::ptrdiff_t>(i));
          for (auto& [name, values] : piece.param_arrays)
            values.assign(p.param_arrays.at(name).begin() + static_cast<std::ptrdiff_t>(start),
                          p.param_arrays.at(name).begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (selected[piece.output_first_id])
          chosen.push_back(piece.name);
        pieces.push_back(piece.name);
        rebuilt.push_back(std::move(piece));
        start = i;
      }
    }
    net_.populations = std::move(rebuilt);
    // Earlier clamps that drove a part now drive its pieces (found by
    // test_sonata_plastic.py: a clamp on all of E, then one on part of it).
    for (auto& d : net_.current_devices) {
      std::vector<std::string> targets;
      for (const auto& t : d.targets) {
        const auto it = pieces_of.find(t);
        if (it == pieces_of.end())
          targets.push_back(t);
        else
          targets.insert(targets.end(), it->second.begin(), it->second.end());
      }
      d.targets = std::move(targets);
    }
    for (const auto& n : chosen)
      if (std::count_if(net_.populations.begin(), net_.populations.end(),
                        [&](const spec::population& q) { return q.name == n; }) != 1)
        throw model_error(net_.source_file, "populations",
                          "splitting " + pop.name + " for a current clamp makes the name " + n + " twice");
    std::vector<spec::population*> parts;
    for (const auto& n : chosen)
      parts.push_back(&net_.populations[static_cast<std::size_t>(net_.find_population(n))]);
    return parts;
  }

  void read_reports(const json_config& sim) {
    const auto& reports = sim.root()["reports"];
    if (!reports.is_object())
      sim.fail("reports", "must be an object of named reports");
    for (const auto& [name, r] : reports.items()) {
      const std::string key = "reports." + name;
      if (!enabled(r))
        continue;
      const auto variable = sim.string(sim.required(r, key, "variable_name"), key + ".variable_name");
      double interval = net_.run.dt;
      if (r.contains("dt"))
        interval = sim.number(r["dt"], key + ".dt");
      if (r.contains("start_time") || r.contains("end_time"))
        warn(sim.file() + ": " + key + ": start_time and end_time are ignored; myelin records the whole run");
      const auto cells = sim.string(sim.required(r, key, "cells"), key + ".cells");
      auto selections = sets_.resolve(cells, sim.file(), key + ".cells");
      std::erase_if(selections, [](const node_selection& s) { return s.population->is_virtual; });
      if (selections.empty())
        sim.fail(key + ".cells",
                 "node set '" + cells + "' holds only virtual nodes, which have no " + variable);
      for (const auto& sel : selections) {
        spec::multimeter m;
        m.name = selections.size() == 1 ? name : name + "_" + sel.population->name;
        m.population = sel.population->name;
        m.ids = sel.ids;
        m.variables = {variable};
        m.interval = interval;
        for (auto* part : parts_of(net_, *sel.population))
          if (models::find_model(part->model)->find_state(variable) < 0)
            sim.fail(key + ".variable_name", "'" + variable + "' is not a state variable of " + part->model);
        net_.multimeters.push_back(std::move(m));
      }
    }
  }

  void read_output(const json_config& sim) {
    if (!sim.root().contains("output"))
      return;
    const auto& out = sim.root()["output"];
    if (out.contains("output_dir"))
      net_.output_dir = sim.path(out["output_dir"], "output.output_dir").string();
    if (out.contains("spikes_file")) {
      net_.spikes_file = sim.string(out["spikes_file"], "output.spikes_file");
      if (net_.spikes_file.find('/') != std::string::npos)
        sim.fail("output.spikes_file", "must be a file name inside output_dir");
    }
  }

  // Every non-virtual population's spikes are recorded, as BMTK does.
  void finish() {
    add_edge_projections(net_, circuit_);
    spec::spike_recorder rec;
    rec.name = "spikes";
    for (const auto& p : net_.populations)
      if (p.model != "spike_source")
        rec.populations.push_back(p.name);
    net_.spike_recorders.push_back(std::move(rec));
    for (const auto& w : circuit_.warnings)
      warn(w);
    check_network(net_);
  }

  spec::network net_;
  circuit circuit_;
  node_sets sets_;
};

} // namespace

spec::network read_sonata(const std::filesystem::path& file) {
  return simulation_reader().read(file);
}

bool is_sonata_config(const std::filesystem::path& file) {
  return file.extension() == ".json";
}

} // namespace myelin::io::sonata
