/* `predict MODEL --db FILE --batch ... --seq ... --threads ...`: roofline estimate corrected by the
 * fit on stored results, with the leave-one-out error over those results; shared setup for recommend. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"

#define MAXL 64

int ia__cli_perf_setup(const char *cmd, const char *model, const char *db_path, double budget, ia_hw_info *hw, ia_model_cost *cost,
                       ia_perf_point **pts, size_t *n, ia_perf_loo *loo) {
    char dbp[4200];
    if (ia_model_cost_read(model, cost)) { fprintf(stderr, "%s: %s\n", cmd, ia_last_error()); return -1; }
    if (!db_path) {
        if (ia__cli_default_db(dbp, sizeof dbp)) { fprintf(stderr, "%s: %s\n", cmd, ia_last_error()); return -1; }
        db_path = dbp;
    }
    ia_hw_probe(hw);
    if (ia_hw_calibrate(hw, budget) || !hw->calibrated) {
        fprintf(stderr, "%s: calibration failed: %s\n", cmd, ia_last_error());
        return -1;
    }
    ia_bench_db *db;
    if (ia_bench_db_open(db_path, &db)) { fprintf(stderr, "%s: %s\n", cmd, ia_last_error()); return -1; }
    int rc = ia_perf_load_points(db, model, cost, hw, pts, n);
    ia_bench_db_close(db);
    if (rc || ia_perf_loo_run(*pts, *n, loo)) {
        fprintf(stderr, "%s: %s\n", cmd, ia_last_error());
        ia_free(*pts);
        *pts = NULL;
        return -1;
    }
    return 0;
}

void ia__cli_perf_header(FILE *o, const char *model, const ia_hw_info *hw, const ia_model_cost *c, size_t n, const ia_perf_loo *loo) {
    fprintf(o, "model: %s: %.4g MB of parameters, %.4g MFLOP per row (2 x weights of %.0f MatMul/Gemm/Conv; %.0f activation x activation "
               "MatMul not counted)%s\n",
            model, c->param_bytes / 1e6, c->flops_per_row / 1e6, c->n_weight_ops, c->n_unweighted_mm,
            c->has_seq ? ", rows = batch x seq" : ", rows = batch");
    fprintf(o, "machine (calibrated now, %s FMA loop): fp32 peak", hw->calib_kernel);
    for (int i = 0; i < hw->n_calib; i++) fprintf(o, " %.1f GFLOP/s at %d thread%s%s", hw->calib_gflops_fp32[i], hw->calib_threads[i],
                                                  hw->calib_threads[i] == 1 ? "" : "s", i + 1 < hw->n_calib ? "," : "");
    if (strcmp(hw->calib_int8_kernel, "none") && hw->calib_int8_kernel[0]) {
        fprintf(o, "; int8 peak (%s)", hw->calib_int8_kernel);
        for (int i = 0; i < hw->n_calib; i++) fprintf(o, " %.1f GOP/s at %d thread%s%s", hw->calib_gops_int8[i], hw->calib_threads[i],
                                                      hw->calib_threads[i] == 1 ? "" : "s", i + 1 < hw->n_calib ? "," : "");
    } else fprintf(o, "; no int8 peak (no int8 dot-product instructions)");
    fprintf(o, "; fp16 not calibrated");
    fprintf(o, "; memory read %.1f GB/s\n", hw->mem_bw_gbs);
    fprintf(o, "measured configurations of this model in the database: %zu\n", n);
    if (loo->n_eval)
        fprintf(o, "leave-one-out over %zu measured configurations: median relative error %.1f%%, max %.1f%% (%zu of them extrapolated; "
                   "%zu could not be predicted without themselves)\n",
                loo->n_eval, loo->median_rel_err * 100, loo->max_rel_err * 100, loo->n_extrapolated, loo->n_unpredictable);
    else
        fprintf(o, "leave-one-out: not possible (%zu measured configuration%s; needs at least 2)\n", n, n == 1 ? "" : "s");
}

void ia__cli_perf_validate(FILE *o, const ia_perf_point *pts, size_t n) {
    fprintf(o, "\nleave-one-out, each measured configuration predicted from the others:\n\n"
               "| device | precision | threads | batch | seq | measured ms | predicted ms | relative error | note |\n|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        ia_perf_estimate e;
        if (ia_perf_predict(pts, n, i, &pts[i], &e)) continue;
        char pred[32] = "-", err[32] = "-";
        if (e.predicted_ms > 0) {
            snprintf(pred, sizeof pred, "%.4g", e.predicted_ms);
            snprintf(err, sizeof err, "%.1f%%", 100 * fabs(e.predicted_ms - pts[i].measured_ms) / pts[i].measured_ms);
        }
        fprintf(o, "| %s | %s | %d | %lld | %lld | %.4g | %s | %s | %s |\n", pts[i].device, pts[i].precision, pts[i].threads,
                (long long)pts[i].batch, (long long)pts[i].seq, pts[i].measured_ms, pred, err,
                e.predicted_ms <= 0 ? "nothing else to fit from" : e.extrapolation ? "EXTRAPOLATION" : "");
    }
}

static int list(const char *cmd, const char *opt, const char *s, int64_t *v, size_t *n) {
    if (ia_bench_parse_int_list(s, v, MAXL, n)) { fprintf(stderr, "%s: %s: %s\n", cmd, opt, ia_last_error()); return -1; }
    return 0;
}

#define USAGE "usage: ipfs-accelerate predict MODEL [--db FILE] [--device cpu] [--precision fp32] [--batch 1,4] [--seq 128] [--threads 1,2] [--budget S] [--json]\n"

int ia_cmd_predict(int argc, char **argv) {
    const char *model = NULL, *db_path = NULL, *device = "cpu", *prec = "fp32";
    int64_t b[MAXL] = {1}, s[MAXL] = {128}, t[MAXL] = {1};
    size_t nb = 1, ns = 1, nt = 1;
    double budget = 1.0;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int r = 0;
        if (a[0] != '-' && !model) { model = a; continue; }
        if (!strcmp(a, "--json")) { json = 1; continue; }
        if (!v) { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
        if (!strcmp(a, "--db")) db_path = v;
        else if (!strcmp(a, "--device")) device = v;
        else if (!strcmp(a, "--precision")) prec = v;
        else if (!strcmp(a, "--batch")) r = list("predict", a, v, b, &nb);
        else if (!strcmp(a, "--seq")) r = list("predict", a, v, s, &ns);
        else if (!strcmp(a, "--threads")) r = list("predict", a, v, t, &nt);
        else if (!strcmp(a, "--budget")) budget = atof(v);
        else { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
        if (r) return IA_EXIT_USAGE;
        i++;
    }
    if (!model || budget <= 0) { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
    char why[256];
    ia_hw_info hw;
    int st = ia_hw_device_status(NULL, device, prec, why, sizeof why);
    if (st < 0) { fprintf(stderr, "predict: %s\n", ia_last_error()); return IA_EXIT_USAGE; }
    ia_model_cost cost;
    ia_perf_point *pts = NULL;
    size_t n = 0;
    ia_perf_loo loo;
    if (ia__cli_perf_setup("predict", model, db_path, budget, &hw, &cost, &pts, &n, &loo)) return IA_EXIT_FAIL;
    st = ia_hw_device_status(&hw, device, prec, why, sizeof why);
    if (json) {
        printf("{\"model\":");
        ia__json_str_cli(stdout, model);
        printf(",\"param_bytes\":%.17g,\"flops_per_row\":%.17g,\"rows\":\"%s\",\"calibration\":{\"kernel\":\"%s\",\"mem_bw_gbs\":%.6g,"
               "\"fp32_gflops\":[", cost.param_bytes, cost.flops_per_row, cost.has_seq ? "batch*seq" : "batch", hw.calib_kernel, hw.mem_bw_gbs);
        for (int i = 0; i < hw.n_calib; i++) printf("%s{\"threads\":%d,\"gflops\":%.6g}", i ? "," : "", hw.calib_threads[i], hw.calib_gflops_fp32[i]);
        printf("]},\"device_available\":%s,\"n_measured\":%zu,\"loo\":{\"n_eval\":%zu,\"n_unpredictable\":%zu,\"n_extrapolated\":%zu",
               st ? "true" : "false", n, loo.n_eval, loo.n_unpredictable, loo.n_extrapolated);
        if (loo.n_eval) printf(",\"median_rel_err\":%.6g,\"max_rel_err\":%.6g", loo.median_rel_err, loo.max_rel_err);
        printf("},\"predictions\":[");
    } else {
        ia__cli_perf_header(stdout, model, &hw, &cost, n, &loo);
        if (st == 0) printf("note: %s %s is unavailable on this machine (%s); the prediction below is only from its stored results\n", device, prec, why);
        printf("\n| device | precision | threads | batch | seq | roofline ms | predicted ms | measured ms | source | note | 95%% prediction interval ms |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    int rc = IA_EXIT_OK, first = 1;
    for (size_t ti = 0; ti < nt; ti++)
        for (size_t bi = 0; bi < nb; bi++)
            for (size_t si = 0; si < ns; si++) {
                ia_perf_point q = {0};
                snprintf(q.device, sizeof q.device, "%s", device);
                snprintf(q.precision, sizeof q.precision, "%s", prec);
                q.threads = (int)t[ti];
                q.batch = b[bi];
                q.seq = s[si];
                q.roof_ms = ia_roofline_ms_at(&cost, &hw, q.precision, q.threads, q.batch, q.seq);
                double meas = 0;
                for (size_t i = 0; i < n; i++)
                    if (!strcmp(pts[i].device, q.device) && !strcmp(pts[i].precision, q.precision) && pts[i].threads == q.threads &&
                        pts[i].batch == q.batch && pts[i].seq == q.seq)
                        meas = pts[i].measured_ms;
                ia_perf_estimate e;
                memset(&e, 0, sizeof e);
                if (q.roof_ms > 0 && ia_perf_predict(pts, n, SIZE_MAX, &q, &e)) { fprintf(stderr, "predict: %s\n", ia_last_error()); rc = IA_EXIT_FAIL; continue; }
                const char *source = meas > 0 ? "measured" : e.predicted_ms > 0 ? "predicted" : "none";
                if (json) {
                    printf("%s{\"device\":\"%s\",\"precision\":\"%s\",\"threads\":%d,\"batch\":%lld,\"seq\":%lld,\"roofline_ms\":%.6g,"
                           "\"source\":\"%s\"", first ? "" : ",", q.device, q.precision, q.threads, (long long)q.batch, (long long)q.seq,
                           q.roof_ms, source);
                    if (meas > 0) printf(",\"measured_ms\":%.6g", meas);
                    if (e.predicted_ms > 0)
                        printf(",\"predicted_ms\":%.6g,\"factor\":%.6g,\"n_fit\":%d,\"fit_level\":%d,\"extrapolation\":%s", e.predicted_ms,
                               e.factor, e.n_fit, e.level, e.extrapolation ? "true" : "false");
                    if (e.pi_high_ms > 0) printf(",\"pi_low_ms\":%.6g,\"pi_high_ms\":%.6g", e.pi_low_ms, e.pi_high_ms);
                    printf("}");
                    first = 0;
                    continue;
                }
                char pred[32] = "-", ms[32] = "-", note[160];
                if (e.predicted_ms > 0) snprintf(pred, sizeof pred, "%.4g", e.predicted_ms);
                if (meas > 0) snprintf(ms, sizeof ms, "%.4g", meas);
                if (q.roof_ms <= 0) snprintf(note, sizeof note, "no calibrated %s peak on this machine (hw --calibrate)", q.precision);
                else if (e.predicted_ms <= 0) snprintf(note, sizeof note, "no measured result of this model to fit from");
                else
                    snprintf(note, sizeof note, "factor %.3g from %d point%s (%s)%s", e.factor, e.n_fit, e.n_fit == 1 ? "" : "s",
                             e.level == 0 ? "same device, precision, threads" : e.level == 1 ? "same device and precision, other threads" : "any measured configuration",
                             e.extrapolation ? "; EXTRAPOLATION" : "");
                char pi[64] = "-";
                if (e.pi_high_ms > 0) snprintf(pi, sizeof pi, "%.4g-%.4g", e.pi_low_ms, e.pi_high_ms);
                printf("| %s | %s | %d | %lld | %lld | %.4g | %s | %s | %s | %s | %s |\n", q.device, q.precision, q.threads, (long long)q.batch,
                       (long long)q.seq, q.roof_ms, pred, ms, !strcmp(source, "none") ? "-" : source, note, pi);
            }
    if (json) printf("]}\n");
    ia_free(pts);
    return rc;
}
