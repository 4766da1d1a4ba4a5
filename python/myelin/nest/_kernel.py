"""The state behind myelin.nest: kernel settings, model defaults, the nodes
created so far (each Create is one group of consecutive node ids), the
connections asked for, and — from the first Simulate/Prepare on — the myelin
network they were turned into. A group of neurons or spike generators is one
myelin population; devices are groups too (they take node ids, as in NEST)."""
import bisect
import math

from .. import ModelError, Network, _myelin
from .random import Parameter

INF = float("inf")

# NEST's device defaults (NEST 3.9 documentation), as far as myelin runs them.
DEVICE_DEFAULTS = {
    "poisson_generator": {"rate": 0.0, "start": 0.0, "stop": INF, "origin": 0.0},
    "spike_generator": {"spike_times": [], "start": 0.0, "stop": INF, "origin": 0.0,
                        "allow_offgrid_times": False, "precise_times": False},
    "spike_recorder": {"start": 0.0, "stop": INF, "origin": 0.0, "record_to": "memory", "label": "",
                       "precision": 3},
    "multimeter": {"record_from": [], "interval": 1.0, "start": 0.0, "stop": INF, "origin": 0.0,
                   "record_to": "memory", "label": ""},
    "voltmeter": {"record_from": ["V_m"], "interval": 1.0, "start": 0.0, "stop": INF, "origin": 0.0,
                  "record_to": "memory", "label": ""},
    "dc_generator": {"amplitude": 0.0, "start": 0.0, "stop": INF, "origin": 0.0},
    "step_current_generator": {"amplitude_times": [], "amplitude_values": [], "start": 0.0, "stop": INF,
                               "origin": 0.0},
    "ac_generator": {"amplitude": 0.0, "offset": 0.0, "frequency": 0.0, "phase": 0.0, "start": 0.0, "stop": INF,
                     "origin": 0.0},
    "noise_generator": {"mean": 0.0, "std": 0.0, "dt": 1.0, "std_mod": 0.0, "frequency": 0.0, "phase": 0.0,
                        "start": 0.0, "stop": INF, "origin": 0.0},
}
# Devices that inject current; their parameters go to the model file as they are.
CURRENT_GENERATORS = ("dc_generator", "step_current_generator", "ac_generator", "noise_generator")
RECORDERS = ("spike_recorder", "multimeter", "voltmeter")
NEST_DEFAULT_SEED = 143202461  # NEST's rng_seed default
KERNEL_KEYS = ("resolution", "rng_seed", "local_num_threads", "print_time", "overwrite_files", "data_path",
               "data_prefix", "total_num_virtual_procs")


class Group:
    """The nodes of one Create call."""

    def __init__(self, kind, model, base, first, n, params):
        self.kind = kind      # "neuron", "spike_generator" or a device model name
        self.model = model    # the name the script used (may be a CopyModel name)
        self.base = base      # the built-in model it stands for
        self.first = first    # first node id
        self.n = n
        self.params = params  # merged defaults and Create's parameters
        self.population = None  # myelin population name (neurons, spike generators)
        # Recorders: the node ids they record (spike recorders) or the groups
        # and offsets they sample (multimeters), and when events were cleared.
        self.recorded = []
        self.cleared_at = -INF


