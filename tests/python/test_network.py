"""The myelin Python module (label python): a network built and run in this
process gives the command line's spikes bit for bit; repeated runs are one
run; checkpoints resume; omp equals cpu; bad input raises myelin.ModelError
with the file, key and reason; 2 ranks under mpirun equal 1.

Spike files are read in a separate process: h5py brings its own (serial)
HDF5 library, which must not meet the module's parallel one in one process."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import myelin

MYELIN = os.environ["MYELIN"]
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

NETWORK = """
[run]
dt = 0.1
duration = 300.0
seed = 11
[populations.E]
model = "iaf_psc_exp"
size = 200
init = { V_m = { dist = "uniform", low = -70.0, high = -55.0 } }
[populations.I]
model = "iaf_psc_alpha"
size = 50
[populations.ext]
model = "poisson_source"
size = 20
params = { rate = 40.0, start = 10.0 }
[[projections]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", indegree = 20 }
synapse = { weight = { dist = "normal", mean = 50.0, std = 10.0, min = 0.0 }, delay = { dist = "uniform", low = 0.5, high = 3.0 } }
[[projections]]
source = "E"
target = "I"
rule = { kind = "pairwise_bernoulli", p = 0.1 }
synapse = { weight = 40.0, delay = 1.0 }
[[projections]]
source = "I"
target = "E"
rule = { kind = "fixed_indegree", indegree = 10 }
synapse = { weight = -120.0, delay = 0.8 }
[[projections]]
source = "ext"
target = "I"
rule = { kind = "fixed_indegree", indegree = 4 }
synapse = { weight = 30.0, delay = 0.5 }
[devices.drive]
model = "poisson_generator"
rate = 9000.0
targets = ["E", "I"]
weight = 40.0
delay = 0.7
[recorders.spikes]
kind = "spikes"
[recorders.vm]
kind = "multimeter"
population = "E"
ids = [0, 7, 199]
variables = ["V_m", "I_syn_ex"]
interval = 0.5
"""


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(NETWORK)
    return str(path)


def file_spikes(out):
    """{population: [(time, id), ...]} of OUT/spikes.h5, read by another process."""
    code = ("import h5py, json, sys\n"
            "with h5py.File(sys.argv[1]) as h:\n"
            "    print(json.dumps({p: list(zip(h['spikes'][p]['timestamps'][:].tolist(),"
            " h['spikes'][p]['node_ids'][:].tolist())) for p in h['spikes']}))\n")
    done = subprocess.run([PYTHON, "-c", code, os.path.join(out, "spikes.h5")], check=True,
                          capture_output=True, text=True)
    return {p: sorted(map(tuple, v)) for p, v in json.loads(done.stdout).items()}


def as_pairs(net, population):
    times, ids = net.spikes(population)
    return list(zip(times.tolist(), ids.tolist()))


def test_spikes_equal_the_command_line(model, tmp_path):
    net = myelin.Network.from_file(model, threads=2, output_dir=tmp_path / "py")
    net.run(300.0)
    assert net.time == pytest.approx(300.0)
    cli = tmp_path / "cli"
    subprocess.run([MYELIN, "run", model, "-o", str(cli), "--threads", "2", "--quiet", "--backend", "cpu"],
                   check=True)
    expected = file_spikes(cli)
    for population in ("E", "I", "ext"):
        got = as_pairs(net, population)
        assert len(got) > 50, population
        assert got == sorted(got)
        assert got == expected[population], population
    # The module's own output directory holds the same file.
    net.close()
    assert file_spikes(tmp_path / "py") == expected


def test_a_sonata_circuit_by_its_node_populations(tmp_path):
    """The 300-cell SONATA example: populations and node ids as the circuit
    (and the spike file) name them; `internal`'s node types differ in
    parameters, held per neuron."""
    config = os.path.join(os.environ["MYELIN_SOURCE"], "examples", "sonata_300", "simulation_config.json")
    net = myelin.Network.from_file(config, output_dir=tmp_path / "py")
    assert net.populations == {"internal": ("iaf_psc_alpha", 300), "external": ("spike_source", 100)}
    net.run(300.0)
    net.close()
    subprocess.run([MYELIN, "run", config, "-o", str(tmp_path / "cli"), "--quiet", "--backend", "cpu",
                    "--duration", "300"], check=True, capture_output=True)
    expected = file_spikes(tmp_path / "cli")  # the config records the internal cells
    assert as_pairs(net, "internal") == expected["internal"]
    assert max(net.spikes("internal")[1]) > 250 and len(net.spikes("external")[0]) > 100


def test_repeated_runs_are_one_run(model, tmp_path):
    whole = myelin.Network.from_file(model, threads=2, output_dir=tmp_path / "a")
    whole.run(300.0)
    pieces = myelin.Network.from_file(model, threads=1, output_dir=tmp_path / "b")
    for ms in (100.0, 0.1, 0.0, 149.9, 50.0):
        pieces.run(ms)
    assert pieces.time == pytest.approx(300.0)
    for population in whole.populations:
        assert as_pairs(whole, population) == as_pairs(pieces, population)
    a, b = whole.traces("vm"), pieces.traces("vm")
    assert a["ids"] == [0, 7, 199]
    assert a["V_m"].shape == (600, 3)
    np.testing.assert_array_equal(a["times_ms"], np.arange(1, 601) * 0.5)
    for key in ("times_ms", "V_m", "I_syn_ex"):
        np.testing.assert_array_equal(a[key], b[key])
    assert np.all(a["V_m"] < -40.0) and np.ptp(a["V_m"]) > 1.0


def test_the_device_code_on_threads_equals_cpu(model, tmp_path):
    cpu = myelin.Network.from_file(model, threads=2, output_dir=tmp_path / "cpu")
    try:
        omp = myelin.Network.from_file(model, threads=2, backend="omp", output_dir=tmp_path / "omp")
    except myelin.ModelError as e:
        pytest.skip(f"this build has no device backend: {e}")
    cpu.run(200.0)
    omp.run(200.0)
    for population in cpu.populations:
        assert as_pairs(cpu, population) == as_pairs(omp, population)
    np.testing.assert_array_equal(cpu.traces("vm")["V_m"], omp.traces("vm")["V_m"])


def test_checkpoint_resumes_as_a_straight_run(model, tmp_path):
    straight = myelin.Network.from_file(model, output_dir=tmp_path / "straight")
    straight.run(250.0)
    first = myelin.Network.from_file(model, output_dir=tmp_path / "first")
    first.run(100.0)
    path = first.checkpoint()
    assert os.path.exists(path)
    first.close()
    with pytest.raises(myelin.ModelError, match="closed"):
        first.run(1.0)
    second = myelin.Network.resume(path, threads=2, output_dir=tmp_path / "second")
    assert second.time == pytest.approx(100.0)
    second.run(150.0)
    for population in straight.populations:
        after = [s for s in as_pairs(straight, population) if s[0] > 100.0 + 1e-9]
        assert as_pairs(second, population) == after


def test_dicts_equal_their_toml_twin(model, tmp_path):
    import tomllib
    as_dict = tomllib.loads(NETWORK)
    # numpy values are accepted where the file has numbers and lists.
    as_dict["recorders"]["vm"]["ids"] = np.array([0, 7, 199])
    as_dict["populations"]["E"]["size"] = np.int64(200)
    from_dict = myelin.Network.from_dict(as_dict, threads=2, output_dir=tmp_path / "d")
    from_file = myelin.Network.from_file(model, threads=2, output_dir=tmp_path / "f")
    assert list(from_dict.populations) == ["E", "I", "ext"]
    from_dict.run(200.0)
    from_file.run(200.0)
    for population in from_file.populations:
        assert as_pairs(from_dict, population) == as_pairs(from_file, population)
    np.testing.assert_array_equal(from_dict.traces("vm")["V_m"], from_file.traces("vm")["V_m"])
    # The order of the dict is the order of the populations.
    swapped = dict(as_dict, populations={k: as_dict["populations"][k] for k in ("I", "E", "ext")})
    assert list(myelin.Network.from_dict(swapped, output_dir=tmp_path / "s").populations) == ["I", "E", "ext"]


def test_dict_errors_name_the_key(tmp_path):
    import tomllib
    bad = tomllib.loads(NETWORK)
    bad["populations"]["I"]["size"] = -5
    with pytest.raises(myelin.ModelError) as e:
        myelin.Network.from_dict(bad, name="brunel", output_dir=tmp_path / "a")
    assert "brunel" in str(e.value) and "populations.I.size" in str(e.value)
    assert "line" not in str(e.value)
    bad = tomllib.loads(NETWORK)
    bad["projections"][1]["synapse"]["weight"] = object()
    with pytest.raises(myelin.ModelError, match=r"projections\[1\]\.synapse\.weight"):
        myelin.Network.from_dict(bad, output_dir=tmp_path / "b")
    bad = tomllib.loads(NETWORK)
    bad["populations"]["E"]["tau_m"] = 10.0
    with pytest.raises(myelin.ModelError, match="populations.E"):
        myelin.Network.from_dict(bad, output_dir=tmp_path / "c")
    with pytest.raises(myelin.ModelError, match="dict"):
        myelin.Network.from_dict([1, 2], output_dir=tmp_path / "d")


INTERRUPTED = """
import sys
import myelin
net = myelin.Network.from_file(sys.argv[1], output_dir=sys.argv[2])
print("ready", flush=True)
try:
    net.run(1e7)  # hours
except KeyboardInterrupt:
    print("interrupted at", net.time, flush=True)
    net.run(10.0)  # and it goes on from there
    print("then at", net.time, flush=True)
"""


def test_ctrl_c_stops_a_run_with_a_checkpoint(model, tmp_path):
    import signal
    script = tmp_path / "long.py"
    script.write_text(INTERRUPTED)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(myelin.__file__))))
    p = subprocess.Popen([PYTHON, str(script), model, str(tmp_path / "out")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "ready"
    import time
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    lines = out.splitlines()
    stopped = float(lines[0].split()[-1])
    assert lines[0].startswith("interrupted at") and 0 < stopped < 1e7
    assert float(lines[1].split()[-1]) == pytest.approx(stopped + 10.0)
    checkpoints = os.listdir(tmp_path / "out" / "checkpoints")
    assert len(checkpoints) == 1, checkpoints


def test_spikes_frame(model, tmp_path):
    net = myelin.Network.from_file(model, output_dir=tmp_path)
    net.run(50.0)
    frame = net.spikes_frame()
    assert list(frame.columns) == ["population", "id", "time_ms"]
    assert len(frame) == sum(len(net.spikes(p)[0]) for p in net.populations)
    assert frame["time_ms"].is_monotonic_increasing
    only_e = net.spikes_frame(["E"])
    assert set(only_e["population"]) <= {"E"}


def test_seed_and_populations(model, tmp_path):
    a = myelin.Network.from_file(model, output_dir=tmp_path / "a")
    b = myelin.Network.from_file(model, seed=12, output_dir=tmp_path / "b")
    assert (a.seed, b.seed) == (11, 12)
    assert a.populations == {"E": ("iaf_psc_exp", 200), "I": ("iaf_psc_alpha", 50), "ext": ("poisson_source", 20)}
    a.run(100.0)
    b.run(100.0)
    assert as_pairs(a, "E") != as_pairs(b, "E")


def test_bad_input_raises_model_error(model, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(NETWORK.replace("size = 50", "size = -5"))
    with pytest.raises(myelin.ModelError) as e:
        myelin.Network.from_file(bad, output_dir=tmp_path / "o1")
    assert "bad.toml" in str(e.value) and "populations.I" in str(e.value)
    with pytest.raises(myelin.ModelError, match="missing.toml"):
        myelin.Network.from_file(tmp_path / "missing.toml", output_dir=tmp_path / "o2")
    with pytest.raises(myelin.ModelError, match="backend"):
        myelin.Network.from_file(model, backend="quantum", output_dir=tmp_path / "o3")
    with pytest.raises(myelin.ModelError, match="threads"):
        myelin.Network.from_file(model, threads=0)
    damaged = tmp_path / "damaged.ckpt"
    damaged.write_bytes(b"not a checkpoint")
    with pytest.raises(myelin.ModelError, match="damaged.ckpt"):
        myelin.Network.resume(damaged, output_dir=tmp_path / "o4")
    net = myelin.Network.from_file(model, output_dir=tmp_path / "o5")
    with pytest.raises(myelin.ModelError, match="multiple of dt"):
        net.run(0.05)
    with pytest.raises(myelin.ModelError, match=">= 0"):
        net.run(-1.0)
    with pytest.raises(KeyError):
        net.spikes("nobody")
    with pytest.raises(KeyError):
        net.traces("nothing")
    quiet = myelin.Network.from_file(model, record_spikes=False, output_dir=tmp_path / "o6")
    quiet.run(1.0)
    with pytest.raises(myelin.ModelError, match="record_spikes"):
        quiet.spikes("E")


MPI_SCRIPT = """
import json, sys
if sys.argv[3] == "mpi4py":
    from mpi4py import MPI  # starts MPI first; myelin takes its world as it is
import myelin
net = myelin.Network.from_file(sys.argv[1], threads=1, output_dir=sys.argv[2])
net.run(150.0)
net.run(50.0)
spikes = {p: [list(map(float, net.spikes(p)[0])), list(map(int, net.spikes(p)[1]))] for p in net.populations}
vm = net.traces("vm")
traces = {k: vm[k].tolist() for k in ("times_ms", "V_m", "I_syn_ex")}
if myelin.rank() == 0:
    print(json.dumps({"ranks": myelin.num_ranks(), "spikes": spikes, "traces": traces}))
"""


def test_two_ranks_under_mpirun_equal_one(model, tmp_path):
    mpiexec = os.environ.get("MPIEXEC")
    if not mpiexec:
        pytest.skip("no MPI in this build")
    script = tmp_path / "ranks.py"
    script.write_text(MPI_SCRIPT)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1",
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(myelin.__file__))))
    try:
        import mpi4py  # noqa: F401
        starts = ["myelin", "mpi4py"]
    except ImportError:
        starts = ["myelin"]
    runs = {}
    for n, start in [(1, "myelin")] + [(2, s) for s in starts]:
        done = subprocess.run([mpiexec, "-n", str(n), PYTHON, str(script), model, str(tmp_path / f"np{n}{start}"),
                               start], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        runs[n, start] = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(runs[1, "myelin"]["spikes"]["E"][0]) > 50
    for start in starts:
        assert runs[2, start]["ranks"] == 2
        assert runs[1, "myelin"]["spikes"] == runs[2, start]["spikes"], start
        assert runs[1, "myelin"]["traces"] == runs[2, start]["traces"], start
    assert len(runs[1, "myelin"]["traces"]["V_m"]) == 400 and len(runs[1, "myelin"]["traces"]["V_m"][0]) == 3


def test_plot_raster_and_spike_files(model, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import myelin.plot
    net = myelin.Network.from_file(model, output_dir=tmp_path / "run")
    net.run(200.0)
    fig = myelin.plot.raster(net, start=0.0, stop=200.0, bin_ms=10.0)
    raster_ax, hist_ax = fig.axes
    # The histogram holds every spike shown: rate * bin * neurons summed = spikes.
    heights = np.array([bar.get_height() for bar in hist_ax.patches])
    assert len(heights) == 20
    shown = sum(size for _, size in net.populations.values())
    assert heights.sum() * 0.01 * shown == pytest.approx(len(net.spikes_frame()))
    assert [t.get_text() for t in raster_ax.get_yticklabels()] == ["ext", "I", "E"]
    rates = myelin.plot.rates(net, 0.0, 200.0)
    assert rates["E"] == pytest.approx(len(net.spikes("E")[0]) / 200 / 0.2)
    net.close()
    # The file the run wrote, read into pandas in another process (h5py's HDF5).
    code = ("import sys; sys.path.insert(0, sys.argv[2]); import myelin.plot as p; f = p.read_spikes(sys.argv[1]);"
            "print(len(f), list(f.columns), f.attrs['sizes'])")
    package = os.path.dirname(os.path.dirname(os.path.abspath(myelin.__file__)))
    done = subprocess.run([PYTHON, "-c", code, str(tmp_path / "run" / "spikes.h5"), package], check=True,
                          capture_output=True, text=True)
    assert done.stdout.split("[")[0].strip() == str(len(net.spikes_frame()))
    assert "['population', 'id', 'time_ms']" in done.stdout and "'E': 200" in done.stdout
    with pytest.raises(ValueError, match="after its start"):
        myelin.plot.raster(net, start=10.0, stop=5.0)
