#!/bin/sh
# Generation parity: `text generate` (KV cache, and re-running the whole sequence without it) must give
# exactly the 64 new token ids of the onnxruntime-node reference loop (ref_generate.mjs), on the plain
# and merged LLaMA-like and Qwen2-like fixtures (q/k/v biases, rope_theta 1e6, tied embeddings), for two
# prompts; --stop-ids must cut at the first stop token.
# A left-padded batch of three prompts equals the batched reference and the single ones.
# `text embed` on the bert fixture equals onnxruntime-node's hidden states pooled in float64 within 1e-4.
#   run.sh BIN NODE PYTHON3 SRC_DIR WORK_DIR
set -eu
bin=$1 node=$2 py=$3 src=$4 work=$5
[ -n "$node" ] && [ -x "$node" ] || { echo "node not found: install Node.js (scripts/bootstrap.sh)"; exit 1; }
mkdir -p "$work"
"$py" "$src/tools/fixtures/gen_models.py" --out "$work" --only llama_decoder llama_decoder_merged qwen2_decoder qwen2_decoder_merged bert >/dev/null
fail=0
# the Qwen2 fixtures are what they claim: q/k/v biases and no o_proj bias, lm_head tied to the embedding
# matrix (no lm_head.weight; a Transpose of model.embed_tokens.weight), rope base 1e6, model_type qwen2
for m in qwen2_decoder qwen2_decoder_merged; do
  "$py" - "$work/$m" <<'PY' || { echo "FAIL $m: not Qwen2-shaped"; fail=1; }
import json, sys, onnx
d = sys.argv[1]
g = onnx.load(d + "/model.onnx").graph
names = {i.name for i in g.initializer}
nodes = list(g.node) + [n for x in g.node for a in x.attribute if a.g.node for n in a.g.node]
for i in range(2):
    p = f"model.layers.{i}.self_attn."
    assert all(p + t + "_proj.bias" in names for t in "qkv"), "q/k/v biases missing"
    assert p + "o_proj.bias" not in names, "o_proj has a bias"
assert "lm_head.weight" not in names, "lm_head is not tied"
assert any(n.op_type == "Transpose" and n.input[0] == "model.embed_tokens.weight" for n in nodes), "no tied lm_head"
c = json.load(open(d + "/config.json"))
assert c["model_type"] == "qwen2" and c["rope_theta"] == 1e6 and c["rms_norm_eps"] == 1e-6 and c["tie_word_embeddings"]
assert c["num_key_value_heads"] < c["num_attention_heads"], "no GQA"
print("ok  ", d.rsplit("/", 1)[-1], "is Qwen2-shaped (q/k/v biases, tied lm_head, rope_theta 1e6, GQA)")
PY
done
for m in llama_decoder llama_decoder_merged qwen2_decoder qwen2_decoder_merged; do
  for prompt in "1 2 3 4 5" "200 17 9 250 3 3 41 128 77 0 5"; do
    ref=$("$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/$m/model.onnx" --prompt-ids "$prompt" --max-new-tokens 64)
    n=$(echo "$ref" | wc -w)
    if [ "$n" -ne 64 ]; then echo "FAIL $m: reference gave $n ids"; fail=1; continue; fi
    for mode in cache --no-cache; do
      flag=; [ "$mode" = --no-cache ] && flag=--no-cache
      got=$("$bin" text generate "$work/$m/model.onnx" --prompt-ids "$prompt" --max-new-tokens 64 --greedy $flag 2>/dev/null) || got="(failed)"
      if [ "$got" = "$ref" ]; then echo "ok   $m [$prompt] $mode: 64 ids equal"
      else echo "FAIL $m [$prompt] $mode"; echo "  reference: $ref"; echo "  ours:      $got"; fail=1; fi
    done
    # stop ids: the 10th reference token; we must stop right after its first occurrence
    stop=$(echo "$ref" | cut -d' ' -f10)
    want=$(echo "$ref" | awk -v s="$stop" '{o=""; for(i=1;i<=NF;i++){o=o (i>1?" ":"") $i; if($i==s) break} print o}')
    got=$("$bin" text generate "$work/$m/model.onnx" --prompt-ids "$prompt" --max-new-tokens 64 --stop-ids "$stop" 2>/dev/null) || got="(failed)"
    if [ "$got" = "$want" ]; then echo "ok   $m [$prompt] stop id $stop"
    else echo "FAIL $m [$prompt] stop id $stop: want '$want' got '$got'"; fail=1; fi
  done
