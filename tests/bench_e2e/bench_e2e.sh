#!/usr/bin/env bash
# End-to-end checks of the benchmark commands: usage: bench_e2e.sh CASE IPFS_ACCELERATE SOURCE_DIR WORKDIR
set -u
case_name=$1 IA=$2 SRC=$3 W=$4
rm -rf "$W" && mkdir -p "$W"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$SRC/tools/duckdb/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so" ] || [ -n "${IA_DUCKDB_LIBRARY:-}" ] ||
  fail "DuckDB not installed: run scripts/bootstrap.sh (tools/duckdb)"
/usr/bin/python3 "$SRC/tools/fixtures/gen_models.py" --out "$W/m" --only bert >/dev/null || fail "cannot generate the bert fixture"
M=$W/m/bert/model.onnx
DB=$W/results.duckdb
q() { "$IA" query --db "$DB" --format csv "$1" | tail -n +2; }
FAST=(--min-time 0.3 --min-iters 10 --max-time 3 --quiet)

case $case_name in
rows)
  "$IA" bench "$M" --device cpu,vulkan,cuda --batch 1,2 --seq 8 --threads 1 "${FAST[@]}" --db "$DB" --output json > "$W/out.json" ||
    fail "bench exited non-zero"
  /usr/bin/python3 - "$W/out.json" <<'PY' || fail "bench --output json"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert len(r) == 6, len(r)
ok = [x for x in r if x["status"] == "ok"]
un = [x for x in r if x["status"] == "unavailable"]
assert len(ok) == 2 and len(un) == 4, r
assert all("median_ms" not in x and x["reason"] for x in un), un
assert all(x["ci_low_ms"] <= x["median_ms"] <= x["ci_high_ms"] and x["n_iters"] >= 10 for x in ok), ok
PY
  [ "$(q "select count(*) from results where status='ok' and median_ms > 0")" = 2 ] || fail "expected 2 ok rows"
  [ "$(q "select count(*) from results where status='unavailable' and median_ms is null and reason is not null")" = 4 ] || fail "expected 4 unavailable rows without numbers"
  [ "$(q "select count(*) = (select sum(n_iters) from results) from samples")" = true ] || fail "samples do not match n_iters"
  [ "$(q "select count(*) from configs")" = 6 ] || fail "expected 6 configs"
  [ "$(q "select max(version) from schema_version")" = 3 ] || fail "schema version"
  "$IA" report --db "$DB" --format md > "$W/r.md" || fail "report md"
  grep -q "unavailable: the engine has no Vulkan backend" "$W/r.md" || fail "md report lacks the unavailable device"
  grep -q "unavailable: the engine has no CUDA backend" "$W/r.md" || fail "md report lacks the unavailable cuda device"
  "$IA" report --db "$DB" --format html -o "$W/r.html" || fail "report html"
  [ "$(grep -o '<svg class="chart"' "$W/r.html" | wc -l)" -ge 2 ] || fail "html report has no charts"
  grep -qi "<script" "$W/r.html" && fail "html report contains scripts"
  for f in md csv sql; do "$IA" bench "$M" --batch 1 --seq 8 "${FAST[@]}" --no-db --output $f > "$W/o.$f" || fail "--output $f"; done
  grep -q "^INSERT INTO bench" "$W/o.sql" || fail "sql output"
  head -1 "$W/o.csv" | grep -q "^model,device" || fail "csv output"
  ;;
aa_regression)
  # A/A on real runs: five pairs of back-to-back `bench` runs of one configuration (BERT fixture,
  # batch 2, seq 64, 1 thread: about 0.8 ms per inference, short enough that few iterations are cut by
  # the scheduler on a busy machine; >= 1 s and >= 200 iterations per run) must give no regression;
  # two real slowdowns of that configuration must be flagged (exit 1 and the row marked REGRESSION): a
  # larger batch (4 against 2, matched with --ignore batch) and the same configuration with the
  # engine's graph optimizer off (IA_OPTIMIZE=0, as a code regression would be).
  # Threshold 25% (compare's default is 5%): in 150 A/A pairs on the 2-core development VM at load
  # average 3-14, medians of back-to-back runs moved by -8% to +13% and their 10th percentiles, which
  # compare also requires to move (docs/BENCHMARKS.md), by -2% to +6%; then one pair run alone on an
  # otherwise quiet VM moved +14.7% / +15.7% (the whole distribution: the VM, not the code). 25% keeps
  # a margin over that; the two slowdowns move both by 67% or more, so they stay far above it.
  AA_TH=25%
  AA=(--seq 64 --threads 1 --min-time 1 --min-iters 200 --max-time 5 --quiet --db "$DB")
  run_id() { q "select run_id from runs order by started_at desc, run_id desc limit 1"; }
  check_aa() { # compare BASE CAND: no regression expected
    "$IA" compare "$1" "$2" --db "$DB" --threshold "$AA_TH" > "$W/aa.md"
    local rc=$?
    cat "$W/aa.md" >> "$W/aa_all.md"
    [ $rc = 0 ] || { cat "$W/aa.md"; fail "A/A pair $3: same configuration flagged as a regression (rc $rc)"; }
    grep -q REGRESSION "$W/aa.md" && fail "A/A pair $3: a REGRESSION line"
    grep -q "^0 regressions" "$W/aa.md" || fail "A/A pair $3: no summary line"
  }
  for i in 1 2 3 4 5; do
    "$IA" bench "$M" --batch 2 "${AA[@]}" > /dev/null || fail "bench (pair $i, base)"
    a=$(run_id)
    if [ $i = 1 ] && [ "$(q "select build_type from runs where run_id = '$a'")" = debug ]; then
      # timings of an unoptimized (Debug or sanitizer) build: ~20x slower per inference, so the
      # configuration chosen for a stable A/A (~1 ms) does not exist here; the Release build runs it
      echo "SKIP: A/A compares real timings and needs an optimized build (this one records build_type debug: $(q "select round(median_ms, 1) from results where run_id = '$a'") ms per inference instead of ~0.8)"
      exit 77
    fi
    [ $i = 1 ] && first=$a
    "$IA" bench "$M" --batch 2 "${AA[@]}" > /dev/null || fail "bench (pair $i, candidate)"
    b=$(run_id)
    [ "$a" != "$b" ] || fail "the two runs of pair $i share an id"
    check_aa "$a" "$b" $i
  done
  cat "$W/aa_all.md"
  [ "$(grep -c '^| model.onnx | cpu | 2 | 64 | 1 | fp32 |' "$W/aa_all.md")" = 5 ] || fail "expected 5 compared A/A rows"
  # slowdown 1: a larger batch against a smaller one
  "$IA" bench "$M" --batch 4 "${AA[@]}" > /dev/null || fail "bench batch 4"
  s1=$(run_id)
  "$IA" compare "$first" "$s1" --db "$DB" --threshold "$AA_TH" > "$W/no_match.md" 2> "$W/err" && fail "configurations of different batch matched without --ignore"
  "$IA" compare "$first" "$s1" --db "$DB" --threshold "$AA_TH" --ignore batch > "$W/slow_batch.md"
  rc=$?
  cat "$W/slow_batch.md"
  [ $rc = 1 ] || fail "batch 4 against batch 2 was not flagged (rc $rc)"
  grep -q '^| model.onnx | cpu | 2->4 | 64 | 1 | fp32 | .* | REGRESSION |$' "$W/slow_batch.md" || fail "the batch 2->4 row is not marked REGRESSION"
  # slowdown 2: the same configuration (same id) with the optimizer off
  IA_OPTIMIZE=0 "$IA" bench "$M" --batch 2 "${AA[@]}" > /dev/null || fail "bench with IA_OPTIMIZE=0"
  s2=$(run_id)
  "$IA" compare "$first" "$s2" --db "$DB" --threshold "$AA_TH" > "$W/slow_opt.md"
  rc=$?
  cat "$W/slow_opt.md"
  [ $rc = 1 ] || fail "the unoptimized engine was not flagged (rc $rc)"
  grep -q '^| model.onnx | cpu | 2 | 64 | 1 | fp32 | .* | REGRESSION |$' "$W/slow_opt.md" || fail "the unoptimized row is not marked REGRESSION"
  # the other way round is no regression
  "$IA" compare "$s2" "$first" --db "$DB" --threshold "$AA_TH" > "$W/fast.md" || { cat "$W/fast.md"; fail "a speed-up was flagged"; }
  grep -q REGRESSION "$W/fast.md" && fail "a speed-up got a REGRESSION line"
  ;;
