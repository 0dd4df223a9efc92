#!/usr/bin/env bash
# Browser bridge overhead: per-run latency through the bridge minus the same onnxruntime-web session
# driven inside the page (same inputs), per hop, at several shapes of the BERT-like fixture; or
# A/B between variants (environment settings), interleaved run by run, medians over repetitions.
# usage: bench/browser_bridge_overhead.sh shapes [BxS ...]        (default: 2x7 1x32 4x32 8x64 32x64; the fixture allows seq <= 64)
#        bench/browser_bridge_overhead.sh ab NAME=ENV=V[,ENV=V] NAME=... (e.g. old=IA_WEB_STATIC_DIR=/tmp/x new=)
# env: BUILD (build), OUT (fixture dir), REPS (5), ROUNDS (5), ITERS (20), THREADS (page WASM threads; default: all
# cores); a variant may set THREADS too (t1=THREADS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-/tmp/ia-browser-bench}
REPS=${REPS:-5}
ROUNDS=${ROUNDS:-5}
ITERS=${ITERS:-20}
mode=${1:-shapes}
shift || true
[ -x "$BUILD/ipfs-accelerate" ] || { echo "build first: cmake -S . -B $BUILD && cmake --build $BUILD" >&2; exit 1; }
/usr/bin/python3 tools/fixtures/gen_models.py --out "$OUT" --only bert >/dev/null
fx="$OUT/bert"
tmp=$(mktemp -d /tmp/ia-bridge-overhead.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# one browser-bench run -> one line "label <first JSON line> <second JSON line>" in $tmp/runs
one() { # label, then browser-bench arguments
  local label=$1; shift
  local o thr=()
  [ -n "${THREADS:-}" ] && thr=(--threads "$THREADS")
  if o=$("$BUILD/ipfs-accelerate" browser-bench "$fx/model.onnx" --device wasm --rounds "$ROUNDS" --iters "$ITERS" --echo-mb 0 \
         --timeout 300 "${thr[@]}" "$@" 2>"$tmp/err"); then
    printf '%s\t%s\n' "$label" "$(echo "$o" | tr '\n' '\t')" >> "$tmp/runs"
  else
    echo "# $label failed: $(tail -1 "$tmp/err")" >&2
  fi
}

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); $(chromium --version 2>/dev/null | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$mode" = shapes ]; then
  shapes=("$@")
  [ ${#shapes[@]} -eq 0 ] && shapes=(2x7 1x32 4x32 8x64 32x64)
  for rep in $(seq "$REPS"); do
    for sh in "${shapes[@]}"; do
      b=${sh%x*}; s=${sh#*x}
      if [ "$sh" = 2x7 ]; then one "$sh" --input-dir "$fx/test_data_set_0"   # the fixture's own inputs
      else one "$sh" --random-inputs --dim batch_size="$b" --dim sequence_length="$s"; fi
    done
  done
elif [ "$mode" = ab ]; then
  [ $# -ge 2 ] || { echo "ab needs two or more NAME=ENV=V[,ENV=V] variants" >&2; exit 2; }
  for rep in $(seq "$REPS"); do
    # rotate the order every repetition so that no variant always runs first
    n=$#; vs=("$@"); k=$(( (rep - 1) % n ))
    for i in $(seq 0 $((n - 1))); do
      v=${vs[$(( (i + k) % n ))]}
      name=${v%%=*}; envs=${v#*=}
      ( IFS=','; for e in $envs; do [ -n "$e" ] && export "${e?}"; done; one "$name" --input-dir "$fx/test_data_set_0" )
    done
  done
else
  echo "usage: $0 shapes [BxS ...] | ab NAME=ENV=V[,ENV=V] NAME=..." >&2; exit 2
fi

/usr/bin/python3 - "$tmp/runs" <<'EOF'
import json, statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    label, a, b = line.rstrip('\n').split('\t')[:3]
    a, b = json.loads(a), json.loads(b)
    rows.setdefault(label, []).append((a, b))
med = lambda xs: st.median(xs)
print(f"{'variant':>8} {'runs':>4} {'bridge_ms':>9} {'page_ms':>8} {'overhead_us':>11} {'overhead_%':>10} {'ratio':>6} {'echo_us':>7} {'c_echo':>6} "
      f"{'to_page':>7} {'disp':>5} {'prep':>5} {'run':>6} {'outp':>5} {'to_c':>6} {'wake':>5} {'enc+send+dec':>12} {'load':>5}")
for label, rs in rows.items():
    h = lambda k: med([b['hops_median_ms'][k] for _, b in rs]) * 1e3
    bridge = med([a['bridge_median_ms'] for a, _ in rs]); page = med([a['in_page_median_ms'] for a, _ in rs])
    over = med([b['overhead_median_us'] for _, b in rs])
    print(f"{label:>8} {len(rs):>4} {bridge:>9.3f} {page:>8.3f} {over:>11.0f} {100 * over / 1e3 / page:>9.1f}% "
          f"{med([a['overhead_ratio_median'] for a, _ in rs]):>6.2f} {med([b['echo_same_size_median_ms'] for _, b in rs]) * 1e3:>7.0f} "
          f"{med([b['echo_no_browser_median_ms'] for _, b in rs]) * 1e3:>6.0f} "
          f"{h('to_page'):>7.0f} {h('dispatch'):>5.0f} {h('prepare'):>5.0f} {h('run'):>6.0f} {h('outputs'):>5.0f} {h('to_c'):>6.0f} "
          f"{h('wake'):>5.0f} {h('encode') + h('send') + h('decode'):>12.0f} {med([b['loadavg_1min'][1] for _, b in rs]):>5.1f}")
print("means (us) of every run through the bridge, where the tails go:")
print(f"{'variant':>8} {'bridge':>7} {'page':>6} {'to_page':>7} {'disp':>5} {'prep':>5} {'run':>6} {'outp':>5} {'to_c':>6} {'wake':>5} {'enc+send+dec':>12}")
for label, rs in rows.items():
    m = lambda k: st.mean([b['hops_mean_ms'][k] for _, b in rs]) * 1e3
    print(f"{label:>8} {st.mean([b['bridge_mean_ms'] for _, b in rs]) * 1e3:>7.0f} {st.mean([b['in_page_mean_ms'] for _, b in rs]) * 1e3:>6.0f} "
          f"{m('to_page'):>7.0f} {m('dispatch'):>5.0f} {m('prepare'):>5.0f} {m('run'):>6.0f} {m('outputs'):>5.0f} {m('to_c'):>6.0f} {m('wake'):>5.0f} "
          f"{m('encode') + m('send') + m('decode'):>12.0f}")
print("# medians over runs of each run's medians; overhead = bridge - in-page per run; hops in us (ia_web_run_stats.hop);"
      " echo = the request's bytes to the page and back, nothing else (transport floor); c_echo = the same from a C client to"
      " a bridge server, no browser")
EOF
