#!/usr/bin/env bash
# The one-command device check (docs/gpu.md), for a GPU machine that has only
# the driver and the CUDA toolkit: runs a kit made by bench/make-device-kit.sh.
# Prints one JSON object per line: the device, each backend-invariance
# comparison, the compute-sanitizer result, each benchmark run's run.json.
# Exit 1 if any comparison or the sanitizer fails. At most about 8 minutes.
#   bench/device-check.sh [KIT_DIR]             (default device-kit)
# DEVICE_CHECK_BACKEND=omp runs the script's own logic without a GPU.
set -uo pipefail
kit=$(cd "${1:-device-kit}" && pwd)
backend=${DEVICE_CHECK_BACKEND:-cuda}
export LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
M="$kit/myelin"
work=$(mktemp -d)
failed=0

line() { echo "{\"check\": \"$1\", $2}"; }
run_json() { tr -d '\n' < "$1/run.json" | tr -s ' '; echo; }

line device "\"version\": \"$("$M" --version | head -1)\", \"backend\": \"$backend\", \"nvidia_smi\": \"$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | head -1)\""
if ! "$M" run "$kit/models/all_rules.toml" -o "$work/probe" --quiet --duration 1 --backend "$backend" 2>"$work/probe.err"; then
  line device "\"ok\": false, \"error\": \"$(tr -d '\"\n' < "$work/probe.err")\""
  exit 1
fi

# 1. The device against the CPU backend, file by file.
compare() { # name model args...
  local name=$1; shift
  "$M" run "$@" -o "$work/$name-cpu" --quiet --threads 8 --backend cpu || { failed=1; return; }
  "$M" run "$@" -o "$work/$name-dev" --quiet --backend "$backend" || { failed=1; return; }
  # Calls the device replayed as one CUDA graph (engine/device/epoch_graph.hpp).
  local graphs
  graphs=$(grep -o '"graph_calls": [0-9]*' "$work/$name-dev/run.json" | grep -o '[0-9]*$')
  for f in "$work/$name-cpu"/*.h5; do
    local same=true
    cmp -s "$f" "$work/$name-dev/$(basename "$f")" || { same=false; failed=1; }
    line invariance "\"network\": \"$name\", \"file\": \"$(basename "$f")\", \"identical\": $same, \"graph_calls\": ${graphs:-null}"
  done
  # One rank runs alone, several calls of one shape: on a GPU the later calls
  # are replays (brunel_alpha plain, sonata_300 with spike sources, plastic
  # with STDP), so their files above came from a graph.
  if [ "$backend" = cuda ] && [[ " brunel_alpha sonata_300 plastic " == *" $name "* ]] && [ "${graphs:-0}" -eq 0 ]; then
    line graphs "\"network\": \"$name\", \"ok\": false, \"graph_calls\": ${graphs:-null}"
    failed=1
  fi
  # A GPU draws the plasticity network's STDP and Tsodyks tables itself
  # (engine/device/construction.hpp), so its files above test those tables.
  if [ "$backend" = cuda ] && [ "$name" = plastic ] &&
    ! grep -q '"plastic_tables_built_on": "device"' "$work/$name-dev/run.json"; then
    line plastic_tables "\"network\": \"$name\", \"ok\": false"
    failed=1
  fi
}
compare brunel_alpha "$kit/models/brunel_alpha.toml" --duration 500
compare all_rules "$kit/models/all_rules.toml"
compare microcircuit_0.1 "$kit/models/microcircuit_0.1.toml" --duration 500
compare sonata_300 "$kit/models/sonata_300/simulation_config.json" --duration 500
compare plastic "$kit/models/plastic.toml" --duration 1000

# 2. A short run under compute-sanitizer (memcheck): no error reports.
if [ "$backend" = cuda ] && command -v compute-sanitizer >/dev/null; then
  compute-sanitizer --error-exitcode 3 "$M" run "$kit/models/all_rules.toml" -o "$work/sanitized" --quiet \
    --duration 50 --backend cuda > "$work/sanitizer.log" 2>&1
  rc=$?
  ((rc == 0)) || failed=1
  line compute_sanitizer "\"exit\": $rc, \"summary\": \"$(grep -m1 'ERROR SUMMARY' "$work/sanitizer.log" | tr -d '\"')\""
fi

# 3. Benchmarks: one run.json per line (build_s, sim_s, rtf, synapse_bytes, ...).
for bench in "brunel_alpha.toml --duration 1000" "microcircuit.toml --duration 1000"; do
  set -- $bench
  model=$1; shift
  if timeout 240 "$M" run "$kit/models/$model" "$@" -o "$work/bench-$model" --quiet --backend "$backend"; then
    echo -n "{\"check\": \"benchmark\", \"network\": \"$model\", \"run\": "; run_json "$work/bench-$model" | sed 's/$/}/'
  else
    line benchmark "\"network\": \"$model\", \"ok\": false"
    failed=1
  fi
done
rm -rf "$work"
exit $failed
