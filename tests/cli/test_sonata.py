"""SONATA circuits: the public example circuits (data/sonata) load with the node and edge
counts, weights, delays and model parameters their files hold (read here with
h5py), the ten-cell spike-input example produces the membrane potentials its
input spikes imply (closed-form alpha PSPs), outputs carry the circuit's
population names and node ids, TOML models can include a circuit, and broken
files give exit code 2 with the file, the key and the reason."""
import json
import math
import os
import re
import shutil

import h5py
import numpy as np

from common import SOURCE, Failures, myelin, sorted_spikes, temp_dir

DATA = os.environ.get("MYELIN_SONATA_DATA", os.path.join(SOURCE, "data", "sonata"))
if not os.path.isdir(DATA):
    raise SystemExit(f"SONATA test data not found at {DATA} (set MYELIN_SONATA_DATA)")
P300 = os.path.join(DATA, "300_pointneurons")
TEN = os.path.join(DATA, "sim_tests", "intfire", "ten_cells_spikes_nest", "input")
ICLAMP = os.path.join(DATA, "sim_tests", "intfire", "ten_cells_iclamp_nest", "input")
CELLS = os.path.join(DATA, "sim_tests", "shared_components", "nest_models", "cell_models")
SYNAPSES = os.path.join(DATA, "sim_tests", "shared_components", "nest_models", "synaptic_models")

f = Failures()


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def types_csv(path):
    """A node- or edge-types CSV as {type id: {column: value}}."""
    with open(path) as fh:
        rows = [line.split() for line in fh if line.strip()]
    return {int(r[0]): dict(zip(rows[0], r)) for r in rows[1:]}


