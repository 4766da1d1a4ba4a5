"""What a batch user meets before and during a run:
- memory admission: a network far larger than any machine is refused at once
  (exit 2, before building) with the ranks that would fit it; `check` gives
  the same verdict; `--force` runs what admission refused;
- progress in logs: with stderr not a terminal, one line per tenth of the run;
  none with --quiet;
- the fixed-point range: inputs beyond it saturate, and the run says so."""
import json
import os
import re
import subprocess
import time

from common import MYELIN, SOURCE, Failures, myelin, temp_dir

f = Failures()
BRUNEL = os.path.join(SOURCE, "examples/brunel_alpha.toml")
d = temp_dir()

# 1. Memory admission. 1e6 neurons x 1e5 inputs: about 750 GiB of synapses.
huge = os.path.join(d, "huge.toml")
with open(huge, "w") as fh:
    fh.write("""[populations.E]
model = "iaf_psc_alpha"
size = 1000000
[[projections]]
source = "E"
target = "E"
rule = { kind = "fixed_indegree", indegree = 100000 }
synapse = { weight = 1.0, delay = 1.5 }
""")
out = os.path.join(d, "huge-out")
start = time.monotonic()
r = myelin("run", huge, "-o", out)
elapsed = time.monotonic() - start
f.check(r.returncode == 2, f"a network beyond this machine's memory: exit {r.returncode} {r.stderr}")
f.check(huge in r.stderr and "not enough memory" in r.stderr and re.search(r"at least \d+ ranks", r.stderr)
        and "--force" in r.stderr, f"the message names the file, the need, the ranks that would fit: {r.stderr}")
f.check(elapsed < 60, f"refused before building ({elapsed:.1f} s)")  # building would take hours
f.check(not os.path.exists(os.path.join(out, "spikes.h5")), "nothing was simulated")
r = myelin("check", huge, "--ranks", "2")
f.check(r.returncode == 0 and "memory on this machine" in r.stdout and "does not fit" in r.stdout,
        f"check gives the verdict: {r.stdout[-600:]}")
r = myelin("check", BRUNEL)
f.check(r.returncode == 0 and re.search(r"memory on this machine: .*: fits", r.stdout), f"brunel fits: {r.stdout}")

# What a rank can have comes from MemAvailable/cgroups; MYELIN_MEMORY_AVAILABLE replaces it.
env = dict(os.environ, MYELIN_MEMORY_AVAILABLE="1000000")
r = subprocess.run([MYELIN, "run", BRUNEL, "-o", os.path.join(d, "small"), "--quiet", "--duration", "20"],
                   capture_output=True, text=True, env=env, timeout=300)
f.check(r.returncode == 2 and "MYELIN_MEMORY_AVAILABLE" in r.stderr, f"1 MB available: refused: {r.stderr}")
r = subprocess.run([MYELIN, "run", BRUNEL, "-o", os.path.join(d, "forced"), "--quiet", "--duration", "20", "--force"],
                   capture_output=True, text=True, env=env, timeout=300)
f.check(r.returncode == 0 and "warning" in r.stderr and "--force" in r.stderr,
        f"--force runs it with a warning: {r.returncode} {r.stderr}")
# A value that is no number of bytes is refused, naming the variable, not passed over.
for bad in ("lots", "-5", "1e400", "12GB"):
    for command in (["run", BRUNEL, "-o", os.path.join(d, "bad-memory"), "--quiet", "--duration", "1"],
                    ["check", BRUNEL]):
        r = subprocess.run([MYELIN, *command], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, MYELIN_MEMORY_AVAILABLE=bad))
        f.check(r.returncode == 2 and f"MYELIN_MEMORY_AVAILABLE is '{bad}'" in r.stderr,
                f"MYELIN_MEMORY_AVAILABLE={bad} ({command[0]}): exit {r.returncode}, {r.stderr[-300:]}")

# 2. Progress when stderr is a pipe (a batch log): a line per tenth, the last at 100 %.
r = myelin("run", BRUNEL, "-o", os.path.join(d, "progress"), "--duration", "300")
lines = [line for line in r.stderr.splitlines() if line.startswith("myelin: progress")]
percent = [float(re.search(r"progress\s+([\d.]+)%", line).group(1)) for line in lines]
f.check(r.returncode == 0 and 10 <= len(lines) <= 12, f"about ten progress lines: {r.stderr}")
f.check(percent == sorted(percent) and percent and percent[-1] == 100.0, f"increasing to 100 %: {percent}")
f.check(all("rtf" in line and "ETA" in line and " ms" in line for line in lines), f"time, rtf, ETA: {lines[:2]}")
f.check("\r" not in r.stderr, "no terminal redraws in a log")
r = myelin("run", BRUNEL, "-o", os.path.join(d, "quiet"), "--duration", "300", "--quiet")
f.check(r.returncode == 0 and "progress" not in r.stderr, f"--quiet: no progress: {r.stderr}")

# 3. Saturation: 3,000 sources at once into one delta neuron with the largest weight.
sat = os.path.join(SOURCE, "tests/data/saturating_input.toml")
r = myelin("run", sat, "-o", os.path.join(d, "sat"), "--quiet")
with open(os.path.join(d, "sat", "run.json")) as fh:
    run = json.load(fh)
f.check(r.returncode == 0 and run["saturated_input_steps"] == 1, f"one saturated neuron-step: {run.get('saturated_input_steps')}")
f.check("fixed-point range" in r.stderr, f"the run warns: {r.stderr}")
f.check(run["populations"]["N"]["spikes"] == 1, "the saturated (positive) input made the neuron fire")
r = myelin("run", BRUNEL, "-o", os.path.join(d, "plain"), "--quiet", "--duration", "50")
with open(os.path.join(d, "plain", "run.json")) as fh:
    f.check(json.load(fh)["saturated_input_steps"] == 0 and "fixed-point" not in r.stderr, "brunel: none")
f.finish()
