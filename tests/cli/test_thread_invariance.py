"""Promise 1 on the command line: the spike and trace files of --threads 1, 2
and 3 are byte-identical (HDF5 files carry no timestamps)."""
import filecmp
import os

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
cases = [(os.path.join(SOURCE, "tests/data/all_rules.toml"), ["spikes.h5", "traces.h5"], []),
         (os.path.join(SOURCE, "examples/brunel_alpha.toml"), ["spikes.h5", "vm.h5"], ["--duration", "200"])]
for model, files, extra in cases:
    outputs = {}
    for threads in (1, 2, 3):
        out = temp_dir()
        myelin("run", model, "-o", out, "--threads", str(threads), "--quiet", *extra, check=True)
        outputs[threads] = out
    for name in files:
        for threads in (2, 3):
            same = filecmp.cmp(os.path.join(outputs[1], name), os.path.join(outputs[threads], name), shallow=False)
            f.check(same, f"{os.path.basename(model)}: {name} differs between 1 and {threads} threads")
    f.check(os.path.getsize(os.path.join(outputs[1], "spikes.h5")) > 10000, f"{model}: spikes were recorded")
f.finish()
