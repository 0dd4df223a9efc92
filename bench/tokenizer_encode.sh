#!/usr/bin/env bash
# Tokenizer encode throughput, side by side: ipfs-accelerate (C) against the JS reference
# (@huggingface/tokenizers, the tokenizer code of transformers.js) and Hugging Face's Rust tokenizers
# (its npm build, when it installs) on the same generated corpus.
# Both sides load the tokenizer once, then encode every corpus line; repetitions interleaved, medians
# reported. usage: bench/tokenizer_encode.sh [BUILD_DIR] [REPEATS] [SUITES]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
REPEATS=${2:-5}
SUITES=${3:-llama3 qwen3 llama2 gemma3 gpt2 bert}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -x "$BUILD/ipfs-accelerate" ] || { echo "build $BUILD first" >&2; exit 1; }
[ -d tools/tokenizer-oracle/node_modules ] || { echo "run scripts/bootstrap.sh first" >&2; exit 1; }
/usr/bin/python3 tests/tokenizer_oracle/gen_corpus.py "$WORK/corpus.txt" 3200
# a larger input: the corpus 8 times, so load time is a small share of the run
for i in 1 2 3 4 5 6 7 8; do cat "$WORK/corpus.txt"; done > "$WORK/big.txt"
node bench/tokenizer_encode.mjs --bin "$BUILD/ipfs-accelerate" --corpus "$WORK/big.txt" --work "$WORK" --repeats "$REPEATS" --suites "$SUITES"
