"""Connect() in myelin's terms: NEST's conn_spec and syn_spec become myelin
projections (one per pair of source and target populations where the rule
allows splitting), Poisson generator devices, and the recorders' lists."""
import numpy as np

from .. import ModelError
from ._kernel import CURRENT_GENERATORS, RECORDERS, kernel
from .random import Parameter

RULES = {
    "all_to_all": (),
    "one_to_one": (),
    "fixed_indegree": ("indegree",),
    "fixed_outdegree": ("outdegree",),
    "fixed_total_number": ("N",),
    "pairwise_bernoulli": ("p",),
}


def conn_table(conn_spec):
    if conn_spec is None:
        conn_spec = "all_to_all"
    if isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    spec = dict(conn_spec)
    rule = spec.pop("rule", "all_to_all")
    if rule not in RULES:
        raise NotImplementedError("conn_spec rule %r is not supported by myelin.nest (it has: %s)"
                                  % (rule, ", ".join(RULES)))
    table = {"kind": rule}
    for key in RULES[rule]:
        if key not in spec:
            raise ModelError("conn_spec: rule %s needs %r" % (rule, key))
        value = spec.pop(key)
        if isinstance(value, Parameter) or np.ndim(value) != 0:
            raise NotImplementedError("conn_spec %s: only a number" % key)
        table[key] = value.item() if hasattr(value, "item") else value
    for key in ("allow_autapses", "allow_multapses"):
        table[key] = bool(spec.pop(key, True))
    if spec:
        raise NotImplementedError("conn_spec keys %s are not supported by myelin.nest" % sorted(spec))
    return table


def syn_table(syn_spec):
    """(the model name as given, myelin's synapse table)."""
    if syn_spec is None:
        syn_spec = {}
    if isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    spec = dict(syn_spec)
    name = spec.pop("synapse_model", "static_synapse")
    m = kernel.model(name)
    if m["kind"] != "synapse":
        raise ModelError("syn_spec: %s is not a synapse model" % name)
    values = dict(m["params"])
    if spec:
        kernel.check_params(name, {k: v for k, v in spec.items() if k != "receptor_type"})
    values.update(spec)
    table = {"model": m["base"]}
    for key, value in values.items():
        if isinstance(value, Parameter):
            if key not in ("weight", "delay"):
                raise NotImplementedError("syn_spec %s: a distribution (only weight and delay can be drawn)"
                                          % key)
            table[key] = value.table()
        elif np.ndim(value) != 0:
            if key not in ("weight", "delay"):
                raise NotImplementedError("syn_spec %s: an array (only weight and delay can be arrays)" % key)
            table[key] = np.asarray(value, dtype=float)  # cut per projection by connect()
        elif key == "receptor_type":
            if int(value) != 0:
                table["receptor"] = int(value)
        else:
            table[key] = float(value)
    return name, table


def connect(pre, post, conn_spec, syn_spec):
    kernel.frozen("Connect")
    if len(pre) == 0 or len(post) == 0:
        return
    pre_groups = [g for g, _ in pre._by_group()]
    post_groups = [g for g, _ in post._by_group()]
    post_kinds = {g.kind for g in post_groups}
    pre_kinds = {g.kind for g in pre_groups}
    if post_kinds == {"spike_recorder"}:
        return record_spikes(pre, post, syn_spec)
    if pre_kinds <= {"multimeter", "voltmeter"}:
        return sample(pre, post)
    if post_kinds & set(RECORDERS) or pre_kinds & set(RECORDERS):
        raise NotImplementedError("Connect between these devices and nodes (%s -> %s)"
                                  % (sorted(pre_kinds), sorted(post_kinds)))
    if post_kinds != {"neuron"}:
        raise NotImplementedError("Connect to %s: myelin connects to neurons only" % sorted(post_kinds))
    if pre_kinds == {"poisson_generator"}:
        return drive(pre, post, conn_spec, syn_spec)
    if len(pre_kinds) == 1 and pre_kinds <= set(CURRENT_GENERATORS):
        return inject(pre, post, conn_spec, syn_spec)
    if not pre_kinds <= {"neuron", "spike_generator"}:
        raise NotImplementedError("Connect from %s" % sorted(pre_kinds))
    rule = conn_table(conn_spec)
    model_name, synapse = syn_table(syn_spec)
    sources = pre._whole_groups("Connect")
    targets = post._whole_groups("Connect")
    kind = rule["kind"]
    if kind == "one_to_one":
        if len(pre) != len(post):
            raise ModelError("one_to_one needs as many sources as targets (%d, %d)" % (len(pre), len(post)))
        if [g.n for g in sources] != [g.n for g in targets]:
            raise NotImplementedError("one_to_one across Create calls of different sizes")
        pairs = list(zip(sources, targets))
    elif kind in ("all_to_all", "pairwise_bernoulli"):
        pairs = [(s, t) for s in sources for t in targets]
    elif kind == "fixed_indegree":
        if len(sources) != 1:
            raise NotImplementedError("fixed_indegree from the nodes of several Create calls (the in-degree "
                                      "is drawn from one population in myelin)")
        pairs = [(sources[0], t) for t in targets]
    elif kind == "fixed_outdegree":
        if len(targets) != 1:
            raise NotImplementedError("fixed_outdegree onto the nodes of several Create calls")
        pairs = [(s, targets[0]) for s in sources]
    else:
        if len(sources) != 1 or len(targets) != 1:
            raise NotImplementedError("fixed_total_number between the nodes of several Create calls")
        pairs = [(sources[0], targets[0])]
    offsets = {id(g): o for o, g in zip(np.cumsum([0] + [g.n for g in sources])[:-1], sources)}
    offsets.update({("t", id(g)): o for o, g in zip(np.cumsum([0] + [g.n for g in targets])[:-1], targets)})
    for s, t in pairs:
        table = dict(synapse)
        for key in ("weight", "delay"):
            if isinstance(table.get(key), np.ndarray):
                table[key] = cut(table[key], key, rule, len(pre), len(post), s, t, offsets[id(s)],
                                 offsets["t", id(t)])
        projection = {"source": s.population, "target": t.population, "rule": dict(rule), "synapse": table}
        kernel.projections.append((projection, model_name))


