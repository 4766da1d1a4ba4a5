"""PyNEST's vocabulary on myelin: a NEST script runs on myelin with one changed
line, `import myelin.nest as nest`.

What is there: ResetKernel, SetKernelStatus/GetKernelStatus, SetDefaults/
GetDefaults, CopyModel, Create (myelin's neuron models, poisson_generator,
spike_generator, spike_recorder, multimeter, voltmeter), Connect with NEST's
rules and syn_spec (numbers or nest.random distributions), Simulate/Run/
Prepare/Cleanup, GetConnections, GetStatus/SetStatus, NodeCollection and the
recorders' n_events and events. What NEST has and myelin does not raises
NotImplementedError naming the feature (docs/python.md lists them): the
script never runs with a silent difference.

myelin builds the network once, at the first Simulate, Run, Prepare or
GetConnections; creating or connecting afterwards needs ResetKernel. The
draws are myelin's (per-target Philox streams): the same distributions as
NEST's, not the same numbers, so rates agree statistically, not spike for
spike.
"""
import numpy as np

from .. import ModelError, num_ranks, rank
from . import math, random  # noqa: F401 (nest.math, nest.random)
from ._ascii import write_recorders
from ._connect import connect as _connect
from ._kernel import KERNEL_KEYS, RECORDERS, kernel as _k
from ._nodes import NodeCollection, SynapseCollection, multimeter_events, spike_events

__all__ = ["ResetKernel", "SetKernelStatus", "GetKernelStatus", "SetDefaults", "GetDefaults", "CopyModel",
           "Create", "Connect", "Simulate", "Run", "Prepare", "Cleanup", "GetConnections", "GetStatus",
           "SetStatus", "NodeCollection", "SynapseCollection", "Rank", "NumProcesses", "set_verbosity",
           "Install", "node_models", "synapse_models", "random", "math"]


def ResetKernel():
    _k.reset()


def SetKernelStatus(params):
    for key, value in params.items():
        if key not in KERNEL_KEYS:
            raise NotImplementedError("kernel status %r is not supported by myelin.nest" % key)
        if key in ("resolution", "rng_seed", "local_num_threads", "total_num_virtual_procs"):
            _k.frozen("SetKernelStatus(%s)" % key)
        if key == "resolution" and _k.groups:
            raise ModelError("SetKernelStatus: the resolution must be set before any node is created")
        if key == "total_num_virtual_procs":
            if value % num_ranks():
                raise ModelError("total_num_virtual_procs %d is not a multiple of %d processes"
                                 % (value, num_ranks()))
            _k.status["local_num_threads"] = value // num_ranks()
        else:
            _k.status[key] = value


def GetKernelStatus(keys=None):
    status = dict(_k.status)
    status["total_num_virtual_procs"] = status["local_num_threads"] * num_ranks()
    status["num_processes"] = num_ranks()
    status["network_size"] = _k.next_id - 1
    status["biological_time"] = _k.net.time if _k.net is not None else 0.0
    # Counting the synapses builds the network: only when asked, or built.
    wanted = [] if keys is None else [keys] if isinstance(keys, str) else list(keys)
    if _k.net is not None or "num_connections" in wanted:
        status["num_connections"] = _num_connections()
    if keys is None:
        return status
    if isinstance(keys, str):
        return status[keys]
    return [status[k] for k in keys]


def _num_connections(model_name=None):
    """Synapses between neurons (as built) plus connections to and from devices, as NEST counts them."""
    devices = sum(n for m, n in _k.device_counts.items() if model_name in (None, m))
    if not _k.projections:
        return devices
    if model_name is None:
        return devices + _k.built()._net.synapses
    return devices + sum(_projection_size(i) for i, (_, m) in enumerate(_k.projections) if m == model_name)


def _projection_size(i):
    """Synapses of projection i: from the rule where it fixes the number, else counted as built."""
    projection = _k.projections[i][0]
    rule = projection["rule"]
    size = {g.population: g.n for g in _k.groups if g.population}
    s, t = size[projection["source"]], size[projection["target"]]
    self_pairs = projection["source"] == projection["target"] and not rule["allow_autapses"]
    if rule["kind"] == "fixed_indegree":
        return rule["indegree"] * t
    if rule["kind"] == "fixed_outdegree":
        return rule["outdegree"] * s
    if rule["kind"] == "fixed_total_number":
        return rule["N"]
    if rule["kind"] == "all_to_all":
        return s * t - (s if self_pairs else 0)
    if rule["kind"] == "one_to_one":
        return 0 if self_pairs else s
    return len(_k.built()._net.connections(i)["source"])


def SetDefaults(model, params, val=None):
    if isinstance(params, str):
        params = {params: val}
    _k.frozen("SetDefaults")
    params = _k.expand_listed(model, params)
    _k.check_params(model, params)
    _k.model(model)["params"].update(params)


