/* Fuzz target: HAMT traversal (ls, path lookup, get's name checks, DAG walk) over untrusted
 * blocks. The input is a CAR; each block is stored under the CID of its bytes as they are now
 * (so a mutated block is still found under its own hash), and the first block is the root. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipfs_accelerate.h"

static ia_blockstore *bs;
static char store_dir[256];

typedef struct blocks {
    ia_cid cids[1024];
    size_t n;
    ia_cid root;
    int have_root;
} blocks;

static int put_block(void *user, const ia_cid *cid, const uint8_t *block, size_t blen, int is_root) {
    blocks *b = user;
    if (!block || is_root) return IA_OK;
    if (b->n >= 1024) return IA_ERR_LIMIT;
    ia_cid c;
    uint64_t codec = cid->codec == IA_CODEC_RAW ? IA_CODEC_RAW : IA_CODEC_DAG_PB;
    if (ia_cid_of(cid->version == 0 && codec == IA_CODEC_DAG_PB ? 0 : 1, codec, block, blen, &c)) return IA_OK;
    if (ia_blockstore_put(bs, &c, block, blen)) return IA_ERR_IO;
    b->cids[b->n++] = c;
    if (!b->have_root) { b->root = c; b->have_root = 1; }
    return IA_OK;
}

typedef struct names {
    char first[3][64];
    int n;
    size_t count;
} names;

static int on_entry(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type) {
    names *s = user;
    (void)cid; (void)tsize; (void)type;
    if (s->n < 3 && strlen(name) < 64 && !strchr(name, '/')) snprintf(s->first[s->n++], 64, "%s", name);
    return ++s->count > 100000 ? IA_ERR_LIMIT : IA_OK;
}

static int on_block(void *user, const ia_cid *cid, const uint8_t *data, size_t len) {
    (void)cid; (void)data; (void)len;
    return ++*(size_t *)user > 100000 ? IA_ERR_LIMIT : IA_OK;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f) {
    (void)st; (void)flag; (void)f;
    remove(path);
    return 0;
}

/* The scratch store goes away with the process. */
static void cleanup(void) {
    ia_blockstore_close(bs);
    bs = NULL;
    nftw(store_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!bs) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(store_dir, sizeof store_dir, "%s/ia-fuzz-hamt-%ld", base, (long)getpid());
        if (ia_blockstore_open(store_dir, &bs)) abort();
        atexit(cleanup);
    }
    blocks b;
    memset(&b, 0, sizeof b);
    uint32_t ver;
    ia_car_read_buffer(data, size, 0, put_block, &b, &ver);
    if (ia_blockstore_flush(bs)) abort();
    if (b.have_root) {
        names s;
        memset(&s, 0, sizeof s);
        ia_store_ls(bs, &b.root, on_entry, &s);
        char rs[IA_CID_MAX_STRING];
        if (ia_cid_format(&b.root, 0, rs, sizeof rs) == IA_OK) {
            for (int i = 0; i <= s.n; i++) {
                /* names that were listed, and one that was not */
                char path[IA_CID_MAX_STRING + 80];
                snprintf(path, sizeof path, "%s/%s", rs, i < s.n ? s.first[i] : "no-such-entry");
                ia_cid out;
                if (ia_store_resolve(bs, path, &out) == IA_OK) {
                    uint64_t fs;
                    ia_store_file_size(bs, &out, &fs);
                }
            }
        }
        size_t nb = 0;
        ia_dag_walk(bs, &b.root, 1, on_block, &nb);
    }
    for (size_t i = 0; i < b.n; i++) ia_blockstore_delete(bs, &b.cids[i]);
    return 0;
}
