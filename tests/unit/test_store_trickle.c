/* Unit tests for the trickle layout (add --trickle): the builder's shape checked against the rules
 * of kubo's VerifyTrickleDagStructure (go-unixfs importer/trickle) for every leaf count up to a few
 * thousand, and a file imported into a temporary store, walked block by block and read back. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "store/store_internal.h"
#include "store/unixfs/trickle.h"
#include "unit.h"

/* ---- the builder over a fake source: leaves are numbered, nodes recorded ---- */

typedef struct fnode {
    size_t n;
    ia__file_entry *kids;
} fnode;

typedef struct fake {
    size_t total, next; /* leaves in the "file", next to hand out */
    fnode *nodes;
    size_t nnodes, cap;
    int done_calls_after_end;
    int roots; /* nodes built with the root flag: exactly one, the last */
} fake;

static int f_done(void *u, int *done) {
    fake *f = u;
    *done = f->next == f->total;
    if (*done) f->done_calls_after_end++;
    return IA_OK;
}

static int f_leaf(void *u, ia__file_entry *out) {
    fake *f = u;
    if (f->next >= f->total) return ia_set_error(IA_ERR_RUNTIME, "leaf past the end");
    memset(out, 0, sizeof *out);
    out->cid.codec = IA_CODEC_RAW;
    out->tsize = f->next++; /* the leaf's index */
    out->fsize = 1;
    return IA_OK;
}

static int f_node(void *u, const ia__file_entry *kids, size_t n, int root, ia__file_entry *out) {
    fake *f = u;
    f->roots += root;
    if (f->nnodes == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->nodes = realloc(f->nodes, f->cap * sizeof *f->nodes);
    }
    fnode *nd = &f->nodes[f->nnodes];
    nd->n = n;
    nd->kids = malloc((n ? n : 1) * sizeof *kids);
    if (n) memcpy(nd->kids, kids, n * sizeof *kids);
    memset(out, 0, sizeof *out);
    out->cid.codec = IA_CODEC_DAG_PB;
    out->tsize = f->nnodes++;
    for (size_t i = 0; i < n; i++) out->fsize += kids[i].fsize;
    return IA_OK;
}

/* kubo's verifyTDagRec: depth 0 is a leaf; in a node, children below `direct` are leaves and child
 * i >= direct is a trickle sub-tree of depth (i - direct) / repeat + 1, shallower than the node.
 * Also: leaves come in file order, a node's leaf layer is full before it has sub-trees, and every
 * child but the last is complete (kubo fills each sub-tree before starting the next). Returns 1 if
 * the sub-tree is complete (all its leaves and 4 sub-trees of each smaller depth), 0 if not, -1 on
 * a violation. */
static int verify(const fake *f, const ia__file_entry *e, int depth, size_t direct, size_t *next_leaf, int *bad) {
    if (depth == 0) {
        if (e->cid.codec != IA_CODEC_RAW) { *bad = 1; return -1; }
        if (e->tsize != *next_leaf) *bad = 1;
        (*next_leaf)++;
        return 1;
    }
    if (e->cid.codec != IA_CODEC_DAG_PB) { *bad = 1; return -1; }
    const fnode *nd = &f->nodes[e->tsize];
    int complete = nd->n >= direct;
    for (size_t i = 0; i < nd->n; i++) {
        int c;
        if (i < direct) c = verify(f, &nd->kids[i], 0, direct, next_leaf, bad);
        else {
            int rdepth = (int)((i - direct) / 4) + 1;
            if (depth > 0 && rdepth >= depth) { *bad = 1; return -1; }
            c = verify(f, &nd->kids[i], rdepth, direct, next_leaf, bad);
        }
        if (c < 0) return -1;
        if (!c && i + 1 < nd->n) *bad = 1; /* an incomplete child that is not the last */
        if (!c) complete = 0;
    }
    if (depth > 0 && nd->n != direct + 4 * (size_t)(depth - 1)) complete = 0;
    return complete;
}

