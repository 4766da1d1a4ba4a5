"""Plastic networks from the command line: the spikes and the recorded weights
do not depend on the thread count, a run resumed from a checkpoint continues
learning exactly, the weights recorder's file is what it says, and `myelin
check` reports the memory of plastic synapses."""
import os

import numpy as np

from common import SOURCE, Failures, myelin, temp_dir
from common import recorded_weights as weights
from common import same_weights
from common import sorted_spikes as spikes

f = Failures()
MODEL = os.path.join(SOURCE, "tests/data/plastic.toml")


one = temp_dir()
myelin("run", MODEL, "-o", one, "--quiet", "--threads", "1", check=True)
w1 = weights(one)
three = temp_dir()
myelin("run", MODEL, "-o", three, "--quiet", "--threads", "3", check=True)
f.check(spikes(one) == spikes(three), "1 and 3 threads: same spikes")
f.check(same_weights(w1, weights(three)), "1 and 3 threads: same weights, bit for bit")

# The recorder: snapshots at 0, 250, ..., 2000 ms of all 16,000 E->E synapses,
# starting from the initial weight, in canonical order (targets ascending,
# 40 synapses each).
f.check(w1["time"].tolist() == [250.0 * k for k in range(9)], f"snapshot times {w1['time'].tolist()}")
f.check(w1["data"].shape == (9, 16000), f"data shape {w1['data'].shape}")
f.check(np.all(w1["data"][0] == 45.61), "first snapshot: the initial weights")
f.check(np.abs(w1["data"][-1] - 45.61).max() > 1.0, "the weights learned")
targets = w1["target_node_ids"][:, 0]
f.check(np.array_equal(targets, np.repeat(np.arange(400), 40)), "targets ascending, 40 synapses each")
f.check(np.all(w1["source_node_ids"][:, 0] < 400) and np.all(w1["source_node_ids"][:, 0] != targets),
        "sources are E neurons, no autapses")

# Checkpoint at 700 ms, resume on other threads: spikes and weights continue exactly.
out = temp_dir()
myelin("run", MODEL, "-o", out, "--quiet", "--threads", "1", "--duration", "1000", "--checkpoint-at", "700",
       check=True)
r = myelin("run", MODEL, "-o", out, "--quiet", "--threads", "2", "--resume", "latest")
f.check(r.returncode == 0, f"resume: exit {r.returncode} {r.stderr[-800:]}")
f.check(spikes(out) == spikes(one), "resumed run: same spikes as an uninterrupted one")
f.check(same_weights(weights(out), w1), "resumed run: same weights as an uninterrupted one")

# A checkpoint whose plastic state is missing is refused with the reason.
import h5py  # noqa: E402

ckpt = os.path.join(out, "checkpoints", "ckpt-7000.h5")
broken = os.path.join(temp_dir(), "ckpt-7000.h5")
with h5py.File(ckpt) as src, h5py.File(broken, "w") as dst:
    for k, v in src.attrs.items():
        dst.attrs[k] = v
    for name in src:
        if name != "plasticity":
            src.copy(name, dst)
r = myelin("run", MODEL, "-o", temp_dir(), "--quiet", "--resume", broken)
f.check(r.returncode == 2 and "plasticity" in r.stderr, f"checkpoint without plastic state: exit {r.returncode} {r.stderr}")

r = myelin("check", MODEL, check=True)
f.check("stdp_pl_synapse_hom, 20 B/synapse" in r.stdout, f"check reports plastic memory:\n{r.stdout}")
f.check("tsodyks2_synapse, 12 B/synapse" in r.stdout, "check reports tsodyks2 memory")
f.finish()
