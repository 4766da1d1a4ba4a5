#!/usr/bin/env python3
"""Runs the example networks through `myelin run` and prints one JSON line per
run: network, neurons, synapses, ranks, threads, backend, build_s, sim_s, rtf,
peak_rss_bytes, bytes_per_synapse, plus the mean rate. Timings are measured
here and written down in docs/benchmarks.md; tests never assert them.

    bench/run_benchmarks.py [--myelin build/engine/myelin] [--threads 1,2]
                            [--networks brunel_alpha,brunel_delta] [--duration MS] [--repeat N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(myelin, network, threads, duration):
    out = tempfile.mkdtemp(prefix="myelin-bench-")
    cmd = [myelin, "run", os.path.join(ROOT, "examples", network + ".toml"), "-o", out, "--threads", str(threads),
           "--quiet"]
    if duration is not None:
        cmd += ["--duration", str(duration)]
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, "run.json")) as f:
        r = json.load(f)
    rates = {name: round(p["mean_rate_hz"], 3) for name, p in r["populations"].items()}
    return {
        "network": network,
        "neurons": r["neurons"],
        "synapses": r["synapses"],
        "ranks": r["ranks"],
        "threads": r["threads"],
        "backend": r["backend"],
        "build_s": round(r["build_s"], 4),
        "sim_s": round(r["sim_s"], 4),
        "rtf": round(r["rtf"], 4),
        "peak_rss_bytes": r["peak_rss_bytes"],
        "bytes_per_synapse": round(r["peak_rss_bytes"] / r["synapses"], 3) if r["synapses"] else None,
        "duration_ms": r["duration_ms"],
        "rates_hz": rates,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", default=os.path.join(ROOT, "build", "engine", "myelin"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--networks", default="brunel_alpha,brunel_delta")
    ap.add_argument("--duration", type=float, default=None, help="override the model's duration (ms)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    for network in args.networks.split(","):
        for threads in (int(t) for t in args.threads.split(",")):
            for _ in range(args.repeat):
                print(json.dumps(run_once(args.myelin, network, threads, args.duration)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
