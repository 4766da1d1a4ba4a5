"""--backend: every backend this build has gives the same files as the CPU
backend, a checkpoint written by one resumes on another with the spikes of a
straight run, run.json records the backend, and a backend this build lacks
is exit 2 with the reason."""
import filecmp
import json
import os

from common import SOURCE, Failures, myelin, sorted_spikes, temp_dir

f = Failures()
model = os.path.join(SOURCE, "tests/data/all_rules.toml")

# Backends this build can run: `auto` picks cuda where a GPU is present, else cpu.
available = ["cpu"]
if os.environ.get("MYELIN_HAVE_DEVICE") == "ON":
    available.append("omp")
cuda = myelin("run", model, "-o", temp_dir(), "--quiet", "--duration", "1", "--backend", "cuda")
if cuda.returncode == 0:
    available.append("cuda")

outputs = {}
for backend in available + ["auto"]:
    out = temp_dir()
    myelin("run", model, "-o", out, "--threads", "2", "--quiet", "--backend", backend, check=True)
    outputs[backend] = out
    with open(os.path.join(out, "run.json")) as j:
        recorded = json.load(j)["backend"]
    f.check(recorded in available, f"--backend {backend}: run.json says {recorded!r}")
for backend in outputs:
    for name in ("spikes.h5", "traces.h5"):
        same = filecmp.cmp(os.path.join(outputs["cpu"], name), os.path.join(outputs[backend], name), shallow=False)
        f.check(same, f"{name} of --backend {backend} differs from --backend cpu")

# A checkpoint of one backend resumes on every other, as a straight run.
straight = sorted_spikes(outputs["cpu"])
for first in available:
    for second in available:
        out = temp_dir()
        myelin("run", model, "-o", out, "--threads", "2", "--quiet", "--backend", first,
               "--duration", "150", "--checkpoint-at", "150", check=True)
        myelin("run", model, "-o", out, "--threads", "3", "--quiet", "--backend", second,
               "--resume", "latest", check=True)
        f.check(sorted_spikes(out) == straight, f"checkpoint of {first} resumed on {second} differs")

# Without a GPU (or without nvcc in the build) cuda names why, and what to run instead.
for backend, reason in (("cuda", "--backend cuda: "), ("cuda", "; run with --backend cpu"),
                        ("gpu", "unknown backend 'gpu'")):
    if backend in available:
        continue
    r = myelin("run", model, "-o", temp_dir(), "--backend", backend)
    f.check(r.returncode == 2, f"--backend {backend}: exit {r.returncode}, expected 2")
    f.check(reason in r.stderr, f"--backend {backend}: the reason is missing from {r.stderr!r}")
f.finish()
