"""Every broken model file and bad flag gives exit code 2 and a message naming
the file, the key and the reason; nothing crashes."""
import glob
import os
import re

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
bad_files = sorted(glob.glob(os.path.join(SOURCE, "tests/data/bad/*.toml")))
f.check(len(bad_files) >= 20, f"at least 20 broken model files (found {len(bad_files)})")

for path in bad_files:
    with open(path, encoding="utf-8", errors="replace") as fh:
        key = re.match(r"# expect-key: (\S+)", fh.readline()).group(1)
    name = os.path.basename(path)
    for command in (["check", path], ["run", path, "-o", temp_dir(), "--quiet"]):
        r = myelin(*command)
        msg = r.stderr.strip()
        f.check(r.returncode == 2, f"{name} {command[0]}: exit code {r.returncode}, expected 2; stderr: {msg}")
        f.check(path in msg, f"{name} {command[0]}: message does not name the file: {msg}")
        m = re.search(re.escape(path) + r": (\S+): (.+)", msg)
        f.check(m is not None and m.group(1) == key,
                f"{name} {command[0]}: expected key {key}, message: {msg}")
        f.check(m is not None and len(m.group(2).strip()) > 5, f"{name} {command[0]}: no reason given: {msg}")

# A file that does not exist.
missing = os.path.join(temp_dir(), "nope.toml")
r = myelin("run", missing)
f.check(r.returncode == 2 and missing in r.stderr and "no such file" in r.stderr,
        f"missing file: {r.returncode} {r.stderr}")

# Bad flags.
good = os.path.join(SOURCE, "tests/data/all_rules.toml")
for flags, what in ((["--threads", "0"], "--threads 0"), (["--duration", "-5"], "negative --duration"),
                    (["--duration", "10.05"], "--duration off the dt grid"), (["--bogus"], "unknown flag"),
                    (["--seed", "x"], "non-numeric seed")):
    r = myelin("run", good, "-o", temp_dir(), "--quiet", *flags)
    f.check(r.returncode == 2 and r.stderr.strip() != "", f"{what}: exit {r.returncode}, stderr {r.stderr!r}")
r = myelin("run")
f.check(r.returncode == 2, f"run without a model: exit {r.returncode}")
r = myelin()
f.check(r.returncode == 2, f"no subcommand: exit {r.returncode}")

# An output directory that cannot be written is reported before simulating:
# here its path runs through a regular file.
blocker = os.path.join(temp_dir(), "a_file")
open(blocker, "w").close()
r = myelin("run", good, "-o", os.path.join(blocker, "out"), "--quiet")
f.check(r.returncode == 2 and "output directory" in r.stderr and blocker in r.stderr,
        f"unwritable output directory: exit {r.returncode}, stderr {r.stderr!r}")
f.check("synapses" not in r.stdout, "unwritable output directory: the simulation must not have run")

f.finish()