done
# three prompts of different lengths as one left-padded batch: each row equals the batched reference
# and the single-prompt reference (with and without the KV cache)
for m in llama_decoder llama_decoder_merged qwen2_decoder qwen2_decoder_merged; do
  set -- "1 2 3 4 5" "200 17 9 250 3 3 41 128 77 0 5" "42"
  ref=$("$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/$m/model.onnx" --prompt-ids "$1" --prompt-ids "$2" --prompt-ids "$3" --max-new-tokens 64)
  single=$(for q in "$1" "$2" "$3"; do "$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/$m/model.onnx" --prompt-ids "$q" --max-new-tokens 64; done)
  [ "$ref" = "$single" ] || { echo "FAIL $m: the batched reference differs from the single-prompt references"; fail=1; }
  for flag in "" --no-cache; do
    got=$("$bin" text generate "$work/$m/model.onnx" --prompt-ids "$1" --prompt-ids "$2" --prompt-ids "$3" --max-new-tokens 64 $flag 2>/dev/null) || got="(failed)"
    if [ "$got" = "$ref" ]; then echo "ok   $m batch of 3 (left padding) ${flag:-cache}: 3x64 ids equal"
    else echo "FAIL $m batch of 3 ${flag:-cache}"; echo "  reference: $ref"; echo "  ours:      $got"; fail=1; fi
  done
done
# a model folder: eos_token_id of generation_config.json stops, config.json's context bounds the prompt
m=llama_decoder_merged
ref=$("$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/$m/model.onnx" --prompt-ids "7 8 9" --max-new-tokens 16)
stop=$(echo "$ref" | cut -d' ' -f6)
want=$(echo "$ref" | awk -v s="$stop" '{o=""; for(i=1;i<=NF;i++){o=o (i>1?" ":"") $i; if($i==s) break} print o}')
mkdir -p "$work/folder/onnx"
cp "$work/$m/model.onnx" "$work/folder/onnx/decoder_model_merged.onnx"
echo '{"max_position_embeddings": 40}' > "$work/folder/config.json"
echo "{\"eos_token_id\": [255, $stop]}" > "$work/folder/generation_config.json"
got=$("$bin" text generate "$work/folder" --prompt-ids "7 8 9" --max-new-tokens 16 2>/dev/null) || got="(failed)"
if [ "$got" = "$want" ]; then echo "ok   folder: generation_config.json eos $stop stops"; else echo "FAIL folder eos: want '$want' got '$got'"; fail=1; fi
# the Qwen2 folder as generated (model.onnx, config.json with model_type qwen2, generation_config.json
# with eos_token_id [75, 255]): generation stops right after the first eos id of the reference ids
m=qwen2_decoder_merged
prompt="1 2 3 4 5"
ref=$("$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/$m/model.onnx" --prompt-ids "$prompt" --max-new-tokens 64)
eos=$("$py" -c 'import json,sys; print(" ".join(map(str, json.load(open(sys.argv[1]))["eos_token_id"])))' "$work/$m/generation_config.json")
want=$(echo "$ref" | awk -v e=" $eos " '{o=""; for(i=1;i<=NF;i++){o=o (i>1?" ":"") $i; if(index(e, " " $i " ")) break} print o}')
if [ "$want" = "$ref" ]; then echo "FAIL $m folder: no eos id ($eos) in the reference ids, the check would prove nothing"; fail=1; fi
got=$("$bin" text generate "$work/$m" --prompt-ids "$prompt" --max-new-tokens 64 2>/dev/null) || got="(failed)"
if [ "$got" = "$want" ]; then echo "ok   $m folder: generation_config.json eos ($eos) stops after $(echo "$want" | wc -w) ids"
else echo "FAIL $m folder eos: want '$want' got '$got'"; fail=1; fi
long=$(seq 1 40 | tr '\n' ' ')
if "$bin" text generate "$work/folder" --prompt-ids "$long" --max-new-tokens 4 >/dev/null 2>"$work/err.txt"; then
  echo "FAIL folder: a 40-token prompt in a 40-token context was accepted"; fail=1
