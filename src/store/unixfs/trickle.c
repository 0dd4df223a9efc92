/* kubo's trickle file layout (go-unixfs importer/trickle, fillTrickleRec): a recursive builder
 * that pulls leaves from a source, so memory holds only the open nodes of one root-to-leaf path. */
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "store/unixfs/trickle.h"

typedef struct kids {
    ia__file_entry *e;
    size_t n, cap;
} kids;

static int push(kids *k, const ia__file_entry *e) {
    if (k->n == k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 16;
        ia__file_entry *ne = ia_realloc(k->e, nc * sizeof *ne);
        if (!ne) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        k->e = ne;
        k->cap = nc;
    }
    k->e[k->n++] = *e;
    return IA_OK;
}

/* One (sub-)tree: max_depth < 0 for the root (no limit: it grows while data lasts). `level` is the
 * recursion depth, bounded although the data bounds it far below (a level of depth D holds at
 * least 5^(D-1) leaves). */
static int fill_rec(const ia__trickle_ops *op, int max_depth, int level, ia__file_entry *out) {
    if (level > 64) return ia_set_error(IA_ERR_LIMIT, "trickle DAG deeper than 64 levels");
    kids k = {0};
    int rc = IA_OK, done = 0;
    /* the node's own layer of leaves (kubo's FillNodeLayer) */
    while (!rc && k.n < op->max_links) {
        if ((rc = op->done(op->user, &done)) || done) break;
        ia__file_entry e;
        if (!(rc = op->leaf(op->user, &e))) rc = push(&k, &e);
    }
    /* then layer_repeat sub-trees of each depth 1, 2, ... below max_depth */
    for (int depth = 1; !rc && !done && (max_depth < 0 || depth < max_depth); depth++) {
        for (size_t r = 0; !rc && r < op->layer_repeat; r++) {
            if ((rc = op->done(op->user, &done)) || done) break;
            ia__file_entry c;
            if (!(rc = fill_rec(op, depth, level + 1, &c))) rc = push(&k, &c);
        }
    }
    if (!rc) rc = op->node(op->user, k.e, k.n, level == 0, out);
    ia_free(k.e);
    return rc;
}

int ia__trickle_build(const ia__trickle_ops *ops, ia__file_entry *root) {
    if (!ops || ops->max_links < 1 || ops->layer_repeat < 1)
        return ia_set_error(IA_ERR_INVALID_ARG, "trickle: max links and layer repeat must be at least 1");
    return fill_rec(ops, -1, 0, root);
}
