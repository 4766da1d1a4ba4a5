"""A rank killed inside a collective file open must not hang the next job.

Open MPI's shared-file-pointer component `sm` takes a machine-wide POSIX
semaphore named after the file's basename (/dev/shm/sem.OMPIO_<name>) inside
every collective open; a rank killed while holding it leaves it locked, and
the next job that opens a file of that name waits in H5Fcreate forever.

1. The state a kill inside the open leaves, made on purpose: locked
   semaphores for spikes.h5 and for the temporary checkpoint file; a 2-rank
   run that writes both must finish (it hung before myelin left `sm` out).
2. The real thing: a 2-rank job is SIGKILLed while it writes a checkpoint
   (its .tmp exists); the next job on the same files finishes and resumes."""
import ctypes
import os
import signal
import subprocess
import time

from common import MYELIN, SOURCE, Failures, myelin_pids, sorted_spikes, temp_dir

MPIEXEC = os.environ["MPIEXEC"]
MODEL = os.path.join(SOURCE, "examples", "brunel_alpha.toml")
f = Failures()
libc = ctypes.CDLL(None, use_errno=True)
libc.sem_open.restype = ctypes.c_void_p
libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
O_CREAT = 0o100


def mpirun(ranks, *args, timeout=180):
    env = dict(os.environ)
    env.pop("OMPI_MCA_sharedfp", None)  # what myelin chooses by itself is under test
    try:
        return subprocess.run([MPIEXEC, "-n", str(ranks), MYELIN, *args], capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        for pid in myelin_pids(args[args.index("-o") + 1]):
            os.kill(pid, signal.SIGKILL)
        return subprocess.CompletedProcess(e.cmd, 124, "", f"timed out after {timeout} s (hung in a file open?)")


def locked_semaphore(file_name):
    """Leaves /dev/shm/sem.OMPIO_<file_name> at 0, as a holder killed inside the open does."""
    name = f"/OMPIO_{file_name}".encode()
    handle = libc.sem_open(name, O_CREAT, 0o644, 0)
    if not handle:
        raise OSError(ctypes.get_errno(), f"sem_open {name}")
    libc.sem_close(ctypes.c_void_p(handle))
    return name


# 1. Locked semaphores for every file the run opens collectively.
out = temp_dir()
names = [locked_semaphore(n) for n in ("spikes.h5", "vm.h5", "ckpt-1500.h5.tmp")]
try:
    r = mpirun(2, "run", MODEL, "-o", out, "--quiet", "--threads", "1", "--duration", "300",
               "--checkpoint-at", "150", timeout=120)
    f.check(r.returncode == 0, f"run beside locked OMPIO semaphores finishes: exit {r.returncode} {r.stderr[-1500:]}")
    f.check(os.path.exists(os.path.join(out, "checkpoints", "ckpt-1500.h5")), "the checkpoint was written")
finally:
    for name in names:
        libc.sem_unlink(name)

# 2. SIGKILL while a checkpoint is being written, then the next job on the same files.
reference = temp_dir()
r = subprocess.run([MYELIN, "run", MODEL, "-o", reference, "--quiet", "--threads", "1", "--duration", "1500"],
                   capture_output=True, text=True, timeout=600)
f.check(r.returncode == 0, f"reference run: {r.stderr[-500:]}")
out = temp_dir()
env = dict(os.environ)
env.pop("OMPI_MCA_sharedfp", None)
p = subprocess.Popen([MPIEXEC, "-n", "2", MYELIN, "run", MODEL, "-o", out, "--quiet", "--threads", "1",
                      "--duration", "1500", "--checkpoint-every", "20", "--keep-checkpoints", "2"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
checkpoints = os.path.join(out, "checkpoints")
killed = False
start = time.time()
while time.time() - start < 120 and p.poll() is None and not killed:
    if os.path.isdir(checkpoints) and any(n.endswith(".tmp") for n in os.listdir(checkpoints)):
        for pid in myelin_pids(out):
            os.kill(pid, signal.SIGKILL)
        killed = True
    time.sleep(0.001)
p.wait(timeout=60)
f.check(killed, "a rank was killed while a checkpoint file was open")
r = mpirun(2, "run", MODEL, "-o", out, "--quiet", "--threads", "1", "--duration", "1500", "--resume", "latest",
           "--checkpoint-every", "20", "--keep-checkpoints", "2", timeout=300)
f.check(r.returncode == 0, f"the next job after the kill finishes: exit {r.returncode} {r.stderr[-1500:]}")
if r.returncode == 0:
    f.check(sorted_spikes(out) == sorted_spikes(reference), "and its spikes equal a straight run")
f.finish()
