"""Real clients read myelin's outputs: Debian's python3-bmtk (the SONATA
reference toolkit) reads the spike files of one rank (sorting by_time) and of
two ranks (sorting none) and the membrane reports, with the same values h5py
reads from the files."""
import os
import subprocess

import h5py
import numpy as np
from bmtk.utils.reports.compartment import CompartmentReport
from bmtk.utils.reports.spike_trains import SpikeTrains
from bmtk.utils.reports.spike_trains.core import SortOrder

from common import MYELIN, SOURCE, Failures, myelin, temp_dir

f = Failures()
RULES = os.path.join(SOURCE, "tests/data/all_rules.toml")
runs = {"one rank": (temp_dir(), SortOrder.by_time)}
myelin("run", RULES, "-o", runs["one rank"][0], "--quiet", "--duration", "200", check=True)
if "MPIEXEC" in os.environ:
    runs["two ranks"] = (temp_dir(), SortOrder.none)
    # Under tests/run-sanitized.sh: Open MPI's own allocations outlive MPI_Finalize (leak checks are for ours).
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = subprocess.run([os.environ["MPIEXEC"], "-n", "2", MYELIN, "run", RULES, "-o", runs["two ranks"][0], "--quiet",
                        "--duration", "200", "--threads", "1"], capture_output=True, text=True, timeout=600, env=env)
    f.check(r.returncode == 0, f"2-rank run: {r.stderr[-1000:]}")

for what, (out, order) in runs.items():
    spikes = SpikeTrains.from_sonata(os.path.join(out, "spikes.h5"))
    with h5py.File(os.path.join(out, "spikes.h5")) as h:
        f.check(sorted(spikes.populations) == sorted(h["spikes"]), f"{what}: populations {spikes.populations}")
        for pop in h["spikes"]:
            f.check(spikes._population_sorting_map[pop] == order,
                    f"{what}: {pop} sort order {spikes._population_sorting_map[pop]}, expected {order}")
            frame = spikes.to_dataframe(populations=pop)
            mine = sorted(zip(h["spikes"][pop]["timestamps"][:].tolist(), h["spikes"][pop]["node_ids"][:].tolist()))
            theirs = sorted(zip(frame["timestamps"].tolist(), frame["node_ids"].tolist()))
            f.check(mine == theirs and len(mine) > 0, f"{what}: {pop}: BMTK reads the {len(mine)} spikes h5py reads")

    report = CompartmentReport(os.path.join(out, "traces.h5"), mode="r")
    f.check(report.populations == ["I"], f"{what}: report populations {report.populations}")
    pop = report["I"]
    with h5py.File(os.path.join(out, "traces.h5")) as h:
        data = h["report/I/data"][:]
        f.check(list(pop.node_ids()) == [0, 7, 99], f"{what}: report node ids {pop.node_ids()}")
        f.check((pop.tstart(), pop.tstop(), pop.dt()) == (0.5, 200.5, 0.5),
                f"{what}: report time {pop.tstart()} {pop.tstop()} {pop.dt()}")
        f.check(pop.n_steps() == data.shape[0] == 400, f"{what}: {pop.n_steps()} steps, {data.shape[0]} rows")
        for k, node in enumerate([0, 7, 99]):
            theirs = pop.data(node_id=node)
            f.check(np.array_equal(theirs, data[:, 3 * k:3 * k + 3]),
                    f"{what}: node {node}: BMTK's columns equal the file's (V_m, I_syn_ex, I_syn_in)")
        f.check(np.array_equal(pop.data(), data), f"{what}: the whole report")
        f.check(pop.units() in ("mV,pA,pA", b"mV,pA,pA"), f"{what}: units {pop.units()}")
f.finish()
