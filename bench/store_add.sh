#!/usr/bin/env bash
# Side-by-side: `ipfs-accelerate add` of one large file (on-disk store and hash-only) against
# ipfs-unixfs-importer (Node, in-memory blockstore) and `openssl dgst -sha256` over the same
# file, page cache warm, plus add's peak memory. With BASE_BUILD, a second build (e.g. the code
# before a change) adds the same file to the same kinds of store in the same interleaved runs; the
# store rows are then medians of REPS (default 3) interleaved runs, otherwise bests of 3.
# Usage: bench/store_add.sh [SIZE_MIB] [BUILD_DIR] [BASE_BUILD] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
BUILD=${2:-build}
BASE=${3:-}
REPS=${4:-3}
BIN="$BUILD/ipfs-accelerate"
[ -x "$BIN" ] || { echo "build first: $BIN missing" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ia-bench-add-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
F="$WORK/input.bin"
echo "generating $SIZE_MIB MiB of random data in $F"
(set +o pipefail; openssl enc -aes-128-ctr -pass pass:ia-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null | head -c $((SIZE_MIB << 20)) > "$F")
cat "$F" > /dev/null   # warm the page cache

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
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
    best_s=999999; : > "$WORK/ts"; : > "$WORK/tb"
    for _ in $(seq "$([ -n "$BASE" ] && echo "$REPS" || echo 3)"); do
      rm -rf "$H"; IPFS_ACCELERATE_HOME="$H" "$BIN" repo stat > /dev/null; sync
      t=$(IPFS_ACCELERATE_HOME="$H" timeit "$BIN" add -Q --profile=$prof "$F"); echo "$t" >> "$WORK/ts"
      best_s=$(echo "if ($t < $best_s) $t else $best_s" | bc -l)
      if [ -n "$BASE" ]; then
        rm -rf "$H"; IPFS_ACCELERATE_HOME="$H" "$BASE/ipfs-accelerate" repo stat > /dev/null; sync
        IPFS_ACCELERATE_HOME="$H" timeit "$BASE/ipfs-accelerate" add -Q --profile=$prof "$F" >> "$WORK/tb"
      fi
    done
    rm -rf "$H"
    if [ -n "$BASE" ]; then
      best_s=$(median < "$WORK/ts")
      row "  base build: add, store on $where ($prof)" "$(printf "%.3f" "$(median < "$WORK/tb")")" "(median of $REPS, interleaved)"
    fi
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
T_DD=$(timeit dd if="$F" of="$WORK/dd.out" bs=1M conv=fsync); rm -f "$WORK/dd.out"
row "dd bs=1M conv=fsync to the disk (write floor)" "$(printf "%.3f" "$T_DD")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), store on $(df -T "$WORK" | awk 'NR==2{print $2}')"
