#!/usr/bin/env bash
# Runs every fuzz target of a MYELIN_FUZZ build for SECONDS seconds (default
# 60) from its seed corpus; exits non-zero on the first finding, whose input
# libFuzzer leaves in the crash-*/leak-*/timeout-*/oom-* file it names.
#   fuzz/smoke.sh BUILD_DIR [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/smoke.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
work=$build/fuzz-work
mkdir -p "$work"
/usr/bin/python3 fuzz/make_seeds.py --myelin "$build/app/myelin" --out "$work/seeds"
# Small inputs, 2 GiB of memory, 10 s per input: a slower or bigger input is a finding.
common=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1
        -artifact_prefix="$work/")
declare -A seeds=([model_file]="examples tests/data tests/data/bad" [sonata]="$work/seeds/sonata"
                  [checkpoint]="$work/seeds/checkpoint" [spec_archive]="$work/seeds/spec_archive")
for target in model_file sonata checkpoint spec_archive; do
  corpus=$work/corpus-$target
  mkdir -p "$corpus"
  echo "== fuzz_$target: $seconds s"
  # shellcheck disable=SC2086  # the seed directories are separate words
  if ! "$build/fuzz/fuzz_$target" "${common[@]}" "$corpus" ${seeds[$target]} >"$work/$target.log" 2>&1; then
    tail -n 60 "$work/$target.log"
    echo "fuzz_$target found a problem: the input is in $work/ (see $work/$target.log)"
    exit 1
  fi
  tail -n 12 "$work/$target.log"
done
