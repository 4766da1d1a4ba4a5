"""What `myelin run` writes (SONATA spikes, frame reports, run.json) opens in
h5py with the documented layout; `check`, `--version` and `--help` work."""
import json
import os

import h5py
import numpy as np

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
model = os.path.join(SOURCE, "tests/data/all_rules.toml")
out = temp_dir()
r = myelin("run", model, "-o", out, "--threads", "2", "--quiet", check=True)
f.check(r.stdout == "", "--quiet prints nothing")

run = json.load(open(os.path.join(out, "run.json")))
for key in ("version", "model", "seed", "dt_ms", "duration_ms", "ranks", "threads", "backend", "neurons",
            "synapses", "build_s", "sim_s", "rtf", "peak_rss_bytes", "populations"):
    f.check(key in run, f"run.json has {key}")
f.check(run["neurons"] == 823 and run["ranks"] == 1 and run["threads"] == 2 and run["backend"] == "cpu",
        f"run.json sizes: {run}")
f.check(list(run["populations"]) == ["E", "I", "D", "Z", "C", "CA", "A", "AA", "stim", "thalamus", "M", "P"], f"populations in file order: {list(run['populations'])}")

with h5py.File(os.path.join(out, "spikes.h5")) as h:
    total = 0
    for name, pop in run["populations"].items():
        g = h["spikes"][name]
        t, ids = g["timestamps"][:], g["node_ids"][:]
        total += len(t)
        f.check(len(t) == pop["spikes"], f"{name}: {len(t)} spikes in the file, {pop['spikes']} in run.json")
        f.check(g["timestamps"].attrs["units"] in (b"ms", "ms"), f"{name}: units attribute")
        f.check(g.attrs["sorting"] == "by_time", f"{name}: sorting = by_time (a str): {g.attrs['sorting']!r}")
        f.check(ids.dtype == np.uint64 and t.dtype == np.float64, f"{name}: dtypes")
        f.check(bool(np.all(np.diff(t) >= 0)), f"{name}: sorted by time")
        f.check(len(ids) == 0 or int(ids.max()) < pop["neurons"], f"{name}: node ids are population-local")
        if len(t):
            f.check(t.min() > 0 and t.max() <= run["duration_ms"] + 1e-9, f"{name}: times within the run")
    stim = h["spikes/stim/timestamps"][:]
    f.check(np.allclose(sorted(stim), [5.0, 7.5, 50.0, 100.0, 100.1, 200.0]), f"spike_source times {stim}")

with h5py.File(os.path.join(out, "traces.h5")) as h:
    d = h["report/I/data"]
    f.check(d.shape == (600, 9), f"report shape {d.shape}: 300 ms / 0.5 ms samples x (3 ids x 3 variables)")
    m = h["report/I/mapping"]
    f.check(list(m["node_ids"][:]) == [0, 7, 99], "mapping/node_ids")
    f.check(list(m["index_pointers"][:]) == [0, 3, 6, 9], "mapping/index_pointers")
    f.check(list(m["index_pointer"][:]) == [0, 3, 6, 9], "mapping/index_pointer (BMTK's name)")
    f.check(list(m["element_pos"][:]) == [0.5] * 9, "mapping/element_pos")
    f.check(np.allclose(m["time"][:], [0.5, 300.5, 0.5]), f"mapping/time {m['time'][:]}")
    v = d[:, 0]
    f.check(v.min() > -100 and v.max() < 0, f"V_m in a plausible range: {v.min()} {v.max()}")

r = myelin("check", os.path.join(SOURCE, "examples/brunel_alpha.toml"), check=True)
for text in ("12500", "15625000", "delay steps: min 15, max 15", "estimated memory",
             "background: poisson_generator, 17789"):
    f.check(text in r.stdout, f"check output mentions {text!r}: {r.stdout}")
r = myelin("--version", check=True)
f.check(r.stdout.startswith("myelin "), f"--version: {r.stdout}")
for args in (["--help"], ["run", "--help"], ["check", "--help"]):
    r = myelin(*args)
    f.check(r.returncode == 0 and "--" in r.stdout, f"{' '.join(args)}: exit {r.returncode}")
f.finish()
