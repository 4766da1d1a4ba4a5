"""SONATA circuits and graph partitioning across ranks (promise 1): the 300-cell
circuit gives one rank's spikes and membrane potentials on 3 ranks under every
partition, also when its edge files have no index (the shared pass), bad
edges met by some ranks stop all with one message, and checkpoints written under graph partitioning resume on other rank counts and
strategies exactly, for the circuit and for examples/areas.toml."""
import os
import shutil
import subprocess

import h5py
import numpy as np

from common import MYELIN, SOURCE, Failures, myelin, temp_dir
from common import sorted_spikes as spikes

MPIEXEC = os.environ["MPIEXEC"]
DATA = os.environ.get("MYELIN_SONATA_DATA", os.path.join(SOURCE, "data", "sonata"))
SONATA = os.path.join(SOURCE, "examples", "sonata_300", "simulation_config.json")
AREAS = os.path.join(SOURCE, "examples", "areas.toml")
f = Failures()


def mpirun(ranks, *args):
    return subprocess.run([MPIEXEC, "-n", str(ranks), MYELIN, *args], capture_output=True, text=True, timeout=600)


def trace(out):
    with h5py.File(os.path.join(out, "membrane_potential.h5")) as h:
        return h["report/internal/data"][:]


def run(ranks, model, out, *flags):
    r = mpirun(ranks, "run", model, "-o", out, "--quiet", *flags)
    f.check(r.returncode == 0, f"{ranks} ranks {' '.join(flags)}: exit {r.returncode} {r.stderr[-1500:]}")
    return r


# The 300-cell circuit, 600 ms.
whole = temp_dir()
myelin("run", SONATA, "-o", whole, "--quiet", "--threads", "1", "--duration", "600", check=True)
for partition in ("block", "round_robin", "graph"):
    out = temp_dir()
    run(3, SONATA, out, "--threads", "2", "--duration", "600", "--partition", partition)
    f.check(spikes(out) == spikes(whole), f"300 cells, 3 ranks ({partition}): same spikes")
    f.check(np.array_equal(trace(out), trace(whole)), f"300 cells, 3 ranks ({partition}): same V_m")

# Without indices every rank reads a slice of target_node_id and hands rows to their owners.
copy = temp_dir()
shutil.copytree(os.path.join(DATA, "300_pointneurons"), os.path.join(copy, "300_pointneurons"))
shutil.copytree(os.path.join(DATA, "shared_components"), os.path.join(copy, "shared_components"))
for name in ("internal_internal_edges.h5", "external_internal_edges.h5"):
    with h5py.File(os.path.join(copy, "300_pointneurons", "network", name), "a") as h:
        for pop in h["edges"]:
            del h["edges"][pop]["indices"]
out = temp_dir()
run(2, os.path.join(copy, "300_pointneurons", "simulation_config.json"), out, "--duration", "600",
    "--partition", "round_robin")
f.check(spikes(out) == spikes(whole), "300 cells without edge indices, 2 ranks: same spikes")

# A broken edge seen by one rank only (each counts its own rows for the
# partition): every rank exits 2, the error is printed once.
broken = temp_dir()
shutil.copytree(os.path.join(DATA, "300_pointneurons"), os.path.join(broken, "300_pointneurons"))
shutil.copytree(os.path.join(DATA, "shared_components"), os.path.join(broken, "shared_components"))
with h5py.File(os.path.join(broken, "300_pointneurons", "network", "internal_internal_edges.h5"), "a") as h:
    h["edges/internal_to_internal/target_node_id"][27000] = 300
r = mpirun(3, "run", os.path.join(broken, "300_pointneurons", "simulation_config.json"), "-o", temp_dir(), "--quiet")
f.check(r.returncode == 2, f"a broken edge on 3 ranks: exit {r.returncode}, expected 2: {r.stderr[-800:]}")
f.check(r.stderr.count("myelin: error:") == 1 and "edge 27000 points to node 300" in r.stderr,
        f"a broken edge on 3 ranks: one message naming the edge: {r.stderr[-800:]}")

# Bad edges met while one rank builds (an unknown edge type, a negative delay), with and without
# the index: every rank exits 2 with one message, none is left waiting.
for drop_index in (False, True):
    broken = temp_dir()
    shutil.copytree(os.path.join(DATA, "300_pointneurons"), os.path.join(broken, "300_pointneurons"))
    shutil.copytree(os.path.join(DATA, "shared_components"), os.path.join(broken, "shared_components"))
    with h5py.File(os.path.join(broken, "300_pointneurons", "network", "internal_internal_edges.h5"), "a") as h:
        e = h["edges/internal_to_internal"]
        e["edge_type_id"][27000] = 999
        if drop_index:
            del e["indices"]
    with h5py.File(os.path.join(broken, "300_pointneurons", "network", "external_internal_edges.h5"), "a") as h:
        h["edges/external_to_internal/0/delay"] = np.full(20844, -1.0)
    r = mpirun(3, "run", os.path.join(broken, "300_pointneurons", "simulation_config.json"), "-o", temp_dir(),
               "--quiet")
    label = "without index" if drop_index else "with index"
    f.check(r.returncode == 2 and r.stderr.count("myelin: error:") == 1 and
            ("has type 999" in r.stderr or "negative delay" in r.stderr),
            f"bad edges met while building ({label}), 3 ranks: exit {r.returncode}: {r.stderr[-800:]}")

# Checkpoints under graph partitioning, resumed elsewhere.
for model, duration, at, label in ((SONATA, "600", "300", "300 cells"), (AREAS, "150", "100", "areas")):
    straight = temp_dir()
    myelin("run", model, "-o", straight, "--quiet", "--threads", "4", "--duration", duration, check=True)
    for before, after, p_before, p_after in ((3, 2, "graph", "block"), (2, 3, "round_robin", "graph")):
        out = temp_dir()
        run(before, model, out, "--duration", duration, "--checkpoint-at", at, "--partition", p_before, "--threads", "2")
        run(after, model, out, "--duration", duration, "--resume", "latest", "--partition", p_after, "--threads", "1")
        f.check(spikes(out) == spikes(straight),
                f"{label}: checkpoint on {before} ranks ({p_before}) resumed on {after} ({p_after}): same spikes")
f.finish()
