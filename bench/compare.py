#!/usr/bin/env python3
"""Summarises the JSON lines of `run_benchmarks.py --myelin A,B`: per network
and configuration (ranks x threads), the median build and simulation time and
peak bytes per synapse of each binary, and B's over A's ratio as a markdown
table. Medians of interleaved runs, so both binaries saw the same machine.

    bench/run_benchmarks.py --myelin NEW,OLD ... > runs.jsonl
    bench/compare.py runs.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    groups = defaultdict(lambda: defaultdict(list))
    binaries = []
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            b = r.get("myelin", "myelin")
            if b not in binaries:
                binaries.append(b)
            groups[(r["network"], r["ranks"], r["threads"])][b].append(r)
    if len(binaries) != 2:
        sys.exit("expected the runs of exactly two binaries")
    a, b = binaries
    print(f"A = {a}, B = {b}; medians of n runs each; ratio = A / B\n")
    print("| network | ranks x threads | n | build s A / B | sim s A / B (ratio) | bytes/synapse A / B |")
    print("|---|---|---|---|---|---|")
    for (network, ranks, threads), by in groups.items():
        def med(binary, key):
            return statistics.median(r[key] for r in by[binary])
        sa, sb = med(a, "sim_s"), med(b, "sim_s")
        print(f"| {network} | {ranks} x {threads} | {len(by[a])} | {med(a, 'build_s'):.3f} / {med(b, 'build_s'):.3f} "
              f"| {sa:.3f} / {sb:.3f} ({sa / sb:.3f}) "
              f"| {med(a, 'bytes_per_synapse'):.3f} / {med(b, 'bytes_per_synapse'):.3f} |")


if __name__ == "__main__":
    main()
