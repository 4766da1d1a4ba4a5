"""Checkpoints on one rank: a run checkpointed half-way and resumed (with more
threads) equals an uninterrupted one bit for bit; old checkpoints are pruned;
--resume latest without a checkpoint starts afresh; a killed writer never
leaves a file that passes for complete; broken checkpoints and changed models
are refused with exit code 2 and a reason."""
import os
import random
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np

from common import MYELIN, SOURCE, Failures, myelin, temp_dir
from common import sorted_spikes as spikes

f = Failures()
RULES = os.path.join(SOURCE, "tests/data/all_rules.toml")
BRUNEL = os.path.join(SOURCE, "examples/brunel_alpha.toml")


def report(out, name="traces.h5", pop="I"):
    with h5py.File(os.path.join(out, name)) as h:
        return h["report"][pop]["data"][:]


# Continuation: 300 ms at once, or 150 ms + checkpoint + resume with 2 threads.
whole = temp_dir()
myelin("run", RULES, "-o", whole, "--quiet", "--threads", "1", check=True)
halves = temp_dir()
myelin("run", RULES, "-o", halves, "--quiet", "--threads", "1", "--duration", "150", "--checkpoint-at", "150",
       check=True)
ckpt = os.path.join(halves, "checkpoints", "ckpt-1500.h5")
f.check(os.path.exists(ckpt), "checkpoint written at 150 ms (step 1500)")
r = myelin("inspect", ckpt)
f.check(r.returncode == 0 and "step 1500" in r.stdout and "checksums verified" in r.stdout, f"inspect: {r.stdout}")
myelin("run", RULES, "-o", halves, "--quiet", "--threads", "2", "--resume", "latest", check=True)
f.check(spikes(whole) == spikes(halves), "resumed run has exactly the spikes of the uninterrupted one")
f.check(np.array_equal(report(whole), report(halves)), "resumed multimeter report equals the uninterrupted one")
with h5py.File(os.path.join(halves, "traces.h5")) as h:
    f.check(np.allclose(h["report/I/mapping/time"][:], [0.5, 300.5, 0.5]), "report time axis after resuming")

# Resuming truncates what was written after the checkpoint: run on past it,
# then resume from the 150 ms checkpoint again.
again = temp_dir()
myelin("run", RULES, "-o", again, "--quiet", "--checkpoint-at", "150", check=True)  # runs to 300 ms
myelin("run", RULES, "-o", again, "--quiet", "--resume",
       os.path.join(again, "checkpoints", "ckpt-1500.h5"), check=True)
f.check(spikes(whole) == spikes(again), "spikes after the checkpoint are not duplicated when resuming over them")

# --keep-checkpoints.
kept = temp_dir()
myelin("run", RULES, "-o", kept, "--quiet", "--checkpoint-every", "50", "--keep-checkpoints", "2", check=True)
names = sorted(os.listdir(os.path.join(kept, "checkpoints")))
f.check(names == ["ckpt-2500.h5", "ckpt-3000.h5"], f"two newest checkpoints kept: {names}")

# --resume latest with no checkpoint starts from the beginning.
fresh = temp_dir()
r = myelin("run", RULES, "-o", fresh, "--resume", "latest", "--threads", "1")
f.check(r.returncode == 0 and "starting from the beginning" in r.stdout, f"resume latest, none there: {r.stdout}")
f.check(spikes(fresh) == spikes(whole), "a fresh start gives the same spikes")

# Crash safety: a leftover .tmp is never taken for a checkpoint ...
stale = temp_dir()
shutil.copytree(os.path.join(halves, "checkpoints"), os.path.join(stale, "checkpoints"))
with open(ckpt, "rb") as src, open(os.path.join(stale, "checkpoints", "ckpt-2000.h5.tmp"), "wb") as dst:
    dst.write(src.read()[: os.path.getsize(ckpt) // 2])
shutil.copy(os.path.join(halves, "spikes.h5"), stale)
r = myelin("run", RULES, "-o", stale, "--quiet", "--resume", "latest", "--duration", "300")
f.check(r.returncode == 0, f"resume next to a half-written .tmp: exit {r.returncode} {r.stderr}")
f.check(spikes(stale) == spikes(whole), "the .tmp was ignored and the complete checkpoint used")

# ... and a writer killed at random moments leaves only loadable checkpoints.
reference = temp_dir()
myelin("run", BRUNEL, "-o", reference, "--quiet", "--duration", "600", check=True)
rng = random.Random(7)
for attempt in range(3):
    out = temp_dir()
    p = subprocess.Popen([MYELIN, "run", BRUNEL, "-o", out, "--quiet", "--duration", "600", "--checkpoint-every",
                          "10", "--keep-checkpoints", "3"])
    while not os.path.exists(os.path.join(out, "spikes.h5")) and p.poll() is None:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.2, 0.8))
    p.send_signal(signal.SIGKILL)
    p.wait()
    for name in os.listdir(os.path.join(out, "checkpoints")):
        if name.endswith(".h5"):
            r = myelin("inspect", os.path.join(out, "checkpoints", name))
            f.check(r.returncode == 0, f"kill {attempt}: {name} must be complete: {r.stderr}")
    r = myelin("run", BRUNEL, "-o", out, "--quiet", "--duration", "600", "--resume", "latest")
    f.check(r.returncode == 0, f"kill {attempt}: resume latest: exit {r.returncode} {r.stderr}")
    f.check(spikes(out) == spikes(reference), f"kill {attempt}: spikes equal the uninterrupted run")

