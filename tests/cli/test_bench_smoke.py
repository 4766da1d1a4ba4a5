"""bench/run_benchmarks.py prints well-formed JSON lines with every field
docs/benchmarks.md relies on (values are not judged: tests never time)."""
import json
import os
import subprocess
import sys

from common import MYELIN, SOURCE, Failures

f = Failures()
out = subprocess.run([sys.executable, os.path.join(SOURCE, "bench", "run_benchmarks.py"), "--myelin", MYELIN,
                      "--networks", "brunel_alpha", "--threads", "1,2", "--duration", "20"],
                     capture_output=True, text=True, check=True).stdout.splitlines()
f.check(len(out) == 2, f"two lines, got {len(out)}")
for line in out:
    r = json.loads(line)
    for key in ("network", "neurons", "synapses", "ranks", "threads", "backend", "build_s", "sim_s", "rtf",
                "peak_rss_bytes", "bytes_per_synapse", "us_per_step", "synaptic_events_per_s",
                "delivery_bytes_per_s"):
        f.check(key in r, f"{key} in {line}")
    f.check(r["synapses"] == 15625000 and r["bytes_per_synapse"] > 8, f"sizes in {line}")
    # 20 ms of 12,500 neurons with 1,250 synapses each spiking at tens of Hz: many events.
    f.check(r["synaptic_events_per_s"] > 0 and r["delivery_bytes_per_s"] > 8 * r["synaptic_events_per_s"]
            and r["us_per_step"] > 0, f"delivery figures in {line}")
f.finish()