def cut(values, key, rule, n_pre, n_post, s, t, s_at, t_at):
    """The part of a syn_spec array that projection s -> t gets, flattened in
    myelin's order (per target, or per source for fixed_outdegree), which is
    the row order of NEST's arrays: one_to_one (n,), all_to_all (post, pre),
    fixed_indegree (post, indegree), fixed_outdegree (pre, outdegree)."""
    kind = rule["kind"]
    shapes = {"one_to_one": (n_pre,), "all_to_all": (n_post, n_pre), "fixed_indegree": (n_post, rule.get("indegree")),
              "fixed_outdegree": (n_pre, rule.get("outdegree"))}
    if kind not in shapes:
        raise NotImplementedError("syn_spec %s: an array with rule %s (the number of connections is drawn)"
                                  % (key, kind))
    if values.shape != shapes[kind]:
        raise ModelError("syn_spec %s: an array of shape %s for rule %s; NEST's shape is %s"
                         % (key, values.shape, kind, shapes[kind]))
    if kind == "all_to_all" and s is t and not rule["allow_autapses"]:
        raise NotImplementedError("syn_spec %s: an all_to_all array within one population without autapses" % key)
    if kind == "one_to_one":
        return values[s_at:s_at + s.n]
    if kind == "all_to_all":
        return values[t_at:t_at + t.n, s_at:s_at + s.n].reshape(-1)
    if kind == "fixed_indegree":
        return values[t_at:t_at + t.n].reshape(-1)
    return values[s_at:s_at + s.n].reshape(-1)


def drive(pre, post, conn_spec, syn_spec):
    """Poisson generators into whole populations: a myelin poisson_generator
    device (an independent train for every target, as NEST's)."""
    rule = conn_table(conn_spec)
    if rule["kind"] != "all_to_all":
        raise NotImplementedError("poisson_generator connected with %s (myelin.nest supports all_to_all)"
                                  % rule["kind"])
    model_name, synapse = syn_table(syn_spec)
    for key in ("weight", "delay"):
        if isinstance(synapse.get(key), dict):
            raise NotImplementedError("poisson_generator: a drawn %s (myelin's devices take one)" % key)
    if synapse["model"] != "static_synapse":
        raise NotImplementedError("poisson_generator through %s (myelin's devices use static synapses)"
                                  % model_name)
    targets = post._whole_groups("Connect")
    for pg in pre._whole_groups("Connect"):
        kernel.generator_links.append((pg, targets, synapse["weight"], synapse["delay"], model_name))
        count(model_name, pg.n * len(post))


def inject(pre, post, conn_spec, syn_spec):
    """Current generators into whole populations: a myelin current device
    (NEST's weight scales the current; the delay is NEST's)."""
    rule = conn_table(conn_spec)
    if rule["kind"] != "all_to_all":
        raise NotImplementedError("a current generator connected with %s (myelin.nest supports all_to_all)"
                                  % rule["kind"])
    model_name, synapse = syn_table(syn_spec)
    for key in ("weight", "delay"):
        if isinstance(synapse.get(key), (dict, np.ndarray)):
            raise NotImplementedError("a current generator: a drawn or listed %s (myelin's devices take one)" % key)
    if synapse["model"] != "static_synapse":
        raise NotImplementedError("a current generator through %s (devices use static synapses)" % model_name)
    targets = post._whole_groups("Connect")
    for g in pre._whole_groups("Connect"):
        kernel.current_links.append((g, targets, synapse["weight"], synapse["delay"]))
        count(model_name, g.n * len(post))


def record_spikes(pre, post, syn_spec):
    model_name = syn_table(syn_spec)[0]
    for recorder, _ in post._by_group():
        for g, offsets in pre._by_group():
            if g.kind not in ("neuron", "spike_generator"):
                raise NotImplementedError("a spike_recorder records neurons and spike generators, not %s"
                                          % g.model)
            recorder.recorded.extend((offsets + g.first).tolist())
        count(model_name, len(pre))


def sample(pre, post):
    for g, _ in post._by_group():
        if g.kind != "neuron":
            raise NotImplementedError("a multimeter samples neurons, not %s" % g.model)
    for meter, _ in pre._by_group():
        meter.recorded.extend(post.tolist())
        count("static_synapse", len(post))


def count(model_name, n):
    kernel.device_counts[model_name] = kernel.device_counts.get(model_name, 0) + n
