#!/bin/sh
# GFLOP/s of ia_gemm_f32 (each kernel set, pre-packed B) on transformer shapes against the
# machine's measured FMA peak, with the pre-issue GEMM (git commit 90e558a) side by side.
# Usage: bench/gemm_vs_peak.sh [BUILD_DIR=build] [REPS=7] [MAX_THREADS=2]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
reps=${2:-7}
threads=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" show 90e558a:src/ops/nn/gemm_f32.c | sed 's/\bia_gemm_f32\b/old_gemm_f32/' >"$tmp/old_gemm.c"
cc -O3 -std=c11 -D_GNU_SOURCE -I"$root/include" -I"$root/src" -o "$tmp/gemm_vs_peak" "$root/bench/gemm_vs_peak.c" \
    "$tmp/old_gemm.c" "$root/$build/libipfs_accelerate.a" -lcrypto -lpthread -lm -ldl
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/gemm_vs_peak" "$reps" "$threads"
