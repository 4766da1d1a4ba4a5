"""Shared helpers for the command-line tests: where the binary and sources are."""
import os
import subprocess
import sys
import tempfile

MYELIN = os.environ["MYELIN"]
SOURCE = os.environ["MYELIN_SOURCE"]


def clean_environment():
    """This process's environment as Python sees it, without an MPI launcher's
    variables. A module that started MPI in this process (bmtk imports mpi4py,
    which starts a singleton) sets PMIX_* variables in the C environment, which
    a child inherits by default: myelin would then start MPI too."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PMIX_", "PMI_", "OMPI_COMM_WORLD"))}


def myelin(*args, check=False):
    """Runs myelin, alone (not as an MPI process); returns the CompletedProcess (text output)."""
    result = subprocess.run([MYELIN, *args], capture_output=True, text=True, timeout=600, env=clean_environment())
    if check and result.returncode != 0:
        sys.exit(f"myelin {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def sorted_spikes(out):
    """Every spike of DIR/spikes.h5 as sorted (time, id) pairs per population."""
    import h5py  # Debian's h5py; only the tests that read files need it

    with h5py.File(os.path.join(out, "spikes.h5")) as h:
        return {p: sorted(zip(h["spikes"][p]["timestamps"][:].tolist(), h["spikes"][p]["node_ids"][:].tolist()))
                for p in h["spikes"]}


def recorded_weights(out, name="ee"):
    """A weights recorder's file DIR/NAME.h5: snapshot times, weights, and each column's source and target."""
    import h5py

    with h5py.File(os.path.join(out, f"{name}.h5")) as h:
        w = h["weights"]
        return {k: w[k][:] for k in ("time", "data", "source_node_ids", "target_node_ids")}


def same_weights(a, b):
    """Two recorded_weights results, equal bit for bit."""
    import numpy as np

    return all(np.array_equal(a[k], b[k]) for k in a)


def myelin_pids(output_dir):
    """Process ids of the myelin processes writing to output_dir (e.g. each rank)."""
    pids = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as c, open(f"/proc/{pid}/cmdline", "rb") as cl:
                    if c.read().strip() == "myelin" and output_dir.encode() in cl.read():
                        pids.append(int(pid))
            except OSError:
                pass
    return pids


def temp_dir():
    return tempfile.mkdtemp(prefix="myelin-test-")


class Failures:
    """Collects failures so one run reports all of them; ends with the summary line."""

    def __init__(self):
        self.failed, self.passed = [], 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
            print("FAIL:", what)

    def finish(self):
        print(f"{self.passed} passed, {len(self.failed)} failed")
        sys.exit(1 if self.failed else 0)
