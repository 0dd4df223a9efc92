#!/usr/bin/env bash
# Generation speed, side by side: `ipfs-accelerate text generate` against the onnxruntime-node-driven
# greedy loop (tests/generate_oracle/ref_generate.mjs: KV cache, present.* fed back as past) on the same
# LLaMA-shaped decoder, same prompt, same thread count. Rounds are interleaved (the order alternates),
# medians reported; every round must produce the same ids on both sides.
# usage: bench/generate_decode.sh [BUILD_DIR] [ROUNDS] [FIXTURE] [THREADS] [NEW_TOKENS]
#   FIXTURE: llama_decoder_full (default: 12 layers, hidden 768, 12/4 heads, vocab 32000, ~400 MB of
#   random weights, gen_models.py --full), llama_decoder or llama_decoder_merged (small, quick)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${2:-5}
FIXTURE=${3:-llama_decoder_full}
THREADS=${4:-$(nproc)}
NEW=${5:-64}
OUT=${OUT:-/tmp/ia-generate-bench}
[ -x "$BUILD/ipfs-accelerate" ] || { echo "build $BUILD first (Release)" >&2; exit 1; }
[ -d tools/oracle/node_modules/onnxruntime-node ] || { echo "run scripts/bootstrap.sh first" >&2; exit 1; }
/usr/bin/python3 tools/fixtures/gen_models.py --out "$OUT" --full --only "$FIXTURE" >/dev/null
model=$OUT/$FIXTURE/model.onnx
prompt=$(seq 1 16 | tr '\n' ' ')
ortv=$(node -e "console.log(require('./tools/oracle/node_modules/onnxruntime-node/package.json').version)")
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); fixture $FIXTURE; 16-token prompt;" \
     "$NEW new tokens greedy; $THREADS threads each; onnxruntime-node $ortv; build $BUILD"
ours_ttft=() ours_tps=() ref_ttft=() ref_tps=()
same=yes
run_ours() {
  local j
  j=$("$BUILD/ipfs-accelerate" text generate "$model" --prompt-ids "$prompt" --max-new-tokens "$NEW" --greedy --json --threads "$THREADS")
  ours_ids=$(echo "$j" | sed 's/.*"new_token_ids":\[\([^]]*\)\].*/\1/' | tr ',' ' ')
  ours_ttft+=("$(echo "$j" | sed 's/.*"ttft_ms":\([0-9.e+-]*\).*/\1/')")
  ours_tps+=("$(echo "$j" | sed 's/.*"decode_tokens_per_s":\([0-9.e+-]*\).*/\1/')")
}
run_ref() {
  local e
  ref_ids=$(node tests/generate_oracle/ref_generate.mjs "$model" --prompt-ids "$prompt" --max-new-tokens "$NEW" --threads "$THREADS" 2>"$OUT/ref.err")
  e=$(cat "$OUT/ref.err")
  ref_ttft+=("$(echo "$e" | sed 's/.*time to first token \([0-9.]*\) ms.*/\1/')")
  ref_tps+=("$(echo "$e" | sed 's/.*decode \([0-9.]*\) tokens\/s.*/\1/')")
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then run_ours; run_ref; else run_ref; run_ours; fi
  [ "$ours_ids" = "$ref_ids" ] || same=no
  echo "round $r: ours ttft ${ours_ttft[-1]} ms, ${ours_tps[-1]} tok/s | onnxruntime-node ttft ${ref_ttft[-1]} ms, ${ref_tps[-1]} tok/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mo_t=$(median "${ours_ttft[@]}") mo_s=$(median "${ours_tps[@]}") mr_t=$(median "${ref_ttft[@]}") mr_s=$(median "${ref_tps[@]}")
echo "| loop | time to first token, median (ms) | decode tokens/s, median |"
echo "|---|---|---|"
echo "| ipfs-accelerate text generate | $mo_t | $mo_s |"
echo "| onnxruntime-node $ortv (JS loop) | $mr_t | $mr_s |"
echo "{\"fixture\":\"$FIXTURE\",\"rounds\":$ROUNDS,\"threads\":$THREADS,\"new_tokens\":$NEW,\"same_ids\":\"$same\",\"ours_ttft_ms\":$mo_t,\"ours_decode_tps\":$mo_s,\"ort_ttft_ms\":$mr_t,\"ort_decode_tps\":$mr_s}"
[ "$same" = yes ] || { echo "the two loops produced different ids" >&2; exit 1; }
