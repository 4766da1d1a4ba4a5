"""A bad model file under mpirun -np 3: every rank exits with code 2, the
message appears once, and there is no MPI abort and no hang."""
import os
import subprocess

from common import MYELIN, SOURCE, Failures, temp_dir

MPIEXEC = os.environ["MPIEXEC"]
f = Failures()
bad = os.path.join(SOURCE, "tests/data/bad/indegree_exceeds_sources.toml")
for command in (["run", bad, "-o", temp_dir(), "--quiet"], ["check", bad]):
    r = subprocess.run([MPIEXEC, "-n", "3", MYELIN, *command], capture_output=True, text=True, timeout=120)
    text = r.stdout + r.stderr
    f.check(r.returncode == 2, f"{command[0]}: mpirun exit code {r.returncode}, expected 2\n{text}")
    f.check(text.count("projections[0].rule.indegree") == 1, f"{command[0]}: the message must appear once:\n{text}")
    f.check("MPI_ABORT" not in text and "MPI_Abort" not in text, f"{command[0]}: no MPI abort:\n{text}")

# A bad flag is also reported once, with exit code 2.
r = subprocess.run([MPIEXEC, "-n", "3", MYELIN, "run", os.path.join(SOURCE, "tests/data/all_rules.toml"),
                    "--partition", "diagonal", "-o", temp_dir()], capture_output=True, text=True, timeout=120)
text = r.stdout + r.stderr
f.check(r.returncode == 2 and text.count("diagonal") == 1, f"bad --partition: exit {r.returncode}\n{text}")
f.finish()
