#!/usr/bin/env python3
"""Builds and runs one network from Python (the myelin package) and through
`myelin run`, alternating, and prints one JSON line per run: network,
interface (python or cli), neurons, synapses, threads, build_s and sim_s as
run.json reports them, and for Python also the wall time of
Network.from_file() and of run() as the script sees them. docs/benchmarks.md
holds the figures.

    PYTHONPATH=build/python bench/python_vs_cli.py [--network brunel_alpha] [--threads 2]
                                                   [--duration 1000] [--repeat 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

IN_PYTHON = """
import json, sys, time
import myelin
path, threads, duration, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
t0 = time.perf_counter()
net = myelin.Network.from_file(path, threads=threads, output_dir=out)
t1 = time.perf_counter()
net.run(duration)
t2 = time.perf_counter()
net.close()
print(json.dumps({"wall_build_s": t1 - t0, "wall_run_s": t2 - t1}))
"""


def summary(out):
    with open(os.path.join(out, "run.json")) as f:
        r = json.load(f)
    return {"neurons": r["neurons"], "synapses": r["synapses"], "threads": r["threads"],
            "build_s": round(r["build_s"], 4), "sim_s": round(r["sim_s"], 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", default=os.path.join(ROOT, "build", "app", "myelin"))
    ap.add_argument("--network", default="brunel_alpha")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    model = os.path.join(ROOT, "examples", args.network + ".toml")
    for _ in range(args.repeat):
        out = tempfile.mkdtemp(prefix="myelin-bench-cli-")
        subprocess.run([args.myelin, "run", model, "-o", out, "--threads", str(args.threads), "--quiet",
                        "--backend", "cpu", "--duration", str(args.duration)], check=True)
        print(json.dumps({"network": args.network, "interface": "cli", **summary(out)}), flush=True)
        out = tempfile.mkdtemp(prefix="myelin-bench-py-")
        done = subprocess.run([PYTHON, "-c", IN_PYTHON, model, str(args.threads), str(args.duration), out],
                              check=True, capture_output=True, text=True)
        walls = {k: round(v, 4) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}
        print(json.dumps({"network": args.network, "interface": "python", **summary(out), **walls}), flush=True)


if __name__ == "__main__":
    main()
