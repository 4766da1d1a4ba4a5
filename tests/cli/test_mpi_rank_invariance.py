"""Promise 1 across ranks, from the command line: the spike files of 1, 2, 3
and 4 ranks, with both partition strategies and 1 or 2 threads per rank, hold
exactly the same spikes (after sorting by time and id), each exactly once
(a parrot's repeats as often as on one rank), and the multimeter reports are
identical."""
import os
import subprocess

import h5py
import numpy as np

from common import MYELIN, SOURCE, Failures, myelin, temp_dir

MPIEXEC = os.environ["MPIEXEC"]
f = Failures()


def run(model, ranks, partition, threads, extra):
    out = temp_dir()
    cmd = [MYELIN, "run", model, "-o", out, "--quiet", "--threads", str(threads), "--partition", partition, *extra]
    if ranks > 1:
        cmd = [MPIEXEC, "-n", str(ranks), *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    f.check(r.returncode == 0, f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return out


def spikes(out):
    result = {}
    with h5py.File(os.path.join(out, "spikes.h5")) as h:
        for pop in h["spikes"]:
            t = h["spikes"][pop]["timestamps"][:]
            ids = h["spikes"][pop]["node_ids"][:]
            order = np.lexsort((ids, t))
            result[pop] = (t[order], ids[order])
    return result


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[p][0], b[p][0]) and np.array_equal(a[p][1], b[p][1])
                                        for p in a)


# Parrots repeat each arriving spike (NEST's multiplicity): several rows of one
# neuron and time are theirs to write; `same` checks their number against one rank.
REPEATING = {"P"}


def unique(s):
    return all(len(set(zip(t.tolist(), i.tolist()))) == len(t) for p, (t, i) in s.items() if p not in REPEATING)


cases = [
    (os.path.join(SOURCE, "tests/data/all_rules.toml"), [], "traces.h5",
     [(r, p, t) for r in (1, 2, 3, 4) for p in ("block", "round_robin") for t in (1, 2)]),
    (os.path.join(SOURCE, "examples/brunel_alpha.toml"), ["--duration", "100"], "vm.h5",
     [(1, "block", 1), (2, "block", 1), (3, "round_robin", 2), (4, "block", 1), (4, "round_robin", 1)]),
]
for model, extra, report, runs in cases:
    name = os.path.basename(model)
    reference_dir = run(model, 1, "block", 1, extra)
    reference = spikes(reference_dir)
    f.check(sum(len(t) for t, _ in reference.values()) > 1000, f"{name}: the reference run spikes")
    with open(os.path.join(reference_dir, report), "rb") as fh:
        reference_report = h5py.File(fh)["report"]
        ref_pop = list(reference_report)[0]
        ref_data = reference_report[ref_pop]["data"][:]
    for ranks, partition, threads in runs[1:]:
        out = run(model, ranks, partition, threads, extra)
        s = spikes(out)
        label = f"{name}: {ranks} ranks, {partition}, {threads} threads"
        f.check(same(reference, s), f"{label}: spikes differ from one rank")
        f.check(unique(s), f"{label}: a spike is written twice")
        with h5py.File(os.path.join(out, report)) as h:
            f.check(np.array_equal(h["report"][ref_pop]["data"][:], ref_data), f"{label}: {report} differs")
f.finish()