compare_verdicts)
  # compare's verdicts on known data, in any build (no timing premise): two real runs, then the
  # candidate's stored samples and statistics are replaced by the base's times a factor, so each
  # verdict has one right answer (x1: same; x3: REGRESSION, as every quantile, the MWU test and the
  # block-bootstrap CI, which scales with the samples under the same seed, move threefold)
  "$IA" bench "$M" --batch 2 --seq 16 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  "$IA" bench "$M" --batch 2 --seq 16 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  mapfile -t runs < <(q "select run_id from runs order by started_at, run_id")
  [ ${#runs[@]} = 2 ] || fail "expected 2 runs, got ${#runs[@]}"
  a=${runs[0]} b=${runs[1]}
  set_candidate() { # $1 = factor applied to the base's samples and statistics
    "$IA" query --db "$DB" "delete from samples where run_id = '$b'" > /dev/null || fail "delete samples"
    "$IA" query --db "$DB" "insert into samples select config_id, '$b', iter, latency_ms * $1 from samples where run_id = '$a'" > /dev/null || fail "copy samples"
    "$IA" query --db "$DB" "update results set median_ms = (select median_ms * $1 from results r where r.run_id = '$a' and r.config_id = results.config_id) where run_id = '$b'" > /dev/null || fail "copy statistics"
  }
  set_candidate 1
  "$IA" compare "$a" "$b" --db "$DB" > "$W/same.md" || { cat "$W/same.md"; fail "identical samples flagged (rc $?)"; }
  grep -q '| +0.0% | 1 | +0.0% | same |$' "$W/same.md" || { cat "$W/same.md"; fail "identical samples are not 'same'"; }
  set_candidate 3
  "$IA" compare "$a" "$b" --db "$DB" > "$W/slow.md"
  rc=$?
  cat "$W/slow.md"
  [ $rc = 1 ] || fail "a 3x slower candidate was not flagged (rc $rc)"
  grep -q '| +200.0% | .* | +200.0% | REGRESSION |$' "$W/slow.md" || fail "no REGRESSION row at +200%"
  "$IA" compare "$b" "$a" --db "$DB" > "$W/fast.md" || fail "a 3x faster candidate was flagged"
  grep -q '| -66.7% | .* | -66.7% | improvement |$' "$W/fast.md" || { cat "$W/fast.md"; fail "no improvement row"; }
  # bad --ignore lists, ambiguous matches, unknown runs: clear errors
  "$IA" compare "$a" "$b" --db "$DB" --ignore colour > /dev/null 2> "$W/err" && fail "--ignore colour accepted"
  grep -q "ignore takes model" "$W/err" || { cat "$W/err"; fail "no clear --ignore error"; }
  "$IA" bench "$M" --batch 1,2 --seq 16 --threads 1 "${FAST[@]}" --min-time 0.1 --db "$DB" > /dev/null || fail "bench batch 1,2"
  c=$(q "select run_id from runs order by started_at desc, run_id desc limit 1")
  "$IA" compare "$a" "$c" --db "$DB" --ignore batch > /dev/null 2> "$W/err" && fail "an ambiguous match was accepted"
  grep -q "matches several" "$W/err" || { cat "$W/err"; fail "no clear ambiguity error"; }
  "$IA" compare "$a" "$c" --db "$DB" --ignore seq > "$W/seq.md" # two real runs: either verdict; only the matching is checked here
  [ $? -le 1 ] || fail "--ignore seq on equal seq"
  [ "$(grep -c '^| model.onnx | cpu | 2 | 16 | 1 | fp32 |' "$W/seq.md")" = 1 ] || { cat "$W/seq.md"; fail "--ignore seq: expected the one batch-2 row"; }
  "$IA" compare "$a" nosuchrun --db "$DB" > /dev/null 2> "$W/err" && fail "an unknown run was accepted"
  grep -q "no successful configuration in common" "$W/err" || { cat "$W/err"; fail "no clear error for an unknown run"; }
  "$IA" compare "$a" "x';drop" --db "$DB" > /dev/null 2>&1 && fail "a malformed run id was accepted"
  ;;
concurrent)
  # two bench processes writing to one database at once: no corruption, no lost rows
  "$IA" bench "$M" --batch 1,2 --seq 8,16 --threads 1 "${FAST[@]}" --min-time 0.1 --db "$DB" > /dev/null & p1=$!
  "$IA" bench "$M" --batch 1,2 --seq 8,16 --threads 1 "${FAST[@]}" --min-time 0.1 --db "$DB" > /dev/null & p2=$!
  wait $p1 || fail "first bench failed"
  wait $p2 || fail "second bench failed"
  [ "$(q "select count(*) from runs")" = 2 ] || fail "expected 2 runs"
  [ "$(q "select count(*) from results where status = 'ok'")" = 8 ] || fail "expected 8 results"
  [ "$(q "select count(*) = (select sum(n_iters) from results) from samples")" = true ] || fail "lost samples"
  ;;
bad_input)
  expect_fail() { # expect_fail PATTERN CMD...: the command must fail and print PATTERN on stderr
    local pat=$1; shift
    if "$@" > "$W/out" 2> "$W/err"; then fail "succeeded: $*"; fi
    grep -q -- "$pat" "$W/err" || { cat "$W/err"; fail "no '$pat' in the error of: $*"; }
  }
  expect_fail "unknown device 'tpu'" "$IA" bench "$M" --device cpu,tpu --no-db
  expect_fail "malformed list" "$IA" bench "$M" --batch 1,,2 --no-db
  expect_fail "runs backwards" "$IA" bench "$M" --seq 64-16 --no-db
  expect_fail "malformed list" "$IA" bench "$M" --threads x --no-db
  expect_fail "unknown precision" "$IA" bench "$M" --precision fp7 --no-db
  echo "this is not a database" > "$W/text.duckdb"
  expect_fail "is not a DuckDB database" "$IA" bench "$M" --db "$W/text.duckdb"
  [ "$(cat "$W/text.duckdb")" = "this is not a database" ] || fail "the non-DuckDB file was modified"
  # a good result first, then a newer schema and a broken model: earlier results stay intact
  "$IA" bench "$M" --batch 1 --seq 8 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  head -c 3000 "$M" > "$W/truncated.onnx"
  expect_fail "load" "$IA" bench "$W/truncated.onnx" "${FAST[@]}" --db "$DB"
  [ "$(q "select count(*) from results where status = 'ok'")" = 1 ] || fail "earlier result lost"
  [ "$(q "select count(*) from results where status = 'failed' and reason like 'load:%'")" = 1 ] || fail "failed model not recorded"
  "$IA" query --db "$DB" "insert into schema_version values (99)" > /dev/null || fail "query insert"
  expect_fail "newer than this build" "$IA" bench "$M" --db "$DB"
  expect_fail "newer than this build" "$IA" report --db "$DB"
  ;;