# Broken checkpoints: exit code 2 and a reason, for run --resume and inspect.
broken = temp_dir()


def refused(path, reason, what, inspect_too=True):
    commands = [["run", RULES, "-o", temp_dir(), "--resume", path]] + ([["inspect", path]] if inspect_too else [])
    for args in commands:
        r = myelin(*args)
        f.check(r.returncode == 2 and reason in r.stderr and path in r.stderr,
                f"{what} ({args[0]}): exit {r.returncode}, expected 2 with '{reason}': {r.stderr.strip()}")


truncated = os.path.join(broken, "truncated.h5")
with open(ckpt, "rb") as src, open(truncated, "wb") as dst:
    dst.write(src.read()[: os.path.getsize(ckpt) * 2 // 3])
refused(truncated, "damaged", "truncated checkpoint")

flipped = os.path.join(broken, "flipped.h5")
shutil.copy(ckpt, flipped)
with h5py.File(flipped) as h:
    offset = h["populations/E/V_m"].id.get_offset()
with open(flipped, "r+b") as fh:
    fh.seek(offset + 100)
    byte = fh.read(1)
    fh.seek(offset + 100)
    fh.write(bytes([byte[0] ^ 0x40]))
refused(flipped, "checksum", "flipped bytes in a dataset")

missing = os.path.join(broken, "missing.h5")
shutil.copy(ckpt, missing)
with h5py.File(missing, "r+") as h:
    del h["ring"]
refused(missing, "missing dataset ring", "missing dataset")

future = os.path.join(broken, "future.h5")
shutil.copy(ckpt, future)
with h5py.File(future, "r+") as h:
    h.attrs.modify("format", np.array([99], dtype=np.uint64))
refused(future, "format 99 is not supported", "an unknown format version")

refused(os.path.join(whole, "spikes.h5"), "spike file", "a spike file given as a checkpoint", inspect_too=False)
r = myelin("inspect", os.path.join(whole, "spikes.h5"))
f.check(r.returncode == 0 and "SONATA spike file" in r.stdout and "E:" in r.stdout, f"inspect a spike file: {r.stdout}")
refused(os.path.join(broken, "nothing-here.h5"), "no such", "a missing file")

# A different model: refused without --force-model, parameters accepted with it,
# shape changes refused even with it.
with open(RULES) as fh:
    text = fh.read()
changed_param = os.path.join(broken, "tau.toml")
with open(changed_param, "w") as fh:
    fh.write(text.replace("tau_syn_in = 3.0", "tau_syn_in = 4.0"))
r = myelin("run", changed_param, "-o", temp_dir(), "--resume", ckpt)
f.check(r.returncode == 2 and "populations.E.params.tau_syn_in" in r.stderr and "--force-model" in r.stderr,
        f"changed parameter without --force-model: {r.returncode} {r.stderr}")
r = myelin("run", changed_param, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 0 and "tau_syn_in" in r.stdout, f"changed parameter with --force-model: {r.returncode} {r.stdout}")
changed_shape = os.path.join(broken, "size.toml")
with open(changed_shape, "w") as fh:
    fh.write(text.replace("size = 400", "size = 401"))
r = myelin("run", changed_shape, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 2 and "populations.E" in r.stderr and "shape" in r.stderr,
        f"changed size even with --force-model: {r.returncode} {r.stderr}")
# Receptor ports: new time constants are parameters, a new number of ports changes the shape.
retimed = os.path.join(broken, "retimed.toml")
with open(retimed, "w") as fh:
    fh.write(text.replace("tau_syn = [0.5, 2.0, 6.0]", "tau_syn = [0.5, 2.5, 6.0]"))
r = myelin("run", retimed, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 0 and "populations.M.params.tau_syn_2" in r.stdout, f"new tau_syn: {r.returncode} {r.stdout}")
more_ports = os.path.join(broken, "ports.toml")
with open(more_ports, "w") as fh:
    fh.write(text.replace("tau_syn = [0.5, 2.0, 6.0]", "tau_syn = [0.5, 2.0, 6.0, 9.0]"))
r = myelin("run", more_ports, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 2 and "populations.M.params" in r.stderr and "receptor ports 3 -> 4" in r.stderr,
        f"a fourth port: {r.returncode} {r.stderr}")
# Current devices: a new amplitude is a parameter, new targets change the shape.
changed_device = os.path.join(broken, "dc.toml")
with open(changed_device, "w") as fh:
    fh.write(text.replace("amplitude = 450.0", "amplitude = 500.0"))
r = myelin("run", changed_device, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 0 and "devices.steady" in r.stdout, f"changed dc amplitude: {r.returncode} {r.stdout}")
retargeted = os.path.join(broken, "retarget.toml")
with open(retargeted, "w") as fh:
    fh.write(text.replace('targets = ["C", "A"]', 'targets = ["C"]'))
r = myelin("run", retargeted, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 2 and "devices.steady" in r.stderr, f"retargeted dc: {r.returncode} {r.stderr}")
r = myelin("run", BRUNEL, "-o", temp_dir(), "--resume", ckpt, "--force-model")
f.check(r.returncode == 2 and "shape" in r.stderr, f"another model entirely: {r.returncode} {r.stderr}")
f.finish()
