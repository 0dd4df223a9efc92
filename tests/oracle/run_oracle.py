#!/usr/bin/python3
"""Oracle parity driver: our engine against onnxruntime-node on generated and real-weight models.

For each fixture and each of its test_data_set_N folders:
  1. generate the model and inputs into the work folder (build tree): tools/fixtures/gen_models.py
     for the random-weight fixtures, tools/fixtures/real_models.py (inputs only; the model stays
     in tools/oracle/node_modules) for the real-weight ones;
  2. run onnxruntime-node (tools/oracle/ort_run.mjs: CPU EP, graphOptimizationLevel 'all') and store
     its outputs as the expected test_data_set_N/output_K.pb;
  3. run `ipfs-accelerate run MODEL --input-dir test_data_set_N --output-dir OUT`;
  4. compare every output: same name, dtype and shape, values within rtol/atol (NaN-aware: NaN must
     meet NaN, infinities must match exactly).

Exit status: 1 when a fixture fails (or, with --report-only, only when the oracle half itself
cannot run: onnxruntime-node missing or failing); 0 otherwise. onnxruntime-node missing is a
failure, never a skip.

Usage:
  run_oracle.py --bin build/ipfs-accelerate [--fixture NAME ...] [--all] [--full]
                [--expected tests/oracle/expected_passing.txt --not-listed] [--report-only]
                [--work DIR] [--threads N] [--rtol 1e-3] [--atol 1e-4] [--node node]
  run_oracle.py --list
Run with /usr/bin/python3 (onnx 1.12 + numpy)."""
import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
sys.path.insert(0, os.path.join(ROOT, "tools", "oracle"))
import gen_models  # noqa: E402
import real_models  # noqa: E402
import tensorio  # noqa: E402

ORT_RUN = os.path.join(ROOT, "tools", "oracle", "ort_run.mjs")
ORT_PKG = os.path.join(ROOT, "tools", "oracle", "node_modules", "onnxruntime-node", "package.json")
INSTALL_HINT = "run scripts/bootstrap.sh, or: cd tools/oracle && ONNXRUNTIME_NODE_INSTALL=skip npm ci"


class OracleError(Exception):
    """The oracle half (fixture generation or onnxruntime-node) failed: never our engine's fault."""


def all_fixtures(full=False):
    names = list(gen_models.FIXTURES) + list(real_models.REAL)
    return names + (list(gen_models.FULL_FIXTURES) if full else [])


def known(name):
    return name in gen_models.ALL or name in real_models.REAL


def read_list(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def prepare(name, work):
    """(model path, [test_data_set folders]) for a fixture, generated under WORK/fixtures."""
    root = os.path.join(work, "fixtures")
    try:
        if name in real_models.REAL:
            model, folder = real_models.generate(name, root)
        else:
            folder = gen_models.generate(name, root)
            model = os.path.join(folder, "model.onnx")
    except Exception as e:  # noqa: BLE001 - report any generator failure as an oracle failure
        raise OracleError(f"cannot generate fixture {name}: {type(e).__name__}: {e}") from e
    sets = sorted((os.path.join(folder, d) for d in os.listdir(folder) if d.startswith("test_data_set_")),
                  key=lambda p: int(p.rsplit("_", 1)[1]))
    return model, sets


def check_ort(node):
    if not os.path.exists(ORT_PKG):
        raise OracleError(f"onnxruntime-node is not installed ({ORT_PKG} missing): {INSTALL_HINT}")
    if not shutil.which(node) and not os.path.exists(node):
        raise OracleError(f"Node.js ('{node}') not found: install nodejs (scripts/bootstrap.sh)")


def run_ort(node, model, ds, scratch, threads):
    """onnxruntime-node on DS/input_K.pb; writes DS/output_K.pb; returns [(name, array)]."""
    npy_in, npy_out = os.path.join(scratch, "ort_in"), os.path.join(scratch, "ort_out")
    for d in (npy_in, npy_out):
        shutil.rmtree(d, ignore_errors=True)
    try:
        tensorio.pb2npy(model, ds, npy_in)
    except Exception as e:  # noqa: BLE001
        raise OracleError(f"cannot convert inputs of {ds}: {e}") from e
    cmd = [node, ORT_RUN, model, "--in", npy_in, "--out", npy_out, "--threads", str(threads)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise OracleError(f"onnxruntime-node failed on {model} ({ds}): {(p.stderr or p.stdout).strip()}")
    for f in os.listdir(ds):
        if f.startswith("output_"):
            os.remove(os.path.join(ds, f))
    return tensorio.npy2pb(npy_out, ds)


def run_ours(binary, model, ds, out, threads):
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "run", model, "--input-dir", ds, "--output-dir", out, "--threads", str(threads)]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "timed out after 600 s"
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip() or "no message").splitlines()
        return None, f"exit status {p.returncode}: " + " | ".join(msg[-3:])
    return time.monotonic() - t0, None


