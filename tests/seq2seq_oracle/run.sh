#!/bin/sh
# Encoder-decoder parity: `text text2text` must give exactly the decoder ids of the onnxruntime-node
# reference (ref_seq2seq.mjs: greedy, and beam search after transformers' BeamSearchScorer) on the
# T5-like fixture folder (gen_t5_seq2seq.py), for several inputs, beam widths, length penalties and
# early_stopping settings, with the merged decoder, decoder + decoder_with_past, and without the cache;
# greedy also against transformers.js's own T5 generate; and greedy and 3 beams on gen_models.py's
# t5_encoder + t5_decoder (a decoder fed back its own present values).
#   run.sh BIN NODE PYTHON3 SRC_DIR WORK_DIR
set -eu
bin=$1 node=$2 py=$3 src=$4 work=$5
[ -n "$node" ] && [ -x "$node" ] || { echo "node not found: install Node.js (scripts/bootstrap.sh)"; exit 1; }
[ -d "$src/tools/oracle/node_modules/onnxruntime-node" ] || { echo "tools/oracle/node_modules missing: run scripts/bootstrap.sh"; exit 1; }
ref=$src/tests/seq2seq_oracle/ref_seq2seq.mjs
mkdir -p "$work"
"$py" "$src/tools/fixtures/gen_t5_seq2seq.py" --out "$work/t5"
fail=0 n=0
check() { # WHAT "REF ARGS" "OUR ARGS"
  # shellcheck disable=SC2086
  want=$("$node" "$ref" "$work/t5" $2 2>/dev/null) || { echo "FAIL $1: the reference failed"; fail=1; return; }
  # shellcheck disable=SC2086
  got=$("$bin" text text2text "$work/t5" $3 2>&1) || got="(failed: $got)"
  n=$((n + 1))
  if [ "$got" = "$want" ]; then echo "ok   $1: $(echo "$want" | wc -w) ids equal"
  else echo "FAIL $1"; echo "  reference: $want"; echo "  ours:      $got"; fail=1; fi
}
for ids in "5 6 7 8 9" "40 2 17 33 90 12 3 3 8 71" "11" "64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83"; do
  q=$(echo "$ids" | tr ' ' ,)
  for form in merged with_past no_cache; do
    case $form in merged) ours="--decoder merged";; with_past) ours="--decoder with-past";; no_cache) ours="--no-cache";; esac
    check "[$q] greedy $form" "--ids $q --form $form --max-new-tokens 40" "--ids $q $ours --max-new-tokens 40"
  done
  for nb in 2 4; do
    for es in false true never; do
      check "[$q] beams $nb early_stopping $es" "--ids $q --form merged --max-new-tokens 30 --num-beams $nb --early-stopping $es" \
            "--ids $q --max-new-tokens 30 --num-beams $nb --early-stopping $es"
    done
    for lp in 0.5 2.0 -1.0; do
      check "[$q] beams $nb length_penalty $lp" "--ids $q --form merged --max-new-tokens 30 --num-beams $nb --length-penalty $lp --early-stopping never" \
            "--ids $q --max-new-tokens 30 --num-beams $nb --length-penalty $lp --early-stopping never"
    done
  done
  for form in with_past no_cache; do
    case $form in with_past) ours="--decoder with-past";; no_cache) ours="--no-cache";; esac
    check "[$q] beams 3 $form" "--ids $q --form $form --max-new-tokens 30 --num-beams 3" "--ids $q $ours --max-new-tokens 30 --num-beams 3"
  done
done
# greedy against transformers.js's own T5 loop as well (a second, independent reference)
if [ -d "$src/tools/transformers-oracle/node_modules" ]; then
  for ids in "5 6 7 8 9" "40 2 17 33 90 12 3 3 8 71" "11" "64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83"; do
    want=$("$node" "$src/tests/seq2seq_oracle/ref_transformersjs.mjs" "$work/t5" --ids "$ids" --max-new-tokens 40 2>/dev/null) || want="(transformers.js failed)"
    got=$("$bin" text text2text "$work/t5" --ids "$ids" --max-new-tokens 40 2>&1) || got="(failed: $got)"
    if [ "$got" = "$want" ]; then echo "ok   [$ids] greedy equals transformers.js: $(echo "$want" | wc -w) ids"
    else echo "FAIL [$ids] greedy vs transformers.js: want '$want' got '$got'"; fail=1; fi
  done
