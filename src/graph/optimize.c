/* The level-2 optimizer driver: the ordered pass list, per-pass switches (IA_OPT_DISABLE),
 * and compaction of the node list after each pass. */
#include <stdlib.h>
#include <string.h>
#include "graph/optimize.h"
#include "ia/log.h"

static const ia_opt_pass passes[] = {
    {"eliminate", ia__pass_eliminate},
    {"gelu", ia__pass_fuse_gelu},
    {"attention", ia__pass_fuse_attention},
    {"matmul_add", ia__pass_fuse_matmul_add}, /* before layernorm: bias Adds are not residuals */
    {"layernorm", ia__pass_fuse_layernorm},
};

const ia_opt_pass *ia__opt_passes(size_t *count) {
    *count = sizeof passes / sizeof passes[0];
    return passes;
}

/* Whether `name` appears in the comma-separated list `list` (or the list says "all"). */
static int listed(const char *list, const char *name) {
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if ((n == len && !strncmp(p, name, n)) || (n == 3 && !strncmp(p, "all", 3))) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int ia__opt_disabled(const char *name) { return listed(getenv("IA_OPT_DISABLE"), name); }

int ia__graph_optimize(ia_graph *g) {
    const char *off = getenv("IA_OPT_DISABLE");
    size_t before = g->n_nodes;
    ia__opt_infer_dtypes(g);
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        if (listed(off, passes[i].name)) continue;
        int n = passes[i].run(g);
        if (n < 0) return n;
        ia__opt_compact(g);
        if (n) IA_LOG_D("optimizer pass %s: %d rewrites, %zu nodes", passes[i].name, n, g->n_nodes);
    }
    IA_LOG_D("optimizer: %zu nodes before, %zu after", before, g->n_nodes);
    return IA_OK;
}
