"""Potjans-Diesmann microcircuit at scale 0.1, Poisson background, seed 55:
per-population rates over 1 s after 100 ms of warm-up agree with NEST 3.9's
for the same model and scaling within 25 % or 0.25 Hz (whichever is larger),
and every population fires irregularly: the mean CV of inter-spike intervals
lies in [0.7, 1.2]. The CV is measured over 10 s (neurons with at least 10
intervals), since a 1 s window holds too few intervals at 0.5-8 Hz and biases
it low."""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from common import SOURCE, Failures, myelin, temp_dir  # noqa: E402

NEST_RATES = {"L23E": 0.49, "L23I": 2.10, "L4E": 3.97, "L4I": 4.99, "L5E": 6.46, "L5I": 7.73, "L6E": 0.84,
              "L6I": 6.97}  # NEST 3.9, scale 0.1, Poisson background, seed 55 (shared/notes/peers-measured.md)

f = Failures()
out = temp_dir()
model = os.path.join(SOURCE, "examples/microcircuit/microcircuit_0.1.toml")
myelin("run", model, "-o", out, "--quiet", "--duration", "10100", check=True)
run = json.load(open(os.path.join(out, "run.json")))
f.check(run["neurons"] == 7717 and run["synapses"] == 2988807, f"sizes: {run['neurons']} {run['synapses']}")
with h5py.File(os.path.join(out, "spikes.h5")) as h:
    for pop, nest in NEST_RATES.items():
        t = h["spikes"][pop]["timestamps"][:]
        ids = h["spikes"][pop]["node_ids"][:]
        n = run["populations"][pop]["neurons"]
        rate = np.count_nonzero((t > 100.0) & (t <= 1100.0)) / n
        tolerance = max(0.25 * nest, 0.25)
        f.check(abs(rate - nest) <= tolerance, f"{pop}: {rate:.2f} Hz, NEST {nest} +- {tolerance:.2f}")
        keep = t > 100.0
        order = np.lexsort((t[keep], ids[keep]))
        times, owners = t[keep][order], ids[keep][order]
        cvs = []
        for train in np.split(times, np.flatnonzero(np.diff(owners)) + 1):
            if len(train) >= 11:
                isi = np.diff(train)
                cvs.append(isi.std(ddof=1) / isi.mean())
        cv = float(np.mean(cvs)) if cvs else float("nan")
        f.check(len(cvs) >= 20 and 0.7 <= cv <= 1.2, f"{pop}: CV {cv:.2f} over {len(cvs)} neurons, expected 0.7-1.2")
        print(f"{pop}: {rate:.2f} Hz (NEST {nest}), CV {cv:.2f}")
f.finish()
