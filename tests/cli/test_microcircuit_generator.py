"""make_microcircuit.py reproduces the committed model files byte for byte,
and its scaling follows the reference: sizes, synapse totals, weights divided
by sqrt(scale), and the DC equivalent of the Poisson background."""
import os
import re
import subprocess
import sys

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
here = os.path.join(SOURCE, "examples", "microcircuit")
generator = os.path.join(here, "make_microcircuit.py")
for scale, name in (("1", "microcircuit.toml"), ("0.1", "microcircuit_0.1.toml")):
    out = os.path.join(temp_dir(), name)
    subprocess.run([sys.executable, generator, "--scale", scale, "--background", "poisson", "-o", out], check=True)
    with open(out, "rb") as a, open(os.path.join(here, name), "rb") as b:
        f.check(a.read() == b.read(), f"{name} is what the generator writes for --scale {scale}")

text = subprocess.run([sys.executable, generator, "--scale", "1", "--background", "dc"], capture_output=True,
                      text=True, check=True).stdout
currents = [float(x) for x in re.findall(r"I_e = ([0-9.e+-]+)", text)]
expected = [561.97, 526.85, 737.59, 667.34, 702.47, 667.34, 1018.58, 737.59]  # 0.3512 pA x K_ext
f.check(len(currents) == 8 and all(abs(a - b) < 0.01 for a, b in zip(currents, expected)),
        f"DC background at full scale: {currents}")
f.check("poisson_generator" not in text, "no Poisson generators with the DC background")

small = os.path.join(temp_dir(), "mc.toml")
subprocess.run([sys.executable, generator, "--scale", "0.05", "--thalamus", "-o", small], check=True)
r = myelin("check", small)
f.check(r.returncode == 0 and "TC" in r.stdout and "poisson_source" in r.stdout, f"scale 0.05 with thalamus: {r.stdout}")
with open(os.path.join(here, "microcircuit.toml")) as fh:
    full = fh.read()
with open(os.path.join(here, "microcircuit_0.1.toml")) as fh:
    tenth = fh.read()
w_full = float(re.search(r'source = "L4E"\ntarget = "L23E"\n.*?mean = ([0-9.]+)', full, re.S).group(1))
w_tenth = float(re.search(r'source = "L4E"\ntarget = "L23E"\n.*?mean = ([0-9.]+)', tenth, re.S).group(1))
f.check(abs(w_full - 175.62) < 0.01, f"L4E -> L23E doubled: {w_full} pA")
f.check(abs(w_tenth - w_full / 0.1 ** 0.5) < 1e-9, f"weights divided by sqrt(0.1): {w_tenth}")
r = myelin("check", os.path.join(here, "microcircuit.toml"))
f.check("neurons 77169, expected synapses 298880968" in r.stdout, "full scale: 77,169 neurons, 2.989e8 synapses")
f.finish()