predict)
  # three measured configurations, then predict a held-out one (batch 8) and rank with recommend;
  # only the format and the measured/predicted labels are checked, never how close a prediction is
  "$IA" bench "$M" --batch 1,2,4 --seq 8 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  "$IA" predict "$M" --db "$DB" --batch 1,8 --seq 8 --threads 1,2 > "$W/p.md" || { cat "$W/p.md"; fail "predict exited non-zero"; }
  cat "$W/p.md"
  /usr/bin/python3 - "$W/p.md" "$M" <<'PY' || fail "predict output"
import re, sys
import onnx
from onnx import numpy_helper
t = open(sys.argv[1]).read()
# graph costs against the onnx package: initializer bytes, 2 x constant weights of MatMul/Gemm/Conv
g = onnx.load(sys.argv[2]).graph
w = {i.name: numpy_helper.to_array(i) for i in g.initializer}
pb = sum(a.nbytes for a in w.values())
fl = sum(2 * w[n.input[1]].size for n in g.node if n.op_type in ("MatMul", "Gemm", "Conv") and len(n.input) > 1 and n.input[1] in w)
un = sum(1 for n in g.node if n.op_type == "MatMul" and n.input[1] not in w)
want = "%.4g MB of parameters, %.4g MFLOP per row (2 x weights of " % (pb / 1e6, fl / 1e6)
assert want in t and "; %d activation x activation MatMul not counted), rows = batch x seq" % un in t, (want, t.splitlines()[0])
m = re.search(r"leave-one-out over (\d+) measured configurations: median relative error ([0-9.]+)%, max ([0-9.]+)%", t)
assert m and m.group(1) == "3" and float(m.group(2)) <= float(m.group(3)), t
assert "measured configurations of this model in the database: 3" in t
rows = [[c.strip() for c in l.strip("|\n").split("|")] for l in t.splitlines() if l.startswith("| cpu |")]
assert len(rows) == 4, rows
by = {(r[2], r[3]): r for r in rows}  # (threads, batch)
assert by[("1", "1")][8] == "measured" and float(by[("1", "1")][7]) > 0, by[("1", "1")]
for k in [("1", "8"), ("2", "1"), ("2", "8")]:
    r = by[k]
    assert r[8] == "predicted" and r[7] == "-" and float(r[6]) > 0 and float(r[5]) > 0, r
assert "EXTRAPOLATION" in by[("2", "1")][9], by[("2", "1")]   # unmeasured thread count
assert "EXTRAPOLATION" not in by[("1", "8")][9], by[("1", "8")]  # batch 8 is within 2x the measured range
PY
  "$IA" predict "$M" --db "$DB" --batch 1,8 --seq 8 --json > "$W/p.json" || fail "predict --json"
  /usr/bin/python3 - "$W/p.json" <<'PY' || fail "predict --json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n_measured"] == 3 and d["loo"]["n_eval"] == 3 and d["loo"]["median_rel_err"] <= d["loo"]["max_rel_err"], d
p = {x["batch"]: x for x in d["predictions"]}
assert p[1]["source"] == "measured" and p[1]["measured_ms"] > 0, p[1]
assert p[8]["source"] == "predicted" and "measured_ms" not in p[8] and p[8]["predicted_ms"] > 0 and p[8]["fit_level"] == 0, p[8]
PY
  "$IA" recommend "$M" --db "$DB" --goal latency --batch 1,2,8 --threads 1,2 > "$W/r.md" || fail "recommend exited non-zero"
  cat "$W/r.md"
  /usr/bin/python3 - "$W/r.md" <<'PY' || fail "recommend output"
