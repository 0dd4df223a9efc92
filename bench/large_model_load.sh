#!/usr/bin/env bash
# Load time and memory of a model whose weights live in external data: generates a model with
# SIZE_MB of float32 weights in a file next to it, then measures `ipfs-accelerate run`'s
# session creation (load_ms) and the process's peak RSS, against the time to read the same
# bytes with cat and the file size. Usage: bench/large_model_load.sh [SIZE_MB=2048] [BUILD=build]
set -euo pipefail
size_mb=${1:-2048}
build=${2:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/ia-large-XXXXXX)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir" "$size_mb" <<'PY'
import sys, os
import numpy as np
import onnx
from onnx import helper, TensorProto
d, mb = sys.argv[1], int(sys.argv[2])
cols = 1024
rows = mb * 1024 * 1024 // 4 // cols
with open(os.path.join(d, "weights.bin"), "wb") as f:
    block = np.full((1024, cols), 0.001, np.float32).tobytes()
    left = rows
    while left > 0:
        n = min(left, 1024)
        f.write(block[: n * cols * 4])
        left -= n
w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[rows, cols])
w.data_location = TensorProto.EXTERNAL
for k, v in (("location", "weights.bin"), ("offset", "0"), ("length", str(rows * cols * 4))):
    e = w.external_data.add(); e.key, e.value = k, v
# y = x[1, rows] @ w[rows, cols]: every weight is read once per run
g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "large",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, rows])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, cols])], [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
with open(os.path.join(d, "model.onnx"), "wb") as f:
    f.write(m.SerializeToString())
PY
bytes=$(stat -c %s "$dir/weights.bin")
cat "$dir/weights.bin" > /dev/null   # page cache warm for both measurements
t0=$(date +%s%N); cat "$dir/weights.bin" > /dev/null; t1=$(date +%s%N)
out=$(/usr/bin/time -f "%M" "$here/$build/ipfs-accelerate" run "$dir/model.onnx" --random-inputs --repeat 1 --json 2>"$dir/rss")
rss_kb=$(tail -1 "$dir/rss")
echo "weights: $((bytes / 1048576)) MiB in external data (page cache warm)"
echo "cat of the weights file: $(( (t1 - t0) / 1000000 )) ms"
echo "ipfs-accelerate: $out"
echo "peak RSS of the whole run (load + one MatMul over every weight): $((rss_kb / 1024)) MiB"
