#!/bin/sh
# Runs every llama.cpp vocabulary test set (models/ggml-vocab-*.gguf + .inp/.out) through
# gguf_vocab_check. A vocabulary listed in passing_vocabs.txt that fails fails the test; the others
# are reported. Usage: run.sh CHECKER TOOLS_DIR CLONE_DIR PASSING_LIST
set -u
check=$1 tools=$2 clone=$3 list=$4
bundle=$tools/node_modules/node-llama-cpp/llama/gitRelease.bundle
if [ ! -f "$bundle" ]; then
  echo "missing $bundle: run scripts/bootstrap.sh (installs tools/llama-vocab with npm ci --ignore-scripts)"
  exit 1
fi
command -v git >/dev/null || { echo "git not found (scripts/bootstrap.sh installs it)"; exit 1; }
# clone again when the bundle changed
if [ ! -f "$clone/.ia-bundle" ] || [ "$bundle" -nt "$clone/.ia-bundle" ]; then
  rm -rf "$clone"
  git clone -q "$bundle" "$clone" 2>/dev/null || { echo "git clone of $bundle failed"; exit 1; }
  touch "$clone/.ia-bundle"
fi
fail=0 npass=0 nlisted=0
for inp in "$clone"/models/ggml-vocab-*.gguf.inp; do
  gguf=${inp%.inp}
  name=$(basename "$gguf" .gguf)
  name=${name#ggml-vocab-}
  listed=0
  grep -qx "$name" "$list" && listed=1 && nlisted=$((nlisted + 1))
  out=$("$check" "$gguf" 2>&1)
  rc=$?
  if [ $rc = 0 ]; then
    npass=$((npass + 1))
    [ $listed = 1 ] && echo "pass  $name" || echo "pass  $name (not in passing_vocabs.txt: add it)"
  elif [ $listed = 1 ]; then
    echo "FAIL  $name (listed as passing)"; echo "$out" | sed 's/^/      /'; fail=1
  elif [ $rc = 2 ]; then
    echo "skip  $name: $out"
  else
    echo "fail  $name (not listed): $(echo "$out" | tail -n 1)"
  fi
done
# a listed vocabulary that is no longer in the bundle is an error too
while read -r name; do
  case $name in ''|'#'*) continue ;; esac
  [ -f "$clone/models/ggml-vocab-$name.gguf.inp" ] || { echo "FAIL  $name: listed but not in the bundle"; fail=1; }
done < "$list"
echo "$npass vocabularies pass; $nlisted listed as passing"
exit $fail