import sys
t = open(sys.argv[1]).read()
rows = [[c.strip() for c in l.strip("|\n").split("|")] for l in t.splitlines() if l[:2] == "| " and l[2:3].isdigit()]
assert len(rows) == 6, rows
assert all(r[1] == "cpu" and r[2] == "fp32" for r in rows), rows  # nothing hw reports unavailable
lat = [float(r[6]) for r in rows]
assert lat == sorted(lat), lat
src = {(r[3], r[4]): r[8] for r in rows}
assert src[("1", "1")] == "measured" and src[("1", "2")] == "measured" and src[("1", "8")] == "predicted" and src[("2", "1")] == "predicted", src
assert "- vulkan fp32: " in t and "Not considered (unavailable on this machine)" in t, t
PY
  "$IA" recommend "$M" --db "$DB" --validate > "$W/v.md" || fail "recommend --validate"
  [ "$(grep -cE '^\| cpu \| fp32 \| 1 \| [124] \| 8 \| [0-9.e+-]+ \| [0-9.e+-]+ \| [0-9.]+% \|' "$W/v.md")" = 3 ] || { cat "$W/v.md"; fail "recommend --validate: expected 3 leave-one-out rows"; }
  "$IA" recommend "$M" --db "$DB" --goal throughput --max-latency 0.000001 > "$W/none.md" || fail "recommend with a tiny limit"
  grep -q "no configuration fits" "$W/none.md" || fail "a tiny --max-latency still ranked configurations"
  "$IA" recommend "$M" --db "$DB" --goal fast > /dev/null 2> "$W/err" && fail "--goal fast accepted"
  grep -q "latency or throughput" "$W/err" || fail "no clear error for --goal fast"
  "$IA" predict "$M" --db "$DB" --batch 1,,2 > /dev/null 2>&1 && fail "malformed --batch accepted"
  "$IA" predict "$M" --db "$DB" --device tpu > /dev/null 2>&1 && fail "unknown device accepted"
  "$IA" predict "$M" --db "$W/empty.duckdb" --batch 1 --seq 8 > "$W/e.md" || fail "predict on an empty database"
  grep -q "leave-one-out: not possible" "$W/e.md" && grep -q "no measured result of this model" "$W/e.md" || { cat "$W/e.md"; fail "empty database output"; }
  ;;
transfer)
  # export from two databases ("two machines"), import into fresh ones: the same rows come back,
  # importing twice adds nothing, conflicting or newer-schema files are refused with nothing imported
  A2=$W/second.duckdb
  "$IA" bench "$M" --batch 1,2 --seq 8 --threads 1 --device cpu,vulkan "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  "$IA" bench "$M" --batch 1 --seq 8 --threads 1 "${FAST[@]}" --db "$A2" > /dev/null || fail "bench 2"
  /usr/bin/python3 "$SRC/tools/fixtures/gen_models.py" --out "$W/m" --only llama_decoder >/dev/null || fail "cannot generate the decoder fixture"
  "$IA" bench "$W/m/llama_decoder/model.onnx" --mode generate --seq 4 --gen-tokens 3 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench generate"
  TABLES="runs hardware models configs generation_settings results samples web_platform_results generation_results schema_version"
  dump() { # dump DB: every table, rows sorted, as csv
    for t in $TABLES; do echo "## $t"; "$IA" query --db "$1" --format csv "select * from $t order by all" || return 1; done
  }
  dump "$DB" > "$W/a.txt" || fail "dump a"
  for f in parquet csv; do
    "$IA" export --db "$DB" --format $f "$W/ex_$f" > "$W/export_$f.log" || fail "export $f"
    [ "$(ls "$W/ex_$f" | wc -l)" = 10 ] || fail "export $f: expected 10 files, got $(ls "$W/ex_$f")"
    "$IA" import --db "$W/imp_$f.duckdb" "$W/ex_$f" > "$W/import_$f.log" || { cat "$W/import_$f.log"; fail "import $f"; }
    dump "$W/imp_$f.duckdb" > "$W/b_$f.txt" || fail "dump $f"
    diff "$W/a.txt" "$W/b_$f.txt" > "$W/diff_$f" || { head -20 "$W/diff_$f"; fail "rows differ after export/import as $f"; }
    "$IA" import --db "$W/imp_$f.duckdb" "$W/ex_$f" > "$W/import2_$f.log" || fail "second import $f"
    dump "$W/imp_$f.duckdb" > "$W/c_$f.txt" || fail "dump $f"
    diff -q "$W/a.txt" "$W/c_$f.txt" > /dev/null || fail "importing $f twice changed the rows"
    grep -q "0 rows added to samples" "$W/import2_$f.log" || fail "second import $f added samples"
  done
  [ "$(wc -l < "$W/a.txt")" -gt 30 ] || fail "dump too short to mean anything"
  # a second machine's run merges beside the first
  "$IA" export --db "$A2" --format parquet "$W/ex2" > /dev/null || fail "export 2"
  "$IA" import --db "$W/imp_parquet.duckdb" "$W/ex2/runs.parquet" "$W/ex2/results.parquet" "$W/ex2/samples.parquet" "$W/ex2/configs.parquet" "$W/ex2/models.parquet" > /dev/null || fail "import 2"
  [ "$("$IA" query --db "$W/imp_parquet.duckdb" --format csv "select count(*) from runs" | tail -1)" = $(( $(q "select count(*) from runs") + 1 )) ] || fail "the second machine's run was not merged"
  want=$(( $(q "select count(*) from samples") + $("$IA" query --db "$A2" --format csv "select count(*) from samples" | tail -1) ))
  [ "$("$IA" query --db "$W/imp_parquet.duckdb" --format csv "select count(*) from samples" | tail -1)" = $want ] || fail "expected $want samples after the merge"
  # a stored row under the same key with other content: refused, nothing imported
  "$IA" query --db "$W/imp_csv.duckdb" "update results set median_ms = median_ms * 2 where status = 'ok'" > /dev/null || fail "update"
  "$IA" query --db "$W/imp_csv.duckdb" "delete from samples where iter = 0" > /dev/null || fail "delete"
  n0=$("$IA" query --db "$W/imp_csv.duckdb" --format csv "select count(*) from samples" | tail -1)
  "$IA" import --db "$W/imp_csv.duckdb" "$W/ex_parquet" > /dev/null 2> "$W/err" && fail "a conflicting import succeeded"
  grep -q "other content" "$W/err" || { cat "$W/err"; fail "no clear conflict error"; }
  [ "$("$IA" query --db "$W/imp_csv.duckdb" --format csv "select count(*) from samples" | tail -1)" = "$n0" ] || fail "a refused import changed samples"
  # newer exported schema, files that are not tables, unknown names, missing paths
  mkdir -p "$W/newer" && printf 'version\n99\n' > "$W/newer/schema_version.csv" && cp "$W/ex_csv/runs.csv" "$W/newer/"
  "$IA" import --db "$W/fresh.duckdb" "$W/newer" > /dev/null 2> "$W/err" && fail "a newer schema was imported"
  grep -q "newer than this build" "$W/err" || { cat "$W/err"; fail "no clear newer-schema error"; }
  [ "$("$IA" query --db "$W/fresh.duckdb" --format csv "select count(*) from runs" | tail -1)" = 0 ] || fail "refused import left runs"
  echo "not parquet" > "$W/results.parquet"
  "$IA" import --db "$W/fresh.duckdb" "$W/results.parquet" > /dev/null 2> "$W/err" && fail "a text file imported as parquet"
  grep -q "cannot read it as that table" "$W/err" || { cat "$W/err"; fail "no clear error for a bad parquet file"; }
  "$IA" import --db "$W/fresh.duckdb" "$W/ex_parquet/../a.txt" > /dev/null 2> "$W/err" && fail "an unknown file name was imported"
  grep -q "not named after a results table" "$W/err" || fail "no clear error for an unknown file name"
  "$IA" import --db "$W/fresh.duckdb" "$W/nothing-here" > /dev/null 2> "$W/err" && fail "a missing path was imported"
  "$IA" export --db "$DB" --format xml "$W/x" > /dev/null 2>&1 && fail "export --format xml accepted"
  ;;