def fmt_shape(a):
    return "[" + ",".join(map(str, a.shape)) + "]"


def compare(exp, got, rtol, atol):
    """(ok, detail) for one output."""
    if got.dtype != exp.dtype:
        return False, f"dtype {got.dtype}, expected {exp.dtype}"
    if got.shape != exp.shape:
        return False, f"shape {fmt_shape(got)}, expected {fmt_shape(exp)}"
    if exp.size == 0:
        return True, "empty"
    if exp.dtype.kind in "fc":
        e, g = exp.astype(np.complex128 if exp.dtype.kind == "c" else np.float64), got.astype(
            np.complex128 if exp.dtype.kind == "c" else np.float64)
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        finite = np.isfinite(e) & np.isfinite(g)
        diff = np.abs(g - e)
        max_abs = float(diff[finite].max()) if finite.any() else 0.0
        rel = diff / np.maximum(np.abs(e), 1e-30)
        max_rel = float(rel[finite & (np.abs(e) > atol)].max()) if (finite & (np.abs(e) > atol)).any() else 0.0
        stats = f"max_abs {max_abs:.3g}, max_rel {max_rel:.3g}"
        if close.all():
            return True, stats
        bad = np.flatnonzero(~close.ravel())
        i = int(bad[0])
        idx = np.unravel_index(i, exp.shape)
        nan_note = ""
        n_nan = int((np.isnan(e) != np.isnan(g)).sum())
        if n_nan:
            nan_note = f", {n_nan} NaN mismatches"
        return False, (f"{len(bad)}/{exp.size} values off{nan_note}; {stats}; first at {list(map(int, idx))}: "
                       f"got {g.ravel()[i]:.7g}, expected {e.ravel()[i]:.7g}")
    eq = got == exp
    if eq.all():
        return True, "exact"
    bad = np.flatnonzero(~eq.ravel())
    i = int(bad[0])
    return False, f"{len(bad)}/{exp.size} values differ; first at flat {i}: got {got.ravel()[i]}, expected {exp.ravel()[i]}"


