"""--backend: every backend this build has gives the same files as the CPU
backend, a checkpoint written by one resumes on another with the spikes of a
straight run, run.json records the backend, and a backend this build lacks
is exit 2 with the reason."""
import filecmp
import json
import os
import subprocess

from common import MYELIN, SOURCE, Failures, myelin, sorted_spikes, temp_dir

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

# A device backend draws the static tables on the device (run.json says
# where) and gets the CPU backend's spikes; a network whose tables would not
# fit the rank's memory while being made is built on the host instead.
drawn = os.path.join(temp_dir(), "drawn.toml")
with open(drawn, "w") as m:
    m.write("""[run]
dt = 0.1
duration = 100.0
seed = 3
[populations.E]
model = "iaf_psc_alpha"
size = 500
[populations.I]
model = "iaf_psc_exp"
size = 50
[[projections]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", indegree = 400, allow_multapses = false, allow_autapses = false }
synapse = { weight = { dist = "normal", mean = 1.0, std = 0.5, min = 0.0 }, delay = { dist = "uniform", low = 0.5, high = 3.0 } }
[[projections]]
source = "I"
target = "E"
rule = { kind = "pairwise_bernoulli", p = 0.5 }
synapse = { weight = -60.0, delay = 1.0 }
[[projections]]
source = "E"
target = "I"
rule = { kind = "fixed_total_number", N = 4000 }
synapse = { weight = { dist = "lognormal", mean = 3.0, std = 0.5 }, delay = 1.5 }
[devices.drive]
model = "poisson_generator"
rate = 9000.0
weight = 20.0
delay = 1.0
targets = ["E", "I"]
[recorders.spikes]
kind = "spikes"
populations = ["E", "I"]
""")
built_on = {}
for backend in available:
    out = temp_dir()
    myelin("run", drawn, "-o", out, "--threads", "2", "--quiet", "--backend", backend, check=True)
    with open(os.path.join(out, "run.json")) as j:
        recorded = json.load(j)
    built_on[backend] = recorded["static_tables_built_on"]
    f.check(built_on[backend] == ("host" if backend == "cpu" else "device"),
            f"--backend {backend}: static tables built on {built_on[backend]}")
    # CUDA graphs are the GPU's alone (engine/device/epoch_graph.hpp); one call here, never replayed.
    f.check(recorded["graph_calls"] == 0, f"--backend {backend}: graph_calls {recorded['graph_calls']}")
    f.check(recorded["plastic_tables_built_on"] == "none", f"--backend {backend}: plastic tables in a static network")
    if backend != "cpu":
        f.check(sorted_spikes(out) == sorted_spikes(outputs_of_drawn), f"{backend}: other spikes than cpu's")
    else:
        outputs_of_drawn = out
# The plastic projections' tables are drawn by a GPU too (their equality
# with the host builder's, on CPU threads: device_construction_test); on CPU
# threads the host builder makes them, faster.
plastic = os.path.join(SOURCE, "tests/data/plastic.toml")
for backend in available:
    out = temp_dir()
    myelin("run", plastic, "-o", out, "--quiet", "--duration", "20", "--backend", backend, check=True)
    with open(os.path.join(out, "run.json")) as j:
        where = json.load(j)["plastic_tables_built_on"]
    want = "device" if backend == "cuda" else "host"
    f.check(where == want, f"plastic --backend {backend}: plastic tables built on {where}, not {want}")
if "omp" in available:
    os.environ["MYELIN_MEMORY_AVAILABLE"] = str(4 * 2**20)  # admits the network, not the device maker (64 B x 216,500 synapses)
    out = temp_dir()
    myelin("run", drawn, "-o", out, "--threads", "2", "--quiet", "--backend", "omp", check=True)
    del os.environ["MYELIN_MEMORY_AVAILABLE"]
    with open(os.path.join(out, "run.json")) as j:
        f.check(json.load(j)["static_tables_built_on"] == "host", "omp in 4 MiB: tables not built on the host")
    f.check(sorted_spikes(out) == sorted_spikes(outputs_of_drawn), "omp in 4 MiB: other spikes than cpu's")

