"""Plastic SONATA edge types (stdp_synapse, tsodyks2_synapse) against the same network written as a
model file: a rule-based plastic network is run, its synapses are written out as a SONATA circuit
(the STDP edges in the weight recorder's canonical order, with their drawn weights), and the
circuit must give the same spikes and the same learned weights, bit for bit; also on 3 threads,
on the device code (--backend omp), on 2 ranks (block and round-robin placement), and resumed from a checkpoint. Bad plastic edge
types and edges give exit 2 naming the file, the key and the reason."""
import json
import os
import subprocess

import h5py
import numpy as np

from common import MYELIN, Failures, myelin, temp_dir
from common import recorded_weights as weights
from common import same_weights
from common import sorted_spikes as spikes

f = Failures()
NEURON = {"tau_m": 10.0, "t_ref": 0.5, "tau_syn_ex": 0.5, "tau_syn_in": 0.5, "C_m": 250.0, "E_L": 0.0,
          "V_reset": 0.0, "V_th": 20.0}
STDP = {"tau_plus": 15.0, "lambda": 0.05, "alpha": 1.2, "mu_plus": 0.0, "mu_minus": 1.0, "Wmax": 100.0}
TSODYKS = {"U": 0.3, "tau_fac": 20.0, "tau_rec": 500.0}


def toml_table(d):
    return "{ " + ", ".join(f"{k} = {v}" for k, v in d.items()) + " }"


MODEL = f"""
[run]
dt = 0.1
duration = 1000.0
seed = 11

[populations.E]
model = "iaf_psc_alpha"
size = 400
params = {toml_table({**NEURON, "tau_minus": 30.0})}
init = {{ V_m = 0.0 }}

[populations.I]
model = "iaf_psc_alpha"
size = 100
params = {toml_table(NEURON)}
init = {{ V_m = 0.0 }}

[[projections]]
source = "E"
target = "E"
rule = {{ kind = "fixed_indegree", indegree = 40, allow_autapses = false }}
synapse = {{ model = "stdp_synapse", weight = {{ dist = "uniform", low = 30.0, high = 60.0 }}, delay = 1.5, {", ".join(f"{k} = {v}" for k, v in STDP.items())} }}

[[projections]]
source = "E"
target = "I"
rule = {{ kind = "fixed_indegree", indegree = 40 }}
synapse = {{ model = "tsodyks2_synapse", weight = 45.0, delay = 1.5, {", ".join(f"{k} = {v}" for k, v in TSODYKS.items())} }}

[[projections]]
source = "I"
target = "E"
rule = {{ kind = "fixed_indegree", indegree = 10 }}
synapse = {{ weight = -200.0, delay = {{ dist = "uniform", low = 0.5, high = 3.0 }} }}
"""

DEVICES_AND_RECORDERS = """
[devices.noise]
model = "poisson_generator"
rate = 20000.0
targets = ["E", "I"]
weight = 45.0
delay = 1.5

[recorders.spikes]
kind = "spikes"

[recorders.ee]
kind = "weights"
projection = 0
interval = 250.0
"""


