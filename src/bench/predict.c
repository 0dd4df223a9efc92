/* Performance model: FLOP and byte counts from the ONNX graph, a roofline time from the calibrated
 * peaks, one fitted efficiency factor per group (least squares in log space), leave-one-out. */
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"

/* ---- least squares (Householder QR) ---------------------------------------------------- */

int ia_lsq_solve(const double *X, const double *y, size_t n, size_t p, double *beta) {
    if (!X || !y || !beta || p == 0 || n < p) return ia_set_error(IA_ERR_INVALID_ARG, "least squares needs n >= p >= 1 (n=%zu, p=%zu)", n, p);
    double *A = ia_malloc(n * p * sizeof *A), *b = ia_malloc(n * sizeof *b);
    if (!A || !b) { ia_free(A); ia_free(b); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    memcpy(A, X, n * p * sizeof *A);
    memcpy(b, y, n * sizeof *b);
    double scale = 0;
    for (size_t i = 0; i < n * p; i++) scale = fmax(scale, fabs(A[i]));
    int rc = IA_OK;
    for (size_t k = 0; k < p && !rc; k++) {
        double norm = 0;
        for (size_t i = k; i < n; i++) norm += A[i * p + k] * A[i * p + k];
        norm = sqrt(norm);
        if (norm <= 1e-12 * (scale > 0 ? scale : 1)) { rc = ia_set_error(IA_ERR_INVALID_ARG, "least squares: design matrix is rank deficient (column %zu)", k); break; }
        double alpha = A[k * p + k] > 0 ? -norm : norm;
        /* v = x - alpha e1, stored in column k from row k */
        A[k * p + k] -= alpha;
        double vnorm2 = 0;
        for (size_t i = k; i < n; i++) vnorm2 += A[i * p + k] * A[i * p + k];
        for (size_t j = k + 1; j < p; j++) {
            double d = 0;
            for (size_t i = k; i < n; i++) d += A[i * p + k] * A[i * p + j];
            d = 2 * d / vnorm2;
            for (size_t i = k; i < n; i++) A[i * p + j] -= d * A[i * p + k];
        }
        double d = 0;
        for (size_t i = k; i < n; i++) d += A[i * p + k] * b[i];
        d = 2 * d / vnorm2;
        for (size_t i = k; i < n; i++) b[i] -= d * A[i * p + k];
        A[k * p + k] = alpha; /* R's diagonal */
    }
    for (size_t kk = p; kk-- > 0 && !rc;) { /* back substitution with R (upper triangle of A) */
        double s = b[kk];
        for (size_t j = kk + 1; j < p; j++) s -= A[kk * p + j] * beta[j];
        beta[kk] = s / A[kk * p + kk];
    }
    ia_free(A);
    ia_free(b);
    return rc;
}

/* ---- costs from the graph -------------------------------------------------------------- */

static double numel(const ia_tensor *t) { return t ? (double)t->numel : 0; }

int ia_model_cost_read(const char *path, ia_model_cost *out) {
    memset(out, 0, sizeof *out);
    ia_model *m;
    int rc = ia_model_load(path, &m);
    if (rc) return rc;
    const ia_graph *g = m->graph;
    for (size_t i = 0; i < g->n_values; i++)
        if (g->values[i].init && g->values[i].producer < 0) {
            out->param_bytes += (double)g->values[i].init->nbytes;
            out->param_elems += (double)g->values[i].init->numel;
        }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const ia_node *nd = &g->nodes[i];
        int mm = !strcmp(nd->op_type, "MatMul") || !strcmp(nd->op_type, "Gemm"), conv = !strcmp(nd->op_type, "Conv");
        if ((!mm && !conv) || nd->n_inputs < 2 || nd->inputs[1] < 0) continue;
        const ia_tensor *w = g->values[nd->inputs[1]].init;
        if (!w) { /* activation x activation (attention scores): depends on seq^2, not counted */
            if (mm) out->n_unweighted_mm += 1;
            continue;
        }
        out->flops_per_row += 2 * numel(w);
        out->n_weight_ops += 1;
    }
    for (size_t i = 0; i < g->n_inputs; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        if (vs->init) continue;
        for (int d = 1; d < vs->type.rank; d++)
            if (vs->type.dims[d] < 0) out->has_seq = 1;
    }
    ia_model_destroy(m);
    return IA_OK;
}

