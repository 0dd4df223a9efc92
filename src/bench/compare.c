/* Comparing two benchmark runs: configurations matched by id (or on every field but the ignored
 * ones), median change with both CIs, and a regression flagged only when the slowdown exceeds the
 * threshold at the median and at the 10th percentile, Mann-Whitney U on the raw samples is
 * significant and the moving-block bootstrap CIs of the two medians are apart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/bench.h"

static int safe_id(const char *s) {
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_')) return 0;
    return 1;
}

static int load_samples(ia_bench_db *db, const char *run, const char *cfg, double **x, size_t *n) {
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT latency_ms FROM samples WHERE run_id = '%s' AND config_id = '%s' ORDER BY iter", run, cfg);
    ia__rows r;
    int rc = ia__db_select(db, sql, &r);
    if (rc) return rc;
    *x = ia_malloc((r.n_rows + 1) * sizeof **x);
    *n = r.n_rows;
    for (size_t i = 0; *x && i < r.n_rows; i++) (*x)[i] = atof(ia__rows_get(&r, i, 0));
    ia__rows_free(&r);
    return *x ? IA_OK : ia_set_error(IA_ERR_NOMEM, "out of memory");
}

/* the configuration fields that may be matched loosely: name in --ignore, column of configs */
static const struct { const char *name, *col; } FIELDS[] = {
    {"model", "model_id"}, {"device", "device"}, {"precision", "precision"}, {"batch", "batch"}, {"seq", "seq"}, {"threads", "threads"}};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

/* parses the ignore list into flags; unknown names are an error */
static int parse_ignore(const char *list, int ignored[N_FIELDS]) {
    memset(ignored, 0, N_FIELDS * sizeof *ignored);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p), f = 0;
        while (f < N_FIELDS && !(strlen(FIELDS[f].name) == len && !strncmp(FIELDS[f].name, p, len))) f++;
        if (f == N_FIELDS)
            return ia_set_error(IA_ERR_INVALID_ARG, "--ignore takes model, device, precision, batch, seq or threads, not '%.*s'", (int)len, p);
        ignored[f] = 1;
        p = e ? e + 1 : NULL;
    }
    return IA_OK;
}

/* 10th percentile: the iterations least disturbed by other work on the machine, which only ever adds
 * time (Chen and Revels, "Robust benchmarking in noisy environments", 2016) */
static double low_quantile(const double *x, size_t n) { return ia_stats_quantile(x, n, 0.10); }

/* "a" when both sides are equal, else "a->b" */
static const char *pair(char *buf, size_t cap, const char *a, const char *b) {
    if (!strcmp(a, b)) snprintf(buf, cap, "%s", a);
    else snprintf(buf, cap, "%s->%s", a, b);
    return buf;
}

