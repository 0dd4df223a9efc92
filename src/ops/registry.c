/* The operator table: every family's ops.def is listed here once; the table is sorted by
 * (domain, op_type, since_version) on first use and searched by binary search. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ops/op.h"

#define IA_OP(domain, name, since, fn, flags) int fn(ia_kctx *ctx);
#include "ops/control/ops.def"
#include "ops/elementwise/ops.def"
#include "ops/tensor/ops.def"
#include "ops/nn/ops.def"
#include "ops/norm/ops.def"
#include "ops/reduce/ops.def"
#include "ops/rnn/ops.def"
#include "ops/signal/ops.def"
#include "ops/sequence/ops.def"
#include "ops/quant/ops.def"
#include "ops/misc/ops.def"
#include "ops/fused/ops.def"
#undef IA_OP

static ia_op_def table[] = {
#define IA_OP(domain, name, since, fn, flags) {domain, name, since, fn, flags, NULL},
#include "ops/control/ops.def"
#include "ops/elementwise/ops.def"
#include "ops/tensor/ops.def"
#include "ops/nn/ops.def"
#include "ops/norm/ops.def"
#include "ops/reduce/ops.def"
#include "ops/rnn/ops.def"
#include "ops/signal/ops.def"
#include "ops/sequence/ops.def"
#include "ops/quant/ops.def"
#include "ops/misc/ops.def"
#include "ops/fused/ops.def"
#undef IA_OP
};

static const size_t table_len = sizeof table / sizeof table[0];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int cmp_def(const void *a, const void *b) {
    const ia_op_def *x = a, *y = b;
    int c = strcmp(x->domain, y->domain);
    if (c) return c;
    c = strcmp(x->op_type, y->op_type);
    if (c) return c;
    return (x->since_version > y->since_version) - (x->since_version < y->since_version);
}

/* ia_op_def.prepare hooks, attached by kernel function (ops/prepare.def) */
#define IA_OP_PREPARE(fn, prepare) int prepare(ia_kctx *ctx);
#include "ops/prepare.def"
#undef IA_OP_PREPARE

static void sort_table(void) {
    for (size_t i = 0; i < table_len; i++) {
#define IA_OP_PREPARE(fn, prep) if (table[i].run == fn) table[i].prepare = prep;
#include "ops/prepare.def"
#undef IA_OP_PREPARE
    }
    qsort(table, table_len, sizeof table[0], cmp_def);
}

const ia_op_def *ia__op_table(size_t *count) {
    pthread_once(&sorted_once, sort_table);
    *count = table_len;
    return table;
}

/* Index of the first entry for (domain, op_type), or table_len. */
static size_t lower_bound(const char *domain, const char *op_type) {
    size_t lo = 0, hi = table_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(table[mid].domain, domain);
        if (!c) c = strcmp(table[mid].op_type, op_type);
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

const ia_op_def *ia__op_find(const char *domain, const char *op_type, int64_t opset) {
    pthread_once(&sorted_once, sort_table);
    if (!strcmp(domain, "ai.onnx")) domain = "";
    const ia_op_def *best = NULL;
    for (size_t i = lower_bound(domain, op_type); i < table_len; i++) {
        if (strcmp(table[i].domain, domain) || strcmp(table[i].op_type, op_type)) break;
        if (table[i].since_version <= opset) best = &table[i];
    }
    return best;
}

int ia__op_known(const char *domain, const char *op_type) {
    pthread_once(&sorted_once, sort_table);
    if (!strcmp(domain, "ai.onnx")) domain = "";
    size_t i = lower_bound(domain, op_type);
    return i < table_len && !strcmp(table[i].domain, domain) && !strcmp(table[i].op_type, op_type);
}