def check_output(model, *extra):
    r = myelin("check", model, *extra)
    f.check(r.returncode == 0, f"check {model}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def parts_from_check(out):
    """{part name: (size, model, params, per-neuron ranges, init, sonata population, first id)} from
    `myelin check`."""
    parts, name = {}, None
    for line in out.splitlines():
        m = re.match(r"    (\S+)\s+(\d+)  (\S+)$", line)
        if m:
            name = m.group(1)
            parts[name] = {"size": int(m.group(2)), "model": m.group(3), "params": {}, "init": {},
                           "arrays": {}, "population": name, "first": 0}
            continue
        m = re.match(r"      per neuron:(.*)$", line)
        if m and name:
            for kv in m.group(1).split():
                k, lo, hi = re.match(r"(\S+)=\[(\S+)\.\.(\S+)\]$", kv).groups()
                parts[name]["arrays"][k] = (float(lo), float(hi))
            continue
        m = re.match(r"      (params|init):(.*)$", line)
        if m and name:
            for kv in m.group(2).split():
                k, v = kv.split("=")
                parts[name][m.group(1)][k] = float(v)
            continue
        m = re.match(r"      SONATA population (\S+), node ids (\d+)\.\.(\d+)$", line)
        if m and name:
            parts[name]["population"], parts[name]["first"] = m.group(1), int(m.group(2))
        if line.startswith("  projections"):
            name = None
    return parts


def expected_connections(edge_files, first_gid, edge_types_files, default_delay=1.0):
    """(target gid, source gid, delay, weight as float32) of every edge, sorted, read with h5py."""
    rows = []
    for path, types_path in zip(edge_files, edge_types_files):
        types = types_csv(types_path)
        with h5py.File(path) as h:
            for pop in h["edges"]:
                e = h["edges"][pop]
                src = e["source_node_id"][:] + first_gid[text(e["source_node_id"].attrs["node_population"])]
                tgt = e["target_node_id"][:] + first_gid[text(e["target_node_id"].attrs["node_population"])]
                tid = e["edge_type_id"][:]
                gi = e["edge_group_index"][:]
                g = e["0"]
                w = g["syn_weight"][:][gi] if "syn_weight" in g else np.array(
                    [float(types[t].get("syn_weight", 1.0)) for t in tid])
                if "nsyns" in g:
                    w = w * g["nsyns"][:][gi]
                d = np.array([float(types[t]["delay"]) if "delay" in types[t] else default_delay for t in tid])
                for k in range(len(src)):
                    rows.append((int(tgt[k]), int(src[k]), float(d[k]), float(np.float32(w[k]))))
    return sorted(rows)


def connections_file(path):
    with h5py.File(path) as h:
        c = h["connections"]
        rows = sorted(zip(c["target"][:].tolist(), c["source"][:].tolist(),
                          [round(x, 9) for x in c["delay"][:].tolist()], c["weight"][:].tolist()))
        names = text(h["populations"].attrs["names"]).split(",")
        pops = dict(zip(names, zip(h["populations/first_gid"][:].tolist(), h["populations/size"][:].tolist())))
    return rows, pops


def check_circuit(label, model, node_files, edge_files, edge_type_files, cell_dir):
    """Counts, connections and parameters of a loaded circuit against its files."""
    out_dir = temp_dir()
    out = check_output(model, "--connections", os.path.join(out_dir, "c.h5"))
    got, pops = connections_file(os.path.join(out_dir, "c.h5"))
    # Populations: in circuit order (nodes files in order, populations by name), sizes from the files.
    first_gid, at, node_types = {}, 0, {}
    for nodes_path, types_path in node_files:
        types = types_csv(types_path)
        with h5py.File(nodes_path) as h:
            for pop in sorted(h["nodes"]):
                n = len(h["nodes"][pop]["node_type_id"])
                first_gid[pop] = at
                node_types[pop] = (h["nodes"][pop]["node_type_id"][:], types)
                f.check(pops.get(pop) == (at, n), f"{label}: population {pop} at gid {at} with {n} nodes, got {pops.get(pop)}")
                at += n
    want = expected_connections(edge_files, first_gid, edge_type_files)
    want = [(t, s, round(d, 9), w) for t, s, d, w in want]
    f.check(len(got) == len(want), f"{label}: {len(got)} synapses built, the files hold {len(want)}")
    f.check(got == want, f"{label}: synapses (source, target, weight, delay) differ from the files")
    # Parameters: every node of a part has the model and dynamics_params the part carries.
    parts = parts_from_check(out)
    for name, p in parts.items():
        pop = p["population"]
        type_ids, types = node_types[pop]
        for type_id in set(type_ids[p["first"]:p["first"] + p["size"]].tolist()):
            row = types[int(type_id)]
            if row["model_type"] == "virtual":
                f.check(p["model"] == "spike_source", f"{label}: {name} should be a spike_source, is {p['model']}")
                continue
            f.check(p["model"] == row["model_template"].split(":")[1], f"{label}: {name} model {p['model']}")
            with open(os.path.join(cell_dir, row["dynamics_params"])) as fh:
                params = json.load(fh)
            for k, v in params.items():
                if k in p["arrays"]:  # differs between the part's nodes: held per neuron
                    lo, hi = p["arrays"][k]
                    f.check(lo - 1e-9 * abs(lo) <= v <= hi + 1e-9 * abs(hi),
                            f"{label}: {name}.{k} per neuron in [{lo}, {hi}], node type {type_id}'s file says {v}")
                    continue
                f.check(math.isclose(p["params"].get(k, math.nan), v, rel_tol=1e-12),
                        f"{label}: {name}.{k} = {p['params'].get(k)}, node type {type_id}'s file says {v}")
            f.check(p["init"].get("V_m") == -70.0, f"{label}: {name} starts at V_m {p['init'].get('V_m')}, NEST's -70")
    f.check(sum(p["size"] for p in parts.values()) == sum(n for _, n in pops.values()), f"{label}: parts cover the nodes")
    return parts


def edit_text(path, old, new):
    with open(path) as fh:
        text = fh.read()
    with open(path, "w") as fh:
        fh.write(text.replace(old, new))


# --- 1. The 300-cell circuit --------------------------------------------------------------------
net = os.path.join(P300, "network")
parts = check_circuit(
    "300_pointneurons", os.path.join(P300, "simulation_config.json"),
    [(os.path.join(net, "internal_nodes.h5"), os.path.join(net, "internal_node_types.csv")),
     (os.path.join(net, "external_nodes.h5"), os.path.join(net, "external_node_types.csv"))],
    [os.path.join(net, "internal_internal_edges.h5"), os.path.join(net, "external_internal_edges.h5")],
    [os.path.join(net, "internal_internal_edge_types.csv"), os.path.join(net, "external_internal_edge_types.csv")],
    os.path.join(DATA, "shared_components", "nest_models", "cell_models"))
f.check(sum(p["size"] for p in parts.values() if p["population"] == "internal") == 300, "300 internal cells")
f.check(len([p for p in parts.values() if p["population"] == "internal"]) == 1,
        "one population: its five node types differ in parameters only (held per neuron)")
f.check(set(parts["internal"]["arrays"]) == {"C_m", "E_L", "V_reset", "V_th", "tau_m"},
        f"per-neuron parameters: {parts['internal']['arrays']}")
r = myelin("check", os.path.join(P300, "simulation_config.json"))
f.check("gives no delay; using NEST's default, 1 ms" in r.stderr, f"warns about the missing delay: {r.stderr}")

# Run: spikes under /spikes/internal with the circuit's node ids, the config's report.
out = temp_dir()
r = myelin("run", os.path.join(SOURCE, "examples", "sonata_300", "simulation_config.json"), "-o", out,
           "--quiet", "--threads", "2")
f.check(r.returncode == 0, f"sonata_300 runs: {r.stderr}")
with h5py.File(os.path.join(out, "spikes.h5")) as h:
    f.check(list(h["spikes"]) == ["internal"], f"spike groups {list(h['spikes'])}: only the non-virtual population")
    ids = h["spikes/internal/node_ids"][:]
    f.check(len(ids) > 1000 and ids.min() >= 0 and ids.max() < 300 and len(set(ids.tolist())) > 250,
            f"{len(ids)} spikes over node ids {ids.min()}..{ids.max()}")
with h5py.File(os.path.join(out, "membrane_potential.h5")) as h:
    f.check(h["report/internal/mapping/node_ids"][:].tolist() == [0, 80, 160, 240, 270], "report cells = node set")
    f.check(h["report/internal/data"].shape == (150000, 5), f"report shape {h['report/internal/data'].shape}")
spikes_1 = sorted_spikes(out)
out4 = temp_dir()
myelin("run", os.path.join(SOURCE, "examples", "sonata_300", "simulation_config.json"), "-o", out4, "--quiet",
       "--threads", "5", check=True)
f.check(sorted_spikes(out4) == spikes_1, "300 cells: 2 and 5 threads give the same spikes")

# --- 2. Ten cells driven by 17 input spikes: V_m against closed-form alpha PSPs ------------------
out = temp_dir()
r = myelin("run", os.path.join(TEN, "config.json"), "-o", out, "--quiet")
f.check(r.returncode == 0, f"ten cells run: {r.stderr}")
with h5py.File(os.path.join(TEN, "external_spike_trains.h5")) as h:
    in_ids, in_times = h["spikes/gids"][:], h["spikes/timestamps"][:]
with h5py.File(os.path.join(TEN, "network", "pre_post_edges.h5")) as h:
    e = h["edges/pre_to_post"]
    src, tgt, w = e["source_node_id"][:], e["target_node_id"][:], e["0/syn_weight"][:][e["edge_group_index"][:]]
with open(os.path.join(CELLS, "472363762_point.json")) as fh:
    cell = json.load(fh)
delay = float(types_csv(os.path.join(TEN, "network", "pre_post_edge_types.csv"))[100]["delay"])
tau_m, C, E_L, tau_s, V0 = cell["tau_m"], cell["C_m"], cell["E_L"], 2.0, -70.0  # NEST defaults: tau_syn_ex, V_m
dt = 0.001
with h5py.File(os.path.join(out, "membrane_potential.h5")) as h:
    data = h["report/post/data"][:]
    start, _, step = h["report/post/mapping/time"][:]
    node_ids = h["report/post/mapping/node_ids"][:]
with h5py.File(os.path.join(out, "spikes.h5")) as h:
    f.check(len(h["spikes/post/timestamps"]) == 0, "the inputs leave every cell below threshold")
t = start + step * np.arange(data.shape[0])
a = 1 / tau_s - 1 / tau_m
worst = 0.0
for col, node in enumerate(node_ids):
    v = E_L + (V0 - E_L) * np.exp(-t / tau_m)
    for k in np.nonzero(tgt == node)[0]:
        for ts in in_times[in_ids == src[k]]:
            grid = math.ceil(round(round(ts * 1000) / 1000 / dt, 6)) * dt  # to the microsecond, then up to the grid
            s = np.clip(t - (grid + delay), 0, None)
            amp = w[k] * math.e / tau_s / C
            v += np.where(t >= grid + delay, amp * (np.exp(-s / tau_m) - np.exp(-s / tau_s) * (1 + a * s)) / a**2, 0)
    worst = max(worst, float(np.max(np.abs(data[:, col] - v))))
    passive = E_L + (V0 - E_L) * np.exp(-t / tau_m)
    f.check(float(np.max(v - passive)) > 0.1, f"node {node}: the inputs move V_m ({np.max(v - passive)} mV)")
f.check(worst < 2e-4, f"ten cells: V_m within 2e-4 mV of the closed form (worst {worst:.2e} mV)")

# --- 3. The current-clamp circuit: nsyns multiplies syn_weight -------------------------------------
r = myelin("check", os.path.join(ICLAMP, "circuit_config.json"))
f.check(r.returncode == 2 and "472363762_point.json" in r.stderr and "cannot be opened" in r.stderr,
        f"the shipped iclamp config names a components dir that is not there: {r.returncode} {r.stderr}")
fixed = temp_dir()
inet = os.path.join(ICLAMP, "network")
with open(os.path.join(fixed, "circuit_config.json"), "w") as fh:
    json.dump({"components": {"point_neuron_models_dir": CELLS, "synaptic_models_dir": SYNAPSES},
               "networks": {"nodes": [{"nodes_file": os.path.join(inet, "ten_cells_iclamp_nodes.h5"),
                                       "node_types_file": os.path.join(inet, "ten_cells_iclamp_node_types.csv")}],
                            "edges": [{"edges_file": os.path.join(inet, "ten_cells_iclamp_ten_cells_iclamp_edges.h5"),
                                       "edge_types_file": os.path.join(
                                           inet, "ten_cells_iclamp_ten_cells_iclamp_edge_types.csv")}]}}, fh)
check_circuit("ten_cells_iclamp", os.path.join(fixed, "circuit_config.json"),
              [(os.path.join(inet, "ten_cells_iclamp_nodes.h5"), os.path.join(inet, "ten_cells_iclamp_node_types.csv"))],
              [os.path.join(inet, "ten_cells_iclamp_ten_cells_iclamp_edges.h5")],
              [os.path.join(inet, "ten_cells_iclamp_ten_cells_iclamp_edge_types.csv")], CELLS)
with open(os.path.join(ICLAMP, "simulation_config.json")) as fh:
    sim = json.load(fh)
sim["network"] = os.path.join(fixed, "circuit_config.json")
sim["node_sets_file"] = os.path.join(ICLAMP, "node_sets.json")
with open(os.path.join(fixed, "simulation_config.json"), "w") as fh:
    json.dump(sim, fh)
# The clamp (190 pA from 100 to 900 ms into the "e" cells, BMTK PointNet's
# step_current_generator with a one-step delay) splits the population into the
# clamped and the other cells; until their first spike the clamped cells follow
# the closed form, the others rest.
iout = temp_dir()
sim["output"]["output_dir"] = iout
with open(os.path.join(fixed, "simulation_config.json"), "w") as fh:
    json.dump(sim, fh)
r = myelin("run", os.path.join(fixed, "simulation_config.json"), "--quiet")
f.check(r.returncode == 0, f"the current-clamp simulation runs: {r.stderr}")
with open(os.path.join(CELLS, "472363762_point.json")) as fh:
    cell = json.load(fh)
clamp = sim["inputs"]["current_clamp_1"]
types = types_csv(os.path.join(inet, "ten_cells_iclamp_node_types.csv"))
with h5py.File(os.path.join(inet, "ten_cells_iclamp_nodes.h5")) as h:
    node_types = h["nodes/ten_cells_iclamp/node_type_id"][:]
clamped = {i for i, t in enumerate(node_types) if types[int(t)]["ei"] == "e"}
dt, tau_m, C, E_L, V0 = sim["run"]["dt"], cell["tau_m"], cell["C_m"], cell["E_L"], -70.0
on, off = clamp["delay"] + dt, clamp["delay"] + clamp["duration"] + dt  # NEST: the change + the connection delay
with h5py.File(os.path.join(iout, "spikes.h5")) as h:
    times, ids = h["spikes/ten_cells_iclamp/timestamps"][:], h["spikes/ten_cells_iclamp/node_ids"][:]
with h5py.File(os.path.join(iout, "membrane_potential.h5")) as h:
    data = h["report/ten_cells_iclamp/data"][:]
    start, _, step = h["report/ten_cells_iclamp/mapping/time"][:]
    node_ids = h["report/ten_cells_iclamp/mapping/node_ids"][:]
t = start + step * np.arange(data.shape[0])
first = times.min() if len(times) else np.inf
f.check(set(ids[times == first].tolist()) <= clamped, f"the clamped cells fire first: {sorted(set(ids.tolist()))}")
before = t < first
worst = 0.0
for col, node in enumerate(node_ids):
    v = E_L + (V0 - E_L) * np.exp(-t / tau_m)
    if node in clamped:
        s = np.clip(t - on, 0, None)
        v = v + clamp["amp"] * tau_m / C * (1 - np.exp(-s / tau_m))
    worst = max(worst, float(np.max(np.abs(data[before, col] - v[before]))))
f.check(worst < 1e-5, f"current clamp: V_m follows the closed form until the first spike (the report holds "
                     f"float32; worst {worst:.2e} mV)")
theta = cell["V_th"]
rise = lambda tt: E_L + (V0 - E_L) * math.exp(-tt / tau_m) + clamp["amp"] * tau_m / C * (1 - math.exp(-(tt - on) / tau_m))
lo, hi = on, off
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if rise(mid) < theta else (lo, mid)
f.check(abs(first - math.ceil(hi / dt - 1e-9) * dt) < 1e-9, f"first spike at {first} ms, closed form {hi} ms")
for change, key in (({"input_file": "amps.h5"}, "inputs.current_clamp_1.input_file"),
                    ({"delay": 100.005}, "inputs.current_clamp_1"),
                    ({"module": "SEClamp"}, "inputs.current_clamp_1.module"),
                    ({"duration": -1.0}, "inputs.current_clamp_1.duration")):
    bad = json.loads(json.dumps(sim))
    bad["inputs"]["current_clamp_1"].update(change)
    with open(os.path.join(fixed, "bad_simulation_config.json"), "w") as fh:
        json.dump(bad, fh)
    r = myelin("check", os.path.join(fixed, "bad_simulation_config.json"))
    f.check(r.returncode == 2 and key + ":" in r.stderr, f"current clamp {change}: exit 2 naming {key}: {r.stderr}")


# The same clamp as a table (BMTK's input_type "csv": a header, then time and amplitude per change)
# gives the same files, byte for byte; bad tables give exit 2 naming the file and the row or column.
def run_clamp_table(rows, change=None):
    table = os.path.join(fixed, "clamp.csv")
    with open(table, "w") as fh:
        fh.write("timestamps amps\n" + "".join(f"{t} {a}\n" for t, a in rows))
    as_table = json.loads(json.dumps(sim))
    as_table["inputs"]["current_clamp_1"] = {"input_type": "csv", "module": "IClamp", "file": table,
                                             "node_set": clamp["node_set"], **(change or {})}
    as_table["output"]["output_dir"] = temp_dir()
    with open(os.path.join(fixed, "table_simulation_config.json"), "w") as fh:
        json.dump(as_table, fh)
    return myelin("run", os.path.join(fixed, "table_simulation_config.json"), "--quiet"), as_table["output"]["output_dir"]


r, tout = run_clamp_table([(clamp["delay"], clamp["amp"]), (clamp["delay"] + clamp["duration"], 0.0)])
f.check(r.returncode == 0, f"a clamp from a csv table runs: {r.stderr}")
for name in ("spikes.h5", "membrane_potential.h5"):
    if r.returncode == 0:
        with h5py.File(os.path.join(iout, name)) as a, h5py.File(os.path.join(tout, name)) as b:
            group = "spikes" if name == "spikes.h5" else "report"
            same = all(np.array_equal(a[f"{group}/ten_cells_iclamp/{k}"][:], b[f"{group}/ten_cells_iclamp/{k}"][:])
                       for k in (("timestamps", "node_ids") if group == "spikes" else ("data",)))
            f.check(same, f"{name}: the csv clamp equals the amp/delay/duration clamp")
for rows, change, want in (([(100.0, 190.0)], None, "two or more rows"),
                           ([(100.0, "x"), (900.0, 0.0)], None, "row 2, amps"),
                           ([(100.0, 190.0), (900.0, 0.0)], {"amplitudes_column": "current"}, "no column 'current'")):
    r, _ = run_clamp_table(rows, change)
    f.check(r.returncode == 2 and "clamp.csv" in r.stderr and want in r.stderr,
            f"bad clamp table {rows} {change}: exit 2 with '{want}': {r.returncode} {r.stderr}")

# A clamp of nothing on part of a population with per-neuron parameters: the split parts keep each
# node's parameters (the spikes equal a run without the clamp).
zero = temp_dir()
with open(os.path.join(P300, "simulation_config.json")) as fh:
    cfg = json.load(fh)
cfg["manifest"]["$BASE_DIR"] = P300
cfg["run"]["tstop"] = 300.0
with open(os.path.join(P300, "node_sets.json")) as fh:
    sets = json.load(fh)
sets["some_internal"] = {"population": "internal", "node_id": list(range(60, 130))}
with open(os.path.join(zero, "node_sets.json"), "w") as fh:
    json.dump(sets, fh)
cfg["node_sets_file"] = os.path.join(zero, "node_sets.json")
plain = json.loads(json.dumps(cfg))
plain["output"]["output_dir"] = os.path.join(zero, "plain")
cfg["inputs"]["nothing"] = {"input_type": "current_clamp", "module": "IClamp", "node_set": "some_internal",
                            "amp": 0.0, "delay": 10.0, "duration": 100.0}
cfg["output"]["output_dir"] = os.path.join(zero, "clamped")
for name, c in (("plain.json", plain), ("clamped.json", cfg)):
    with open(os.path.join(zero, name), "w") as fh:
        json.dump(c, fh)
    myelin("run", os.path.join(zero, name), "--quiet", check=True)
f.check(sorted_spikes(os.path.join(zero, "clamped")) == sorted_spikes(os.path.join(zero, "plain")),
        "a zero clamp on part of a population with per-neuron parameters changes no spike")


# --- 4. The edge-index example: float group ids, both index directions, no index -------------------
def index_circuit(directory, drop_index):
    """The 33-edge example between two 5-node populations, made loadable (it has no node_population
    attributes and no edge types): edge types and attributes added, the rest as shipped."""
    edges = os.path.join(directory, "edges.h5")
    shutil.copy(os.path.join(DATA, "edges", "edge_index_example.h5"), edges)
    with h5py.File(edges, "a") as h:
        e = h["edges/example"]
        e["source_node_id"].attrs["node_population"] = "a"
        e["target_node_id"].attrs["node_population"] = "b"
        e["edge_type_id"] = np.full(33, 7, dtype=np.uint16)
        e["0/syn_weight"] = np.arange(33, dtype=np.float64) * 0.5 + 1.0
        e["0/delay"] = np.arange(33, dtype=np.float32) * 0.1 + 0.5
        if drop_index:
            del e["indices"]
    for pop in "ab":
        with h5py.File(os.path.join(directory, f"{pop}.h5"), "w") as h:
            h.create_dataset(f"nodes/{pop}/node_type_id", data=np.full(5, 1, dtype=np.int8))
    with open(os.path.join(directory, "a.csv"), "w") as fh:
        fh.write("node_type_id model_type\n1 virtual\n")
    with open(os.path.join(directory, "b.csv"), "w") as fh:
        fh.write("node_type_id model_type model_template\n1 point_process nest:iaf_psc_exp\n")
    with open(os.path.join(directory, "edges.csv"), "w") as fh:
        fh.write("edge_type_id model_template\n7 static_synapse\n")
    config = os.path.join(directory, "circuit.json")
    with open(config, "w") as fh:
        json.dump({"networks": {"nodes": [{"nodes_file": "a.h5", "node_types_file": "a.csv"},
                                          {"nodes_file": "b.h5", "node_types_file": "b.csv"}],
                                "edges": [{"edges_file": "edges.h5", "edge_types_file": "edges.csv"}]}}, fh)
    return config, edges


for drop in (False, True):
    d = temp_dir()
    config, edges = index_circuit(d, drop)
    out = check_output(config, "--connections", os.path.join(d, "c.h5"))
    got, pops = connections_file(os.path.join(d, "c.h5"))
    with h5py.File(edges) as h:
        e = h["edges/example"]
        gi = e["edge_group_index"][:]
        # Delays land on the grid of the default dt, 0.1 ms.
        want = sorted((5 + int(t), int(s), round(round(float(dl) / 0.1) * 0.1, 9), float(np.float32(w)))
                      for s, t, w, dl in zip(e["source_node_id"][:], e["target_node_id"][:],
                                             e["0/syn_weight"][:][gi], e["0/delay"][:][gi]))
    label = "without its index" if drop else "with its index"
    f.check(got == want, f"edge index example {label}: 33 edges as in the file")

# A damaged index: a range ending far beyond range_to_edge_id (once a 2 GiB allocation; fuzz_sonata).
d = temp_dir()
config, edges = index_circuit(d, False)
with h5py.File(edges, "a") as h:
    h["edges/example/indices/target_to_source/node_id_to_range"][2, 1] = 1 << 40
r = myelin("check", config)
f.check(r.returncode == 2 and "node_id_to_range" in r.stderr and "within the 11 rows" in r.stderr,
        f"an index range beyond range_to_edge_id: exit {r.returncode}: {r.stderr.strip()[-300:]}")

# --- 4b. receptor_type: edge types choose a port of a multisynapse target ----------------------------
def receptor_circuit(directory, receptor):
    """The edge-index example with multisynapse targets (tau_syn [1, 5]) and edge type 7 on `receptor`;
    every virtual node fires once, at 10 ms; a report of both port currents."""
    config, edges = index_circuit(directory, False)
    with open(os.path.join(directory, "b.csv"), "w") as fh:
        fh.write("node_type_id model_type model_template dynamics_params\n"
                 "1 point_process nest:iaf_psc_exp_multisynapse b.json\n")
    with open(os.path.join(directory, "b.json"), "w") as fh:
        json.dump({"tau_syn": [1.0, 5.0], "V_th": 1000.0}, fh)
    with open(os.path.join(directory, "edges.csv"), "w") as fh:
        fh.write(f"edge_type_id model_template receptor_type\n7 static_synapse {receptor}\n")
    with h5py.File(os.path.join(directory, "in.h5"), "w") as h:
        h["spikes/a/timestamps"] = np.full(5, 10.0)
        h["spikes/a/node_ids"] = np.arange(5, dtype=np.uint64)
    with open(os.path.join(directory, "sets.json"), "w") as fh:
        json.dump({"a": {"population": "a"}, "b": {"population": "b"}}, fh)
    sim = os.path.join(directory, "sim.json")
    with open(sim, "w") as fh:
        json.dump({"network": config, "run": {"tstop": 30.0, "dt": 0.1}, "node_sets_file": "sets.json",
                   "inputs": {"in": {"input_type": "spikes", "module": "h5", "input_file": "in.h5",
                                     "node_set": "a"}},
                   "output": {"output_dir": os.path.join(directory, "out")},
                   "reports": {"port1": {"cells": "b", "variable_name": "I_syn_1"},
                               "port2": {"cells": "b", "variable_name": "I_syn_2"}}}, fh)
    return sim, edges


d = temp_dir()
sim, edges = receptor_circuit(d, 2)
r = myelin("run", sim, "--quiet")
f.check(r.returncode == 0, f"a multisynapse circuit with receptor_type runs: {r.stderr}")
if r.returncode == 0:
    with h5py.File(edges) as h:
        e = h["edges/example"]
        gi = e["edge_group_index"][:]
        tgt, w, dl = e["target_node_id"][:], e["0/syn_weight"][:][gi], e["0/delay"][:][gi]
    with h5py.File(os.path.join(d, "out", "port2.h5")) as h:
        data = h["report/b/data"][:]
        start, _, step = h["report/b/mapping/time"][:]
        ids = h["report/b/mapping/node_ids"][:]
    with h5py.File(os.path.join(d, "out", "port1.h5")) as h:
        f.check(not np.any(h["report/b/data"][:]), "nothing reaches port 1")
    t = start + step * np.arange(data.shape[0])
    worst = 0.0
    for col, node in enumerate(ids):
        expected = np.zeros_like(t)
        for k in np.nonzero(tgt == node)[0]:
            arrive = 10.0 + round(float(dl[k]) / 0.1) * 0.1  # spike time + delay on the grid
            expected += np.where(t >= arrive - 1e-9, float(w[k]) * np.exp(-(t - arrive) / 5.0), 0.0)
        # Reports hold float32: relative agreement to its precision.
        worst = max(worst, float(np.max(np.abs(data[:, col] - expected) / np.maximum(1.0, np.abs(expected)))))
    f.check(worst < 2e-7, f"receptor_type 2: port 2's current is the sum of its edges' exponentials "
                          f"(worst relative {worst:.1e})")
for receptor, why in ((3, "whose ports are 1..2"), (0, "whose ports are 1..2")):
    d = temp_dir()
    sim, _ = receptor_circuit(d, receptor)
    r = myelin("check", sim)
    f.check(r.returncode == 2 and "receptor_type" in r.stderr and why in r.stderr,
            f"receptor_type {receptor} onto a two-port target: {r.returncode} {r.stderr}")
d = temp_dir()
config, _ = index_circuit(d, False)
with open(os.path.join(d, "edges.csv"), "w") as fh:
    fh.write("edge_type_id model_template receptor_type\n7 static_synapse 1\n")
r = myelin("check", config)
f.check(r.returncode == 2 and "receptor_type" in r.stderr and "no typed receptor ports" in r.stderr,
        f"receptor_type onto iaf_psc_exp: {r.returncode} {r.stderr}")

# --- 5. A TOML model that includes a circuit --------------------------------------------------------
d = temp_dir()
model = os.path.join(d, "with_circuit.toml")
with open(model, "w") as fh:
    fh.write(f"""
[run]
dt = 0.01
duration = 200.0
[sonata]
circuit = "{os.path.join(P300, 'circuit_config.json')}"
[populations.drive]
model = "poisson_source"
size = 50
params = {{ rate = 20.0 }}
[[projections]]
source = "drive"
target = "internal"
rule = {{ kind = "fixed_indegree", indegree = 5 }}
synapse = {{ weight = 300.0, delay = 1.0 }}
[devices.noise]
model = "poisson_generator"
rate = 3000.0
targets = ["internal"]
weight = 40.0
delay = 1.0
[recorders.spikes]
kind = "spikes"
populations = ["internal"]
""")
out = temp_dir()
r = myelin("run", model, "-o", out, "--quiet", "--threads", "3")
f.check(r.returncode == 0, f"TOML with a SONATA circuit runs: {r.stderr}")
if r.returncode == 0:
    s = sorted_spikes(out)
    f.check(list(s) == ["internal"] and len(s["internal"]) > 100, f"spikes of the circuit: {list(s)}")
# Nodes of two models in one population: two parts, and a projection must name one.
mixed_dir = temp_dir()
mixed, _ = index_circuit(mixed_dir, False)
with h5py.File(os.path.join(mixed_dir, "b.h5"), "a") as h:
    h["nodes/b/node_type_id"][...] = np.array([1, 1, 2, 2, 2], dtype=np.int8)
with open(os.path.join(mixed_dir, "b.csv"), "w") as fh:
    fh.write("node_type_id model_type model_template\n1 point_process nest:iaf_psc_exp\n"
             "2 point_process nest:iaf_psc_delta\n")
mixed_parts = parts_from_check(check_output(mixed))
f.check({k: (p["size"], p["model"]) for k, p in mixed_parts.items() if p["population"] == "b"} ==
        {"b-0": (2, "iaf_psc_exp"), "b-2": (3, "iaf_psc_delta")}, f"a part per model: {mixed_parts}")
bad = os.path.join(mixed_dir, "bad.toml")
with open(bad, "w") as fh:
    fh.write(f"""
[sonata]
circuit = "{mixed}"
[populations.drive]
model = "poisson_source"
size = 5
params = {{ rate = 20.0 }}
[[projections]]
source = "drive"
target = "b"
rule = {{ kind = "all_to_all" }}
synapse = {{ weight = 10.0, delay = 1.0 }}
""")
r = myelin("check", bad)
f.check(r.returncode == 2 and "projections[0].target" in r.stderr and "b-0" in r.stderr,
        f"a projection onto a many-part SONATA population names its parts: {r.stderr}")


# --- 6. Broken SONATA: exit code 2, the file, the key, the reason -----------------------------------
def ten_copy():
    d = temp_dir()
    shutil.copytree(TEN, os.path.join(d, "input"))
    shutil.copytree(os.path.join(DATA, "sim_tests", "shared_components"), os.path.join(d, "shared_components"))
    with open(os.path.join(d, "input", "circuit_config.json")) as fh:
        cfg = json.load(fh)
    cfg["manifest"]["$COMPONENT_DIR"] = "../shared_components/nest_models"
    with open(os.path.join(d, "input", "circuit_config.json"), "w") as fh:
        json.dump(cfg, fh)
    return os.path.join(d, "input")


def expect_error(label, where, key, reason_words):
    for command in ("check", "run"):
        args = [command, os.path.join(where, "config.json")] + (["-o", temp_dir(), "--quiet"] if command == "run" else [])
        r = myelin(*args)
        msg = r.stderr.strip()
        f.check(r.returncode == 2, f"{label} ({command}): exit {r.returncode}, expected 2: {msg}")
        f.check(key in msg and all(w in msg for w in reason_words), f"{label} ({command}): message {msg!r}")


w = ten_copy()
f.check(myelin("check", os.path.join(w, "config.json")).returncode == 0, "the ten-cell copy is valid")
os.remove(os.path.join(w, "network", "post_nodes.h5"))
expect_error("missing nodes file", w, "post_nodes.h5", ["no such file"])

w = ten_copy()
with h5py.File(os.path.join(w, "network", "pre_post_edges.h5"), "a") as h:
    e = h["edges/pre_to_post"]
    attrs = dict(e["source_node_id"].attrs)
    values = e["source_node_id"][:]
    del e["source_node_id"]
    e["source_node_id"] = np.stack([values, values], axis=1)
    for k, v in attrs.items():
        e["source_node_id"].attrs[k] = v
expect_error("2-D source ids", w, "/edges/pre_to_post/source_node_id", ["wrong shape"])

w = ten_copy()
with h5py.File(os.path.join(w, "network", "pre_post_edges.h5"), "a") as h:
    h["edges/pre_to_post/target_node_id"][3] = 9
expect_error("edge to a missing node", w, "/edges/pre_to_post/target_node_id", ["node 9", "5 nodes"])

w = ten_copy()
edit_text(os.path.join(w, "network", "post_node_types.csv"), "nest:iaf_psc_alpha", "nest:hh_psc_alpha")
expect_error("unknown model template", w, "node_type_id 100: model_template", ["hh_psc_alpha", "nest:iaf_psc_alpha"])

w = ten_copy()
edit_text(os.path.join(w, "network", "pre_post_edge_types.csv"), " 0.1 ", " -0.5 ")
expect_error("negative delay", w, "edge_type_id 100: delay", ["negative delay"])

w = ten_copy()
with h5py.File(os.path.join(w, "network", "pre_post_edges.h5"), "a") as h:
    h["edges/pre_to_post/0/delay"] = np.full(14, -1.0)
expect_error("negative per-edge delay", w, "/edges/pre_to_post/0/delay", ["negative delay"])

w = ten_copy()
with open(os.path.join(w, "simulation_config.json")) as fh:
    cfg = json.load(fh)
cfg["inputs"]["external_spike_trains"]["node_set"] = "nowhere"
with open(os.path.join(w, "simulation_config.json"), "w") as fh:
    json.dump(cfg, fh)
expect_error("unknown node set", w, "nowhere", ["no such node set"])

f.finish()