probe_browsers)
  # hw --probe-browsers against the bridge's own report (`browser`, a separate launch): the same
  # adapter, fallback flag, features, limits, WebNN errors and WASM flags; rows in the database
  # (Chromium's: other installed browsers, e.g. the bootstrap's firefox-esr, add rows of their own)
  CHR=$(command -v chromium || command -v chromium-browser || true)
  [ -n "$CHR" ] || { echo "SKIP: no Chromium installed (chromium or chromium-browser); scripts/bootstrap.sh installs Debian's chromium"; exit 77; }
  "$IA" hw --probe-browsers --json --db "$DB" > "$W/hw.json" 2> "$W/hw.err" || { cat "$W/hw.err"; fail "hw --probe-browsers --json"; }
  "$IA" browser --browser "$CHR" > "$W/caps.json" 2> "$W/caps.err" || { cat "$W/caps.err"; fail "browser"; }
  "$IA" hw --probe-browsers --no-db > "$W/hw.txt" 2>&1 || fail "hw --probe-browsers (text)"
  /usr/bin/python3 - "$W/hw.json" "$W/caps.json" "$W/hw.txt" <<'PY' || fail "hw --probe-browsers output"
import json, sys
d = json.load(open(sys.argv[1])); caps = json.load(open(sys.argv[2])); txt = open(sys.argv[3]).read()
b = [x for x in d["browsers"] if x["name"] == "chromium"]
assert len(b) == 1 and b[0]["probe"]["ok"] is True, d["browsers"]
p = b[0]["probe"]
g, cg = p["webgpu"], caps["webgpu"]
assert g["available"] == cg["available"], (g, cg)
if g["available"]:
    assert (g["vendor"], g["architecture"], g["description"], g["fallback_adapter"]) == \
        (cg["vendor"], cg["architecture"], cg["description"], cg["isFallbackAdapter"]), (g, cg)
    assert g["features"] == cg["features"] and g["limits"] == cg["limits"], (g, cg)
    assert ("FALLBACK (software) adapter" in txt) == g["fallback_adapter"], txt
    # without a GPU render node or a non-CPU Vulkan device, an adapter can only be a software one
    if d["dri_render_nodes"] == 0 and all(x["type"] == "cpu" for x in d["gpus"]):
        assert g["fallback_adapter"] is True, g
else:
    assert g["error"] and g["error"] == cg["error"], (g, cg)
for t in ("cpu", "gpu", "npu"):
    c = caps["webnn"].get("contexts", {}).get(t, {})
    assert p["webnn"][t]["available"] == (c.get("ok") is True), (t, p["webnn"], c)
    if not p["webnn"][t]["available"]:
        want = c.get("error") or caps["webnn"].get("error")
        assert want and p["webnn"][t]["error"] == want, (t, p["webnn"][t], want)
        assert ("webnn-%s unavailable: %s" % (t, want)) in txt, txt
assert p["wasm"]["simd"] == caps["wasm"]["simd"] and p["wasm"]["threads"] == caps["wasm"]["threads"], (p["wasm"], caps["wasm"])
print("chromium: webgpu %s%s; webnn %s; wasm simd %s threads %s" % (
    "available" if g["available"] else "unavailable",
    " (%s/%s, fallback adapter %s)" % (g["vendor"], g["architecture"], g["fallback_adapter"]) if g["available"] else "",
    ", ".join("%s %s" % (t, "ok" if p["webnn"][t]["available"] else "unavailable: " + p["webnn"][t]["error"]) for t in ("cpu", "gpu", "npu")),
    p["wasm"]["simd"], p["wasm"]["threads"]))
PY
  [ "$(q "select count(*) from web_platform_results where browser = 'chromium'")" = 5 ] || fail "expected 5 web_platform_results rows"
  [ "$(q "select count(*) from web_platform_results w join runs r using (run_id) where w.browser = 'chromium' and r.args like 'hw --probe-browsers%'")" = 5 ] || fail "rows not tied to their run"
  fb=$(/usr/bin/python3 -c 'import json,sys; g=[x for x in json.load(open(sys.argv[1]))["browsers"] if x["name"]=="chromium"][0]["probe"]["webgpu"]; print("fallback_adapter=" + str(g["fallback_adapter"]).lower() if g["available"] else "unavailable: ")' "$W/hw.json")
  [ "$(q "select count(*) from web_platform_results where browser = 'chromium' and platform = 'webgpu' and adapter like '%$fb%'")" = 1 ] || fail "webgpu row does not match the probe ($fb)"
  [ "$(q "select count(*) from web_platform_results where browser = 'chromium' and platform like 'webnn-%' and (adapter = 'available' or adapter like 'unavailable: _%')")" = 3 ] || fail "webnn rows"
  [ "$(q "select count(*) from web_platform_results where browser = 'chromium' and platform = 'wasm' and features like 'simd=%threads=%'")" = 1 ] || fail "wasm row"
  "$IA" hw --no-db > /dev/null 2>&1 && fail "--no-db without --probe-browsers accepted"
  ;;
generate)
  # --mode generate on the decoder fixture: token counts, the prefill rate as prompt / TTFT, TTFT
  # inside the whole call, rows in generation_results; an encoder fails to load as a generator
  /usr/bin/python3 "$SRC/tools/fixtures/gen_models.py" --out "$W/m" --only llama_decoder llama_decoder_merged >/dev/null || fail "cannot generate the decoder fixtures"
  D=$W/m/llama_decoder/model.onnx DM=$W/m/llama_decoder_merged/model.onnx
  "$IA" bench "$D" "$DM" --mode generate --batch 1,2 --seq 6 --gen-tokens 5 --threads 1 "${FAST[@]}" --db "$DB" --output json > "$W/g.json" || fail "bench --mode generate"
  /usr/bin/python3 - "$W/g.json" <<'PY' || fail "generate output"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 4 and all(x["status"] == "ok" and x["mode"] == "generate" for x in r), r
