/* `recommend MODEL [--goal latency|throughput] [--max-latency MS]`: ranks the configurations this
 * machine can run, measured where stored, predicted (and marked so) otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"

#define MAXL 64
#define USAGE "usage: ipfs-accelerate recommend MODEL [--db FILE] [--goal latency|throughput] [--max-latency MS] [--batch 1,4] [--seq N] [--threads 1,2] [--top K] [--validate] [--budget S]\n"

int ia_cmd_recommend(int argc, char **argv) {
    const char *model = NULL, *db_path = NULL;
    int64_t b[MAXL], t[MAXL], s1[MAXL];
    size_t nb = 0, nt = 0, ns = 0;
    double budget = 1.0;
    int validate = 0;
    ia_recommend_options o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' && !model) { model = a; continue; }
        if (!strcmp(a, "--validate")) { validate = 1; continue; }
        if (!v) { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
        char *e = NULL;
        if (!strcmp(a, "--db")) db_path = v;
        else if (!strcmp(a, "--goal") || !strcmp(a, "--objective")) {
            if (!strcmp(v, "latency")) o.goal_throughput = 0;
            else if (!strcmp(v, "throughput")) o.goal_throughput = 1;
            else {
                fprintf(stderr, "recommend: %s takes latency or throughput%s\n", a, !strcmp(v, "memory") ? " (ranking by memory is not implemented)" : "");
                return IA_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--max-latency")) {
            o.max_latency_ms = strtod(v, &e);
            if (*e || o.max_latency_ms <= 0) { fprintf(stderr, "recommend: --max-latency takes a positive number of ms\n"); return IA_EXIT_USAGE; }
        } else if (!strcmp(a, "--top")) {
            o.top = (int)strtol(v, &e, 10);
            if (*e || o.top <= 0) { fprintf(stderr, "recommend: --top takes a positive integer\n"); return IA_EXIT_USAGE; }
        } else if (!strcmp(a, "--budget")) {
            budget = strtod(v, &e);
            if (*e || budget <= 0) { fprintf(stderr, "recommend: --budget takes seconds\n"); return IA_EXIT_USAGE; }
        } else if (!strcmp(a, "--batch") || !strcmp(a, "--threads") || !strcmp(a, "--seq")) {
            int64_t *dst = a[2] == 'b' ? b : a[2] == 't' ? t : s1;
            size_t *nd = a[2] == 'b' ? &nb : a[2] == 't' ? &nt : &ns;
            if (ia_bench_parse_int_list(v, dst, MAXL, nd)) { fprintf(stderr, "recommend: %s: %s\n", a, ia_last_error()); return IA_EXIT_USAGE; }
            if (dst == s1 && *nd != 1) { fprintf(stderr, "recommend: --seq takes one value\n"); return IA_EXIT_USAGE; }
        } else { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
        i++;
    }
    if (!model) { fprintf(stderr, USAGE); return IA_EXIT_USAGE; }
    if (nb) { o.batches = b; o.n_batches = nb; }
    if (nt) { o.threads = t; o.n_threads = nt; }
    if (ns) o.seq = s1[0];
    ia_hw_info hw;
    ia_model_cost cost;
    ia_perf_point *pts = NULL;
    size_t n = 0;
    ia_perf_loo loo;
    if (ia__cli_perf_setup("recommend", model, db_path, budget, &hw, &cost, &pts, &n, &loo)) return IA_EXIT_FAIL;
    ia__cli_perf_header(stdout, model, &hw, &cost, n, &loo);
    printf("\n");
    int rc = ia_recommend(&hw, &cost, pts, n, &o, stdout);
    if (!rc && validate) ia__cli_perf_validate(stdout, pts, n);
    if (rc) fprintf(stderr, "recommend: %s\n", ia_last_error());
    ia_free(pts);
    return rc ? IA_EXIT_FAIL : IA_EXIT_OK;
}
