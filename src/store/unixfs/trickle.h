/* kubo's trickle file layout (go-unixfs importer/trickle), built streaming from a leaf source:
 * the interface between the importer and src/store/unixfs/trickle.c. */
#ifndef IA_STORE_UNIXFS_TRICKLE_H
#define IA_STORE_UNIXFS_TRICKLE_H
#include <stddef.h>
#include <stdint.h>
#include "ia/store.h"

/* One child of a file node: a leaf or an inner node. */
typedef struct ia__file_entry {
    ia_cid cid;
    uint64_t tsize; /* cumulative DAG size (the link's Tsize) */
    uint64_t fsize; /* file bytes below (the parent's blocksize) */
} ia__file_entry;

/* What the builder pulls leaves from and hands finished nodes to. */
typedef struct ia__trickle_ops {
    void *user;
    size_t max_links;    /* leaves per node (--max-links) */
    size_t layer_repeat; /* sub-trees of each depth (kubo: 4) */
    /* *done = 1 when no chunk is left (may read ahead; an error stops the build) */
    int (*done)(void *user, int *done);
    /* names and stores the next leaf (only called after done() said 0) */
    int (*leaf)(void *user, ia__file_entry *out);
    /* names and stores an inner file node over kids[0..n) (n may be 0: an empty file); `root` is 1
     * for the file's root (kubo's Layout writes the file's mode and mtime there only) */
    int (*node)(void *user, const ia__file_entry *kids, size_t n, int root, ia__file_entry *out);
} ia__trickle_ops;

/* Builds the trickle DAG exactly as kubo's trickle.Layout does: the root holds up to max_links
 * leaves, then layer_repeat sub-trees of depth 1, layer_repeat of depth 2, ... while data lasts;
 * a sub-tree of depth D holds up to max_links leaves, then layer_repeat sub-trees of each depth
 * 1 .. D-1. The root is always an inner node (one over no leaves for an empty file, over one leaf
 * for a one-chunk file). Memory: one partly filled node per level (the tree is logarithmic). */
int ia__trickle_build(const ia__trickle_ops *ops, ia__file_entry *root);

/* The framing around a chunk in a dag-pb leaf PBNode{Data: UnixFS{Type=type, Data=chunk (when not
 * empty), filesize=len}}: balanced leaves are Type=File, trickle leaves Type=Raw (kubo's
 * FillNodeLayer). Returns the block's size. */
size_t ia__unixfs_leaf_frame_typed(int type, uint64_t len, uint8_t pre[24], size_t *np, uint8_t post[12], size_t *nq);

#endif