for x in r:
    assert x["prompt_tokens"] == x["batch"] * 6 and x["new_tokens"] == x["batch"] * 5, x
    assert abs(x["prefill_tokens_per_s"] - x["prompt_tokens"] * 1000 / x["ttft_ms"]) <= 1e-4 * x["prefill_tokens_per_s"], x
    assert abs(x["throughput"] - x["new_tokens"] * 1000 / x["median_ms"]) <= 1e-4 * x["throughput"], x
    assert 0 < x["ttft_ms"] <= x["median_ms"] and x["decode_tokens_per_s"] > 0 and x["n_iters"] >= 10, x
PY
  [ "$(q "select count(*) from generation_results g join configs c using (config_id) where c.mode = 'generate' and g.new_tokens = c.batch * 5 and g.prompt_tokens = c.batch * c.seq")" = 4 ] || fail "expected 4 generation_results rows"
  "$IA" bench "$D" --mode generate --seq 6 --gen-tokens 7 --threads 1 "${FAST[@]}" --db "$DB" --output md > "$W/g.md" || fail "bench --gen-tokens 7"
  grep -q "| model.onnx | 1 | 6 | 7 |" "$W/g.md" || { cat "$W/g.md"; fail "md generation table"; }
  [ "$(q "select count(distinct config_id) from configs where mode = 'generate'")" = 5 ] || fail "--gen-tokens is not part of the configuration"
  "$IA" bench "$M" --mode generate --seq 6 --gen-tokens 2 "${FAST[@]}" --db "$DB" > /dev/null 2> "$W/err" && fail "an encoder ran as a generator"
  [ "$(q "select count(*) from results where status = 'failed' and reason like 'load: generate:%'")" = 1 ] || { cat "$W/err"; fail "encoder failure not recorded"; }
  "$IA" bench "$D" --mode generate --gen-tokens 0 --no-db > /dev/null 2>&1 && fail "--gen-tokens 0 accepted"
  # sampling options and text prompts: a byte-level tokenizer.json beside the model (one token per
  # UTF-8 byte, so Python's len(text.encode()) is the oracle for the prompt length)
  /usr/bin/python3 "$SRC/tests/generate_oracle/make_byte_tokenizer.py" "$W/m/llama_decoder/tokenizer.json" || fail "tokenizer"
  TEXT="Benchmarks people can trust: déjà vu"
  NT=$(/usr/bin/python3 -c 'import sys; print(len(sys.argv[1].encode()))' "$TEXT")
  printf '%s' "$TEXT" > "$W/prompt.txt"
  SAMPLE=(--temperature 0.8 --top-k 40 --top-p 0.9 --seed 7)
  "$IA" bench "$D" --mode generate --prompt "$TEXT" "${SAMPLE[@]}" --batch 1,2 --gen-tokens 4 --threads 1 "${FAST[@]}" --db "$DB" --output json > "$W/s.json" || fail "bench --prompt with sampling"
  "$IA" bench "$D" --mode generate --prompt-file "$W/prompt.txt" --gen-tokens 4 --threads 1 "${FAST[@]}" --db "$DB" --output json > "$W/t.json" || fail "bench --prompt-file (greedy)"
  /usr/bin/python3 - "$W/s.json" "$W/t.json" "$NT" <<'PY' || fail "text prompt / sampling output"
import json, sys
s = json.load(open(sys.argv[1]))["results"]; t = json.load(open(sys.argv[2]))["results"]; nt = int(sys.argv[3])
assert len(s) == 2 and len(t) == 1, (s, t)
for x in s + t:
    assert x["status"] == "ok" and x["seq"] == nt and x["prompt_tokens"] == x["batch"] * nt and x["new_tokens"] == x["batch"] * 4, x
for x in s:
    assert x["sampling"] == "sampled" and x["prompt"] == "text" and x["top_k"] == 40 and x["seed"] == 7, x
    assert abs(x["temperature"] - 0.8) < 1e-6 and abs(x["top_p"] - 0.9) < 1e-6, x
assert t[0]["sampling"] == "greedy" and t[0]["prompt"] == "file prompt.txt" and "temperature" not in t[0], t[0]
PY
  [ "$(q "select count(*) from generation_settings where sampling = 'sampled' and abs(temperature - 0.8) < 1e-6 and top_k = 40 and abs(top_p - 0.9) < 1e-6 and seed = 7 and prompt like 'text (ids %' and prompt_tokens = $NT")" = 2 ] ||
    { "$IA" query --db "$DB" "select * from generation_settings"; fail "generation_settings rows of the sampled text-prompt configurations"; }
  [ "$(q "select count(*) from generation_settings where sampling = 'greedy' and prompt like 'file prompt.txt (ids %' and prompt_tokens = $NT")" = 1 ] || fail "generation_settings row of --prompt-file"
  [ "$(q "select count(*) from generation_settings where sampling = 'greedy' and prompt = 'random ids' and temperature is null")" = 6 ] || fail "generation_settings rows of the earlier greedy runs (and the encoder's failed one)"
  [ "$(q "select count(*) from generation_results g join generation_settings s using (config_id) where g.prompt_tokens = s.prompt_tokens * (select batch from configs c where c.config_id = g.config_id)")" = 8 ] || fail "prompt tokens disagree"
  # sampling, greedy and the prompt text are each part of the configuration: a different seed is a new configuration
  "$IA" bench "$D" --mode generate --prompt "$TEXT" --temperature 0.8 --top-k 40 --top-p 0.9 --seed 8 --gen-tokens 4 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench --seed 8"
  [ "$(q "select count(*) from generation_settings")" = 10 ] || fail "--seed is not part of the configuration"
  # bad input: clear usage errors
  expect_usage() { local pat=$1; shift; "$@" > /dev/null 2> "$W/err" && fail "accepted: $*"; grep -q -- "$pat" "$W/err" || { cat "$W/err"; fail "no '$pat' in the error of: $*"; }; }
  expect_usage "need --mode generate" "$IA" bench "$D" --temperature 0.5 --no-db
  expect_usage "takes a number > 0" "$IA" bench "$D" --mode generate --temperature 0 --no-db
  expect_usage "in (0, 1]" "$IA" bench "$D" --mode generate --top-p 1.5 --no-db
  expect_usage "non-negative integer" "$IA" bench "$D" --mode generate --top-k -3 --no-db
  expect_usage "exclude each other" "$IA" bench "$D" --mode generate --prompt "hi" --seq 4 --no-db
  expect_usage "not both" "$IA" bench "$D" --mode generate --prompt "hi" --prompt-file "$W/prompt.txt" --no-db
  expect_usage "needs a tokenizer.json" "$IA" bench "$DM" --mode generate --prompt "hi" --no-db
  expect_usage "prompt-file" "$IA" bench "$D" --mode generate --prompt-file "$W/missing.txt" --no-db
  expect_usage "encodes to no tokens" "$IA" bench "$D" --mode generate --prompt "" --no-db
  "$IA" report --db "$DB" --all --format md > "$W/r.md" || fail "report over generate results"
  [ "$(sed -n '/^## Generation/,/^## Environment/p' "$W/r.md" | grep -c '^| [0-9]')" = 9 ] || { cat "$W/r.md"; fail "md report: expected 9 generation rows"; }
  "$IA" report --db "$DB" --all --format html -o "$W/r.html" || fail "html report over generate results"
  [ "$(grep -c 'data-topic="generation"' "$W/r.html")" = 1 ] || fail "html report: no generation figure"
  ;;