def write_circuit(d, rule_out, connections, stdp_json=STDP, stdp_weights=None, ee_template="nest:stdp_synapse"):
    """The model file's network as a SONATA circuit in d: E->E from the weight recorder's first
    snapshot (canonical order, initial weights), E->I and I->E from the connections file."""
    w = weights(rule_out)
    with h5py.File(connections) as h:
        c = {k: h["connections"][k][:] for k in ("source", "target", "weight", "delay")}
    with h5py.File(os.path.join(d, "nodes.h5"), "w") as h:
        for pop, n in (("E", 400), ("I", 100)):
            h[f"nodes/{pop}/node_type_id"] = np.full(n, 1 if pop == "E" else 2, dtype=np.int64)
    with open(os.path.join(d, "node_types.csv"), "w") as fh:
        fh.write("node_type_id model_type model_template dynamics_params\n"
                 "1 point_process nest:iaf_psc_alpha E.json\n2 point_process nest:iaf_psc_alpha I.json\n")
    with open(os.path.join(d, "E.json"), "w") as fh:
        json.dump({**NEURON, "tau_minus": 30.0, "V_m": 0.0}, fh)
    with open(os.path.join(d, "I.json"), "w") as fh:
        json.dump({**NEURON, "V_m": 0.0}, fh)

    def edge_population(h, name, src_pop, tgt_pop, src, tgt, weight, delay, type_id):
        e = h.create_group(f"edges/{name}")
        e["source_node_id"] = np.asarray(src, dtype=np.uint64)
        e["source_node_id"].attrs["node_population"] = src_pop
        e["target_node_id"] = np.asarray(tgt, dtype=np.uint64)
        e["target_node_id"].attrs["node_population"] = tgt_pop
        e["edge_type_id"] = np.full(len(src), type_id, dtype=np.int64)
        e["0/syn_weight"] = np.asarray(weight, dtype=np.float64)
        e["0/delay"] = np.asarray(delay, dtype=np.float64)

    ei = (c["source"] < 400) & (c["target"] >= 400)
    ie = (c["source"] >= 400) & (c["target"] < 400)
    with h5py.File(os.path.join(d, "edges.h5"), "w") as h:
        ee_weights = w["data"][0] if stdp_weights is None else stdp_weights
        edge_population(h, "E_E", "E", "E", w["source_node_ids"][:, 0], w["target_node_ids"][:, 0], ee_weights,
                        np.full(len(ee_weights), 1.5), 10)
        edge_population(h, "E_I", "E", "I", c["source"][ei], c["target"][ei] - 400, c["weight"][ei], c["delay"][ei], 20)
        edge_population(h, "I_E", "I", "E", c["source"][ie] - 400, c["target"][ie], c["weight"][ie], c["delay"][ie], 30)
    with open(os.path.join(d, "edge_types.csv"), "w") as fh:
        fh.write("edge_type_id model_template dynamics_params\n"
                 f"10 {ee_template} stdp.json\n20 tsodyks2_synapse tsodyks.json\n30 static_synapse NULL\n")
    with open(os.path.join(d, "stdp.json"), "w") as fh:
        json.dump(stdp_json, fh)
    with open(os.path.join(d, "tsodyks.json"), "w") as fh:
        json.dump(TSODYKS, fh)
    with open(os.path.join(d, "circuit.json"), "w") as fh:
        json.dump({"networks": {"nodes": [{"nodes_file": "nodes.h5", "node_types_file": "node_types.csv"}],
                                "edges": [{"edges_file": "edges.h5", "edge_types_file": "edge_types.csv"}]}}, fh)
    model = os.path.join(d, "circuit.toml")
    with open(model, "w") as fh:
        fh.write('[run]\ndt = 0.1\nduration = 1000.0\nseed = 11\n\n[sonata]\ncircuit = "circuit.json"\n'
                 + DEVICES_AND_RECORDERS)
    return model


# The rule-based network, and its synapses.
d = temp_dir()
rule_model = os.path.join(d, "rules.toml")
with open(rule_model, "w") as fh:
    fh.write(MODEL + DEVICES_AND_RECORDERS)
rule_out = os.path.join(d, "rules")
myelin("run", rule_model, "-o", rule_out, "--quiet", "--threads", "1", check=True)
connections = os.path.join(d, "connections.h5")
myelin("check", rule_model, "--connections", connections, check=True)
with h5py.File(connections) as h:
    n = len(h["connections/source"])
f.check(n == 400 * 40 + 100 * 40 + 400 * 10, f"--connections lists the plastic synapses too: {n} rows")
reference, learned = spikes(rule_out), weights(rule_out)
f.check(sum(len(v) for v in reference.values()) > 1000, "the reference network fires")
f.check(np.abs(learned["data"][-1] - learned["data"][0]).max() > 1.0, "the reference network learns")