int ia_bench_compare(ia_bench_db *db, const char *base, const char *cand, const ia_compare_options *o, FILE *out, int *n_reg) {
    *n_reg = 0;
    if (!safe_id(base) || !safe_id(cand)) return ia_set_error(IA_ERR_INVALID_ARG, "run ids contain only letters, digits, '-' and '_'");
    int ignored[N_FIELDS];
    int rc = parse_ignore(o->ignore, ignored);
    if (rc) return rc;
    char match[512] = "cb.config_id = ca.config_id";
    if (o->ignore && o->ignore[0]) {
        snprintf(match, sizeof match, "cb.mode = ca.mode");
        for (size_t f = 0; f < N_FIELDS; f++)
            if (!ignored[f]) snprintf(match + strlen(match), sizeof match - strlen(match), " AND cb.%s = ca.%s", FIELDS[f].col, FIELDS[f].col);
    }
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT a.config_id, b.config_id, ma.name, mb.name, ca.device, cb.device, ca.batch, cb.batch, ca.seq, cb.seq, ca.threads,"
             " cb.threads, ca.precision, cb.precision, a.median_ms, a.ci_low_ms, a.ci_high_ms, b.median_ms, b.ci_low_ms, b.ci_high_ms"
             " FROM results a JOIN configs ca ON ca.config_id = a.config_id JOIN models ma ON ma.model_id = ca.model_id"
             " JOIN results b ON b.run_id = '%s' AND b.status = 'ok' JOIN configs cb ON cb.config_id = b.config_id"
             " JOIN models mb ON mb.model_id = cb.model_id WHERE a.run_id = '%s' AND a.status = 'ok' AND %s"
             " ORDER BY ma.name, ca.device, ca.batch, ca.seq, ca.threads, ca.precision, a.config_id, b.config_id",
             cand, base, match);
    ia__rows r;
    rc = ia__db_select(db, sql, &r);
    if (rc) return rc;
    if (!r.n_rows) {
        ia__rows_free(&r);
        return ia_set_error(IA_ERR_NOT_FOUND, "runs %s and %s have no successful configuration in common%s", base, cand,
                            o->ignore && o->ignore[0] ? " (with the ignored fields)" : "");
    }
    for (size_t i = 0; i < r.n_rows; i++) /* one-to-one pairs only (few rows: quadratic is fine) */
        for (size_t j = i + 1; j < r.n_rows; j++)
            for (int side = 0; side < 2; side++)
                if (!strcmp(ia__rows_get(&r, i, (size_t)side), ia__rows_get(&r, j, (size_t)side))) {
                    int e = ia_set_error(IA_ERR_INVALID_ARG, "configuration %s of the %s run matches several of the other: ignore fewer fields",
                                         ia__rows_get(&r, i, (size_t)side), side ? "candidate" : "base");
                    ia__rows_free(&r);
                    return e;
                }
    fprintf(out, "| model | device | batch | seq | threads | precision | base median ms (95%% CI, block bootstrap) |"
                 " candidate median ms (95%% CI, block bootstrap) | change | p (Mann-Whitney U) | p10 change | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r.n_rows && !rc; i++) {
        const char *ida = ia__rows_get(&r, i, 0), *idb = ia__rows_get(&r, i, 1);
        double *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        rc = load_samples(db, base, ida, &a, &na);
        if (!rc) rc = load_samples(db, cand, idb, &b, &nb);
        double u = 0, p = 1, alo = 0, ahi = 0, blo = 0, bhi = 0;
        if (!rc && na && nb) rc = ia_stats_mann_whitney(a, na, b, nb, &u, &p);
        if (!rc && na) rc = ia_stats_block_median_ci(a, na, o->block, 0.95, 1000, 0x5eed, &alo, &ahi);
        if (!rc && nb) rc = ia_stats_block_median_ci(b, nb, o->block, 0.95, 1000, 0x5eed, &blo, &bhi);
        double ma = atof(ia__rows_get(&r, i, 14)), mb = atof(ia__rows_get(&r, i, 17));
        double change = ma > 0 ? mb / ma - 1 : 0;
        double fa = rc ? 0 : low_quantile(a, na), fb = rc ? 0 : low_quantile(b, nb), fchange = fa > 0 ? fb / fa - 1 : 0;
        int sig = p < o->alpha, apart_up = blo > ahi, apart_down = bhi < alo;
        const char *verdict = "same";
        if (na < 4 || nb < 4) verdict = "too few samples";
        else if (change > o->threshold) {
            if (!sig) verdict = "slower, not significant";
            else if (!apart_up) verdict = "slower, CIs of the medians overlap";
            else if (fchange <= o->threshold) verdict = "slower median, fastest iterations not (interference?)";
            else { verdict = "REGRESSION"; (*n_reg)++; }
        } else if (change < -o->threshold) {
            if (!sig) verdict = "faster, not significant";
            else if (!apart_down) verdict = "faster, CIs of the medians overlap";
            else if (fchange >= -o->threshold) verdict = "faster median, fastest iterations not";
            else verdict = "improvement";
        } else if (sig) verdict = "significant, below threshold";
        char f[6][160];
        for (size_t k = 0; k < 6; k++) pair(f[k], sizeof f[k], ia__rows_get(&r, i, 2 + 2 * k), ia__rows_get(&r, i, 3 + 2 * k));
        fprintf(out, "| %s | %s | %s | %s | %s | %s | %.4g (%.4g-%.4g) | %.4g (%.4g-%.4g) | %+.1f%% | %.3g | %+.1f%% | %s |\n", f[0], f[1],
                f[2], f[3], f[4], f[5], ma, alo, ahi, mb, blo, bhi, change * 100, p, fchange * 100, verdict);
        ia_free(a);
        ia_free(b);
    }
    ia__rows_free(&r);
    if (!rc)
        fprintf(out, "\n%d regression%s (median and 10th percentile slower by more than %.1f%%, Mann-Whitney U p < %.3g, block-bootstrap"
                " CIs of the medians apart)\n", *n_reg,
                *n_reg == 1 ? "" : "s", o->threshold * 100, o->alpha);
    return rc;
}