double ia_model_cost_flops(const ia_model_cost *c, int64_t batch, int64_t seq) {
    double rows = (double)(batch > 0 ? batch : 1) * (c->has_seq && seq > 0 ? (double)seq : 1.0);
    return c->flops_per_row * rows;
}

double ia_roofline_ms_at(const ia_model_cost *c, const ia_hw_info *hw, const char *precision, int threads, int64_t batch, int64_t seq) {
    if (!hw->calibrated || hw->n_calib <= 0 || hw->mem_bw_gbs <= 0) return 0;
    int int8 = precision && !strcmp(precision, "int8");
    if (precision && strcmp(precision, "fp32") && !int8) return 0; /* no calibrated peak for fp16 / int4 */
    if (threads <= 0) threads = hw->cpu.threads > 0 ? hw->cpu.threads : 1;
    /* peak at the largest calibrated thread count <= threads (the smallest one when none is) */
    int k = 0, best = 0;
    for (int i = 0; i < hw->n_calib; i++)
        if (hw->calib_threads[i] <= threads && hw->calib_threads[i] >= best) { best = hw->calib_threads[i]; k = i; }
    double peak = int8 ? hw->calib_gops_int8[k] : hw->calib_gflops_fp32[k];
    if (!(peak > 0)) return 0; /* int8 on a CPU without int8 dot-product instructions */
    /* weights read once per inference: as stored for fp32, one byte per element for int8 */
    double bytes = int8 ? c->param_elems : c->param_bytes;
    double t_compute = ia_model_cost_flops(c, batch, seq) / (peak * 1e9);
    double t_mem = bytes / (hw->mem_bw_gbs * 1e9);
    return 1e3 * fmax(t_compute, t_mem);
}

double ia_roofline_ms(const ia_model_cost *c, const ia_hw_info *hw, int threads, int64_t batch, int64_t seq) {
    return ia_roofline_ms_at(c, hw, "fp32", threads, batch, seq);
}

/* ---- fit and prediction ---------------------------------------------------------------- */

static double rows_of(const ia_perf_point *p) { return (double)p->batch * (double)(p->seq > 0 ? p->seq : 1); }

/* two-sided 95% quantile of Student's t with df degrees of freedom (table to 30, then coarser) */
static double t95(size_t df) {
    static const double t[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                 2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return df == 0 ? INFINITY : df <= 30 ? t[df - 1] : df <= 60 ? 2.021 : df <= 120 ? 2.000 : 1.960;
}

static int in_group(const ia_perf_point *a, const ia_perf_point *q, int level) {
    if (level >= 2) return 1;
    if (strcmp(a->device, q->device) || strcmp(a->precision, q->precision)) return 0;
    return level == 1 || a->threads == q->threads;
}

int ia_perf_predict(const ia_perf_point *pts, size_t n, size_t skip, const ia_perf_point *q, ia_perf_estimate *out) {
    memset(out, 0, sizeof *out);
    if (q->roof_ms <= 0) return ia_set_error(IA_ERR_INVALID_ARG, "no roofline estimate for the query (machine not calibrated?)");
    double *X = ia_malloc((n + 1) * sizeof *X), *y = ia_malloc((n + 1) * sizeof *y);
    if (!X || !y) { ia_free(X); ia_free(y); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    int rc = IA_OK;
    for (int level = 0; level <= 2; level++) {
        size_t m = 0;
        double lo = INFINITY, hi = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == skip || pts[i].measured_ms <= 0 || pts[i].roof_ms <= 0 || !in_group(&pts[i], q, level)) continue;
            X[m] = 1.0; /* one constant per group: log(measured) - log(roof) = b */
            y[m] = log(pts[i].measured_ms) - log(pts[i].roof_ms);
            lo = fmin(lo, rows_of(&pts[i]));
            hi = fmax(hi, rows_of(&pts[i]));
            m++;
        }
        if (!m) continue;
        double b;
        rc = ia_lsq_solve(X, y, m, 1, &b);
        if (rc) break;
        out->factor = exp(b);
        if (m >= 2) {
            double ss = 0;
            for (size_t i = 0; i < m; i++) ss += (y[i] - b) * (y[i] - b);
            out->log_sd = sqrt(ss / (double)(m - 1));
            double w = t95(m - 1) * out->log_sd * sqrt(1.0 + 1.0 / (double)m);
            out->pi_low_ms = q->roof_ms * exp(b - w);
            out->pi_high_ms = q->roof_ms * exp(b + w);
        }
        out->predicted_ms = q->roof_ms * out->factor;
        out->level = level;
        out->n_fit = (int)m;
        double r = rows_of(q);
        out->extrapolation = level > 0 || r < 0.5 * lo || r > 2 * hi;
        break;
    }
    ia_free(X);
    ia_free(y);
    return rc;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int ia_perf_loo_run(const ia_perf_point *pts, size_t n, ia_perf_loo *out) {
    memset(out, 0, sizeof *out);
    double *err = ia_malloc((n + 1) * sizeof *err);
    if (!err) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (pts[i].measured_ms <= 0) continue;
        ia_perf_estimate e;
        int rc = ia_perf_predict(pts, n, i, &pts[i], &e);
        if (rc) { ia_free(err); return rc; }
        if (e.predicted_ms <= 0) { out->n_unpredictable++; continue; }
        if (e.extrapolation) out->n_extrapolated++;
        err[out->n_eval++] = fabs(e.predicted_ms - pts[i].measured_ms) / pts[i].measured_ms;
    }
    if (out->n_eval) {
        qsort(err, out->n_eval, sizeof *err, cmp_d);
        out->median_rel_err = ia_stats_quantile_sorted(err, out->n_eval, 0.5);
        out->max_rel_err = err[out->n_eval - 1];
    }
    ia_free(err);
    return IA_OK;
}

