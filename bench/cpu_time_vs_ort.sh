#!/bin/sh
# One-thread comparison with onnxruntime-node in process CPU time instead of wall-clock time, for a
# machine whose cores other jobs keep busy (where bench/cpu_vs_ort's wall-clock medians swing 2x).
#
# Builds, in a temporary directory, copies of the two timing programs whose per-inference timer reads
# the process's CPU time: `ipfs-accelerate run` (src/cli/cmd_run.c with CLOCK_PROCESS_CPUTIME_ID,
# linked with BUILD_DIR's objects and library) and tools/oracle/ort_run.mjs (process.cpuUsage()).
# With one intra-op thread each engine computes on the calling thread, so CPU time is the
# inference's own time and leaves out the time other processes held the core (not their cache and
# memory-bandwidth pressure). Models and onnxruntime's inputs come from bench/cpu_vs_ort's work
# directory (prepared there if missing). Per model, ROUNDS rounds alternate the engines (and
# BASELINE, an older ipfs-accelerate build directory, when given), each doing 1 warm-up and REPEAT
# timed runs and reporting its median; the table shows the median of the round medians.
#
# Usage: bench/cpu_time_vs_ort.sh [-b BUILD_DIR] [-B BASELINE_BUILD_DIR] [-r ROUNDS] [-k REPEAT] [MODEL...]
#   defaults: build, no baseline, 3 rounds, 3 timed runs, all six bench/cpu_vs_ort models
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=build baseline= rounds=3 repeat=3
while getopts b:B:r:k: o; do
    case $o in
    b) build=$OPTARG ;;
    B) baseline=$OPTARG ;;
    r) rounds=$OPTARG ;;
    k) repeat=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-B BASELINE_BUILD_DIR] [-r ROUNDS] [-k REPEAT] [MODEL...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
models=${*:-bert_full bert_full_b8 vit_full whisper_encoder_full llama_prefill_full llama_decode_full}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the run command with a CPU-time clock, from an ipfs-accelerate build directory
cpu_binary() { # BUILD_DIR OUT
    b=$(cd "$1" && pwd)
    flags=$(sed -n 's/^C_\(DEFINES\|INCLUDES\|FLAGS\) = //p' "$b/CMakeFiles/ipfs-accelerate.dir/flags.make" | tr '\n' ' ')
    src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$b/CMakeCache.txt")
    sed 's/CLOCK_MONOTONIC/CLOCK_PROCESS_CPUTIME_ID/' "$src/src/cli/cmd_run.c" >"$tmp/cmd_run_cpu.c"
    # shellcheck disable=SC2086
    cc $flags -I"$src/src/cli" -c "$tmp/cmd_run_cpu.c" -o "$tmp/cmd_run_cpu.o"
    link=$(sed -e "s#CMakeFiles/ipfs-accelerate.dir/src/cli/cmd_run.c.o#$tmp/cmd_run_cpu.o#" \
        -e "s#-o ipfs-accelerate #-o $2 #" "$b/CMakeFiles/ipfs-accelerate.dir/link.txt")
    (cd "$b" && sh -c "$link")
}
cpu_binary "$root/$build" "$tmp/ours"
[ -n "$baseline" ] && cpu_binary "$baseline" "$tmp/base"
sed -e "s#require('onnxruntime-node')#require('$root/tools/oracle/node_modules/onnxruntime-node')#" \
    -e 's#const t0 = process.hrtime.bigint();#const t0 = process.cpuUsage();#' \
    -e 's#times.push(Number(process.hrtime.bigint() - t0) / 1e6);#{ const d = process.cpuUsage(t0); times.push((d.user + d.system) / 1e3); }#' \
    "$root/tools/oracle/ort_run.mjs" >"$tmp/ort_cpu.mjs"
grep -q 'process.cpuUsage(t0)' "$tmp/ort_cpu.mjs" || { echo "bench: could not make the CPU-time ort_run.mjs" >&2; exit 1; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "process CPU time, 1 thread, $rounds alternating rounds x (1 warm-up + $repeat timed); median of round medians"
median() { grep -o '"median_ms":[0-9.]*' | cut -d: -f2; }
for m in $models; do
    set -- $($py "$root/bench/cpu_vs_ort" --prepare "$m" | tr -d '[],"')
    model=$1 ds=$2 npy=$3
    for i in $(seq "$rounds"); do
        for e in ours ort base; do
            case $e in
            ours) echo "$m ours $("$tmp/ours" run "$model" --input-dir "$ds" --threads 1 --warmup 1 --repeat "$repeat" --json | median)" ;;
            base) [ -z "$baseline" ] || echo "$m base $("$tmp/base" run "$model" --input-dir "$ds" --threads 1 --warmup 1 --repeat "$repeat" --json | median)" ;;
            ort) echo "$m ort $(node "$tmp/ort_cpu.mjs" "$model" --in "$npy" --time --threads 1 --warmup 1 --repeat "$repeat" --json | median)" ;;
            esac
        done
    done
done | $py -c '
import statistics as st, sys
d = {}
for line in sys.stdin:
    m, e, v = line.split()
    d.setdefault(m, {}).setdefault(e, []).append(float(v))
base = any("base" in r for r in d.values())
print("%-22s %10s %10s %8s" % ("model", "ours ms", "ort ms", "ours/ort") + ("  %10s %10s" % ("base ms", "ours/base") if base else ""))
ratios = []
for m, r in d.items():
    o, t = st.median(r["ours"]), st.median(r["ort"])
    ratios.append(o / t)
    line = "%-22s %10.1f %10.1f %8.2f" % (m, o, t, o / t)
    if base:
        b = st.median(r["base"])
        line += "  %10.1f %10.2f" % (b, o / b)
    print(line)
g = 1.0
for x in ratios:
    g *= x
print("summary: CPU time ours/onnxruntime geometric mean %.2f, range %.2f-%.2f" % (g ** (1 / len(ratios)), min(ratios), max(ratios)))
'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