def run_fixture(name, a):
    """Returns (passed, lines); raises OracleError when the oracle half fails."""
    work = os.path.join(a.work, "runs", name)
    model, sets = prepare(name, a.work)
    lines, passed = [], True
    if not sets:
        raise OracleError(f"fixture {name} has no test_data_set folders")
    for ds in sets:
        sname = os.path.basename(ds)
        scratch = os.path.join(work, sname)
        os.makedirs(scratch, exist_ok=True)
        expected = run_ort(a.node, model, ds, scratch, a.threads)
        out = os.path.join(scratch, "ours")
        secs, err = run_ours(a.bin, model, ds, out, a.threads)
        if err:
            passed = False
            lines.append(f"  {sname}: our engine failed: {err}")
            continue
        for k, (ename, earr) in enumerate(expected):
            label = f"  {sname} output {k} {ename} {earr.dtype} {fmt_shape(earr)}"
            path = os.path.join(out, f"output_{k}.pb")
            if not os.path.exists(path):
                passed = False
                lines.append(f"{label}: MISSING ({path} not written)")
                continue
            try:
                gname, garr = tensorio.read_pb(path)
            except Exception as e:  # noqa: BLE001
                passed = False
                lines.append(f"{label}: cannot read our output: {e}")
                continue
            ok, detail = compare(earr, garr, a.rtol, a.atol)
            if gname and gname != ename:
                ok, detail = False, f"named '{gname}', expected '{ename}'; " + detail
            passed &= ok
            lines.append(f"{label}: {'ok' if ok else 'MISMATCH'} ({detail})")
    return passed, lines


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="the ipfs-accelerate binary")
    ap.add_argument("--fixture", nargs="+", default=[], metavar="NAME")
    ap.add_argument("--all", action="store_true", help="every fixture (random-weight and real-weight)")
    ap.add_argument("--full", action="store_true", help="with --all, also the full-size fixtures (slow)")
    ap.add_argument("--expected", default=os.path.join(HERE, "expected_passing.txt"))
    ap.add_argument("--not-listed", action="store_true", help="skip the fixtures listed in --expected")
    ap.add_argument("--report-only", action="store_true",
                    help="report our engine's failures without failing (oracle failures still fail)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "oracle"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--node", default="node")
    ap.add_argument("--list", action="store_true", help="print every fixture name")
    a = ap.parse_args(argv)
    if a.list:
        print("\n".join(all_fixtures(True)))
        return 0
    names = list(a.fixture)
    if a.all:
        names += [n for n in all_fixtures(a.full) if n not in names]
    if a.not_listed:
        listed = set(read_list(a.expected)) if os.path.exists(a.expected) else set()
        names = [n for n in names if n not in listed]
    unknown = [n for n in names if not known(n)]
    if unknown:
        print(f"oracle: unknown fixtures: {' '.join(unknown)} (see --list)", file=sys.stderr)
        return 1
    if not a.bin:
        ap.error("--bin is required")
    a.work = os.path.abspath(a.work)
    a.bin = os.path.abspath(a.bin)
    try:
        check_ort(a.node)
    except OracleError as e:
        print(f"oracle: FAILED: {e}", file=sys.stderr)
        return 1
    if not os.path.exists(a.bin):
        print(f"oracle: FAILED: {a.bin} does not exist (build first)", file=sys.stderr)
        return 1
    if not names:
        print("oracle: no fixtures to run")
        return 0
    print(f"oracle: {len(names)} fixture(s), rtol {a.rtol:g}, atol {a.atol:g}, {a.threads} thread(s); "
          f"engine {a.bin}; work {a.work}")
    results, oracle_errors = {}, []
    for name in names:
        t0 = time.monotonic()
        try:
            ok, lines = run_fixture(name, a)
        except OracleError as e:
            oracle_errors.append(name)
            print(f"ORACLE-ERROR {name}: {e}", flush=True)
            continue
        except subprocess.TimeoutExpired as e:
            oracle_errors.append(name)
            print(f"ORACLE-ERROR {name}: onnxruntime-node timed out ({e})", flush=True)
            continue
        results[name] = ok
        print(f"{'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - t0:.1f} s)")
        for line in lines:
            print(line)
        sys.stdout.flush()
    passed = [n for n, ok in results.items() if ok]
    failed = [n for n, ok in results.items() if not ok]
    print(f"oracle summary: {len(passed)} passed, {len(failed)} failed, {len(oracle_errors)} oracle errors"
          + (" (report only)" if a.report_only else ""))
    if passed:
        print(f"  passed: {' '.join(passed)}")
    if failed:
        print(f"  failed: {' '.join(failed)}")
    if oracle_errors:
        print(f"  oracle errors: {' '.join(oracle_errors)}")
    if a.report_only and passed and a.not_listed:
        print(f"  note: these pass but are not in {os.path.relpath(a.expected, ROOT)}: {' '.join(passed)}")
    if oracle_errors:
        return 1
    return 0 if (a.report_only or not failed) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
