#!/usr/bin/env bash
# Side-by-side: `ipfs-accelerate add` of one large file (on-disk store and hash-only) against
# ipfs-unixfs-importer (Node, in-memory blockstore) and `openssl dgst -sha256` over the same
# file, page cache warm, plus add's peak memory. Usage: bench/store_add.sh [SIZE_MIB] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
BUILD=${2:-build}
BIN="$BUILD/ipfs-accelerate"
[ -x "$BIN" ] || { echo "build first: $BIN missing" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ia-bench-add-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
F="$WORK/input.bin"
echo "generating $SIZE_MIB MiB of random data in $F"
(set +o pipefail; openssl enc -aes-128-ctr -pass pass:ia-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null | head -c $((SIZE_MIB << 20)) > "$F")
cat "$F" > /dev/null   # warm the page cache

now() { date +%s.%N; }
timeit() { local t0 t1; t0=$(now); "$@" > "$WORK/out" 2>"$WORK/err"; t1=$(now); echo "$t1 - $t0" | bc -l; }
best() { # best of 3 runs of a command; prints seconds
  local b=999999 t
  for _ in 1 2 3; do t=$(timeit "$@"); b=$(echo "if ($t < $b) $t else $b" | bc -l); done
  printf "%.3f" "$b"
}

printf "\n%-44s %9s %10s %s\n" "what" "seconds" "MiB/s" "note"
row() { printf "%-44s %9s %10.0f %s\n" "$1" "$2" "$(echo "$SIZE_MIB / $2" | bc -l)" "${3:-}"; }

T_SSL=$(best openssl dgst -sha256 "$F"); row "openssl dgst -sha256" "$T_SSL"
for prof in unixfs-v0-2015 unixfs-v1-2025; do
  T_N=$(best "$BIN" add -Q -n --profile=$prof "$F"); row "ipfs-accelerate add -n ($prof)" "$T_N" "$(cat "$WORK/out")"
  # the store is initialised (shard directories, untimed) like `ipfs init`, then add is timed
  for where in disk tmpfs; do
    H="$WORK/home"; [ $where = tmpfs ] && { [ -d /dev/shm ] || continue; H=$(mktemp -d /dev/shm/ia-bench-home-XXXXXX); }
    best_s=999999
    for _ in 1 2 3; do
      rm -rf "$H"; IPFS_ACCELERATE_HOME="$H" "$BIN" repo stat > /dev/null
      t=$(IPFS_ACCELERATE_HOME="$H" timeit "$BIN" add -Q --profile=$prof "$F")
      best_s=$(echo "if ($t < $best_s) $t else $best_s" | bc -l)
    done
    rm -rf "$H"
    if [ $where = disk ]; then T_D=$(printf "%.3f" "$best_s"); row "ipfs-accelerate add, store on disk ($prof)" "$T_D" "$(cat "$WORK/out")"
    else T_M=$(printf "%.3f" "$best_s"); row "ipfs-accelerate add, store on tmpfs ($prof)" "$T_M" "$(cat "$WORK/out")"; fi
  done
  rm -rf "$WORK/home"
  RSS=$(IPFS_ACCELERATE_HOME="$WORK/home" /usr/bin/time -f %M "$BIN" add -Q --profile=$prof "$F" 2>&1 >/dev/null | tail -1)
  rm -rf "$WORK/home"
  if [ -d tools/ipfs-oracle/node_modules/ipfs-unixfs-importer ]; then
    JS=$(node tools/ipfs-oracle/bench-add.mjs "$F" $prof); T_JS=${JS#* }
    row "ipfs-unixfs-importer, memory blockstore ($prof)" "$T_JS" "${JS% *}"
    printf "  ratios: importer/ours(disk) = %.2fx  importer/ours(tmpfs) = %.2fx  ours(disk)/openssl = %.2fx  ours(tmpfs)/openssl = %.2fx  ours(-n)/openssl = %.2fx  peak RSS %s KiB\n" \
      "$(echo "$T_JS / $T_D" | bc -l)" "$(echo "$T_JS / ${T_M:-$T_D}" | bc -l)" "$(echo "$T_D / $T_SSL" | bc -l)" "$(echo "${T_M:-$T_D} / $T_SSL" | bc -l)" "$(echo "$T_N / $T_SSL" | bc -l)" "$RSS"
  else
    printf "  (ipfs-unixfs-importer not installed: run scripts/bootstrap.sh)   ours(disk)/openssl = %.2fx  peak RSS %s KiB\n" \
      "$(echo "$T_D / $T_SSL" | bc -l)" "$RSS"
  fi
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), store on $(df -T "$WORK" | awk 'NR==2{print $2}')"
