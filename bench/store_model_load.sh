#!/usr/bin/env bash
# Side-by-side: loading a model from the store by CID/path against loading the same files from
# disk, page cache warm, interleaved repetitions, medians. Measures: `load` = session creation
# (`run --json` load_ms; store loads include verifying every block), `first` = wall time of a whole
# `run` process (load + one inference, which reads every weight), and `cpu` = user + system seconds
# of that process (steadier than wall time when other jobs share the cores). Two models: weights in
# external data files, and weights embedded in model.onnx; the folder is added under kubo's default
# (dag-pb leaves) and unixfs-v1-2025 (raw leaves). With BASE_BUILD, a second build (e.g. the code
# before a change) loads the same CIDs in the same interleaved runs (column "base").
# Usage: bench/store_model_load.sh [N (weights N x N float32)] [BUILD_DIR] [REPS] [BASE_BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-4096}
BUILD=${2:-build}
REPS=${3:-9}
BASE=${4:-}
BIN="$BUILD/ipfs-accelerate"
PY=/usr/bin/python3
[ -x "$BIN" ] || { echo "build first: $BIN missing" >&2; exit 1; }
[ -z "$BASE" ] || [ -x "$BASE/ipfs-accelerate" ] || { echo "no $BASE/ipfs-accelerate" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ia-bench-model-XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
export IPFS_ACCELERATE_HOME="$WORK/store"
"$PY" tests/store_oracle/make_model.py "$WORK/ext" "$N"
"$PY" tests/store_oracle/make_model.py "$WORK/emb" "$N" embedded
echo "(ms, medians; cpu in s)"; echo "model weights: $(du -sh "$WORK/ext/onnx" | cut -f1) (N=$N); $(nproc) cores; reps=$REPS, interleaved; load average $(cut -d' ' -f1-3 /proc/loadavg)"
one() { # BIN MODEL -> "load_ms wall_ms cpu_s"
  local t0 t1 out
  t0=$(date +%s%N)
  out=$(/usr/bin/time -f "%U %S" -o "$WORK/time" "$1" run "$2" --random-inputs --dim batch=1 --threads 1 --json)
  t1=$(date +%s%N)
  echo "$(echo "$out" | sed 's/.*"load_ms":\([0-9.]*\).*/\1/') $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e6}') $(awk '{printf "%.3f", $1 + $2}' "$WORK/time")"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$1" "$WORK/$2" | median; }
printf "\n%-9s %-15s %8s %8s %6s %8s   %8s %8s %6s %8s   %6s %6s %6s\n" "model" "store profile" "load" "store" "ratio" "base" \
  "first" "store" "ratio" "base" "cpu" "store" "base"
for kind in ext emb; do
  for prof in unixfs-v0-2015 unixfs-v1-2025; do
    cid=$("$BIN" add -r -Q --profile=$prof "$WORK/$kind")
    : > "$WORK/f"; : > "$WORK/s"; : > "$WORK/b"
    one "$BIN" "$WORK/$kind/onnx/model.onnx" > /dev/null; one "$BIN" "$cid/onnx/model.onnx" > /dev/null  # warm
    for _ in $(seq "$REPS"); do
      one "$BIN" "$WORK/$kind/onnx/model.onnx" >> "$WORK/f"
      one "$BIN" "$cid/onnx/model.onnx" >> "$WORK/s"
      if [ -n "$BASE" ]; then one "$BASE/ipfs-accelerate" "$cid/onnx/model.onnx" >> "$WORK/b"; else echo "0 0 0" >> "$WORK/b"; fi
    done
    printf "%-9s %-15s %8.1f %8.1f %5.2fx %8.1f   %8.1f %8.1f %5.2fx %8.1f   %6.3f %6.3f %6.3f\n" \
      "$([ $kind = ext ] && echo external || echo embedded)" "$prof" \
      "$(col 1 f)" "$(col 1 s)" "$(echo "$(col 1 s) / $(col 1 f)" | bc -l)" "$(col 1 b)" \
      "$(col 2 f)" "$(col 2 s)" "$(echo "$(col 2 s) / $(col 2 f)" | bc -l)" "$(col 2 b)" \
      "$(col 3 f)" "$(col 3 s)" "$(col 3 b)"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
