"""myelin from Python: build a network from a model file, run it in pieces,
read its spikes and samples as numpy arrays, checkpoint and resume.

    import myelin
    net = myelin.Network.from_file("examples/brunel_alpha.toml", threads=2)
    net.run(100.0)                      # ms; the next call continues from here
    times, ids = net.spikes("E")        # numpy arrays, sorted by time
    frame = net.spikes_frame()          # a pandas DataFrame of every population

The network is built and run in this process by the same C++ code as
`myelin run`; the output directory receives the same files (spikes.h5,
reports, run.json, checkpoints). Under mpirun each rank's Python process runs
its part; spikes() returns the whole network's spikes on every rank.
"""
import atexit
import os
import re
import tempfile

from . import _myelin, _toml

_LINE = re.compile(r" \(line \d+(, column \d+)?\)")

ModelError = _myelin.ModelError
ModelError.__doc__ = "Bad input: a model file, a checkpoint or an argument, with the file, key and reason."

__all__ = ["Network", "ModelError", "rank", "num_ranks"]


def rank():
    """This process's rank (0 without MPI)."""
    return _myelin.rank()


def num_ranks():
    """The number of ranks running the network together."""
    return _myelin.size()


def _steps(ms, dt, what):
    try:
        ms = float(ms)
    except (TypeError, ValueError):
        raise ModelError("%s: %r is not a time in ms" % (what, ms)) from None
    if not ms >= 0:
        raise ModelError("%s: %r ms is not a time >= 0" % (what, ms))
    steps = round(ms / dt)
    if abs(steps * dt - ms) > 1e-9 * max(1.0, ms):
        raise ModelError("%s: %r ms is not a multiple of dt = %r ms" % (what, ms, dt))
    return steps


def _options(threads, backend, output_dir, seed, record_spikes):
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ModelError("threads: %r is not a positive integer" % (threads,))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ModelError("seed: %r is not an integer >= 0" % (seed,))
    if output_dir is None:
        output_dir = tempfile.mkdtemp(prefix="myelin-") if _myelin.size() == 1 else "output"
    return dict(threads=threads, backend=str(backend), output_dir=os.fspath(output_dir), seed=seed,
                record_spikes=bool(record_spikes))


class Network:
    """A network built in this process. Make one with from_file() or resume()."""

    def __init__(self, handle):
        self._net = handle

    @classmethod
    def from_file(cls, path, threads=1, seed=None, backend="cpu", output_dir=None, record_spikes=True):
        """Builds the network of a model file (TOML, or a SONATA simulation config).

        threads: worker threads on this rank; seed: replaces the file's seed;
        backend: "cpu", "omp", "cuda" or "auto"; output_dir: where the files go
        (a new temporary directory when not given, on one rank); record_spikes:
        keep every spike in memory for spikes() (False for very long runs)."""
        return cls(_myelin.Network.from_file(os.fspath(path),
                                             **_options(threads, backend, output_dir, seed, record_spikes)))

    @classmethod
    def from_dict(cls, model, threads=1, seed=None, backend="cpu", output_dir=None, record_spikes=True,
                  name="<dict>"):
        """Builds a network from Python dicts in the model file's vocabulary
        (docs/model-file.md): {"run": {...}, "populations": {NAME: {...}},
        "projections": [{...}], "devices": {...}, "recorders": {...}}. The model
        file's own reader checks and builds it, so it equals its TOML twin bit
        for bit, and errors name the key (prefixed by `name`). Dict order fixes
        the populations' order. Numbers may be numpy scalars or arrays."""
        try:
            text = _toml.dumps(model)
        except _toml.DictError as e:
            raise ModelError("%s: %s" % (name, e)) from None
        options = _options(threads, backend, output_dir, seed, record_spikes)
        try:
            return cls(_myelin.Network.from_text(text, str(name), **options))
        except ModelError as e:
            # Line numbers would point into text the user never saw.
            raise ModelError(_LINE.sub("", str(e))) from None

    @classmethod
    def resume(cls, checkpoint, threads=1, backend="cpu", output_dir=None, record_spikes=True):
        """Continues from a checkpoint (written by checkpoint() or `myelin run`),
        with the model it holds, on any backend and number of ranks. spikes()
        then holds the spikes from the checkpoint on."""
        return cls(_myelin.Network.resume(os.fspath(checkpoint),
                                          **_options(threads, backend, output_dir, None, record_spikes)))

    def run(self, duration_ms):
        """Advances by duration_ms (a multiple of dt). Repeated calls are one run, bit for bit."""
        self._net.run_steps(_steps(duration_ms, self._net.dt, "run"))

    @property
    def time(self):
        """Simulated time so far, in ms."""
        return self._net.step * self._net.dt

    @property
    def dt(self):
        return self._net.dt

    @property
    def seed(self):
        return self._net.seed

    @property
    def output_dir(self):
        return self._net.output_dir

    @property
    def populations(self):
        """{name: (model, size)} in file order."""
        return dict(self._net.populations)

    def spikes(self, population):
        """(times in ms, indices within the population) of its spikes so far, sorted by time then index."""
        return self._net.spikes(population)

    def spikes_frame(self, populations=None):
        """The spikes of these populations (all by default) as a pandas DataFrame
        with columns population, id and time_ms, sorted by time."""
        import pandas as pd
        names = list(self.populations) if populations is None else list(populations)
        frames = []
        for name in names:
            times, ids = self.spikes(name)
            frames.append(pd.DataFrame({"population": pd.Categorical([name] * len(ids), categories=names),
                                        "id": ids, "time_ms": times}))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            {"population": [], "id": [], "time_ms": []})
        return frame.sort_values(["time_ms", "population", "id"], kind="stable", ignore_index=True)

    def traces(self, multimeter):
        """A multimeter's samples so far: {"times_ms": (n,), "ids": ids, VARIABLE: (n, len(ids)), ...}."""
        population, ids, variables = self._net.multimeters[multimeter]
        if not ids:
            ids = list(range(self.populations[population][1]))
        times, values = self._net.traces(multimeter)
        per_sample = values.reshape(len(times), len(ids), len(variables))
        out = {"times_ms": times, "ids": list(ids)}
        for v, name in enumerate(variables):
            out[name] = per_sample[:, :, v].copy()
        return out

    def checkpoint(self):
        """Writes a checkpoint of the current time into output_dir/checkpoints; returns its path."""
        return self._net.checkpoint()

    def close(self):
        """Closes the output files and writes run.json. The network cannot run after."""
        self._net.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


atexit.register(_myelin.shutdown)