/* ---- measured points from the database --------------------------------------------------- */

static int sha256_file(const char *path, char hex[65]) {
    FILE *f = fopen(path, "rb");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    unsigned char buf[65536], md[32];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(c, buf, k);
    fclose(f);
    unsigned mdl;
    EVP_DigestFinal_ex(c, md, &mdl);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return IA_OK;
}

int ia_perf_load_points(ia_bench_db *db, const char *model_path, const ia_model_cost *cost, const ia_hw_info *hw,
                        ia_perf_point **pts, size_t *n) {
    *pts = NULL;
    *n = 0;
    char hex[65], sql[1024];
    int rc = sha256_file(model_path, hex);
    if (rc) return rc;
    snprintf(sql, sizeof sql,
             "SELECT c.device, c.precision, c.threads, c.batch, c.seq, median(r.median_ms) FROM results r JOIN configs c USING (config_id)"
             " WHERE c.model_id = '%s' AND r.status = 'ok' AND r.median_ms > 0 GROUP BY ALL ORDER BY ALL",
             hex);
    ia__rows r;
    rc = ia__db_select(db, sql, &r);
    if (rc) return rc;
    ia_perf_point *p = ia_calloc(r.n_rows + 1, sizeof *p);
    if (!p) { ia__rows_free(&r); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    for (size_t i = 0; i < r.n_rows; i++) {
        const char *dev = ia__rows_get(&r, i, 0), *prec = ia__rows_get(&r, i, 1);
        snprintf(p[i].device, sizeof p[i].device, "%s", dev ? dev : "?");
        snprintf(p[i].precision, sizeof p[i].precision, "%s", prec ? prec : "?");
        p[i].threads = atoi(ia__rows_get(&r, i, 2) ? ia__rows_get(&r, i, 2) : "0");
        p[i].batch = atoll(ia__rows_get(&r, i, 3) ? ia__rows_get(&r, i, 3) : "1");
        p[i].seq = atoll(ia__rows_get(&r, i, 4) ? ia__rows_get(&r, i, 4) : "0");
        p[i].measured_ms = atof(ia__rows_get(&r, i, 5) ? ia__rows_get(&r, i, 5) : "0");
        p[i].roof_ms = ia_roofline_ms_at(cost, hw, p[i].precision, p[i].threads, p[i].batch, p[i].seq);
    }
    *n = r.n_rows;
    *pts = p;
    ia__rows_free(&r);
    return IA_OK;
}