render)
  # the HTML report of a real small run, rendered in headless Chromium: a non-blank screenshot and
  # one <svg> per chart section in the rendered DOM (skipped, exit 77, only when no Chromium exists)
  CHR=${IA_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
  [ -n "$CHR" ] || { echo "SKIP: no Chromium installed (chromium, chromium-browser, google-chrome; or set IA_CHROMIUM); scripts/bootstrap.sh installs Debian's chromium"; exit 77; }
  "$IA" bench "$M" --batch 1,2,4 --seq 8 --threads 1 --device cpu,webgpu "${FAST[@]}" --db "$DB" > /dev/null || fail "bench"
  /usr/bin/python3 "$SRC/tools/fixtures/gen_models.py" --out "$W/m" --only llama_decoder >/dev/null || fail "cannot generate the decoder fixture"
  "$IA" bench "$W/m/llama_decoder/model.onnx" --mode generate --batch 1,2 --seq 4 --gen-tokens 3 --threads 1 "${FAST[@]}" --db "$DB" > /dev/null || fail "bench generate"
  "$IA" report --db "$DB" --all --format html -o "$W/report.html" || fail "report html"
  /usr/bin/python3 "$SRC/tests/bench_e2e/render_check.py" "$CHR" "$W/report.html" "$W/render" --expect-generation || fail "render check"
  ;;
browser)
  # bench on the browser devices through the bridge (headless Chromium, onnxruntime-web): ok rows
  # for cpu, wasm and webgpu with what ran recorded, webnn unavailable with the browser's own
  # reason, checked against an independent launch (hw --probe-browsers), and the report shows them
  CHR=${IA_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
  [ -n "$CHR" ] || fail "no Chromium installed (scripts/bootstrap.sh installs Debian's chromium)"
  [ -d "$SRC/tools/web/node_modules/onnxruntime-web/dist" ] || fail "onnxruntime-web not installed: run scripts/bootstrap.sh (tools/web)"
  "$IA" hw --probe-browsers --json --no-db > "$W/hw.json" 2> "$W/hw.err" || { cat "$W/hw.err"; fail "hw --probe-browsers --json"; }
  "$IA" bench "$M" --device cpu,wasm,webgpu,webnn --batch 1,2 --seq 8 --threads 1 --min-iters 3 --min-time 0.2 --max-time 3 --quiet \
    --db "$DB" --output json > "$W/out.json" 2> "$W/bench.err" || { cat "$W/bench.err"; fail "bench exited non-zero"; }
  /usr/bin/python3 - "$W/out.json" "$W/hw.json" <<'PY' || fail "bench --output json"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
hw = [b for b in json.load(open(sys.argv[2]))["browsers"] if b["name"] == "chromium"][0]["probe"]
assert len(r) == 8, len(r)
by = {}
for x in r: by.setdefault(x["device"], []).append(x)
for d in ("cpu", "wasm", "webgpu"):
    assert [x["status"] for x in by[d]] == ["ok", "ok"], by[d]
    assert all(x["n_iters"] >= 3 and x["ci_low_ms"] <= x["median_ms"] <= x["ci_high_ms"] for x in by[d]), by[d]
want = hw["webnn"]["cpu"]["error"]
assert not hw["webnn"]["cpu"]["available"] and want, hw["webnn"]
for x in by["webnn"]:
    assert x["status"] == "unavailable" and "median_ms" not in x, x
    assert want in x["reason"] and "Chromium" in x["reason"], (x["reason"], want)
g = hw["webgpu"]
for d, ep in (("wasm", "CPUExecutionProvider"), ("webgpu", "WebGpuExecutionProvider")):
    for x in by[d]:
        w = x["web"]
        assert w["browser"] == "chromium" and w["browser_version"] and w["bundle"].endswith(".mjs") and w["ep_verified"], w
        assert w["ep"].startswith(ep + ":") and w["create_ms"] > 0 and w["page_median_ms"] > 0, w
        if d == "webgpu":
            assert w["software_adapter"] == g["fallback_adapter"] and w["adapter_vendor"] == g["vendor"], (w, g)
        else:
            assert w["software_adapter"] is None, w
assert all("web" not in x for x in by["cpu"] + by["webnn"])
print("webnn unavailable:", by["webnn"][0]["reason"])
PY
  [ "$(q "select count(*) from results where status='ok' and median_ms > 0 and load_ms > 0 and first_ms > 0")" = 6 ] || fail "expected 6 ok rows"
  [ "$(q "select count(*) from results where status='unavailable' and median_ms is null and reason like '%createContext%'")" = 2 ] || fail "expected 2 webnn rows without numbers"
  [ "$(q "select count(*) = (select sum(n_iters) from results) from samples")" = true ] || fail "samples do not match n_iters"
  # what ran, per browser configuration
  [ "$(q "select count(*) from web_platform_results w join configs c using (config_id) where c.device = w.platform and w.browser = 'chromium' and w.browser_version <> '' and w.session_create_ms > 0 and w.features like 'bundle=ort.%.mjs %' and w.features like '% ep_verified=true %' and w.features like '% download_ms=%' and w.features like '% page_median_ms=%'")" = 4 ] ||
    fail "web_platform_results rows of wasm and webgpu"
  [ "$(q "select count(*) from web_platform_results where platform = 'wasm' and adapter is null and features like '% ep=CPUExecutionProvider:%'")" = 2 ] || fail "wasm rows"
  fb=$(/usr/bin/python3 -c 'import json,sys; g=[x for x in json.load(open(sys.argv[1]))["browsers"] if x["name"]=="chromium"][0]["probe"]["webgpu"]; print(str(g["fallback_adapter"]).lower())' "$W/hw.json")
  [ "$(q "select count(*) from web_platform_results where platform = 'webgpu' and adapter like '%fallback_adapter=$fb' and features like '% ep=WebGpuExecutionProvider:%'")" = 2 ] || fail "webgpu rows (probe: fallback_adapter=$fb)"
  # one browser launch per device, shared by its configurations
  [ "$(q "select count(distinct regexp_extract(features, 'launch_load_ms=([0-9.]+)', 1)) from web_platform_results where platform = 'webgpu'")" = 1 ] || fail "webgpu launched more than once"
  "$IA" report --db "$DB" --format md > "$W/r.md" || fail "report md"
  grep -q "^| webnn | .*WebNN" "$W/r.md" || fail "md report lacks webnn's reason"
  grep -q "^| wasm | fp32 | 2 | 8 | 1 | ok |" "$W/r.md" || fail "md report lacks wasm"
  if [ "$fb" = true ]; then grep -q "^| webgpu (software adapter) | fp32 | 1 | 8 | 1 | ok |" "$W/r.md" || fail "md report does not mark the software adapter"; fi
  grep -q "Browser devices" "$W/r.md" || fail "md report lacks the browser table"
  "$IA" report --db "$DB" --format html -o "$W/r.html" || fail "report html"
  [ "$(grep -o '<table class="browsers">' "$W/r.html" | wc -l)" = 1 ] || fail "html report lacks the browser table"
  grep -qi "<script" "$W/r.html" && fail "html report contains scripts"
  cat "$W/r.md"
  ;;
browser_pool)
  # browser devices through the resource pool (ia_web_pool): --browsers 2 --pages 1 in throughput mode
  # sends two requests per iteration, one to each browser; WebNN is unavailable with the browser's reason
  CHR=${IA_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
  [ -n "$CHR" ] || fail "no Chromium installed (scripts/bootstrap.sh installs Debian's chromium)"
  [ -d "$SRC/tools/web/node_modules/onnxruntime-web/dist" ] || fail "onnxruntime-web not installed: run scripts/bootstrap.sh (tools/web)"
  "$IA" bench "$M" --device wasm,webnn --browsers 2 --pages 1 --mode throughput --batch 1 --seq 8 --threads 1 --min-iters 5 --min-time 0.3 \
    --max-time 3 --quiet --db "$DB" --output json > "$W/pool.json" 2> "$W/pool.err" || { cat "$W/pool.err"; fail "bench --browsers 2"; }
  "$IA" bench "$M" --device wasm --browsers 1 --pages 2 --batch 1 --seq 8 --threads 1 --min-iters 5 --min-time 0.3 \
    --max-time 3 --quiet --db "$DB" --output json > "$W/pool_lat.json" 2> "$W/pool.err" || { cat "$W/pool.err"; fail "bench --pages 2"; }
  /usr/bin/python3 - "$W/pool.json" "$W/pool_lat.json" <<'PY' || fail "pool results"
import json, re, sys
r = json.load(open(sys.argv[1]))["results"]; l = json.load(open(sys.argv[2]))["results"]
assert len(r) == 2 and len(l) == 1, (r, l)
w, nn = r
assert w["device"] == "wasm" and w["status"] == "ok" and w["n_iters"] >= 5, w
m = re.match(r"browser pool 2x1, 2 requests per iteration; pool totals so far: (\d+) requests, 0 failed, \d+ retried, 0 browser restarts, 2 model loads", w["reason"])
assert m and int(m.group(1)) >= 2 * (w["n_iters"] + 1), w["reason"]  # every iteration (and the first inference) sent two
assert abs(w["throughput"] - 2 * 1000 / w["median_ms"]) <= 1e-4 * w["throughput"], w
assert nn["device"] == "webnn" and nn["status"] == "unavailable" and "WebNN" in nn["reason"] and "median_ms" not in nn, nn
x = l[0]
m = re.match(r"browser pool 1x2, 1 request per iteration; pool totals so far: (\d+) requests, 0 failed", x["reason"])
assert x["status"] == "ok" and m and int(m.group(1)) >= x["n_iters"] + 1, x
assert abs(x["throughput"] - 1000 / x["median_ms"]) <= 1e-4 * x["throughput"], x
PY
  [ "$(q "select count(distinct config_id) from configs where device = 'wasm'")" = 2 ] || fail "the pool shape is not part of the configuration"
  [ "$(q "select count(*) from results where status = 'ok' and reason like 'browser pool %'")" = 2 ] || fail "pool results not stored"
  # precisions on browser devices: onnxruntime-web runs exported variants of a transformers.js-style
  # folder; the fp32 variant of a folder runs, variants the folder or a plain file lacks are unavailable
  mkdir -p "$W/folder/onnx" && cp "$M" "$W/folder/onnx/model.onnx"
  "$IA" bench "$W/folder" "$M" --device wasm --precision fp32,fp16,int8,int4 --batch 1 --seq 8 --threads 1 --min-iters 3 --min-time 0.2 \
    --max-time 2 --quiet --no-db --output json > "$W/prec.json" 2> "$W/prec.err" || { cat "$W/prec.err"; fail "bench --precision on wasm"; }
  /usr/bin/python3 - "$W/prec.json" <<'PY' || fail "browser precision variants"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 8, r
by = {(x["model"].rsplit("/", 1)[-1], x["precision"]): x for x in r}
f = by[("folder", "fp32")]
assert f["status"] == "ok" and f["web"]["ep_verified"] and f["median_ms"] > 0, f
assert by[("model.onnx", "fp32")]["status"] == "ok", by[("model.onnx", "fp32")]
for m, want in (("folder", "model_fp16.onnx"), ("model.onnx", "needs a model folder")):
    for p in ("fp16", "int8", "int4"):
        x = by[(m, p)]
        assert x["status"] == "unavailable" and "median_ms" not in x and ("no %s variant" % p) in x["reason"], x
        if p == "fp16": assert want in x["reason"], x["reason"]
PY
  "$IA" bench "$M" --device wasm --browsers 0 --no-db > /dev/null 2> "$W/err" && fail "--browsers 0 accepted"
  grep -q "takes 1..16" "$W/err" || fail "no clear --browsers error"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "PASS $case_name"
