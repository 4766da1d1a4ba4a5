"""SLURM jobs that survive their time limit, on the local single-node cluster:
a 2-rank job signalled part-way checkpoints, requeues, resumes and completes
with exactly the spikes of a straight run; a job with a broken model fails
once and is not requeued; a job killed hard while checkpointing resumes from
the previous checkpoint after a manual requeue."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from common import MYELIN, SOURCE, Failures, myelin, myelin_pids, sorted_spikes, temp_dir  # noqa: E402

f = Failures()
SLURM = os.path.join(SOURCE, "cluster", "local", "slurm-local")
SUBMIT = os.path.join(SOURCE, "jobs", "myelin-submit")
env = dict(os.environ, MYELIN_SLURM_DIR=tempfile.mkdtemp(prefix="myelin-slurm-"),
           SLURM_LOCAL_CTLD_PORT=os.environ.get("SLURM_LOCAL_CTLD_PORT", "6837"),
           SLURM_LOCAL_SLURMD_PORT=os.environ.get("SLURM_LOCAL_SLURMD_PORT", "6838"))
env["SLURM_CONF"] = os.path.join(env["MYELIN_SLURM_DIR"], "slurm.conf")
MODEL = os.path.join(SOURCE, "examples", "brunel_alpha.toml")
RUN = ["--duration", "4000"]


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.returncode} {r.stdout} {r.stderr}")
    return r


def submit(model, out, *extra):
    r = sh(SUBMIT, model, "--time", "00:10:00", "--profile", "local", "--ranks-per-node", "2",
           "--output", out, "--myelin", MYELIN, "--", *extra)
    return r.stdout.strip()


def job(jid):
    fields = {}
    for word in sh("scontrol", "show", "job", jid).stdout.split():
        if "=" in word:
            k, v = word.split("=", 1)
            fields[k] = v
    return fields


def wait_for(jid, predicate, what, limit=300):
    start = time.time()
    held_since = None
    while time.time() - start < limit:
        state = job(jid)
        if predicate(state):
            return state
        # Slurm keeps a requeued job ineligible for 121 s because slurmd revokes
        # the old allocation's credentials with a one-second timestamp: a launch
        # within the requeue's second is killed ("Job credential revoked").
        # Release it early, but only once that second has surely passed.
        if state.get("JobState") == "PENDING" and state.get("Reason") == "BeginTime":
            held_since = held_since or time.time()
            if time.time() - held_since >= 2.0:
                sh("scontrol", "update", f"JobId={jid}", "StartTime=now", check=False)
        else:
            held_since = None
        time.sleep(0.5)
    raise RuntimeError(f"job {jid}: {what} not reached in {limit} s: {job(jid)}")


def wait_file(path, limit=120):
    start = time.time()
    while not os.path.exists(path):
        if time.time() - start > limit:
            raise RuntimeError(f"{path} did not appear")
        time.sleep(0.1)


def log(out, jid):
    with open(os.path.join(out, f"slurm-{jid}.out")) as fh:
        return fh.read()


sh(SLURM, "start")
try:
    reference = temp_dir()
    myelin("run", MODEL, "-o", reference, "--quiet", *RUN, check=True)

    # 1. The pre-timeout signal part-way: checkpoint, requeue, resume, complete.
    out = temp_dir()
    jid = submit(MODEL, out, *RUN)
    wait_file(os.path.join(out, "spikes.h5"))
    time.sleep(1.0)
    sh("scancel", "--signal=USR1", "--batch", jid)
    state = wait_for(jid, lambda s: s.get("JobState") in ("COMPLETED", "FAILED", "CANCELLED"), "the end")
    text = log(out, jid)
    f.check(state["JobState"] == "COMPLETED", f"signalled job completed: {state.get('JobState')}\n{text}")
    f.check(state.get("Restarts") == "1", f"requeued exactly once: Restarts={state.get('Restarts')}")
    f.check("checkpointed; requeuing" in text and "allocation 2" in text and "run complete" in text,
            f"the log tells the story:\n{text}")
    f.check(sorted_spikes(out) == sorted_spikes(reference), "interrupted job: spikes equal a straight run")

    # 2. A broken model: one failure, the model error in the log, no requeue.
    out = temp_dir()
    bad = os.path.join(SOURCE, "tests", "data", "bad", "unknown_model.toml")
    jid = submit(bad, out)
    state = wait_for(jid, lambda s: s.get("JobState") in ("COMPLETED", "FAILED"), "the end", limit=60)
    time.sleep(2.0)
    state = job(jid)
    text = log(out, jid)
    f.check(state["JobState"] == "FAILED" and state.get("Restarts") == "0",
            f"broken model: {state.get('JobState')}, Restarts={state.get('Restarts')}")
    f.check("populations.E.model" in text and "not requeued" in text, f"model error in the log:\n{text}")

    # 3. Killed hard while checkpointing: the previous checkpoint resumes after a manual requeue.
    out = temp_dir()
    jid = submit(MODEL, out, *RUN, "--checkpoint-every", "50", "--keep-checkpoints", "3")
    checkpoints = os.path.join(out, "checkpoints")
    start = time.time()
    while time.time() - start < 120 and len([n for n in os.listdir(checkpoints) if n.endswith(".h5")]
                                            if os.path.isdir(checkpoints) else []) < 2:
        time.sleep(0.05)
    # Kill as soon as a new checkpoint is being written (a .tmp exists).
    start = time.time()
    while time.time() - start < 30 and not any(n.endswith(".tmp") for n in os.listdir(checkpoints)):
        time.sleep(0.002)
    for pid in myelin_pids(out):
        os.kill(pid, signal.SIGKILL)
    state = wait_for(jid, lambda s: s.get("JobState") in ("FAILED", "COMPLETED", "CANCELLED"), "the crash")
    f.check(state["JobState"] == "FAILED" and state.get("Restarts") == "0",
            f"killed job fails and is not requeued: {state.get('JobState')} Restarts={state.get('Restarts')}")
    for name in os.listdir(checkpoints):
        if name.endswith(".h5"):
            r = myelin("inspect", os.path.join(checkpoints, name))
            f.check(r.returncode == 0, f"{name} is complete: {r.stderr}")
    sh("scontrol", "requeue", jid)
    state = wait_for(jid, lambda s: s.get("JobState") == "COMPLETED" or
                     (s.get("JobState") == "FAILED" and s.get("Restarts") == "1"), "completion after requeue")
    text = log(out, jid)
    f.check(state["JobState"] == "COMPLETED", f"after a manual requeue: {state.get('JobState')}\n{text}")
    f.check("no checkpoint" not in text.split("allocation 2")[-1], "the second allocation resumed a checkpoint")
    f.check(sorted_spikes(out) == sorted_spikes(reference), "killed and requeued job: spikes equal a straight run")
finally:
    sh(SLURM, "stop", check=False)
f.finish()