TEST(shape_matches_kubo_rules) {
    const size_t links[] = {1, 2, 3, 4, 5, 174};
    for (size_t li = 0; li < sizeof links / sizeof links[0]; li++) {
        size_t max_n = links[li] == 174 ? 6000 : 3200;
        for (size_t total = 0; total <= max_n; total += total < 400 ? 1 : 37) {
            fake f = {total, 0, NULL, 0, 0, 0, 0};
            ia__trickle_ops ops = {&f, links[li], 4, f_done, f_leaf, f_node};
            ia__file_entry root;
            int rc = ia__trickle_build(&ops, &root);
            size_t next = 0;
            int bad = 0;
            CHECK_MSG(rc == IA_OK, "links %zu leaves %zu: %s", links[li], total, ia_last_error());
            if (rc == IA_OK) {
                verify(&f, &root, -1, links[li], &next, &bad);
                CHECK_MSG(!bad && next == total && f.next == total && root.fsize == total,
                          "links %zu leaves %zu: bad %d, %zu of %zu leaves reached", links[li], total, bad, next, total);
                /* the root is always a node: over no leaves (empty file) or one (one chunk) */
                CHECK(root.cid.codec == IA_CODEC_DAG_PB && f.roots == 1 && root.tsize == f.nnodes - 1);
                if (total <= 1) CHECK(f.nnodes == 1 && f.nodes[0].n == total);
            }
            for (size_t i = 0; i < f.nnodes; i++) free(f.nodes[i].kids);
            free(f.nodes);
        }
    }
}

TEST(known_counts) {
    /* 3 links: the root holds 3 leaves, then 4 x depth 1 (3 leaves each), then 4 x depth 2 (3 + 4 x 3
     * = 15 leaves each): 3 + 12 + 60 = 75 leaves fill two layers; the 76th starts a depth-3 sub-tree */
    size_t counts[] = {75, 76};
    size_t want_root_kids[] = {3 + 8, 3 + 9};
    for (int k = 0; k < 2; k++) {
        fake f = {counts[k], 0, NULL, 0, 0, 0, 0};
        ia__trickle_ops ops = {&f, 3, 4, f_done, f_leaf, f_node};
        ia__file_entry root;
        CHECK(ia__trickle_build(&ops, &root) == IA_OK);
        CHECK_MSG(f.nodes[root.tsize].n == want_root_kids[k], "%zu leaves: root has %zu links", counts[k], f.nodes[root.tsize].n);
        /* nodes: 1 root + 4 depth-1 + 4 x (1 + 4) depth-2 (+ one depth-3 with one leaf) */
        CHECK_MSG(f.nnodes == (k ? 26u : 25u), "%zu leaves: %zu nodes", counts[k], f.nnodes);
        for (size_t i = 0; i < f.nnodes; i++) free(f.nodes[i].kids);
        free(f.nodes);
    }
}

/* ---- a real import, walked block by block ---- */

typedef struct sink { uint8_t *p; size_t len, cap; } sink;
static int to_sink(void *u, const void *d, size_t n) {
    sink *s = u;
    if (s->len + n > s->cap) return ia_set_error(IA_ERR_LIMIT, "sink full");
    memcpy(s->p + s->len, d, n);
    s->len += n;
    return IA_OK;
}

static int meta_nodes; /* nodes with a mode or an mtime, counted by walk */

/* Decodes every block: leaves are Type=Raw dag-pb (or raw blocks), inner nodes File without data,
 * the same depth rules as above. Returns the file bytes below. */
static uint64_t walk(ia_blockstore *bs, const ia_cid *c, int depth, size_t direct, int raw_leaves, int *bad, size_t *blocks) {
    uint8_t *b;
    size_t len;
    if (ia_blockstore_get(bs, c, &b, &len)) { *bad = 1; return 0; }
    (*blocks)++;
    if (depth == 0 && raw_leaves) {
        if (c->codec != IA_CODEC_RAW) *bad = 1;
        ia_free(b);
        return len;
    }
    ia_pb_node pb;
    ia_unixfs u;
    uint64_t total = 0;
    if (ia_dagpb_decode(b, len, &pb)) { *bad = 1; ia_free(b); return 0; }
    if (!pb.data || ia_unixfs_decode(pb.data, pb.data_len, &u)) { *bad = 1; ia_free(pb.links); ia_free(b); return 0; }
    meta_nodes += u.has_mode || u.has_mtime;
    if (depth == 0) {
        if (pb.nlinks || u.type != IA_UNIXFS_RAW || u.filesize != u.data_len) *bad = 1;
        total = u.data_len;
    } else {
        if (u.type != IA_UNIXFS_FILE || u.data_len || u.nblocksizes != pb.nlinks) *bad = 1;
        for (size_t i = 0; i < pb.nlinks && !*bad; i++) {
            int rd = i < direct ? 0 : (int)((i - direct) / 4) + 1;
            if (depth > 0 && rd >= depth) *bad = 1;
            uint64_t got = walk(bs, &pb.links[i].cid, rd, direct, raw_leaves, bad, blocks);
            if (got != u.blocksizes[i]) *bad = 1;
            total += got;
        }
        if (total != u.filesize) *bad = 1;
    }
    ia_free(pb.links);
    ia_free(u.blocksizes);
    ia_free(b);
    return total;
}


