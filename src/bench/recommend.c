/* Recommending a configuration for a model: device x precision x threads x batch ranked by measured
 * latency or throughput where measured, by the fitted roofline prediction otherwise (marked). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/bench.h"

typedef struct cand {
    ia_perf_point p;
    ia_perf_estimate e;
    double ms, score; /* latency used for ranking; score: lower is better */
    int measured;
} cand;

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    return x->score < y->score ? -1 : x->score > y->score;
}

static int add_unique(int64_t *v, size_t *n, size_t cap, int64_t x) {
    for (size_t i = 0; i < *n; i++)
        if (v[i] == x) return 0;
    if (*n >= cap) return -1;
    v[(*n)++] = x;
    return 0;
}

int ia_recommend(const ia_hw_info *hw, const ia_model_cost *cost, const ia_perf_point *pts, size_t n, const ia_recommend_options *o,
                 FILE *out) {
    enum { CAP = 64 };
    int64_t batches[CAP], threads[CAP];
    size_t nb = 0, nt = 0;
    if (o->batches)
        for (size_t i = 0; i < o->n_batches; i++) add_unique(batches, &nb, CAP, o->batches[i]);
    else {
        add_unique(batches, &nb, CAP, 1);
        for (size_t i = 0; i < n; i++) add_unique(batches, &nb, CAP, pts[i].batch);
    }
    if (o->threads)
        for (size_t i = 0; i < o->n_threads; i++) add_unique(threads, &nt, CAP, o->threads[i]);
    else {
        for (size_t i = 0; i < n; i++) add_unique(threads, &nt, CAP, pts[i].threads);
        int cpus = hw->cpu.threads > 0 ? hw->cpu.threads : 1;
        for (int t = 1; t <= cpus; t *= 2) add_unique(threads, &nt, CAP, t);
    }
    int64_t seq = o->seq;
    if (seq <= 0) { /* the most often measured seq */
        int best = 0;
        for (size_t i = 0; i < n; i++) {
            int c = 0;
            for (size_t j = 0; j < n; j++) c += pts[j].seq == pts[i].seq;
            if (c > best) { best = c; seq = pts[i].seq; }
        }
        if (seq <= 0) seq = 128;
    }
    const char *const *devs = ia_hw_device_names(), *const *precs = ia_hw_precision_names();
    size_t cap = 0;
    for (size_t d = 0; devs[d]; d++)
        for (size_t p = 0; precs[p]; p++) cap++;
    cap *= nb * nt;
    cand *c = ia_calloc(cap + 1, sizeof *c);
    if (!c) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    size_t nc = 0, n_unpred = 0, n_over = 0, n_web = 0;
    char excluded[4096] = "";
    size_t el = 0;
    int rc = IA_OK;
    for (size_t d = 0; devs[d] && !rc; d++)
        for (size_t p = 0; precs[p] && !rc; p++) {
            char why[256] = "";
            int ok = ia_hw_device_status(hw, devs[d], precs[p], why, sizeof why);
            if (ok < 0) { rc = ok; break; }
            if (!ok) {
                if (el < sizeof excluded - 1)
                    el += (size_t)snprintf(excluded + el, sizeof excluded - el, "- %s %s: %s\n", devs[d], precs[p], why);
                if (el >= sizeof excluded) el = sizeof excluded - 1;
                continue;
            }
            for (size_t ti = 0; ti < nt; ti++)
                for (size_t bi = 0; bi < nb; bi++) {
                    cand *x = &c[nc];
                    memset(x, 0, sizeof *x);
                    snprintf(x->p.device, sizeof x->p.device, "%s", devs[d]);
                    snprintf(x->p.precision, sizeof x->p.precision, "%s", precs[p]);
                    x->p.threads = (int)threads[ti];
                    x->p.batch = batches[bi];
                    x->p.seq = seq;
                    x->p.roof_ms = ia_roofline_ms_at(cost, hw, x->p.precision, x->p.threads, x->p.batch, x->p.seq);
                    for (size_t i = 0; i < n; i++)
                        if (!strcmp(pts[i].device, x->p.device) && !strcmp(pts[i].precision, x->p.precision) &&
                            pts[i].threads == x->p.threads && pts[i].batch == x->p.batch && pts[i].seq == x->p.seq) {
                            x->measured = 1;
                            x->ms = pts[i].measured_ms;
                        }
                    /* the roofline is the CPU's: browser devices are ranked only where measured */
                    if (!x->measured && ia__bench_is_web_device(x->p.device)) { n_web++; continue; }
                    if (x->p.roof_ms > 0 && (rc = ia_perf_predict(pts, n, SIZE_MAX, &x->p, &x->e))) break;
                    if (!x->measured) {
                        if (x->e.predicted_ms <= 0) { n_unpred++; continue; }
                        x->ms = x->e.predicted_ms;
                    }
                    if (o->max_latency_ms > 0 && x->ms > o->max_latency_ms) { n_over++; continue; }
                    double tput = (double)x->p.batch * 1000.0 / x->ms;
                    x->score = o->goal_throughput ? -tput : x->ms;
                    nc++;
                }
        }
    if (rc) { ia_free(c); return rc; }
    qsort(c, nc, sizeof *c, cmp_cand);
    int top = o->top > 0 ? o->top : 10;
    fprintf(out, "goal: %s%s; seq %lld\n\n", o->goal_throughput ? "highest throughput (samples/s)" : "lowest latency",
            o->max_latency_ms > 0 ? " within the latency limit" : "", (long long)seq);
    fprintf(out, "| rank | device | precision | threads | batch | seq | latency ms | samples/s | source | note |\n"
                 "|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < nc && (int)i < top; i++) {
        const cand *x = &c[i];
        char note[128] = "";
        if (!x->measured) {
            int k = snprintf(note, sizeof note, "factor %.3g from %d point%s", x->e.factor, x->e.n_fit, x->e.n_fit == 1 ? "" : "s");
            if (x->e.pi_high_ms > 0 && k > 0 && (size_t)k < sizeof note)
                k += snprintf(note + k, sizeof note - (size_t)k, "; 95%% PI %.4g-%.4g ms", x->e.pi_low_ms, x->e.pi_high_ms);
            if (x->e.extrapolation && k > 0 && (size_t)k < sizeof note) snprintf(note + k, sizeof note - (size_t)k, "; EXTRAPOLATION");
        }
        fprintf(out, "| %zu | %s | %s | %d | %lld | %lld | %.4g | %.4g | %s | %s |\n", i + 1, x->p.device, x->p.precision, x->p.threads,
                (long long)x->p.batch, (long long)x->p.seq, x->ms, (double)x->p.batch * 1000.0 / x->ms,
                x->measured ? "measured" : "predicted", note);
    }
    if (!nc) fprintf(out, "| - | no configuration fits | | | | | | | | |\n");
    fprintf(out, "\n%zu candidate configuration%s ranked", nc, nc == 1 ? "" : "s");
    if (n_over) fprintf(out, ", %zu over the latency limit", n_over);
    if (n_unpred) fprintf(out, ", %zu not predictable (no measured result of this model to fit from)", n_unpred);
    if (n_web) fprintf(out, ", %zu browser-device configurations not measured (not predicted: the roofline model is the CPU's)", n_web);
    fprintf(out, ".\n");
    if (el) fprintf(out, "\nNot considered (unavailable on this machine):\n%s", excluded);
    ia_free(c);
    return IA_OK;
}