# Delivered static synapses are counted alike by every backend: a source's
# 5 spikes into 10 targets through all_to_all and 1 through one_to_one are
# 5 x (10 + 1) events (the last spike's too: the run ends by delivering the
# last epoch's spikes, whether the backend delivers them within a call or at
# the next).
counted = os.path.join(temp_dir(), "counted.toml")
with open(counted, "w") as m:
    m.write("""[run]
dt = 0.1
duration = 30.0
seed = 1
[populations.S]
model = "spike_source"
size = 1
params = { spike_times = [[1.0, 2.0, 3.0, 10.0, 29.5]] }
[populations.T]
model = "iaf_psc_alpha"
size = 10
[populations.U]
model = "parrot_neuron"
size = 1
[[projections]]
source = "S"
target = "T"
rule = { kind = "all_to_all" }
synapse = { weight = 1.0, delay = 1.0 }
[[projections]]
source = "S"
target = "U"
rule = { kind = "one_to_one" }
synapse = { weight = 1.0, delay = 1.0 }
""")
for backend in available:
    out = temp_dir()
    myelin("run", counted, "-o", out, "--threads", "2", "--quiet", "--backend", backend, check=True)
    with open(os.path.join(out, "run.json")) as j:
        events = json.load(j)["static_synaptic_events"]
    f.check(events == 5 * 11, f"--backend {backend}: {events} static synaptic events, expected 55")

# A run alone in eight equal calls without STDP replays the later calls as
# one captured CUDA graph each (engine/device/epoch_graph.hpp), with the CPU's
# spikes: on a GPU by default, on CPU threads with MYELIN_DEVICE_GRAPHS=on
# (the capture emulated: each launch's functor kept, as a kernel node keeps
# its arguments, and replayed). So does one whose populations are driven by
# dc and ac currents (the same for every target, computed on the host once
# per call, before its launches).
driven = os.path.join(temp_dir(), "driven.toml")
with open(drawn) as m, open(driven, "w") as d:
    d.write(m.read() + """
[devices.steady]
model = "dc_generator"
amplitude = 150.0
start = 120.0
stop = 330.0
targets = ["I"]
[devices.wave]
model = "ac_generator"
amplitude = 300.0
offset = 50.0
frequency = 15.0
targets = ["E"]
""")
# And one with spike and Poisson sources: their arrivals go to the device in
# equal regions per epoch, padded with no arrival, so every call delivers
# the same number of items (the Poisson sources fire throughout, so a replay
# that delivered its capture's counts instead would lose arrivals).
sourced = os.path.join(temp_dir(), "sourced.toml")
with open(drawn) as m, open(sourced, "w") as d:
    d.write(m.read() + """
[populations.stim]
model = "spike_source"
size = 4
params = { spike_times = [[5.0, 50.0, 50.1, 260.0], [7.5, 130.0], [100.0, 100.1, 200.0, 410.0], [333.3]] }
[populations.thalamus]
model = "poisson_source"
size = 40
params = { rate = 30.0, start = 0.0, stop = 1000.0 }
[[projections]]
source = "stim"
target = "I"
rule = { kind = "all_to_all" }
synapse = { weight = 400.0, delay = 1.0 }
[[projections]]
source = "thalamus"
target = "E"
rule = { kind = "fixed_outdegree", outdegree = 60 }
synapse = { weight = 60.0, delay = { dist = "uniform", low = 0.5, high = 2.0 } }
""")
for model_file in (drawn, driven, sourced):
    name = os.path.basename(model_file)
    reference = temp_dir()
    myelin("run", model_file, "-o", reference, "--quiet", "--duration", "800", "--backend", "cpu", check=True)
    for backend in [b for b in available if b != "cpu"]:
        for setting in ("on", "off"):
            os.environ["MYELIN_DEVICE_GRAPHS"] = setting
            out = temp_dir()
            myelin("run", model_file, "-o", out, "--quiet", "--threads", "2", "--duration", "800", "--backend",
                   backend, check=True)
            del os.environ["MYELIN_DEVICE_GRAPHS"]
            with open(os.path.join(out, "run.json")) as j:
                replayed = json.load(j)["graph_calls"]
            if setting == "on":
                f.check(replayed >= 2, f"{name} {backend}: {replayed} calls replayed as a graph, expected 2+ of 8")
            else:
                f.check(replayed == 0, f"{name} {backend} with graphs off: {replayed} calls replayed")
            f.check(sorted_spikes(out) == sorted_spikes(reference),
                    f"{name} {backend} with graphs {setting}: other spikes than cpu's")
    spikes = {p: len(s) for p, s in sorted_spikes(reference).items()}
    f.check(spikes.get("E", 0) > 0 and spikes.get("I", 0) > 0, f"{name}: spikes per population {spikes}")
