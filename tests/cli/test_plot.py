"""tools/myelin-plot turns a spike file into a raster and a rate chart (PNG),
and refuses a file that is not a spike file."""
import os
import subprocess

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
out = temp_dir()
myelin("run", os.path.join(SOURCE, "tests/data/all_rules.toml"), "-o", out, "--quiet", check=True)
tool = os.path.join(SOURCE, "tools", "myelin-plot")
r = subprocess.run(["/usr/bin/python3", tool, os.path.join(out, "spikes.h5"), "--start", "50", "--stop", "250",
                    "-o", os.path.join(out, "fig")], capture_output=True, text=True)
f.check(r.returncode == 0, f"myelin-plot: exit {r.returncode} {r.stderr}")
for name in ("fig-raster.png", "fig-rates.png"):
    path = os.path.join(out, name)
    f.check(os.path.exists(path) and os.path.getsize(path) > 5000, f"{name} written")
    with open(path, "rb") as fh:
        f.check(fh.read(8) == b"\x89PNG\r\n\x1a\n", f"{name} is a PNG")
f.check("E: " in r.stdout and "thalamus: " in r.stdout, f"rates printed: {r.stdout}")
r = subprocess.run(["/usr/bin/python3", tool, os.path.join(out, "traces.h5")], capture_output=True, text=True)
f.check(r.returncode != 0 and "not a SONATA spike file" in r.stderr, f"a report is refused: {r.stderr}")
f.finish()