# The same network from a SONATA circuit.
circuit = temp_dir()
model = write_circuit(circuit, rule_out, connections)
r = myelin("check", model)
f.check(r.returncode == 0 and "SONATA edges of E_E, types 10  stdp_synapse" in r.stdout
        and "16000 of them plastic" in r.stdout and "4000 of them plastic" in r.stdout,
        f"check lists the plastic edge projections: {r.returncode} {r.stdout[-1500:]} {r.stderr[-500:]}")
for label, flags in (("1 thread", ["--threads", "1"]), ("3 threads", ["--threads", "3"]),
                     ("the device code on CPU threads", ["--backend", "omp", "--threads", "2"])):
    out = temp_dir()
    r = myelin("run", model, "-o", out, "--quiet", *flags)
    f.check(r.returncode == 0, f"{label}: exit {r.returncode} {r.stderr[-1500:]}")
    if r.returncode == 0:
        f.check(spikes(out) == reference, f"{label}: the circuit gives the model file's spikes")
        f.check(same_weights(weights(out), learned), f"{label}: the circuit learns the model file's weights")

# Two ranks; and a checkpoint at 600 ms resumed on another thread count.
mpiexec = os.environ.get("MPIEXEC")
for partition in ("block", "round_robin") if mpiexec else ():
    out = temp_dir()
    # Under tests/run-sanitized.sh: Open MPI's own allocations outlive MPI_Finalize (leak checks are for ours).
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = subprocess.run([mpiexec, "-n", "2", MYELIN, "run", model, "-o", out, "--quiet", "--partition", partition],
                       capture_output=True, text=True, timeout=600, env=env)
    f.check(r.returncode == 0 and spikes(out) == reference and same_weights(weights(out), learned),
            f"2 ranks, {partition}: the same spikes and weights: {r.returncode} {r.stderr[-1500:]}")
out = temp_dir()
myelin("run", model, "-o", out, "--quiet", "--threads", "1", "--duration", "1000", "--checkpoint-at", "600",
       check=True)
r = myelin("run", model, "-o", out, "--quiet", "--threads", "2", "--resume", "latest")
f.check(r.returncode == 0 and spikes(out) == reference and same_weights(weights(out), learned),
        f"resumed from 600 ms: the same spikes and weights: {r.returncode} {r.stderr[-1500:]}")

# On resume, a plastic edge type's new parameters need --force-model; another rule is refused.
checkpoint = os.path.join(out, "checkpoints", "ckpt-6000.h5")
with open(os.path.join(circuit, "stdp.json"), "w") as fh:
    json.dump({**STDP, "lambda": 0.02}, fh)
r = myelin("run", model, "-o", temp_dir(), "--quiet", "--resume", checkpoint)
f.check(r.returncode == 2 and "projections[0].synapse.lambda" in r.stderr and "--force-model" in r.stderr,
        f"a new learning rate without --force-model: {r.returncode} {r.stderr[-600:]}")
r = myelin("run", model, "-o", temp_dir(), "--resume", checkpoint, "--force-model")
f.check(r.returncode == 0 and "projections[0].synapse.lambda" in r.stdout,
        f"a new learning rate with --force-model: {r.returncode} {r.stdout[-600:]} {r.stderr[-600:]}")
edge_types = os.path.join(circuit, "edge_types.csv")
with open(edge_types) as fh:
    text = fh.read()
with open(edge_types, "w") as fh:
    fh.write(text.replace("10 nest:stdp_synapse stdp.json", "10 nest:stdp_pl_synapse_hom NULL"))
r = myelin("run", model, "-o", temp_dir(), "--quiet", "--resume", checkpoint, "--force-model")
f.check(r.returncode == 2 and "projections[0].synapse.model" in r.stderr and "stdp_pl_synapse_hom" in r.stderr,
        f"another rule, even with --force-model: {r.returncode} {r.stderr[-600:]}")


# Bad plastic edge types and edges.
def expect_error(label, model, *words):
    r = myelin("check", model)
    f.check(r.returncode == 2 and all(w in r.stderr for w in words),
            f"{label}: exit {r.returncode}, want {words}: {r.stderr.strip()[-400:]}")


