#!/usr/bin/env bash
# Builds myelin for an H100/H200 (sm_90) in build-device/ and copies the
# binary, the shared libraries ldd lists (not the C library and loader, which
# every Linux has) and the example models into device-kit/, for a GPU machine
# without Debian packages (docs/gpu.md). Refuses a kit over 60 MB.
#   bench/make-device-kit.sh [KIT_DIR]          (default device-kit)
set -euo pipefail
cd "$(dirname "$0")/.."
kit=${1:-device-kit}
cmake -S . -B build-device -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DMYELIN_BUILD_TESTS=OFF
cmake --build build-device -j2 --target myelin
rm -rf "$kit" && mkdir -p "$kit/lib"
cp build-device/app/myelin "$kit/"
ldd build-device/app/myelin | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$kit/lib/" ;;
  esac
done
# Open MPI finds its plugins and help files relative to its prefix; a one-rank
# run needs neither, so only the libraries travel.
mkdir -p "$kit/models"
cp examples/brunel_alpha.toml tests/data/all_rules.toml tests/data/plastic.toml examples/microcircuit/microcircuit.toml \
   examples/microcircuit/microcircuit_0.1.toml "$kit/models/"
cp -r examples/sonata_300 "$kit/models/"
mkdir -p "$kit/data" && cp -r data/sonata "$kit/data/" # sonata_300's config reads ../../data/sonata
size=$(du -sm "$kit" | cut -f1)
echo "$kit: ${size} MB"
if ((size > 60)); then
  echo "make-device-kit: $kit is ${size} MB, over the 60 MB a device run may carry" >&2
  exit 1
fi