class Kernel:
    def __init__(self):
        self.reset()

    def reset(self):
        if getattr(self, "net", None) is not None:
            self.net.close()
        self.status = {"resolution": 0.1, "rng_seed": NEST_DEFAULT_SEED, "local_num_threads": 1,
                       "print_time": False, "overwrite_files": False, "data_path": "", "data_prefix": ""}
        self.neuron_catalog = {name: entry for name, entry in _myelin.model_catalog().items()
                               if not entry["is_source"]}
        self.synapse_catalog = _myelin.synapse_catalog()
        self.models = {}
        for name, entry in self.neuron_catalog.items():
            self.models[name] = {"kind": "neuron", "base": name, "params": dict(entry["parameters"])}
        for name, entry in self.synapse_catalog.items():
            self.models[name] = {"kind": "synapse", "base": name,
                                 "params": dict(entry["parameters"], weight=1.0, delay=1.0)}
        # NEST's _hpc variants are the same dynamics in less memory; myelin's are small anyway.
        for name in ("static_synapse", "stdp_pl_synapse_hom"):
            if name in self.models:
                self.models[name + "_hpc"] = {"kind": "synapse", "base": name,
                                              "params": dict(self.models[name]["params"])}
        for name, defaults in DEVICE_DEFAULTS.items():
            self.models[name] = {"kind": "spike_generator" if name == "spike_generator" else name,
                                 "base": name, "params": dict(defaults)}
        self.groups = []
        self.firsts = []
        self.next_id = 1
        self.projections = []      # (myelin projection dict, synapse model name as the script gave it)
        self.generator_links = []  # (poisson generator group, [target groups], weight, delay, synapse model)
        self.current_links = []    # (current generator group, [target groups], weight, delay)
        self.device_counts = {}    # synapse model -> connections to or from devices (NEST counts them)
        self.multimeter_tables = []  # (multimeter group, target group, offsets): filled at build
        self.net = None

    # --- models ---
    def model(self, name):
        try:
            return self.models[name]
        except KeyError:
            raise ModelError("unknown model %r; myelin.nest has: %s" % (name, ", ".join(sorted(self.models))))

    def state_names(self, base):
        return self.neuron_catalog[base]["state"] if base in self.neuron_catalog else []

    def expand_listed(self, model_name, params):
        """NEST's list-valued parameters (tau_syn=[a, b]) as myelin's numbered
        ones (tau_syn_1=a, tau_syn_2=b, the rest 0), as the model file does."""
        names = self.model(model_name)["params"]
        out = {}
        for key, value in params.items():
            if key not in names and key + "_1" in names and isinstance(value, (list, tuple)):
                most = 0
                while "%s_%d" % (key, most + 1) in names:
                    most += 1
                if len(value) > most:
                    raise ModelError("%s takes at most %d values of %s, got %d" % (model_name, most, key, len(value)))
                for k in range(most):
                    out["%s_%d" % (key, k + 1)] = float(value[k]) if k < len(value) else 0.0
            else:
                out[key] = value
        return out

    def check_params(self, model_name, params):
        m = self.model(model_name)
        allowed = set(m["params"])
        if m["kind"] == "neuron":
            allowed |= set(self.state_names(m["base"]))
        for key in params:
            if key not in allowed:
                raise ModelError("%s has no parameter %r in myelin (it has: %s)"
                                 % (model_name, key, ", ".join(sorted(allowed))))

    # --- nodes ---
    def frozen(self, what):
        if self.net is not None:
            raise NotImplementedError("%s after the first Simulate/Prepare: myelin builds the network once "
                                      "(call ResetKernel to start a new one)" % what)

    def create(self, model_name, n, params):
        self.frozen("Create")
        m = self.model(model_name)
        merged = dict(m["params"])
        if params:
            params = self.expand_listed(model_name, params)
            self.check_params(model_name, params)
            merged.update(params)
        g = Group(m["kind"], model_name, m["base"], self.next_id, n, merged)
        if g.kind in ("neuron", "spike_generator"):
            g.population = "pop%d" % len([x for x in self.groups if x.population])
        self.groups.append(g)
        self.firsts.append(g.first)
        self.next_id += n
        return g

    def group_of(self, node_id):
        k = bisect.bisect_right(self.firsts, node_id) - 1
        if k < 0 or node_id >= self.groups[k].first + self.groups[k].n:
            raise ModelError("no node with id %d" % node_id)
        return k

    # --- building ---
    def built(self):
        """The myelin network, built from what was created and connected (once)."""
        if self.net is None:
            model = self.model_dict()
            # myelin's own files (spikes.h5, run.json) go to a temporary directory;
            # data_path is where recorders with record_to = "ascii" write.
            self.net = Network.from_dict(model, threads=int(self.status["local_num_threads"]), name="nest")
        return self.net

    def model_dict(self):
        populations = {}
        for g in self.groups:
            if g.kind == "neuron":
                populations[g.population] = population_table(g, self.state_names(g.base))
            elif g.kind == "spike_generator":
                populations[g.population] = spike_generator_table(g, self.status["resolution"])
        # One device per generator, weight and delay: a generator connected
        # to E and then to I is one device with two targets, as a model file
        # says it (the device's index keys its draws).
        devices = {}
        for pg, targets, weight, delay, _ in self.generator_links:
            check_window(pg, ("start", "stop", "origin"), "poisson_generator")
            device = devices.setdefault((pg.first, weight, delay), {
                "model": "poisson_generator", "rate": float(pg.params["rate"]) * pg.n, "targets": [],
                "weight": weight, "delay": delay})
            for t in targets:
                if t.population in device["targets"]:
                    raise NotImplementedError("poisson_generator %d connected twice to the same neurons"
                                              % pg.first)
                device["targets"].append(t.population)
        devices = {"generator%d" % k: d for k, d in enumerate(devices.values())}
        for k, (g, targets, weight, delay) in enumerate(self.current_links):
            devices["current%d" % k] = current_device_table(g, targets, weight, delay)
        for g in self.groups:
            if g.kind in RECORDERS and g.params.get("record_to") not in ("memory", "ascii"):
                raise NotImplementedError("%s: record_to = %r (myelin.nest records to memory and ascii)"
                                          % (g.model, g.params.get("record_to")))
        recorders = {}
        self.multimeter_tables = []
        for g in self.groups:
            if g.kind not in ("multimeter", "voltmeter"):
                continue
            check_window(g, ("start", "stop", "origin"), g.model)
            by_group = {}
            for node_id in g.recorded:
                k = self.group_of(node_id)
                by_group.setdefault(k, []).append(node_id - self.groups[k].first)
            for k, offsets in by_group.items():
                name = "mm%d_%d" % (g.first, k)
                recorders[name] = {"kind": "multimeter", "population": self.groups[k].population,
                                   "ids": offsets, "variables": list(g.params["record_from"]),
                                   "interval": float(g.params["interval"])}
                self.multimeter_tables.append((g, self.groups[k], offsets, name))
        model = {"run": {"dt": float(self.status["resolution"]), "duration": 1000.0,
                         "seed": int(self.status["rng_seed"])},
                 "populations": populations,
                 "projections": [p for p, _ in self.projections]}
        if devices:
            model["devices"] = devices
        if recorders:
            model["recorders"] = recorders
        return model