else echo "FAIL tools/transformers-oracle/node_modules missing: run scripts/bootstrap.sh"; fail=1; fi
# gen_models.py's T5-like pair: one decoder with self-attention past inputs, encoder states every step
"$py" "$src/tools/fixtures/gen_models.py" --out "$work/gm" --only t5_encoder t5_decoder >/dev/null
mkdir -p "$work/t5single/onnx"
cp "$work/gm/t5_encoder/model.onnx" "$work/t5single/onnx/encoder_model.onnx"
cp "$work/gm/t5_decoder/model.onnx" "$work/t5single/onnx/decoder_model.onnx"
for ids in "5 6 7 8 9" "100 3 27"; do
  want=$("$node" "$ref" "$work/t5single" --ids "$ids" --form single --max-new-tokens 24 2>/dev/null) || want="(reference failed)"
  got=$("$bin" text text2text "$work/t5single" --ids "$ids" --max-new-tokens 24 2>&1) || got="(failed: $got)"
  if [ "$got" = "$want" ]; then echo "ok   t5_encoder + t5_decoder [$ids] greedy: $(echo "$want" | wc -w) ids equal"
  else echo "FAIL t5_encoder + t5_decoder [$ids]: want '$want' got '$got'"; fail=1; fi
  want=$("$node" "$ref" "$work/t5single" --ids "$ids" --form single --max-new-tokens 24 --num-beams 3 2>/dev/null) || want="(reference failed)"
  got=$("$bin" text text2text "$work/t5single" --ids "$ids" --max-new-tokens 24 --num-beams 3 2>&1) || got="(failed: $got)"
  if [ "$got" = "$want" ]; then echo "ok   t5_encoder + t5_decoder [$ids] 3 beams: $(echo "$want" | wc -w) ids equal"
  else echo "FAIL t5_encoder + t5_decoder [$ids] 3 beams: want '$want' got '$got'"; fail=1; fi
done
# text in, text out with a tokenizer.json (the 256-token byte-level one of the generate test, on a
# 256-token variant of the fixture): equals tokenize | --ids | decode
"$py" "$src/tools/fixtures/gen_t5_seq2seq.py" --out "$work/t5text" --vocab 256
"$py" "$src/tests/generate_oracle/make_byte_tokenizer.py" "$work/t5text/tokenizer.json"
pids=$(echo "Hello, world" | "$bin" text tokenize "$work/t5text")
want=$("$bin" text text2text "$work/t5text" --ids "$pids" --num-beams 2 --max-new-tokens 16 | "$bin" text tokenize "$work/t5text" --decode --no-special) || want="(ids path failed)"
got=$("$bin" text translate "$work/t5text" --text "Hello, world" --num-beams 2 --max-new-tokens 16 2>&1) || got="(failed: $got)"
if [ -n "$want" ] && [ "$got" = "$want" ]; then echo "ok   --text equals the decoded ids of --ids"
else echo "FAIL --text: want '$want' got '$got'"; fail=1; fi
# bad input: clear errors
if "$bin" text text2text "$work/t5" --ids "1 2" --num-beams 0 >/dev/null 2>"$work/err.txt"; then echo "FAIL --num-beams 0 accepted"; fail=1
elif grep -q "num_beams must be" "$work/err.txt"; then echo "ok   --num-beams 0: clear error"; else echo "FAIL --num-beams 0: $(cat "$work/err.txt")"; fail=1; fi
if "$bin" text text2text "$work/gm" --ids "1 2" >/dev/null 2>"$work/err.txt"; then echo "FAIL a folder without an encoder accepted"; fail=1
elif grep -q "encoder_model.onnx" "$work/err.txt"; then echo "ok   no encoder: clear error"; else echo "FAIL no encoder: $(cat "$work/err.txt")"; fail=1; fi
echo "$n beam/greedy comparisons on the seq2seq fixture"
exit $fail