/* trickle with 1000-byte chunks and 3 links (deep trees from small inputs); raw: raw leaves, CIDv1 */
static void small_trickle_options(ia_add_options *o, int raw) {
    ia_add_options_init(o, NULL);
    o->trickle = 1;
    o->chunk_size = 1000;
    o->max_links = 3;
    o->raw_leaves = raw;
    o->cid_version = (uint32_t)raw;
}
TEST(import_walk_and_cat) {
    char root[] = "/tmp/ia-trickle-unit-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    ia_blockstore *bs = NULL;
    CHECK(ia_blockstore_open(root, &bs) == IA_OK);
    size_t sz = 300000;
    uint8_t *data = ia_malloc(sz);
    sink s = {ia_malloc(sz), 0, sz};
    for (size_t i = 0; i < sz; i++) data[i] = (uint8_t)(i * 131 + (i >> 9));
    for (int raw = 0; raw < 2 && bs; raw++) {
        const size_t sizes[] = {0, 1, 999, 1000, 1001, 3000, 15000 + 1, sz};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            ia_add_options o;
            small_trickle_options(&o, raw);
            ia_cid fr, h;
            CHECK(ia_add_bytes(bs, data, sizes[k], &o, &fr) == IA_OK);
            CHECK(ia_add_bytes(NULL, data, sizes[k], &o, &h) == IA_OK && ia_cid_equal(&fr, &h));
            int bad = 0;
            size_t blocks = 0;
            uint64_t got = walk(bs, &fr, -1, 3, raw, &bad, &blocks);
            size_t chunks = (sizes[k] + 999) / 1000;
            CHECK_MSG(!bad && got == sizes[k], "raw %d size %zu: bad %d got %llu", raw, sizes[k], bad, (unsigned long long)got);
            CHECK_MSG(blocks > chunks, "raw %d size %zu: %zu blocks for %zu chunks (the root is always a node)", raw, sizes[k], blocks, chunks);
            s.len = 0;
            CHECK(ia_store_cat(bs, &fr, 0, UINT64_MAX, to_sink, &s) == IA_OK && s.len == sizes[k] && !memcmp(s.p, data, s.len));
            s.len = 0;
            if (sizes[k] > 20000) CHECK(ia_store_cat(bs, &fr, 12345, 6789, to_sink, &s) == IA_OK && s.len == 6789 && !memcmp(s.p, data + 12345, 6789));
        }
    }
    /* --mode / --mtime: on the root only, as kubo's trickle.Layout writes them (16 chunks, 3 links:
     * a root and several sub-tree nodes) */
    for (int raw = 0; raw < 2 && bs; raw++) {
        ia_add_options o;
        small_trickle_options(&o, raw);
        o.has_mode_value = 1;
        o.mode_value = 0600;
        o.has_mtime_value = 1;
        o.mtime_value = 1700000000;
        ia_cid fr;
        /* ia_add_bytes writes no metadata: go through a file on disk */
        char fp[64];
        snprintf(fp, sizeof fp, "%s/meta.bin", root);
        FILE *fh = fopen(fp, "wb");
        CHECK(fh && fwrite(data, 1, 15001, fh) == 15001);
        if (fh) fclose(fh);
        const char *paths[] = {fp};
        CHECK(ia_add_paths(bs, paths, 1, &o, NULL, NULL, &fr) == IA_OK);
        int bad = 0;
        size_t blocks = 0;
        meta_nodes = 0;
        CHECK(walk(bs, &fr, -1, 3, raw, &bad, &blocks) == 15001 && !bad);
        CHECK_MSG(meta_nodes == 1 && blocks > 16 + 2, "raw %d: %d nodes with metadata, %zu blocks", raw, meta_nodes, blocks);
        uint8_t *b;
        size_t len;
        ia_pb_node pb;
        ia_unixfs u;
        CHECK(ia_blockstore_get(bs, &fr, &b, &len) == IA_OK);
        CHECK(ia_dagpb_decode(b, len, &pb) == IA_OK && ia_unixfs_decode(pb.data, pb.data_len, &u) == IA_OK);
        CHECK(u.has_mode && u.mode == 0600 && u.has_mtime && u.mtime_sec == 1700000000);
        ia_free(pb.links);
        ia_free(u.blocksizes);
        ia_free(b);
    }
    /* the same bytes laid out balanced give another root */
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    ia_cid a, b;
    CHECK(ia_add_bytes(NULL, data, 5000, &o, &a) == IA_OK);
    o.trickle = 1;
    CHECK(ia_add_bytes(NULL, data, 5000, &o, &b) == IA_OK && !ia_cid_equal(&a, &b));
    ia_free(data);
    ia_free(s.p);
    ia_blockstore_close(bs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
}

UNIT_MAIN(CASE(shape_matches_kubo_rules), CASE(known_counts), CASE(import_walk_and_cat))