def GetDefaults(model, keys=None, output=""):
    if output:
        raise NotImplementedError("GetDefaults(output=%r)" % (output,))
    m = _k.model(model)
    d = dict(m["params"])
    d["model"] = model
    if m["kind"] == "synapse":
        d["synapse_model"] = model
        d["num_connections"] = _num_connections(model)
    if keys is None:
        return d
    if isinstance(keys, str):
        return d[keys]
    return tuple(d[k] for k in keys)


def CopyModel(existing, new, params=None):
    if new in _k.models:
        raise ModelError("CopyModel: a model named %r exists already" % new)
    m = _k.model(existing)
    if params:
        params = _k.expand_listed(existing, params)
        _k.check_params(existing, params)
    _k.models[new] = {"kind": m["kind"], "base": m["base"], "params": dict(m["params"], **(params or {}))}


def Create(model, n=1, params=None, positions=None):
    if positions is not None:
        raise NotImplementedError("Create(positions=...): spatial networks are not supported by myelin.nest")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ModelError("Create: n = %r is not a positive integer" % (n,))
    if isinstance(params, (list, tuple)):
        if len(params) != n:
            raise ModelError("Create: %d parameter dicts for %d nodes" % (len(params), n))
        if any(p != params[0] for p in params):
            raise NotImplementedError("Create: a different parameter dict per node (myelin sets parameters "
                                      "per population)")
        params = params[0]
    g = _k.create(model, int(n), dict(params or {}))
    return NodeCollection._range(g.first, g.n)


def Connect(pre, post, conn_spec=None, syn_spec=None, return_synapsecollection=False):
    if not isinstance(pre, NodeCollection) or not isinstance(post, NodeCollection):
        raise TypeError("Connect takes NodeCollections")
    _connect(pre, post, conn_spec, syn_spec)
    if return_synapsecollection:
        return GetConnections(pre, post)
    return None


def Prepare():
    _k.built()


def Run(t):
    _k.built().run(t)
    _write_ascii()


def Simulate(t):
    Run(t)


def _write_ascii():
    def events(g):
        return spike_events(g) if g.kind == "spike_recorder" else multimeter_events(g)
    write_recorders([g for g in _k.groups if g.kind in RECORDERS], _k.status, events)


def Cleanup():
    pass


def GetConnections(source=None, target=None, synapse_model=None, synapse_label=None):
    """Connections between neurons (not to or from devices), sorted by source then target."""
    if synapse_label is not None:
        raise NotImplementedError("GetConnections(synapse_label=...)")
    net = _k.built()
    node_first = {g.population: g.first for g in _k.groups if g.population}
    parts = []
    for i, (projection, model_name) in enumerate(_k.projections):
        if synapse_model is not None and synapse_model != model_name:
            continue
        c = net._net.connections(i)
        # myelin numbers a population's neurons from its first gid; NEST's ids
        # interleave devices: map each population's range.
        parts.append({"source": _node_ids(c["source"], projection["source"], net, node_first),
                      "target": _node_ids(c["target"], projection["target"], net, node_first),
                      "weight": c["weight"], "delay": c["delay"],
                      "synapse_model": np.full(len(c["source"]), model_name, dtype=object)})
    if not parts:
        empty = {"source": np.zeros(0, np.int64), "target": np.zeros(0, np.int64), "weight": np.zeros(0),
                 "delay": np.zeros(0), "synapse_model": np.zeros(0, dtype=object)}
        return SynapseCollection(empty)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keep = np.ones(len(cols["source"]), dtype=bool)
    if source is not None:
        keep &= np.isin(cols["source"], source.tolist())
    if target is not None:
        keep &= np.isin(cols["target"], target.tolist())
    order = np.lexsort((cols["target"][keep], cols["source"][keep]))
    return SynapseCollection({k: v[keep][order] for k, v in cols.items()})


def _node_ids(gids, population, net, node_first):
    first_gid = _population_first_gid(net, population)
    return gids.astype(np.int64) - first_gid + node_first[population]


def _population_first_gid(net, population):
    first = 0
    for name, (_, size) in net.populations.items():
        if name == population:
            return first
        first += size
    raise ModelError("no population %s" % population)


def GetStatus(nodes, keys=None, output=""):
    if isinstance(nodes, SynapseCollection):
        return nodes.get(keys)
    per_node = [n.get() for n in nodes]
    if keys is None:
        return tuple(per_node)
    if isinstance(keys, str):
        return tuple(s[keys] for s in per_node)
    return tuple(tuple(s[k] for k in keys) for s in per_node)


def SetStatus(nodes, params, val=None):
    if isinstance(params, str):
        params = {params: val}
    nodes.set(params)


def Rank():
    return rank()


def NumProcesses():
    return num_ranks()


def set_verbosity(level):
    """Accepted; myelin prints warnings and errors only."""


def Install(module):
    raise NotImplementedError("Install(%r): NEST extension modules do not run on myelin" % (module,))


def node_models():
    return tuple(sorted(n for n, m in _k.models.items() if m["kind"] != "synapse"))


def synapse_models():
    return tuple(sorted(n for n, m in _k.models.items() if m["kind"] == "synapse"))
