"""Checkpoints across ranks: written on 2, 1 and 4 ranks and resumed on 2, 3
and 2 (other partition, other threads), the spikes equal an uninterrupted run;
SIGUSR1 sent to one rank only stops every rank at the same epoch with exit
code 75 and a checkpoint that `--resume latest` completes exactly."""
import os
import signal
import subprocess
import time


from common import MYELIN, SOURCE, Failures, myelin, myelin_pids, temp_dir
from common import sorted_spikes as spikes

MPIEXEC = os.environ["MPIEXEC"]
f = Failures()
RULES = os.path.join(SOURCE, "tests/data/all_rules.toml")
BRUNEL = os.path.join(SOURCE, "examples/brunel_alpha.toml")


def mpirun(ranks, *args):
    return subprocess.run([MPIEXEC, "-n", str(ranks), MYELIN, *args], capture_output=True, text=True, timeout=600)


whole = temp_dir()
myelin("run", RULES, "-o", whole, "--quiet", "--threads", "1", check=True)
for before, after, partition, threads in ((2, 2, "block", "1"), (1, 3, "round_robin", "2"), (4, 2, "block", "2")):
    out = temp_dir()
    r = mpirun(before, "run", RULES, "-o", out, "--quiet", "--threads", "1", "--duration", "150",
               "--checkpoint-at", "150")
    f.check(r.returncode == 0, f"{before} ranks to 150 ms: exit {r.returncode} {r.stderr[-1500:]}")
    r = mpirun(after, "run", RULES, "-o", out, "--quiet", "--threads", threads, "--partition", partition,
               "--resume", "latest")
    f.check(r.returncode == 0, f"resume on {after} ranks: exit {r.returncode} {r.stderr[-1500:]}")
    f.check(spikes(out) == spikes(whole), f"{before} -> {after} ranks ({partition}, {threads} threads): same spikes")

# A signal to one rank: all stop together, exit 75, and the run resumes exactly.
reference = temp_dir()
myelin("run", BRUNEL, "-o", reference, "--quiet", "--duration", "2000", "--threads", "1", check=True)
out = temp_dir()
p = subprocess.Popen([MPIEXEC, "-n", "2", MYELIN, "run", BRUNEL, "-o", out, "--quiet", "--duration", "2000",
                      "--threads", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
while not os.path.exists(os.path.join(out, "spikes.h5")) and p.poll() is None:
    time.sleep(0.05)
time.sleep(0.5)
ranks = myelin_pids(out)
f.check(len(ranks) == 2, f"found the two rank processes: {ranks}")
if ranks:
    os.kill(max(ranks), signal.SIGUSR1)  # one rank only, as srun may deliver it
_, err = p.communicate(timeout=600)
f.check(p.returncode == 75, f"mpirun exit code {p.returncode}, expected 75")
saved = [n for n in os.listdir(os.path.join(out, "checkpoints")) if n.endswith(".h5")]
f.check(len(saved) == 1, f"one checkpoint written: {saved}")
if saved:
    r = myelin("inspect", os.path.join(out, "checkpoints", saved[0]))
    f.check(r.returncode == 0, f"the checkpoint loads: {r.stderr}")
r = mpirun(2, "run", BRUNEL, "-o", out, "--quiet", "--duration", "2000", "--threads", "1", "--resume", "latest")
f.check(r.returncode == 0, f"resume latest: exit {r.returncode} {r.stderr[-1500:]}")
s = spikes(out)
f.check(s == spikes(reference), "no spike lost or duplicated: identical to the uninterrupted run")
f.check(all(len(v) == len(set(v)) for v in s.values()), "every spike once")
f.finish()
