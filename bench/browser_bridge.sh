#!/usr/bin/env bash
# Browser bridge benchmark: per-run latency through the bridge against the same onnxruntime-web
# session driven directly inside the page (same inputs, interleaved rounds, medians), WebSocket
# transfer rate on loopback (echo), and the load split (bundle, download, session creation, first
# inference). usage: bench/browser_bridge.sh [--full] (adds BERT-base seq 128; ~440 MB fixture)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-/tmp/ia-browser-bench}
ROUNDS=${ROUNDS:-7}
ITERS=${ITERS:-20}
fixtures=(bert vit)
[ "${1:-}" = "--full" ] && fixtures+=(bert_full)
[ -x "$BUILD/ipfs-accelerate" ] || { echo "build first: cmake -S . -B $BUILD && cmake --build $BUILD" >&2; exit 1; }
/usr/bin/python3 tools/fixtures/gen_models.py --out "$OUT" --only "${fixtures[@]}" >/dev/null
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); $(chromium --version 2>/dev/null | head -1)"
for fx in "${fixtures[@]}"; do
  for dev in wasm webgpu; do
    # WebGPU runs on SwiftShader here: few iterations, and only the small fixtures.
    if [ "$dev" = webgpu ]; then
      [ "$fx" = bert_full ] && continue
      r=3; k=3; mb=0
    else
      r=$ROUNDS; k=$ITERS; mb=64
    fi
    "$BUILD/ipfs-accelerate" browser-bench "$OUT/$fx/model.onnx" --device "$dev" --input-dir "$OUT/$fx/test_data_set_0" \
      --rounds "$r" --iters "$k" --echo-mb "$mb" --timeout 600 || echo "{\"model\":\"$fx\",\"device\":\"$dev\",\"error\":\"see stderr\"}"
  done
done