os.environ["MYELIN_DEVICE_GRAPHS"] = "sometimes"
bad = myelin("run", drawn, "-o", temp_dir(), "--quiet", "--duration", "1", "--backend", "cpu")
del os.environ["MYELIN_DEVICE_GRAPHS"]
f.check(bad.returncode == 2 and "MYELIN_DEVICE_GRAPHS is 'sometimes': it must be on or off" in bad.stderr,
        f"a bad MYELIN_DEVICE_GRAPHS: exit {bad.returncode}, {bad.stderr!r}")

# How spikes leave a rank (run.json spike_exchange): the CPU backend's epoch
# loop packs them; a device backend running alone on one rank keeps them.
for backend in outputs:
    with open(os.path.join(outputs[backend], "run.json")) as j:
        route = json.load(j)["spike_exchange"]
    f.check(route == ("loop" if backend in ("cpu", "auto") and "cuda" not in available else "device"),
            f"--backend {backend} on one rank: spike_exchange {route!r}")
os.environ["MYELIN_DEVICE_EXCHANGE"] = "carrier-pigeon"
bad = myelin("run", drawn, "-o", temp_dir(), "--quiet", "--duration", "1", "--backend", "cpu")
del os.environ["MYELIN_DEVICE_EXCHANGE"]
f.check(bad.returncode == 2 and "MYELIN_DEVICE_EXCHANGE is 'carrier-pigeon': it must be loop, mpi or nccl"
        in bad.stderr, f"a bad MYELIN_DEVICE_EXCHANGE: exit {bad.returncode}, {bad.stderr!r}")
# NCCL moves GPU buffers: asked for on CPU threads with two ranks, it is
# refused with the reason, on every rank.
MPIEXEC = os.environ.get("MPIEXEC")
if MPIEXEC and "omp" in available:
    r = subprocess.run([MPIEXEC, "-n", "2", MYELIN, "run", drawn, "-o", temp_dir(), "--quiet", "--duration", "5",
                        "--backend", "omp", "--threads", "1"], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "MYELIN_DEVICE_EXCHANGE": "nccl"})
    f.check(r.returncode == 2 and "MYELIN_DEVICE_EXCHANGE=nccl: NCCL moves GPU buffers" in r.stderr,
            f"2 ranks of omp with MYELIN_DEVICE_EXCHANGE=nccl: exit {r.returncode}, {r.stderr[-600:]!r}")

# Without a GPU (or without nvcc in the build) cuda names why, and what to run instead.
for backend, reason in (("cuda", "--backend cuda: "), ("cuda", "; run with --backend cpu"),
                        ("gpu", "unknown backend 'gpu'")):
    if backend in available:
        continue
    r = myelin("run", model, "-o", temp_dir(), "--backend", backend)
    f.check(r.returncode == 2, f"--backend {backend}: exit {r.returncode}, expected 2")
    f.check(reason in r.stderr, f"--backend {backend}: the reason is missing from {r.stderr!r}")
f.finish()
