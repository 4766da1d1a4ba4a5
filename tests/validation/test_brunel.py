"""Brunel networks at full size, 1 s: mean rates as NEST's examples give them.
brunel_alpha: E and I within 28.5 +- 2 Hz (NEST 3.10: 28.54 / 28.62 Hz).
brunel_delta: within 32 +- 3 Hz (NEST 3.9 on this machine class: 32.0 Hz)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from common import SOURCE, Failures, myelin, temp_dir  # noqa: E402

f = Failures()
for model, target, tolerance in (("brunel_alpha", 28.5, 2.0), ("brunel_delta", 32.0, 3.0)):
    out = temp_dir()
    myelin("run", os.path.join(SOURCE, "examples", model + ".toml"), "-o", out, "--quiet", check=True)
    run = json.load(open(os.path.join(out, "run.json")))
    for pop in ("E", "I"):
        rate = run["populations"][pop]["mean_rate_hz"]
        print(f"{model} {pop}: {rate:.2f} Hz")
        f.check(abs(rate - target) <= tolerance, f"{model} {pop}: {rate:.2f} Hz, expected {target} +- {tolerance}")
    f.check(run["synapses"] == 15625000, f"{model}: {run['synapses']} synapses")
f.finish()
