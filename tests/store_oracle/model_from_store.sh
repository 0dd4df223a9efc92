#!/bin/sh
# e2e: a generated model folder with external data (one file in a sub-directory) is added to a
# temporary store and run by CID/path; its outputs must equal running the same files from disk.
# Under kubo's default (dag-pb leaves), CIDv1 raw leaves with small chunks and a deep tree (page-sized
# chunks: mapped in place; 5000-byte chunks: read into a buffer), and unixfs-v1-2025 (the model file
# is one raw block, used in place); a model with its weights embedded in model.onnx under
# unixfs-v1-2025 (several 1 MiB blocks, hashed while the session is built); both models with 4 MiB
# of weights under kubo's default (17 dag-pb leaves read into a buffer, hashed while the session is
# built). The same under the trickle layout (add --trickle). Also the errors, with no sanitizer
# report (leaks) on the failure paths.
# usage: model_from_store.sh BIN PYTHON
set -eu
BIN=$1
PY=${2:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
if ! "$PY" -c 'import onnx, numpy' 2>/dev/null; then
  echo "FAIL: $PY with onnx and numpy is needed to generate the model (scripts/bootstrap.sh installs python3-onnx)" >&2
  exit 1
fi
T=$(mktemp -d /tmp/ia-model-store-XXXXXX)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export IPFS_ACCELERATE_HOME="$T/store"
"$PY" "$HERE/make_model.py" "$T/m" 256
"$BIN" run "$T/m/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/from-file" >/dev/null
fails=0
check() { # name, add flags...
  name=$1; shift
  cid=$("$BIN" add -r -Q "$@" "$T/m")
  rm -rf "$T/out"
  if ! "$BIN" run "$cid/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/out" >/dev/null; then
    echo "FAIL $name: run $cid/onnx/model.onnx failed"; fails=$((fails + 1)); return
  fi
  if cmp -s "$T/from-file/output_0.pb" "$T/out/output_0.pb"; then echo "ok   $name ($cid)"
  else echo "FAIL $name: outputs differ from the file run"; fails=$((fails + 1)); fi
  # inspect reads the same way; /ipfs/ prefix accepted
  "$BIN" inspect "/ipfs/$cid/onnx/model.onnx" | grep -q "parameters" || { echo "FAIL $name: inspect"; fails=$((fails + 1)); }
}
check "kubo default (CIDv0, dag-pb leaves)"
check "CIDv1 raw leaves, 16 KiB chunks, 3 links (blocks mapped side by side)" --cid-version=1 --chunker=size-16384 --max-links=3
check "CIDv1 raw leaves, 5000-byte chunks (not whole pages: read into a buffer)" --cid-version=1 --chunker=size-5000 --max-links=7
check "unixfs-v1-2025 (model file is one raw block, in place)" --profile=unixfs-v1-2025
# the trickle layout (add --trickle): the readers do not depend on the layout
check "trickle, kubo default (dag-pb leaves typed Raw)" --trickle
check "trickle, CIDv1 raw leaves, 16 KiB chunks, 3 links (blocks mapped side by side)" --trickle --cid-version=1 --chunker=size-16384 --max-links=3
check "trickle, 5000-byte dag-pb leaves, 4 links (deep)" --trickle --chunker=size-5000 --max-links=4
cid=$("$BIN" add -r -Q --cid-version=1 "$T/m")
ls "$T/store/tmp" | grep -q . && { echo "FAIL: temporary files left in the store"; fails=$((fails + 1)); }
expect_err() { # what, pattern, args...
  what=$1; pat=$2; shift 2
  if "$BIN" "$@" >"$T/err" 2>&1; then echo "FAIL $what: succeeded"; fails=$((fails + 1)); return; fi
  if grep -q "Sanitizer" "$T/err"; then echo "FAIL $what: sanitizer report: $(grep -m3 "Sanitizer\|SUMMARY" "$T/err")"; fails=$((fails + 1))
  elif grep -q "$pat" "$T/err"; then echo "ok   $what: $(head -1 "$T/err")"
  else echo "FAIL $what: message was: $(cat "$T/err")"; fails=$((fails + 1)); fi
}
expect_err "path that does not exist" "no entry named 'nope.onnx'" run "$cid/onnx/nope.onnx" --random-inputs
expect_err "CID not in the store" "is not in the store" run bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/model.onnx --random-inputs
fcid=$("$BIN" ls "$cid/onnx" | awk '$3 == "model.onnx" {print $1}')
expect_err "bare file CID with external data" "bare file CID" run "$fcid" --random-inputs
expect_err "a directory, not a file" "not a file" inspect "$cid/onnx"
# damage the one block of weights/w2.bin: the load names the corrupted CID, then the missing one
leaf=$("$BIN" ls "$cid/onnx/weights" | awk '{print $1}')
"$BIN" verify "$cid" >/dev/null || { echo "FAIL: verify before corruption"; fails=$((fails + 1)); }
bpath=$("$PY" - "$leaf" "$T/store" <<'PYEOF'
import sys, base64
cid = sys.argv[1]
assert cid[0] == 'b'
raw = base64.b32decode(cid[1:].upper() + '=' * (-len(cid[1:]) % 8))
mh = raw[2:]  # version 1, codec 0x55 (one byte each)
key = base64.b32encode(mh).decode().rstrip('=')
print(f"{sys.argv[2]}/blocks/{key[-3:-1]}/{key}.data")
PYEOF
)
chmod u+w "$bpath"; printf 'X' | dd of="$bpath" bs=1 seek=10 conv=notrunc 2>/dev/null
expect_err "corrupted block" "block $leaf is corrupted" run "$cid/onnx/model.onnx" --random-inputs
rm -f "$bpath"
expect_err "missing external data block" "block $leaf is not in the store" run "$cid/onnx/model.onnx" --random-inputs
# a corrupted leaf in the middle of a multi-block file (the parallel read path): a dag-pb leaf under
# kubo's default and a raw leaf with 16 KiB chunks; the block file is found independently (Python
# hashes the chunk as kubo frames it) and one byte of the chunk flipped; the load must fail naming it
leaf_path() { # file, chunk size, chunk index, raw(1)/dag-pb(0) -> block file path
  "$PY" - "$@" "$T/store" <<'PYEOF'
import sys, hashlib, base64
f, cs, i, raw, store = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
chunk = open(f, "rb").read()[i * cs:(i + 1) * cs]
def uv(n):
    out = b""
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
if not raw:
    inner = b"\x08\x02" + b"\x12" + uv(len(chunk)) + chunk + b"\x18" + uv(len(chunk))
    chunk = b"\x0a" + uv(len(inner)) + inner
key = base64.b32encode(b"\x12\x20" + hashlib.sha256(chunk).digest()).decode().rstrip("=")
print(f"{store}/blocks/{key[-3:-1]}/{key}.data")
PYEOF
}
flip_check() { # name, block path, ref[, byte offset (default 5000; "last": the last byte)[, new byte]]
  name=$1; bp=$2; ref=$3; at=${4:-5000}; by=${5:-Y}
  [ -f "$bp" ] || { echo "FAIL $name: block $bp not in the store"; fails=$((fails + 1)); return; }
  [ "$at" = last ] && at=$(($(wc -c < "$bp") - 1))
  cp "$bp" "$T/saved"; chmod u+w "$bp"
  printf "$by" | dd of="$bp" bs=1 seek="$at" conv=notrunc 2>/dev/null
  cmp -s "$bp" "$T/saved" && { echo "FAIL $name: the byte at $at was already '$by'"; fails=$((fails + 1)); }
  expect_err "$name" "is corrupted.*$(basename "$bp")" run "$ref" --random-inputs
  cp "$T/saved" "$bp"
  "$BIN" run "$ref" --random-inputs >/dev/null || { echo "FAIL $name: load after repair"; fails=$((fails + 1)); }
}
cid0=$("$BIN" add -r -Q "$T/m")
flip_check "corrupted dag-pb leaf 1 of 2 (kubo default)" "$(leaf_path "$T/m/onnx/model.onnx.data" 262144 0 0)" "$cid0/onnx/model.onnx"
cid16=$("$BIN" add -r -Q --cid-version=1 --chunker=size-16384 --max-links=3 "$T/m")
flip_check "corrupted raw leaf 6 of 17 (16 KiB chunks, 3 links)" "$(leaf_path "$T/m/onnx/model.onnx.data" 16384 5 1)" "$cid16/onnx/model.onnx"
# weights embedded in model.onnx (4 MiB of W: 5 raw 1 MiB blocks under unixfs-v1-2025, hashed while
# the session is built): by CID equals by path; a corrupted middle block, or a corrupted first block
# (the protobuf's framing: the parse may fail first), makes the run fail naming the block
"$PY" "$HERE/make_model.py" "$T/e" 1024 embedded
"$BIN" run "$T/e/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/e-file" >/dev/null
cide=$("$BIN" add -r -Q --profile=unixfs-v1-2025 "$T/e")
rm -rf "$T/out"
if "$BIN" run "$cide/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/out" >/dev/null &&
   cmp -s "$T/e-file/output_0.pb" "$T/out/output_0.pb"; then echo "ok   embedded weights, unixfs-v1-2025 ($cide)"
else echo "FAIL embedded weights, unixfs-v1-2025: run failed or outputs differ from the file run"; fails=$((fails + 1)); fi
cidt=$("$BIN" add -r -Q --trickle --profile=unixfs-v1-2025 "$T/e")
rm -rf "$T/out"
if "$BIN" run "$cidt/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/out" >/dev/null &&
   cmp -s "$T/e-file/output_0.pb" "$T/out/output_0.pb"; then echo "ok   embedded weights, trickle, unixfs-v1-2025 ($cidt)"
else echo "FAIL embedded weights, trickle, unixfs-v1-2025: run failed or outputs differ from the file run"; fails=$((fails + 1)); fi
esize=$(wc -c < "$T/e/onnx/model.onnx")
[ "$esize" -gt 3145728 ] || { echo "FAIL: embedded model.onnx has only $esize bytes (fewer than 4 blocks)"; fails=$((fails + 1)); }
flip_check "embedded weights: corrupted raw leaf 3 of 5 (unixfs-v1-2025)" "$(leaf_path "$T/e/onnx/model.onnx" 1048576 2 1)" "$cide/onnx/model.onnx"
bp=$(leaf_path "$T/e/onnx/model.onnx" 1048576 0 1)
if [ -f "$bp" ]; then
  cp "$bp" "$T/saved"; chmod u+w "$bp"
  printf '\377' | dd of="$bp" bs=1 seek=1 conv=notrunc 2>/dev/null
  expect_err "embedded weights: corrupted first block (framing)" "is corrupted.*$(basename "$bp")" run "$cide/onnx/model.onnx" --random-inputs
  cp "$T/saved" "$bp"
else echo "FAIL: block $bp of the embedded model.onnx not in the store"; fails=$((fails + 1)); fi
"$BIN" inspect "$cide/onnx/model.onnx" | grep -q "parameters" || { echo "FAIL: inspect of the embedded model after repair"; fails=$((fails + 1)); }
# kubo's default layout with files of 1 MiB or more: 256 KiB chunks in dag-pb leaves, read straight
# into a buffer (framing checked as it is read), hashed with their framing while the session is built.
# External data (model.onnx.data: 4 MiB + 4 KiB, 17 leaves) and embedded weights (model.onnx: 17 leaves)
"$PY" "$HERE/make_model.py" "$T/x" 1024
"$BIN" run "$T/x/onnx/model.onnx" --random-inputs --dim batch=3 --output-dir "$T/x-file" >/dev/null
xsize=$(wc -c < "$T/x/onnx/model.onnx.data")
[ "$xsize" -gt 4194304 ] || { echo "FAIL: model.onnx.data has only $xsize bytes (fewer than 17 chunks)"; fails=$((fails + 1)); }
same_outputs() { # name, ref, directory of the file run's outputs
  rm -rf "$T/out"
  if "$BIN" run "$2" --random-inputs --dim batch=3 --output-dir "$T/out" >"$T/err" 2>&1 && cmp -s "$3/output_0.pb" "$T/out/output_0.pb"
  then echo "ok   $1 ($2)"
  else echo "FAIL $1: run failed or outputs differ from the file run: $(head -3 "$T/err")"; fails=$((fails + 1)); fi
}
cidx=$("$BIN" add -r -Q "$T/x")
cidk=$("$BIN" add -r -Q "$T/e")
case "$cidx$cidk" in Qm*Qm*) ;; *) echo "FAIL: kubo default should give CIDv0 roots: $cidx $cidk"; fails=$((fails + 1)) ;; esac
same_outputs "external data, kubo default (17 dag-pb leaves in a buffer)" "$cidx/onnx/model.onnx" "$T/x-file"
same_outputs "embedded weights, kubo default (17 dag-pb leaves in a buffer)" "$cidk/onnx/model.onnx" "$T/e-file"
"$BIN" inspect "$cidk/onnx/model.onnx" | grep -q "parameters" || { echo "FAIL: inspect of the embedded model (kubo default)"; fails=$((fails + 1)); }
xdata=$T/x/onnx/model.onnx.data
flip_check "external data, kubo default: corrupted chunk of leaf 9 of 17" "$(leaf_path "$xdata" 262144 8 0)" "$cidx/onnx/model.onnx"
flip_check "external data, kubo default: corrupted framing (first byte) of leaf 9 of 17" "$(leaf_path "$xdata" 262144 8 0)" "$cidx/onnx/model.onnx" 0
flip_check "external data, kubo default: corrupted framing (last byte) of leaf 17 of 17" "$(leaf_path "$xdata" 262144 16 0)" "$cidx/onnx/model.onnx" last
flip_check "embedded weights, kubo default: corrupted chunk of leaf 9 of 17" "$(leaf_path "$T/e/onnx/model.onnx" 262144 8 0)" "$cidk/onnx/model.onnx"
flip_check "embedded weights, kubo default: corrupted framing (last byte) of leaf 9 of 17" "$(leaf_path "$T/e/onnx/model.onnx" 262144 8 0)" "$cidk/onnx/model.onnx" last
flip_check "embedded weights, kubo default: corrupted first chunk byte (the protobuf: the parse may fail first)" \
  "$(leaf_path "$T/e/onnx/model.onnx" 262144 0 0)" "$cidk/onnx/model.onnx" 11 '\377'
