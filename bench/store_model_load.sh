#!/usr/bin/env bash
# Side-by-side: loading a model from the store by CID/path against loading the same files from
# disk, page cache warm, interleaved repetitions, medians. Two measures: `load` = session creation
# (`run --json` load_ms; from a file this only maps it, the weights are not read yet), and `first`
# = wall time of a whole `run` process (load + one inference, which reads every weight). Two models: weights in external data files, and weights embedded in model.onnx; the
# folder is added under kubo's default (dag-pb leaves) and unixfs-v1-2025 (raw leaves).
# Usage: bench/store_model_load.sh [N (weights N x N float32)] [BUILD_DIR] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-4096}
BUILD=${2:-build}
REPS=${3:-9}
BIN="$BUILD/ipfs-accelerate"
PY=/usr/bin/python3
[ -x "$BIN" ] || { echo "build first: $BIN missing" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ia-bench-model-XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
export IPFS_ACCELERATE_HOME="$WORK/store"
"$PY" tests/store_oracle/make_model.py "$WORK/ext" "$N"
"$PY" tests/store_oracle/make_model.py "$WORK/emb" "$N" embedded
echo "(ms, medians)"; echo "model weights: $(du -sh "$WORK/ext/onnx" | cut -f1) (N=$N); $(nproc) cores; reps=$REPS, interleaved"
load_ms() { # prints "load_ms wall_ms"
  local t0 t1 out
  t0=$(date +%s%N)
  out=$("$BIN" run "$1" --random-inputs --dim batch=1 --threads 1 --json)
  t1=$(date +%s%N)
  echo "$(echo "$out" | sed 's/.*"load_ms":\([0-9.]*\).*/\1/') $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e6}')"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf "\n%-10s %-15s %10s %10s %7s   %10s %10s %7s\n" "model" "store profile" "load file" "store" "ratio" "first file" "store" "ratio"
for kind in ext emb; do
  for prof in unixfs-v0-2015 unixfs-v1-2025; do
    cid=$("$BIN" add -r -Q --profile=$prof "$WORK/$kind")
    : > "$WORK/f"; : > "$WORK/s"
    load_ms "$WORK/$kind/onnx/model.onnx" > /dev/null; load_ms "$cid/onnx/model.onnx" > /dev/null  # warm
    for _ in $(seq "$REPS"); do
      load_ms "$WORK/$kind/onnx/model.onnx" >> "$WORK/f"
      load_ms "$cid/onnx/model.onnx" >> "$WORK/s"
    done
    f=$(cut -d' ' -f1 "$WORK/f" | median); s=$(cut -d' ' -f1 "$WORK/s" | median)
    fw=$(cut -d' ' -f2 "$WORK/f" | median); sw=$(cut -d' ' -f2 "$WORK/s" | median)
    printf "%-10s %-15s %10.2f %10.2f %6.2fx   %10.2f %10.2f %6.2fx\n" "$([ $kind = ext ] && echo external || echo embedded)" "$prof" \
      "$f" "$s" "$(echo "$s / $f" | bc -l)" "$fw" "$sw" "$(echo "$sw / $fw" | bc -l)"
  done
done
