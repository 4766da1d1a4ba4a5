"""Plastic networks across ranks: spikes and recorded weights are identical
for 1, 2 and 3 ranks under every partition, and a run checkpointed on one
rank resumes on three (and the reverse, and graph-partitioned 3 on 2) exactly. The spike file is long
enough to span several chunks, which a resume on several ranks must extend."""
import os
import subprocess

import numpy as np

from common import MYELIN, SOURCE, Failures, myelin, temp_dir
from common import sorted_spikes as spikes

MPIEXEC = os.environ["MPIEXEC"]
f = Failures()
MODEL = os.path.join(SOURCE, "tests/data/plastic.toml")


def mpirun(ranks, *args):
    return subprocess.run([MPIEXEC, "-n", str(ranks), MYELIN, *args], capture_output=True, text=True, timeout=600)


def weights(out):
    import h5py

    with h5py.File(os.path.join(out, "ee.h5")) as h:
        return h["weights"]["data"][:], h["weights"]["time"][:]


def same(a, b):
    return np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


whole = temp_dir()
myelin("run", MODEL, "-o", whole, "--quiet", "--threads", "1", check=True)
for ranks, partition in ((2, "block"), (3, "round_robin"), (3, "graph")):
    out = temp_dir()
    r = mpirun(ranks, "run", MODEL, "-o", out, "--quiet", "--threads", "1", "--partition", partition)
    f.check(r.returncode == 0, f"{ranks} ranks: exit {r.returncode} {r.stderr[-1500:]}")
    f.check(spikes(out) == spikes(whole), f"{ranks} ranks ({partition}): same spikes")
    f.check(same(weights(out), weights(whole)), f"{ranks} ranks ({partition}): same weights")

for before, after, partition in ((1, 3, "round_robin"), (3, 1, "round_robin"), (3, 2, "graph")):
    out = temp_dir()
    r = mpirun(before, "run", MODEL, "-o", out, "--quiet", "--duration", "1000", "--checkpoint-at", "700",
               "--partition", partition)
    f.check(r.returncode == 0, f"{before} ranks to 1000 ms: exit {r.returncode} {r.stderr[-1500:]}")
    r = mpirun(after, "run", MODEL, "-o", out, "--quiet", "--threads", "2", "--resume", "latest")
    f.check(r.returncode == 0, f"resume on {after} ranks: exit {r.returncode} {r.stderr[-1500:]}")
    f.check(spikes(out) == spikes(whole), f"{before} -> {after} ranks: same spikes")
    f.check(same(weights(out), weights(whole)), f"{before} -> {after} ranks: same weights")
f.finish()