elif grep -q "context is 40" "$work/err.txt"; then echo "ok   folder: prompt longer than the context refused"
else echo "FAIL folder: unexpected error: $(cat "$work/err.txt")"; fail=1; fi
# --prompt with a tokenizer.json (256-token byte-level BPE): the text equals the decoded reference ids,
# streamed or not
mkdir -p "$work/tokfolder"
cp "$work/llama_decoder/model.onnx" "$work/tokfolder/model.onnx"
"$py" "$src/tests/generate_oracle/make_byte_tokenizer.py" "$work/tokfolder/tokenizer.json"
pids=$(echo "Hello, world" | "$bin" text tokenize "$work/tokfolder")
ref=$("$node" "$src/tests/generate_oracle/ref_generate.mjs" "$work/tokfolder/model.onnx" --prompt-ids "$pids" --max-new-tokens 32)
echo "$ref" | "$bin" text tokenize "$work/tokfolder" --decode > "$work/ref_text.txt"
"$bin" text generate "$work/tokfolder" --prompt "Hello, world" --max-new-tokens 32 > "$work/our_text.txt" 2>/dev/null || echo "(failed)" > "$work/our_text.txt"
"$bin" text generate "$work/tokfolder" --prompt "Hello, world" --max-new-tokens 32 --stream > "$work/our_stream.txt" 2>/dev/null || echo "(failed)" > "$work/our_stream.txt"
if cmp -s "$work/ref_text.txt" "$work/our_text.txt" && cmp -s "$work/ref_text.txt" "$work/our_stream.txt"; then
  echo "ok   --prompt text (plain and --stream) equals the decoded reference ids"
else echo "FAIL --prompt text differs from the decoded reference ids ($work/ref_text.txt, our_text.txt, our_stream.txt)"; fail=1; fi
# embeddings: a right-padded batch of three, each pooling, with and without normalisation
for pool in mean cls; do
  for norm in "" --normalize; do
    "$bin" text embed "$work/bert/model.onnx" --pooling $pool $norm --ids "5 6 7 8 9 10 11" --ids "12 13 14" \
      --ids "300 2 511 0 9" > "$work/embed.json" || { echo "FAIL text embed"; fail=1; continue; }
    "$node" "$src/tests/generate_oracle/ref_embed.mjs" "$work/bert/model.onnx" --pooling $pool $norm \
      --ours "$work/embed.json" --ids "5 6 7 8 9 10 11" --ids "12 13 14" --ids "300 2 511 0 9" || fail=1
  done
done
# text lines on stdin with the folder's tokenizer.json: the same embeddings as --ids of their token ids
mkdir -p "$work/bertfolder"
cp "$work/bert/model.onnx" "$work/bertfolder/model.onnx"
cp "$work/tokfolder/tokenizer.json" "$work/bertfolder/tokenizer.json"
printf 'Hello, world\nab\n' > "$work/lines.txt"
a=$("$bin" text tokenize "$work/bertfolder" < "$work/lines.txt" | sed -n 1p)
b=$("$bin" text tokenize "$work/bertfolder" < "$work/lines.txt" | sed -n 2p)
x=$("$bin" text embed "$work/bertfolder" --normalize < "$work/lines.txt") || x="(failed)"
y=$("$bin" text embed "$work/bertfolder/model.onnx" --normalize --ids "$a" --ids "$b") || y="(failed 2)"
if [ "$x" = "$y" ]; then echo "ok   embed of stdin lines equals embed of their ids"; else echo "FAIL embed of stdin lines"; fail=1; fi
exit $fail
