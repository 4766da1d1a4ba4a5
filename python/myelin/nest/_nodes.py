"""NodeCollection and SynapseCollection, as PyNEST's: node ids from 1,
slicing, `+`, get/set, and the recorders' n_events and events."""
import numpy as np

from .. import ModelError
from ._kernel import CURRENT_GENERATORS, INF, RECORDERS, kernel
from .random import Parameter


class NodeCollection:
    """Node ids, ascending. NodeCollection([ids]) makes one from a list."""

    def __init__(self, ids=()):
        ids = np.unique(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64))
        for node_id in ids[:1].tolist() + ids[-1:].tolist():
            kernel.group_of(int(node_id))  # raises for ids that were never created
        object.__setattr__(self, "_ids", ids)

    @classmethod
    def _range(cls, first, n):
        c = cls.__new__(cls)
        object.__setattr__(c, "_ids", np.arange(first, first + n, dtype=np.int64))
        return c

    # --- the collection ---
    def __len__(self):
        return len(self._ids)

    def __iter__(self):
        for node_id in self._ids.tolist():
            yield NodeCollection._range(node_id, 1)

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return NodeCollection._range(int(self._ids[key]), 1)
        picked = self._ids[key]
        c = NodeCollection.__new__(NodeCollection)
        object.__setattr__(c, "_ids", np.unique(picked))
        return c

    def __add__(self, other):
        if not isinstance(other, NodeCollection):
            return NotImplemented
        if np.intersect1d(self._ids, other._ids).size:
            raise ModelError("NodeCollection + NodeCollection: the collections overlap")
        c = NodeCollection.__new__(NodeCollection)
        object.__setattr__(c, "_ids", np.union1d(self._ids, other._ids))
        return c

    def __eq__(self, other):
        return isinstance(other, NodeCollection) and np.array_equal(self._ids, other._ids)

    def __hash__(self):
        return hash(self._ids.tobytes())

    def __contains__(self, node_id):
        return bool(np.isin(node_id, self._ids))

    def __repr__(self):
        if len(self) == 0:
            return "NodeCollection(<empty>)"
        return "NodeCollection(metadata=None, model=%s, size=%d, first=%d, last=%d)" % (
            ",".join(sorted({g.model for g, _ in self._by_group()})), len(self), self._ids[0], self._ids[-1])

    def tolist(self):
        return self._ids.tolist()

    @property
    def global_id(self):
        return self._ids[0].item() if len(self) == 1 else tuple(self._ids.tolist())

    def _by_group(self):
        """[(group, offsets within it)] in id order."""
        out = []
        ids = self._ids
        k = 0
        while k < len(ids):
            g = kernel.groups[kernel.group_of(int(ids[k]))]
            end = np.searchsorted(ids, g.first + g.n)
            out.append((g, ids[k:end] - g.first))
            k = end
        return out

    def _whole_groups(self, what):
        """The groups this collection covers entirely (raises for part of one)."""
        groups = []
        for g, offsets in self._by_group():
            if len(offsets) != g.n:
                raise NotImplementedError("%s on part of a Create's nodes (%d of %d %s): myelin connects "
                                          "and sets whole populations" % (what, len(offsets), g.n, g.model))
            groups.append(g)
        return groups

    # --- status ---
    def get(self, *keys, output=""):
        if output:
            raise NotImplementedError("get(output=%r)" % (output,))
        per_node = [_status(g, int(o)) for g, offsets in self._by_group() for o in offsets]
        if not keys:
            names = sorted(set().union(*per_node)) if per_node else []
            return _pick(per_node, names, as_dict=True)
        if len(keys) == 1 and isinstance(keys[0], str):
            return _pick(per_node, [keys[0]], as_dict=False)
        names = list(keys[0]) if len(keys) == 1 else list(keys)
        return _pick(per_node, names, as_dict=True)

    def set(self, params=None, **kw):
        if isinstance(params, (list, tuple)):
            if len(params) != len(self):
                raise ModelError("set: %d dicts for %d nodes" % (len(params), len(self)))
            for node, p in zip(self, params):
                node.set(p)
            return
        values = dict(params or {}, **kw)
        for g, offsets in self._by_group():
            for key, value in values.items():
                _set(g, offsets, key, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            raise AttributeError("NodeCollection attributes are read-only")
        self.set({name: value})


def _pick(per_node, names, as_dict):
    def value(status, name):
        if name not in status:
            raise KeyError(name)
        return status[name]
    if as_dict:
        if len(per_node) == 1:
            return {n: value(per_node[0], n) for n in names}
        return {n: tuple(value(s, n) for s in per_node) for n in names}
    if len(per_node) == 1:
        return value(per_node[0], names[0])
    return tuple(value(s, names[0]) for s in per_node)


def _status(g, offset):
    stimulators = ("poisson_generator", "spike_generator") + CURRENT_GENERATORS
    status = {"global_id": g.first + offset, "model": g.model, "element_type":
              "recorder" if g.kind in RECORDERS else "stimulator" if g.kind in stimulators else "neuron"}
    status.update({k: v[offset].item() if isinstance(v, np.ndarray) else v for k, v in g.params.items()})
    # NEST's list-valued parameters (tau_syn) next to myelin's numbered ones.
    for key in [k[:-2] for k in status if k.endswith("_1") and k[:-2] not in status]:
        values, k = [], 1
        while "%s_%d" % (key, k) in status and status["%s_%d" % (key, k)] != 0.0:
            values.append(float(status["%s_%d" % (key, k)]))
            k += 1
        status[key] = tuple(values)
    if g.kind == "spike_recorder":
        events = spike_events(g)
        status["events"] = events
        status["n_events"] = len(events["times"])
    elif g.kind in ("multimeter", "voltmeter"):
        events = multimeter_events(g)
        status["events"] = events
        status["n_events"] = len(events["times"])
    return status


def _set(g, offsets, key, value):
    if key == "n_events" and g.kind in RECORDERS:
        if value != 0:
            raise ModelError("n_events can only be set to 0 (which clears the events)")
        g.cleared_at = kernel.net.time if kernel.net is not None else -INF
        return
    kernel.frozen("set(%s)" % key)
    kernel.check_params(g.model, {key: value})
    per_neuron_state = g.kind == "neuron" and key in kernel.state_names(g.base)
    # Parameters may differ per neuron too, except those myelin keeps per
    # population (tau_minus, flags) and the generators'.
    per_neuron = per_neuron_state or (g.kind == "neuron" and key != "tau_minus" and
                                      not isinstance(value, Parameter) and not isinstance(g.params.get(key), bool))
    if per_neuron and len(offsets) != g.n and np.ndim(value) == 0 and not isinstance(value, Parameter):
        value = np.full(len(offsets), float(value))  # part of a Create: through the per-neuron path
    if isinstance(value, (list, tuple, np.ndarray)) and key not in ("record_from", "spike_times"):
        values = np.asarray(value, dtype=float)
        if values.shape != (len(offsets),):
            raise ModelError("set(%s): %d values for %d nodes" % (key, values.size, len(offsets)))
        if len(set(values.tolist())) == 1 and len(offsets) == g.n:
            value = float(values[0])
        elif per_neuron:
            # Initial state or parameters per neuron: an array over the whole group.
            current = g.params.get(key)
            whole = np.array(current, dtype=float) if isinstance(current, np.ndarray) else np.full(g.n, np.nan)
            if not isinstance(current, np.ndarray) and len(offsets) != g.n:
                if current is None or isinstance(current, Parameter):
                    raise NotImplementedError("set(%s): values for part of a Create whose %s is %s (set all "
                                              "of them first)" % (key, key, "drawn" if current else "not set"))
                whole[:] = float(current)
            whole[offsets] = values
            g.params[key] = whole
            return
        else:
            raise NotImplementedError("set(%s): a different value per neuron (myelin keeps %s per "
                                      "population)" % (key, key))
    if len(offsets) != g.n and not isinstance(value, Parameter) and g.params.get(key) != value:
        raise NotImplementedError("set(%s) on %d of the %d nodes of one Create (myelin keeps %s per "
                                  "population)" % (key, len(offsets), g.n, key))
    g.params[key] = value


def spike_events(g):
    """A spike recorder's events so far: senders and times, by time."""
    if kernel.net is None or not g.recorded:
        return {"senders": np.zeros(0, dtype=np.int64), "times": np.zeros(0)}
    recorded = np.asarray(sorted(g.recorded), dtype=np.int64)
    lo = g.params["origin"] + g.params["start"]
    hi = g.params["origin"] + g.params["stop"]
    senders, times = [], []
    for group in {kernel.groups[kernel.group_of(int(i))] for i in recorded}:
        t, ids = kernel.net.spikes(group.population)
        nodes = ids.astype(np.int64) + group.first
        keep = np.isin(nodes, recorded) & (t > lo) & (t <= hi) & (t > g.cleared_at)
        senders.append(nodes[keep])
        times.append(t[keep])
    senders, times = np.concatenate(senders), np.concatenate(times)
    order = np.lexsort((senders, times))
    return {"senders": senders[order], "times": times[order]}


def multimeter_events(g):
    """A multimeter's samples so far, as NEST flattens them: for each time,
    each sender."""
    empty = {"senders": np.zeros(0, dtype=np.int64), "times": np.zeros(0)}
    empty.update({v: np.zeros(0) for v in g.params["record_from"]})
    if kernel.net is None:
        return empty
    parts = []
    for mm, group, offsets, name in kernel.multimeter_tables:
        if mm is not g:
            continue
        tr = kernel.net.traces(name)
        n_t, n_ids = len(tr["times_ms"]), len(offsets)
        part = {"senders": np.tile(np.asarray(offsets, dtype=np.int64) + group.first, n_t),
                "times": np.repeat(tr["times_ms"], n_ids)}
        for v in g.params["record_from"]:
            part[v] = tr[v].reshape(-1)
        parts.append(part)
    if not parts:
        return empty
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keep = out["times"] > g.cleared_at
    order = np.lexsort((out["senders"][keep], out["times"][keep]))
    return {k: v[keep][order] for k, v in out.items()}


class SynapseCollection:
    """Connections as GetConnections returns them: get("source"), get("target"),
    get("weight"), get("delay"), get("synapse_model") as arrays, or get() for all."""

    def __init__(self, columns):
        self._c = columns

    def __len__(self):
        return len(self._c["source"])

    def get(self, keys=None, output=""):
        if output:
            raise NotImplementedError("get(output=%r)" % (output,))
        if keys is None:
            return dict(self._c)
        if isinstance(keys, str):
            return self._c[keys]
        return {k: self._c[k] for k in keys}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._c[name]
        except KeyError:
            raise AttributeError(name) from None
