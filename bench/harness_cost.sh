#!/bin/sh
# What the bench harness costs: runner overhead per iteration on an Identity model against a bare
# ia_session_run loop, sample inserts per second against DuckDB's in-engine INSERT, and the HTML
# report over >= 100,000 samples. Interleaved repetitions, medians (see bench/harness_cost.c).
# Usage: bench/harness_cost.sh [BUILD_DIR=build] [REPS=5]   (needs tools/duckdb from scripts/bootstrap.sh)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
reps=${2:-5}
case $build in /*) ;; *) build=$root/$build ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp/identity.onnx" <<'PY'
import sys
import onnx
from onnx import TensorProto, helper
g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
PY
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o "$tmp/harness_cost" "$root/bench/harness_cost.c" \
    -L"$build" -lipfs_accelerate -Wl,-rpath,"$build"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build: $build ($(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)), commit $(git -C "$root" rev-parse --short HEAD)"
"$tmp/harness_cost" "$tmp/identity.onnx" "$tmp" "$reps"
