#!/usr/bin/env python3
"""Runs the example networks through `myelin run` and prints one JSON line per
run: network, neurons, synapses, ranks, threads, backend, build_s, sim_s, rtf,
us_per_step, synaptic_events_per_s, delivery_bytes_per_s (static delivery),
peak_rss_bytes (largest rank), bytes_per_synapse, bytes sent per spike and
per rank, plus the mean rates. Timings are measured here and written down in
docs/benchmarks.md; tests never assert them.

    bench/run_benchmarks.py [--myelin build/app/myelin[,OTHER]] [--ranks 1,2,4] [--threads 1,2]
                            [--networks brunel_alpha,brunel_delta] [--duration MS] [--repeat N]
                            [--partition block,round_robin,graph] [--checkpoint]

A network is an example's name: examples/NAME.toml, or a SONATA example
directory examples/NAME/simulation_config.json (sonata_300). Each run also
reports its partition strategy, the partitioning time and the fraction of
synapses crossing ranks that run.json holds for it.

Several binaries (--myelin A,B: two builds to compare) run interleaved, each
configuration and repetition on every binary in turn, so that both see the
same machine load; each line then names its binary ("myelin").

With --checkpoint it measures checkpoints instead: one written half-way
through --duration (default 200 ms) and read back by a resumed run.

Several ranks run under mpiexec (as root set OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, and OMPI_MCA_rmaps_base_oversubscribe=1 for
more ranks than cores).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model_path(network):
    sonata = os.path.join(ROOT, "examples", network, "simulation_config.json")
    return sonata if os.path.exists(sonata) else os.path.join(ROOT, "examples", network + ".toml")


def run_once(myelin, network, ranks, threads, duration, partition="block", backend="cpu"):
    out = tempfile.mkdtemp(prefix="myelin-bench-")
    cmd = [myelin, "run", model_path(network), "-o", out, "--threads", str(threads), "--quiet",
           "--partition", partition, "--backend", backend]
    if ranks > 1:
        cmd = ["mpiexec", "-n", str(ranks), *cmd]
    if duration is not None:
        cmd += ["--duration", str(duration)]
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, "run.json")) as f:
        r = json.load(f)
    rates = {name: round(p["mean_rate_hz"], 3) for name, p in r["populations"].items()}
    spikes = sum(p["spikes"] for p in r["populations"].values())
    # Per neuron and step: the whole step, and the neuron update alone (advance_s:
    # the model's step with its input and Poisson drive, the slowest rank's).
    neuron_steps = r["neurons"] * (r["end_step"] - r["start_step"])
    advance_s = max((row["advance_s"] for row in r.get("per_rank", [])), default=0.0)
    sent = sum(row["bytes_sent"] for row in r.get("per_rank", []))
    # Delivery: static synapses delivered per second, and the bytes that takes
    # at least (each event reads its synapse, synapse_bytes / synapses, and
    # adds 8 bytes into the ring): the issue's "synaptic events/s, achieved
    # bandwidth", a lower bound of the traffic, not a counter's reading.
    steps = r["end_step"] - r["start_step"]
    events = r.get("static_synaptic_events", 0)
    bytes_per_event = r["synapse_bytes"] / r["synapses"] + 8 if r["synapses"] else 0
    return {
        "network": network,
        "neurons": r["neurons"],
        "synapses": r["synapses"],
        "ranks": r["ranks"],
        "threads": r["threads"],
        "backend": r["backend"],
        "partition": r["partition"],
        "partition_s": round(r.get("partition_s", 0.0), 4),
        "crossing_fraction": round(r["partition_quality"][r["partition"]]["crossing_fraction"], 4)
        if "partition_quality" in r else None,
        "build_s": round(r["build_s"], 4),
        "sim_s": round(r["sim_s"], 4),
        "rtf": round(r["rtf"], 4),
        "us_per_step": round(r["sim_s"] * 1e6 / steps, 3) if steps else None,
        "synaptic_events_per_s": round(events / r["sim_s"]) if r["sim_s"] > 0 else None,
        "delivery_bytes_per_s": round(events * bytes_per_event / r["sim_s"]) if r["sim_s"] > 0 else None,
        "ns_per_neuron_step": round(r["sim_s"] * 1e9 / neuron_steps, 2) if neuron_steps else None,
        "advance_ns_per_neuron_step": round(advance_s * 1e9 / neuron_steps, 2) if neuron_steps else None,
        "peak_rss_bytes": r["peak_rss_bytes"],
        "bytes_per_synapse": round(r["peak_rss_bytes"] * r["ranks"] / r["synapses"], 3) if r["synapses"] else None,
        "bytes_sent_per_spike": round(sent / spikes, 2) if spikes else 0,
        "bytes_sent_per_rank": round(sent / r["ranks"]),
        "imbalance": round(r.get("imbalance", 1.0), 3),
        "duration_ms": r["duration_ms"],
        "rates_hz": rates,
    }


def checkpoint_once(myelin, network, ranks, threads, duration, partition="block", backend="cpu"):
    """Writes one checkpoint half-way through `duration` ms, then resumes from
    it: write and read (restore) time, size per neuron and per synapse."""
    duration = duration or 200.0
    out = tempfile.mkdtemp(prefix="myelin-bench-")
    model = model_path(network)
    launch = ["mpiexec", "-n", str(ranks)] if ranks > 1 else []
    common = ["-o", out, "--threads", str(threads), "--quiet", "--partition", partition, "--backend", backend]
    subprocess.run([*launch, myelin, "run", model, *common, "--duration", str(duration / 2), "--checkpoint-at",
                    str(duration / 2)], check=True)
    with open(os.path.join(out, "run.json")) as f:
        first = json.load(f)
    subprocess.run([*launch, myelin, "run", model, *common, "--duration", str(duration), "--resume", "latest"],
                   check=True)
    with open(os.path.join(out, "run.json")) as f:
        second = json.load(f)
    ckpt = first["checkpoints"][0]
    sim_per_bio_s = first["sim_s"] / (duration / 2 * 1e-3)
    return {
        "network": network, "neurons": first["neurons"], "synapses": first["synapses"], "ranks": ranks,
        "threads": threads, "backend": first["backend"],
        "checkpoint_write_s": round(ckpt["write_s"], 4), "checkpoint_read_s": round(second["restore_s"], 4),
        "checkpoint_bytes": ckpt["bytes"],
        "bytes_per_neuron": round(ckpt["bytes"] / first["neurons"], 1),
        "bytes_per_synapse": round(ckpt["bytes"] / first["synapses"], 4),
        "write_fraction_of_sim_per_bio_s": round(ckpt["write_s"] / sim_per_bio_s, 4),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", default=os.path.join(ROOT, "build", "app", "myelin"),
                    help="binaries, comma-separated: run interleaved")
    ap.add_argument("--ranks", default="1")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--networks", default="brunel_alpha,brunel_delta")
    ap.add_argument("--duration", type=float, default=None, help="override the model's duration (ms)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--partition", default="block", help="strategies, comma-separated")
    ap.add_argument("--checkpoint", action="store_true", help="measure checkpoint write and read instead")
    ap.add_argument("--backends", default="cpu", help="backends, comma-separated: run interleaved")
    args = ap.parse_args()
    binaries = args.myelin.split(",")
    backends = args.backends.split(",")
    for network in args.networks.split(","):
        for ranks in (int(r) for r in args.ranks.split(",")):
            for threads in (int(t) for t in args.threads.split(",")):
                for partition in args.partition.split(","):
                    for _ in range(args.repeat):
                        for binary in binaries:
                            for backend in backends:
                                measure = checkpoint_once if args.checkpoint else run_once
                                line = measure(binary, network, ranks, threads, args.duration, partition, backend)
                                if len(binaries) > 1 or len(backends) > 1:  # compare.py's variants
                                    line["myelin"] = binary + ("" if len(backends) == 1 else " --backend " + backend)
                                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
