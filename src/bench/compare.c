/* Comparing two benchmark runs: configurations matched by id, median change with both CIs, and a
 * regression flagged only when the slowdown exceeds the threshold AND Mann-Whitney U on the raw
 * samples is significant. */
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

int ia_bench_compare(ia_bench_db *db, const char *base, const char *cand, const ia_compare_options *o, FILE *out, int *n_reg) {
    *n_reg = 0;
    if (!safe_id(base) || !safe_id(cand)) return ia_set_error(IA_ERR_INVALID_ARG, "run ids contain only letters, digits, '-' and '_'");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT a.config_id, m.name, c.device, c.batch, c.seq, c.threads, c.precision, a.median_ms, a.ci_low_ms, a.ci_high_ms,"
             " b.median_ms, b.ci_low_ms, b.ci_high_ms FROM results a JOIN results b USING (config_id) JOIN configs c USING (config_id)"
             " JOIN models m USING (model_id) WHERE a.run_id = '%s' AND b.run_id = '%s' AND a.status = 'ok' AND b.status = 'ok'"
             " ORDER BY m.name, c.device, c.batch, c.seq, c.threads",
             base, cand);
    ia__rows r;
    int rc = ia__db_select(db, sql, &r);
    if (rc) return rc;
    if (!r.n_rows) {
        ia__rows_free(&r);
        return ia_set_error(IA_ERR_NOT_FOUND, "runs %s and %s have no successful configuration in common", base, cand);
    }
    fprintf(out, "| model | device | batch | seq | threads | precision | base median ms (95%% CI) | candidate median ms (95%% CI) | change | p (Mann-Whitney U) | verdict |\n"
                 "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r.n_rows && !rc; i++) {
        const char *cfg = ia__rows_get(&r, i, 0);
        double *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        rc = load_samples(db, base, cfg, &a, &na);
        if (!rc) rc = load_samples(db, cand, cfg, &b, &nb);
        double u = 0, p = 1;
        if (!rc && na && nb) rc = ia_stats_mann_whitney(a, na, b, nb, &u, &p);
        double ma = atof(ia__rows_get(&r, i, 7)), mb = atof(ia__rows_get(&r, i, 10));
        double change = ma > 0 ? mb / ma - 1 : 0;
        const char *verdict = "same";
        if (na < 4 || nb < 4) verdict = "too few samples";
        else if (p < o->alpha && change > o->threshold) { verdict = "REGRESSION"; (*n_reg)++; }
        else if (p < o->alpha && change < -o->threshold) verdict = "improvement";
        else if (p < o->alpha) verdict = "significant, below threshold";
        fprintf(out, "| %s | %s | %s | %s | %s | %s | %.4g (%.4g-%.4g) | %.4g (%.4g-%.4g) | %+.1f%% | %.3g | %s |\n", ia__rows_get(&r, i, 1),
                ia__rows_get(&r, i, 2), ia__rows_get(&r, i, 3), ia__rows_get(&r, i, 4), ia__rows_get(&r, i, 5), ia__rows_get(&r, i, 6),
                ma, atof(ia__rows_get(&r, i, 8)), atof(ia__rows_get(&r, i, 9)), mb, atof(ia__rows_get(&r, i, 11)),
                atof(ia__rows_get(&r, i, 12)), change * 100, p, verdict);
        ia_free(a);
        ia_free(b);
    }
    ia__rows_free(&r);
    if (!rc) fprintf(out, "\n%d regression%s (threshold %.1f%%, alpha %.3g)\n", *n_reg, *n_reg == 1 ? "" : "s", o->threshold * 100, o->alpha);
    return rc;
}