def population_table(g, state_names):
    table = {"model": g.base}
    params, init = {}, {}
    for key, value in g.params.items():
        if isinstance(value, Parameter):
            if key not in state_names:
                raise NotImplementedError("%s: a random %s; myelin draws only initial state (%s) from "
                                          "distributions" % (g.model, key, ", ".join(state_names)))
            init[key] = value.table()
        elif key in state_names:
            init[key] = value.tolist() if hasattr(value, "tolist") else float(value)
        elif hasattr(value, "tolist"):
            params[key] = value.tolist()  # one value per neuron
        elif key in ("V_min",) and value == -INF:
            continue  # the default: no lower bound
        else:
            params[key] = float(value)
    if params:
        table["params"] = params
    if init:
        table["init"] = init
    table["size"] = g.n
    return table


def spike_generator_table(g, dt):
    check_window(g, ("start", "stop", "origin"), "spike_generator")
    if g.params.get("precise_times"):
        raise NotImplementedError("spike_generator: precise_times (myelin has no off-grid spikes)")
    times = g.params["spike_times"]
    params = {"spike_times": [float(t) for t in times]}
    if g.params.get("allow_offgrid_times"):
        params["allow_offgrid_times"] = True
    return {"model": "spike_source", "size": g.n, "params": params}


def current_device_table(g, targets, weight, delay):
    """A myelin current device for one NEST current generator and its targets."""
    if g.n != 1:
        raise NotImplementedError("%s: Create(..., n=%d) — myelin.nest drives neurons from one current "
                                  "generator per Create" % (g.model, g.n))
    table = {"model": g.base, "targets": [t.population for t in targets], "weight": float(weight),
             "delay": float(delay)}
    for key, default in DEVICE_DEFAULTS[g.base].items():
        value = g.params.get(key, default)
        if g.base == "noise_generator" and key in ("std_mod", "frequency", "phase"):
            if value != 0.0:
                raise NotImplementedError("noise_generator: %s (NEST's modulated noise) is not supported" % key)
            continue
        if isinstance(value, float) and math.isinf(value):
            continue  # stop = inf: never
        table[key] = [float(x) for x in value] if isinstance(value, (list, tuple)) else float(value)
    return table


def check_window(g, keys, model):
    defaults = DEVICE_DEFAULTS[g.base]
    for key in keys:
        value = g.params.get(key, defaults[key])
        if value != defaults[key] and not (isinstance(value, float) and math.isinf(value)
                                           and math.isinf(defaults[key])):
            raise NotImplementedError("%s: %s = %r (myelin.nest runs %s with NEST's default %s only)"
                                      % (model, key, value, model, key))


kernel = Kernel()
