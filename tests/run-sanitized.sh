#!/usr/bin/env bash
# Builds everything with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (stopping at the first report) plus libFuzzer's instrumentation, and runs
# the unit and command-line tests (label unit: every reader and the engine)
# on it. The same build holds the fuzz targets (fuzz/smoke.sh BUILD_DIR).
#   tests/run-sanitized.sh [BUILD_DIR]      (default build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
# The device backend's code runs here too (--backend omp), on one thread:
# Thrust's sequential system keeps OpenMP's runtime out of the leak checks.
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DMYELIN_FUZZ=ON \
      -DMYELIN_WITH_DEVICE_THREADS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
ctest --test-dir "$build" -L unit --output-on-failure