# a missing leaf is named; with another leaf corrupted as well, the corrupted one is named (its hash,
# deferred, is checked before the error is reported)
bp3=$(leaf_path "$xdata" 262144 2 0); bp9=$(leaf_path "$xdata" 262144 8 0)
if [ -f "$bp3" ] && [ -f "$bp9" ]; then
  cp "$bp3" "$T/saved3"; cp "$bp9" "$T/saved9"; chmod u+w "$bp3" "$bp9"
  rm -f "$bp9"
  expect_err "external data, kubo default: leaf 9 of 17 missing" "block Qm[^ ]* is not in the store" run "$cidx/onnx/model.onnx" --random-inputs
  printf 'Y' | dd of="$bp3" bs=1 seek=5000 conv=notrunc 2>/dev/null
  expect_err "external data, kubo default: leaf 3 corrupted and leaf 9 missing" "is corrupted.*$(basename "$bp3")" run "$cidx/onnx/model.onnx" --random-inputs
  cp "$T/saved3" "$bp3"; cp "$T/saved9" "$bp9"
  "$BIN" verify "$cidx" >/dev/null || { echo "FAIL: verify after repairing the kubo-default blocks"; fails=$((fails + 1)); }
else echo "FAIL: blocks $bp3 $bp9 of model.onnx.data not in the store"; fails=$((fails + 1)); fi
# the loader refuses a model (its tensor lies beyond the end of its external data file) while the
# data's blocks, mapped and hashed during the load, include a corrupted one: the error names the block
"$PY" - "$T/bad" <<'PYEOF'
import sys, os
import numpy as np
from onnx import helper, TensorProto, save
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
open(os.path.join(d, "w.bin"), "wb").write(np.arange(16384, dtype=np.float32).tobytes())  # 64 KiB
t = TensorProto()
t.name, t.data_type = "w", TensorProto.FLOAT
t.dims.extend([32768])  # 128 KiB: beyond the end of w.bin
t.data_location = TensorProto.EXTERNAL
for k, v in (("location", "w.bin"), ("offset", "0"), ("length", str(32768 * 4))):
    e = t.external_data.add()
    e.key, e.value = k, v
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [32768])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [32768])
g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "g", [x], [y], [t])
save(helper.make_model(g), os.path.join(d, "model.onnx"))
PYEOF
cidb=$("$BIN" add -r -Q --cid-version=1 --chunker=size-16384 "$T/bad")
expect_err "loader refuses the model (intact blocks)" "beyond the end" run "$cidb/model.onnx" --random-inputs
bp=$(leaf_path "$T/bad/w.bin" 16384 1 1)
if [ -f "$bp" ]; then
  chmod u+w "$bp"; printf 'Z' | dd of="$bp" bs=1 seek=100 conv=notrunc 2>/dev/null
  expect_err "loader refuses the model and leaf 2 of 4 is corrupted" "is corrupted.*$(basename "$bp")" run "$cidb/model.onnx" --random-inputs
else echo "FAIL: block $bp of w.bin not in the store"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ] && echo "all passed" || { echo "$fails failures"; exit 1; }
