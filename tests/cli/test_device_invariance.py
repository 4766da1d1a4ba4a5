"""Promise 1 across backends (label cuda): the device backend's code, run on
CPU threads (--backend omp) and, where a GPU is present, on it (--backend
cuda), writes the same spike and report files as the CPU backend, bit for
bit, on every network the issue names (plastic synapses included, also as
SONATA edge types); also
under 2 ranks, and resumed across backends."""
import filecmp
import json
import os
import subprocess

from common import MYELIN, SOURCE, Failures, myelin, sorted_spikes, temp_dir

f = Failures()
MPIEXEC = os.environ.get("MPIEXEC")
device = ["omp"] if os.environ.get("MYELIN_HAVE_DEVICE") == "ON" else []
if myelin("run", os.path.join(SOURCE, "tests/data/all_rules.toml"), "-o", temp_dir(), "--quiet", "--duration", "1",
          "--backend", "cuda").returncode == 0:
    device.append("cuda")
if not device:
    print("SKIP: this build has no device backend (no CCCL headers)")
    raise SystemExit(0)
print("device backends here:", ", ".join(device))


def run(args, backend, ranks=1, threads=2, env=None):
    out = temp_dir()
    cmd = [MYELIN, "run", *args, "-o", out, "--quiet", "--threads", str(threads), "--backend", backend]
    if ranks > 1:
        cmd = [MPIEXEC, "-n", str(ranks), *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})
    f.check(r.returncode == 0, f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return out


def reports(out):
    return sorted(n for n in os.listdir(out) if n.endswith(".h5"))


networks = {
    "brunel_alpha": [os.path.join(SOURCE, "examples/brunel_alpha.toml"), "--duration", "300"],
    "all_rules": [os.path.join(SOURCE, "tests/data/all_rules.toml")],
    "microcircuit_0.1": [os.path.join(SOURCE, "examples/microcircuit/microcircuit_0.1.toml"), "--duration", "200"],
    "sonata_300": [os.path.join(SOURCE, "examples/sonata_300/simulation_config.json"), "--duration", "500"],
    "sonata_300_stdp": [os.path.join(SOURCE, "examples/sonata_300_stdp/simulation_config.json"), "--duration", "500"],
}
# Each device backend as it runs by default; omp also with its calls
# replayed as emulated CUDA graphs (engine/device/epoch_graph.hpp), as a GPU
# replays them.
variants = [(b, {}) for b in device]
if "omp" in device:
    variants.append(("omp", {"MYELIN_DEVICE_GRAPHS": "on"}))
for name, args in networks.items():
    reference = run(args, "cpu")
    files = reports(reference)
    f.check("spikes.h5" in files and len(sorted_spikes(reference)) > 0, f"{name}: the cpu run writes spikes")
    for backend, env in variants:
        out = run(args, backend, threads=3, env=env)
        label = f"--backend {backend}" + "".join(f" {k}={v}" for k, v in env.items())
        f.check(reports(out) == files, f"{name} {label}: files {reports(out)} != {files}")
        for file in files:
            f.check(filecmp.cmp(os.path.join(reference, file), os.path.join(out, file), shallow=False),
                    f"{name}: {file} of {label} differs from --backend cpu")



def exchange(out):
    with open(os.path.join(out, "run.json")) as j:
        return json.load(j)["spike_exchange"]


def graph_calls(out):
    with open(os.path.join(out, "run.json")) as j:
        return json.load(j)["graph_calls"]


# Several ranks: the same spikes as one rank on the CPU backend, whether the
# device packs and sends its spikes itself (running alone, the default:
# "mpi" on CPU threads) or the epoch loop does (MYELIN_DEVICE_EXCHANGE=loop),
# and with each epoch's launches before and after the exchange replayed as
# emulated CUDA graphs (as a GPU replays them). brunel_alpha and the
# microcircuit exchange with overlap (epochs of half the delay), all_rules has
# spike and Poisson sources and heterogeneous delays, sonata_300_stdp STDP.
if MPIEXEC:
    for name in ("brunel_alpha", "all_rules", "microcircuit_0.1", "sonata_300_stdp"):
        straight = sorted_spikes(run(networks[name], "cpu"))
        for backend in device:
            for ranks, env in ((2, {}), (2, {"MYELIN_DEVICE_EXCHANGE": "loop"}), (3, {}),
                               (2, {"MYELIN_DEVICE_GRAPHS": "on"}), (3, {"MYELIN_DEVICE_GRAPHS": "on"})):
                out = run(networks[name], backend, ranks=ranks, threads=1, env=env)
                label = f"{name}: {ranks} ranks on --backend {backend}" + "".join(f" {k}={v}" for k, v in env.items())
                f.check(sorted_spikes(out) == straight, f"{label}: spikes differ from 1 rank on cpu")
                want = env.get("MYELIN_DEVICE_EXCHANGE") or ("mpi" if backend == "omp" else None)
                f.check(want is None or exchange(out) == want, f"{label}: spike_exchange {exchange(out)}")
                if "MYELIN_DEVICE_GRAPHS" in env:
                    f.check(graph_calls(out) > 0, f"{label}: no epoch replayed as a graph")
    # A checkpoint of 2 ranks running alone (with overlap: the loop would
    # still have one epoch's spikes in flight) resumed on the CPU backend,
    # and the reverse.
    model = networks["brunel_alpha"]
    straight = sorted_spikes(run(model, "cpu"))
    for first, second in [("cpu", b) for b in device] + [(b, "cpu") for b in device]:
        out = temp_dir()
        for backend, args in ((first, ["--duration", "120", "--checkpoint-at", "120"]),
                              (second, ["--duration", "300", "--resume", "latest"])):
            subprocess.run([MPIEXEC, "-n", "2", MYELIN, "run", model[0], "-o", out, "--quiet", "--threads", "1",
                            "--backend", backend, *args], check=True, timeout=600)
        f.check(sorted_spikes(out) == straight, f"brunel_alpha: 2-rank checkpoint of {first} resumed on {second}")

# Resumed across backends, mid-run: the spikes of a straight run.
model = networks["brunel_alpha"]
straight = sorted_spikes(run(model, "cpu"))
for first, second in [("cpu", b) for b in device] + [(b, "cpu") for b in device]:
    out = temp_dir()
    myelin("run", model[0], "-o", out, "--quiet", "--backend", first, "--duration", "120", "--checkpoint-at", "120",
           check=True)
    myelin("run", model[0], "-o", out, "--quiet", "--backend", second, "--duration", "300", "--resume", "latest",
           check=True)
    f.check(sorted_spikes(out) == straight, f"brunel_alpha: checkpoint of {first} resumed on {second} differs")

# The plasticity network (STDP with postsynaptic histories, short-term
# plasticity, a weights recorder): spikes and weight files, and resumed across
# backends mid-run, with the learned weights in the checkpoint.
plastic = [os.path.join(SOURCE, "tests/data/plastic.toml"), "--duration", "600"]
reference = run(plastic, "cpu")
for backend, env in variants:
    out = run(plastic, backend, threads=3, env=env)
    label = f"--backend {backend}" + "".join(f" {k}={v}" for k, v in env.items())
    for file in reports(reference):
        f.check(filecmp.cmp(os.path.join(reference, file), os.path.join(out, file), shallow=False),
                f"plastic: {file} of {label} differs from --backend cpu")
    if env:  # STDP calls are captured too: their arrivals grouped by offsets from the call's first step
        f.check(graph_calls(out) >= 2, f"plastic {label}: {graph_calls(out)} calls replayed as a graph")
for backend in device:
    if MPIEXEC:
        for env in ({}, {"MYELIN_DEVICE_GRAPHS": "on"}):
            two = sorted_spikes(run(plastic, backend, ranks=2, threads=1, env=env))
            f.check(two == sorted_spikes(reference), f"plastic: 2 ranks on --backend {backend} {env} differ from cpu")
    for first, second in (("cpu", backend), (backend, "cpu")):
        out = temp_dir()
        myelin("run", plastic[0], "-o", out, "--quiet", "--backend", first, "--duration", "250", "--checkpoint-at",
               "250", check=True)
        myelin("run", plastic[0], "-o", out, "--quiet", "--backend", second, "--duration", "600", "--resume",
               "latest", check=True)
        f.check(sorted_spikes(out) == sorted_spikes(reference), f"plastic: checkpoint of {first} resumed on {second}")
f.finish()