bad = temp_dir()
expect_error("an unknown synapse model", write_circuit(bad, rule_out, connections, ee_template="nest:bcpnn_synapse"),
             "edge_types.csv", "edge_type_id 10: model_template", "unknown synapse model 'nest:bcpnn_synapse'",
             "stdp_synapse")
bad = temp_dir()
expect_error("a parameter the model lacks", write_circuit(bad, rule_out, connections, {**STDP, "tau_minus": 20.0}),
             "stdp.json", "tau_minus", "not a parameter of stdp_synapse")
bad = temp_dir()
expect_error("a bad rule parameter", write_circuit(bad, rule_out, connections, {**STDP, "Wmax": 0.0}),
             "stdp.json", "Wmax", "non-zero")
bad = temp_dir()
expect_error("a model named twice, differently",
             write_circuit(bad, rule_out, connections, {**STDP, "synapse_model": "tsodyks2_synapse"}),
             "stdp.json", "synapse_model", "names tsodyks2_synapse", "stdp_synapse")
bad = temp_dir()
too_big = weights(rule_out)["data"][0].copy()
too_big[123] = 150.0
expect_error("an edge's weight beyond Wmax", write_circuit(bad, rule_out, connections, stdp_weights=too_big),
             "edges.h5", "/edges/E_E/0/syn_weight", "edge 123", "exceeds Wmax")
bad = temp_dir()
flipped = weights(rule_out)["data"][0].copy()
flipped[7] = -5.0
expect_error("an edge's weight of the wrong sign", write_circuit(bad, rule_out, connections, stdp_weights=flipped),
             "edges.h5", "edge 7", "sign of Wmax")
bad = temp_dir()
model = write_circuit(bad, rule_out, connections)
with open(os.path.join(bad, "node_types.csv"), "w") as fh:
    fh.write("node_type_id model_type model_template dynamics_params\n"
             "1 point_process nest:iaf_psc_alpha E.json\n2 point_process nest:parrot_neuron NULL\n")
expect_error("a plastic synapse into a parrot", model, "edge_types.csv", "edge_type_id 20: model_template",
             "parrot_neuron (I) ignores the weights", "tsodyks2_synapse")

# A simulation config whose current clamp splits E into parts: the plastic edges become a
# projection per pair of parts, and the spikes stay those of the unsplit population.
split = temp_dir()
write_circuit(split, rule_out, connections)
with open(os.path.join(split, "node_sets.json"), "w") as fh:
    json.dump({"all_E": {"population": "E"}, "all_I": {"population": "I"},
               "some_E": {"population": "E", "node_id": list(range(100, 250))}}, fh)
drive = {f"drive_{p}": {"input_type": "current_clamp", "module": "IClamp", "node_set": f"all_{p}", "amp": 650.0,
                        "delay": 1.0, "duration": 400.0} for p in "EI"}
outputs = {}
for name, extra in (("plain", {}), ("split", {"nothing": {"input_type": "current_clamp", "module": "IClamp",
                                                          "node_set": "some_E", "amp": 0.0, "delay": 10.0,
                                                          "duration": 100.0}})):
    sim = os.path.join(split, f"{name}.json")
    with open(sim, "w") as fh:
        json.dump({"network": "circuit.json", "run": {"tstop": 400.0, "dt": 0.1}, "node_sets_file": "node_sets.json",
                   "inputs": {**drive, **extra}, "output": {"output_dir": os.path.join(split, name)}}, fh)
    r = myelin("check", sim)
    f.check(r.returncode == 0, f"{name} simulation config: check exit {r.returncode} {r.stderr[-800:]}")
    if name == "split":
        f.check("E-100 -> E-250  SONATA edges of E_E, types 10  stdp_synapse" in r.stdout,
                f"the split gives a projection per pair of parts:\n{r.stdout[:3000]}")
    myelin("run", sim, "--quiet", check=True)
    outputs[name] = spikes(os.path.join(split, name))
f.check(sum(len(v) for v in outputs["plain"].values()) > 500, "the clamped circuit fires")
f.check(outputs["split"] == outputs["plain"], "a clamp that splits E changes no spike of the plastic circuit")
f.finish()
