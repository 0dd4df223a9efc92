#!/usr/bin/env bash
# The main job on the embedded defaults: generate a small transformer-encoder-shaped ONNX
# model (random weights), describe it, and run it on the CPU engine with timing.
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/$BUILD/demo"
mkdir -p "$out"
/usr/bin/python3 "$here/tools/fixtures/make_demo.py" "$out/demo_encoder.onnx"
echo "== inspect: $out/demo_encoder.onnx"
"$here/$BUILD/ipfs-accelerate" inspect "$out/demo_encoder.onnx"
echo
echo "== run on the CPU engine (random inputs, 3 warm-up + 20 timed runs)"
"$here/$BUILD/ipfs-accelerate" run "$out/demo_encoder.onnx" --random-inputs --dim batch=1 --dim seq=64 --warmup 3 --repeat 20
