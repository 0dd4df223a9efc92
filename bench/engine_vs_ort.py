#!/usr/bin/python3
"""Latency of our engine against onnxruntime-node (CPU EP, graphOptimizationLevel 'all'), side by
side, on the oracle fixtures (tests/oracle): same inputs (test_data_set_0), same thread count.

Each model gets --rounds rounds; a round runs both engines once each (the order alternates from
round to round so neither always runs on a warmer machine), each run doing --warmup untimed and
--repeat timed iterations and reporting its median (`ipfs-accelerate run --json`,
`tools/oracle/ort_run.mjs --time --json`). The table shows the median of the round medians and the
ratio ours/onnxruntime (< 1: we are faster). Informational only; never asserted by tests.

Usage: bench/engine_vs_ort.py [--bin build/ipfs-accelerate] [--threads N] [--rounds R]
                              [--warmup W] [--repeat K] [--full] [--only NAME ...] [--no-real]
                              [--work build/bench]
Run with /usr/bin/python3. --full adds the full-size fixtures (BERT-base, ViT-base/16,
Whisper-tiny encoder, 12-layer LLaMA-like decoder step): generated once, several hundred MB each."""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import run_oracle  # noqa: E402  (fixture preparation, shared with the parity suite)
from run_oracle import gen_models, real_models, tensorio  # noqa: E402


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def timed(cmd):
    """median_ms from a --json timing run, or (None, error)."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip() or f"exit status {p.returncode}").splitlines()
        return None, msg[-1][:100]
    for line in reversed(p.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)["median_ms"], None
    return None, "no JSON timing line"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "ipfs-accelerate"))
    ap.add_argument("--node", default="node")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--full", action="store_true", help="add the full-size fixtures")
    ap.add_argument("--only", nargs="+", metavar="NAME")
    ap.add_argument("--no-real", action="store_true", help="skip the real-weight npm models")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    a = ap.parse_args(argv)
    a.work, a.bin = os.path.abspath(a.work), os.path.abspath(a.bin)
    names = a.only or (list(gen_models.FIXTURES) + ([] if a.no_real else list(real_models.REAL))
                       + (list(gen_models.FULL_FIXTURES) if a.full else []))
    try:
        run_oracle.check_ort(a.node)
    except run_oracle.OracleError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    if not os.path.exists(a.bin):
        print(f"bench: {a.bin} does not exist (build first)", file=sys.stderr)
        return 1
    print(f"engine vs onnxruntime-node: {a.threads} thread(s), {a.rounds} interleaved rounds x "
          f"({a.warmup} warm-up + {a.repeat} timed) per engine; median of round medians", flush=True)
    rows = []
    for name in names:
        try:
            model, sets = run_oracle.prepare(name, a.work)
        except run_oracle.OracleError as e:
            rows.append((name, None, None, str(e)[:100]))
            continue
        ds = sets[0]
        npy_in = os.path.join(a.work, "runs", name, "ort_in")
        shutil.rmtree(npy_in, ignore_errors=True)
        tensorio.pb2npy(model, ds, npy_in)
        ours_cmd = [a.bin, "run", model, "--input-dir", ds, "--threads", str(a.threads),
                    "--warmup", str(a.warmup), "--repeat", str(a.repeat), "--json"]
        ort_cmd = [a.node, run_oracle.ORT_RUN, model, "--in", npy_in, "--time", "--threads", str(a.threads),
                   "--warmup", str(a.warmup), "--repeat", str(a.repeat), "--json"]
        ours, ort, note = [], [], ""
        for r in range(a.rounds):
            order = ("ours", "ort") if r % 2 == 0 else ("ort", "ours")
            for who in order:
                if who == "ours" and note:
                    continue
                ms, err = timed(ours_cmd if who == "ours" else ort_cmd)
                if err:
                    if who == "ours":
                        note = f"ours: {err}"
                    else:
                        note = (note + "; " if note else "") + f"onnxruntime: {err}"
                        break
                else:
                    (ours if who == "ours" else ort).append(ms)
            if "onnxruntime:" in note:
                break
        o = statistics.median(ours) if ours and not note.startswith("ours") else None
        t = statistics.median(ort) if ort else None
        rows.append((name, o, t, note))
        print(f"  {name}: ours {fmt(o)} ms, onnxruntime {fmt(t)} ms"
              + (f" ({note})" if note else ""), flush=True)
    w = max(len(r[0]) for r in rows) if rows else 10
    print()
    print(f"{'model':<{w}}  {'ours ms':>10}  {'ort ms':>10}  {'ours/ort':>8}  note")
    print(f"{'-' * w}  {'-' * 10}  {'-' * 10}  {'-' * 8}  ----")
    ratios = []
    for name, o, t, note in rows:
        ratio = o / t if (o is not None and t) else None
        if ratio is not None:
            ratios.append(ratio)
        print(f"{name:<{w}}  {fmt(o):>10}  {fmt(t):>10}  {fmt(ratio, 2):>8}  {note}")
    both = len(ratios)
    if ratios:
        gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        print(f"summary: geometric-mean latency ratio ours/onnxruntime {gm:.2f} over {both} model(s) "
              f"({'faster' if gm < 1 else 'slower'} than onnxruntime-node); {len(rows) - both} model(s) did not run on both")
    else:
        print(f"summary: no model ran on both engines ({len(rows)} tried); see the notes column")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
