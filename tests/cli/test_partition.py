"""`myelin check --ranks 4 --partition graph` on examples/areas.toml prints, for
every strategy, the fraction of synapses that cross ranks, the imbalance and
the bytes per spike; graph partitioning cuts at most half of round-robin's
crossing synapses and fewer than block's. run.json carries the same figures."""
import json
import os
import re

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
AREAS = os.path.join(SOURCE, "examples", "areas.toml")

r = myelin("check", AREAS, "--ranks", "4", "--partition", "graph")
f.check(r.returncode == 0, f"check exits 0: {r.stderr}")
table = {m.group(1): (float(m.group(2)), float(m.group(3)), float(m.group(4)))
         for m in re.finditer(r"^    (block|round_robin|graph)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", r.stdout, re.M)}
f.check(set(table) == {"block", "round_robin", "graph"}, f"one line per strategy: {r.stdout}")
if len(table) == 3:
    print("crossing fraction:", {k: v[0] for k, v in table.items()})
    f.check(table["graph"][0] <= 0.5 * table["round_robin"][0], f"graph cuts <= half of round_robin: {table}")
    f.check(table["graph"][0] < table["block"][0], f"graph cuts fewer than block: {table}")
    f.check(table["graph"][1] <= 1.031, f"graph within the balance bound: {table['graph'][1]}")
    f.check(table["graph"][2] < table["round_robin"][2], f"graph sends fewer bytes per spike: {table}")
f.check("decomposition over 4 rank(s), graph" in r.stdout, "the table of the chosen strategy follows")

out = temp_dir()
r = myelin("run", AREAS, "-o", out, "--quiet", "--duration", "20", "--partition", "graph", "--threads", "2")
f.check(r.returncode == 0, f"areas runs with --partition graph: {r.stderr}")
with open(os.path.join(out, "run.json")) as fh:
    run = json.load(fh)
f.check(run["partition"] == "graph" and set(run["partition_quality"]) == {"block", "round_robin", "graph"},
        f"run.json names the strategy and measures all: {run.get('partition_quality')}")
f.check(run["partition_quality"]["graph"]["crossing_fraction"] == 0.0, "one rank: nothing crosses")
r = myelin("check", AREAS, "--partition", "metis")
f.check(r.returncode == 2 and "graph" in r.stderr, f"unknown strategy lists the known ones: {r.stderr}")
f.finish()
