/* Models from the store: "CID" or "CID/path/model.onnx" as a model path. A file of raw leaves is
 * mapped block by block side by side (verified in place); other files are read into a buffer. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ia/model.h"
#include "ia/session.h"
#include "ia/threadpool.h"
#include "onnx/pbwire.h"
#include "onnx/proto.h"
#include "store/store_internal.h"

/* How the loader is reached without a second copy: every file the model needs (the model and the
 * external data files it names) becomes one mapping, and a private temporary directory under the
 * store holds entries named as in the DAG (`model.onnx`, `model.onnx.data`). A file made of raw
 * leaves whose sizes are page multiples (the last one excepted) is mapped block file by block file
 * into one reserved address range, so its bytes are the page cache's own pages; its entry is an
 * empty placeholder registered with the loader (ia__filemap_prepare) under which the loader finds
 * that mapping. Any other file of 1 MiB or more is read into private anonymous memory registered
 * the same way (its hashes checked while reading, or later like the mapped blocks'); a smaller one
 * is read into a memfd and its entry is a symlink to /proc/self/fd/N.
 * ia_model_load then maps them as it maps any model folder; the directory is removed after. */

int ia__blockstore_block_path(ia_blockstore *bs, const ia_cid *cid, char *path, size_t cap);

#define MAX_FILES 64

typedef struct pending pending;

typedef struct src_ctx {
    ia_blockstore *bs;
    char tmpdir[PATH_MAX];
    int fds[MAX_FILES];
    size_t nfds;
    char *links[MAX_FILES * 2]; /* symlinks and sub-directories created in tmpdir, removed in reverse */
    size_t nlinks;
    ia_threadpool *pool; /* reads and hashes leaves in parallel (NULL: serially) */
    ia_filemap *maps[MAX_FILES]; /* block-mapped files registered with the loader */
    size_t nmaps;
    int plan_only, plan_bad; /* walk without a buffer: note whether any bytes live outside raw leaves */
    pending *defer; /* set while mapping files whose hashing may run after the model is loaded */
} src_ctx;

static int cid_str(const ia_cid *c, char *out, size_t cap) {
    if (ia_cid_format(c, 0, out, cap)) snprintf(out, cap, "(unprintable CID)");
    return 0;
}

/* Reading a file DAG into one buffer happens in two steps. The walk (serial) reads and verifies
 * the small internal nodes and lists the leaves with their place in the buffer; the leaves (nearly
 * all the bytes) are then read and hashed on the thread pool, each straight into its final place:
 * a raw leaf is the chunk, and a dag-pb leaf written as kubo writes it is read with preadv so that
 * its few framing bytes go to a small buffer and the chunk to its place. A dag-pb block that only
 * has a leaf's size but not its framing goes back through the walk. */

enum { LEAF_RAW = 0, LEAF_PB = 1 };
enum { LS_OK = 0, LS_MISSING, LS_IO, LS_SIZE, LS_CORRUPT, LS_WALK };

typedef struct leaf {
    ia_cid cid;
    uint64_t off, size; /* where the chunk goes in the buffer, and its length */
    int kind, status, err;
    long long found; /* the block's size on disk (LS_SIZE) */
    const uint8_t *at; /* deferred hashing: where the chunk is (mapped block or its place in a buffer) */
    int file;          /* deferred hashing: index of the file's reference in the pending set */
    uint8_t pre[24], post[12]; /* a dag-pb leaf's framing (np, nq bytes): the block is pre || chunk || post */
    uint8_t np, nq;
} leaf;

typedef struct leaf_list {
    leaf *v;
    size_t n, cap;
} leaf_list;

static int push_leaf(leaf_list *l, const ia_cid *cid, uint64_t off, uint64_t size, int kind) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        leaf *nv = ia_realloc(l->v, nc * sizeof *nv);
        if (!nv) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        l->v = nv;
        l->cap = nc;
    }
    leaf *f = &l->v[l->n++];
    memset(f, 0, sizeof *f);
    f->cid = *cid;
    f->off = off;
    f->size = size;
    f->kind = kind;
    return IA_OK;
}

/* Walks the file DAG at cid (its bytes go to dst + off, exactly `size` of them): internal nodes
 * are read and checked here, leaves are listed. `walk_leaf` forces a dag-pb block through the walk
 * even when its size is a leaf's. */
static int walk(src_ctx *x, leaf_list *ll, const ia_cid *cid, uint8_t *dst, uint64_t off, uint64_t size, int depth,
                int walk_leaf) {
    char cs[IA_CID_MAX_STRING];
    if (depth > 64) return ia_set_error(IA_ERR_LIMIT, "file DAG deeper than 64 levels");
    if (x->plan_bad) return IA_OK; /* planning, and already known not to be mappable */
    if (cid->mh_code == IA_MH_SHA2_256 && cid->codec == IA_CODEC_RAW) return push_leaf(ll, cid, off, size, LEAF_RAW);
    if (cid->mh_code == IA_MH_SHA2_256 && cid->codec == IA_CODEC_DAG_PB && size && !walk_leaf) {
        /* a block of a leaf's size is listed as a dag-pb leaf, and so is a missing one: the leaf
         * readers name it after reading the others (whose deferred hashes are then checked first) */
        uint8_t pre[24], post[12];
        size_t np, nq, total = ia__unixfs_leaf_frame(size, pre, &np, post, &nq);
        char path[PATH_MAX];
        struct stat st;
        if (!ia__blockstore_block_path(x->bs, cid, path, sizeof path) &&
            (stat(path, &st) == 0 ? (uint64_t)st.st_size == total : errno == ENOENT && !ia_blockstore_has(x->bs, cid))) {
            if (dst) return push_leaf(ll, cid, off, size, LEAF_PB);
            x->plan_bad = 1; /* a dag-pb leaf: its chunk sits behind framing bytes, not on a page boundary */
            return IA_OK;
        }
    }
    uint8_t *raw;
    size_t rlen;
    int rc = ia_blockstore_get(x->bs, cid, &raw, &rlen);
    if (rc) return rc;
    if (cid->codec == IA_CODEC_RAW) { /* identity raw */
        if (rlen != size) rc = ia_set_error(IA_ERR_PARSE, "inline block size does not match its parent");
        else if (rlen && !dst) x->plan_bad = 1;
        else if (rlen) memcpy(dst + off, raw, rlen);
        ia_free(raw);
        return rc;
    }
    cid_str(cid, cs, sizeof cs);
    if (cid->codec != IA_CODEC_DAG_PB) {
        ia_free(raw);
        return ia_set_error(IA_ERR_UNSUPPORTED, "block %s: codec %s is not UnixFS", cs, ia_codec_name(cid->codec));
    }
    ia_pb_node pb;
    ia_unixfs u;
    memset(&u, 0, sizeof u);
    if ((rc = ia_dagpb_decode(raw, rlen, &pb))) { rc = ia_set_error(rc, "block %s: %s", cs, ia__prev_error()); ia_free(raw); return rc; }
    if (!pb.has_data) rc = ia_set_error(IA_ERR_PARSE, "block %s: dag-pb node without UnixFS data", cs);
    else if ((rc = ia_unixfs_decode(pb.data, pb.data_len, &u))) rc = ia_set_error(rc, "block %s: %s", cs, ia__prev_error());
    else if (u.type != IA_UNIXFS_FILE && u.type != IA_UNIXFS_RAW)
        rc = ia_set_error(IA_ERR_INVALID_ARG, "block %s is not a file (UnixFS type %d)", cs, u.type);
    else if (u.nblocksizes != pb.nlinks)
        rc = ia_set_error(IA_ERR_PARSE, "block %s: %zu links but %zu blocksizes", cs, pb.nlinks, u.nblocksizes);
    uint64_t total = u.data_len;
    for (size_t i = 0; !rc && i < u.nblocksizes; i++) {
        if (u.blocksizes[i] > size) { rc = ia_set_error(IA_ERR_PARSE, "block %s: blocksizes exceed the file size", cs); break; }
        total += u.blocksizes[i];
    }
    if (!rc && total != size) rc = ia_set_error(IA_ERR_PARSE, "block %s holds %llu bytes, its parent says %llu", cs,
                                                (unsigned long long)total, (unsigned long long)size);
    if (!rc && u.data_len && !dst) x->plan_bad = 1;
    else if (!rc && u.data_len) memcpy(dst + off, u.data, u.data_len);
    uint64_t o = off + u.data_len;
    for (size_t i = 0; !rc && i < pb.nlinks; i++) {
        rc = walk(x, ll, &pb.links[i].cid, dst, o, u.blocksizes[i], depth + 1, 0);
        o += u.blocksizes[i];
    }
    ia_free(pb.links);
    ia_free(u.blocksizes);
    ia_free(raw);
    return rc;
}

/* Reads exactly n bytes at off (regular files may return short reads). */
static int pread_all(int fd, uint8_t *p, size_t n, off_t off) {
    while (n > 0) {
        ssize_t r = pread(fd, p, n, off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

typedef struct leaf_job {
    src_ctx *x;
    leaf *v;
    uint8_t *dst;
    int hash; /* 0: read only, the hash is checked later (leaf->at, framing in leaf->pre/post) */
} leaf_job;

/* Reads exactly the bytes the n iovecs describe, from off (regular files may return short reads). */
static int preadv_all(int fd, struct iovec *iov, int n, off_t off) {
    while (n > 0) {
        ssize_t r = preadv(fd, iov, n, off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        off += r;
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return 0;
}

/* Pieces read and hashed in turn, so the hash reads what the copy just left in the cache. */
#define PIECE (128 * 1024)

/* Whether the framing read from a block (gpre, gpost) is a leaf's: the expected File framing, or
 * the same with UnixFS type Raw, which kubo's trickle layout writes for its dag-pb leaves (then the
 * leaf's expected framing is switched to what was read, for the deferred hash). */
static int leaf_framing(leaf *f, const uint8_t *gpre, size_t np, const uint8_t *gpost, size_t nq) {
    if (memcmp(gpost, f->post, nq)) return 0;
    if (!memcmp(gpre, f->pre, np)) return 1;
    size_t t = 1; /* after PBNode.Data's tag and length: the Type field's tag, then its value */
    while (t < np && (f->pre[t] & 0x80)) t++;
    t += 2;
    if (t >= np || gpre[t] != IA_UNIXFS_RAW || memcmp(gpre, f->pre, t) || memcmp(gpre + t + 1, f->pre + t + 1, np - t - 1))
        return 0;
    f->pre[t] = IA_UNIXFS_RAW;
    return 1;
}

static void read_leaf(leaf_job *j, leaf *f, EVP_MD_CTX *md) {
    char path[PATH_MAX];
    if (ia__blockstore_block_path(j->x->bs, &f->cid, path, sizeof path)) { f->status = LS_IO; f->err = ENAMETOOLONG; return; }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { f->status = errno == ENOENT ? LS_MISSING : LS_IO; f->err = errno; return; }
    uint8_t gpre[24], gpost[12];
    size_t np = 0, nq = 0, want = (size_t)f->size;
    if (f->kind == LEAF_PB) want = ia__unixfs_leaf_frame(f->size, f->pre, &np, f->post, &nq);
    f->np = (uint8_t)np;
    f->nq = (uint8_t)nq;
    struct stat st;
    if (fstat(fd, &st) || (uint64_t)st.st_size != want) {
        f->status = LS_SIZE;
        f->found = (long long)st.st_size;
        close(fd);
        return;
    }
    /* this thread allocates the buffer pages it is about to fill, in one call rather than a
     * fault per page (ignored where the kernel lacks it: the copy then faults them in) */
    uint8_t *d0 = j->dst + f->off;
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), lo = (uintptr_t)d0 & ~(pg - 1),
              hi = ((uintptr_t)d0 + (size_t)f->size + pg - 1) & ~(pg - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
    if (!j->hash) { /* framing and chunk in one read, each to its place; hashed later (pending) */
        struct iovec iov[3];
        int n = 0;
        if (np) iov[n++] = (struct iovec){gpre, np};
        if (f->size) iov[n++] = (struct iovec){d0, (size_t)f->size};
        if (nq) iov[n++] = (struct iovec){gpost, nq};
        if (n && preadv_all(fd, iov, n, 0)) { f->err = errno ? errno : EIO; f->status = LS_IO; close(fd); return; }
        close(fd);
        /* a block framed otherwise (it may still be a valid node) goes back through the walk */
        if (!leaf_framing(f, gpre, np, gpost, nq)) f->status = LS_WALK;
        else f->at = d0;
        return;
    }
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    if (ok && np) ok = !pread_all(fd, gpre, np, 0) && EVP_DigestUpdate(md, gpre, np);
    for (size_t pos = 0; ok && pos < (size_t)f->size; pos += PIECE) {
        size_t n = (size_t)f->size - pos < PIECE ? (size_t)f->size - pos : PIECE;
        ok = !pread_all(fd, d0 + pos, n, (off_t)(np + pos)) && EVP_DigestUpdate(md, d0 + pos, n);
    }
    if (ok && nq) ok = !pread_all(fd, gpost, nq, (off_t)(np + (size_t)f->size)) && EVP_DigestUpdate(md, gpost, nq);
    uint8_t d[32];
    unsigned dl = 0;
    if (ok) ok = EVP_DigestFinal_ex(md, d, &dl) && dl == 32;
    if (!ok) { f->err = errno ? errno : EIO; f->status = LS_IO; close(fd); return; }
    close(fd);
    if (memcmp(d, f->cid.digest, 32)) { f->status = LS_CORRUPT; return; }
    /* the block is what its CID names; a dag-pb one is a leaf only if framed as one */
    if (f->kind == LEAF_PB && !leaf_framing(f, gpre, np, gpost, nq)) f->status = LS_WALK;
}

static void read_leaves(void *ctx, int64_t b, int64_t e, int tid) {
    (void)tid;
    leaf_job *j = ctx;
    EVP_MD_CTX *md = j->hash ? EVP_MD_CTX_new() : NULL;
    for (int64_t i = b; i < e; i++) read_leaf(j, &j->v[i], md);
    EVP_MD_CTX_free(md);
}

/* The error for a leaf that failed to read or verify. */
static int leaf_error(src_ctx *x, const leaf *f) {
    char cs[IA_CID_MAX_STRING], path[PATH_MAX];
    cid_str(&f->cid, cs, sizeof cs);
    if (ia__blockstore_block_path(x->bs, &f->cid, path, sizeof path)) path[0] = 0;
    if (f->status == LS_MISSING) return ia_set_error(IA_ERR_NOT_FOUND, "block %s is not in the store", cs);
    if (f->status == LS_SIZE)
        return ia_set_error(IA_ERR_PARSE, "block %s has %lld bytes, its parent says %llu bytes of file data (corrupted: %s)",
                            cs, f->found, (unsigned long long)f->size, path);
    if (f->status == LS_CORRUPT)
        return ia_set_error(IA_ERR_PARSE, "block %s is corrupted (its bytes do not hash to its CID): %s", cs, path);
    return ia_set_error(IA_ERR_IO, "reading block %s failed: %s", path, strerror(f->err));
}

static void hash_mapped(leaf *f, const uint8_t *p, EVP_MD_CTX *md);

/* Hashes (here, serially) the leaves of ll already in place whose hash was deferred, when a load fails
 * before they reach the pending set: a corrupted one is the better explanation, and replaces rc. */
static int blame_corrupt(src_ctx *x, leaf_list *ll, int rc) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    for (size_t i = 0; rc && i < ll->n; i++) {
        leaf *f = &ll->v[i];
        if (f->status != LS_OK || !f->at) continue;
        hash_mapped(f, f->at, md);
        if (f->status == LS_CORRUPT) rc = leaf_error(x, f);
    }
    EVP_MD_CTX_free(md);
    return rc;
}

/* Reads the file DAG at cid into dst (exactly `size` bytes). With later == NULL every block is
 * verified here; otherwise the inner nodes (and any dag-pb block not framed as a leaf) are, and the
 * leaves are only read into place and appended to *later (their chunk at ->at, their framing in
 * ->pre/->post) to be hashed by the caller before anything built from dst is handed out. */
static int fill(src_ctx *x, const ia_cid *cid, uint8_t *dst, uint64_t size, leaf_list *later) {
    leaf_list ll = {0}, again = {0};
    int rc = walk(x, &ll, cid, dst, 0, size, 0, 0);
    while (!rc && ll.n) {
        leaf_job j = {x, ll.v, dst, !later};
        ia_parallel_for(x->pool, (int64_t)ll.n, 1, read_leaves, &j);
        again.n = 0;
        for (size_t i = 0; later && !rc && i < ll.n; i++) /* every read one first: hashed on a failure below */
            if (ll.v[i].status == LS_OK && !(rc = push_leaf(later, &ll.v[i].cid, 0, 0, 0))) later->v[later->n - 1] = ll.v[i];
        for (size_t i = 0; !rc && i < ll.n; i++) {
            leaf *f = &ll.v[i];
            if (f->status == LS_OK) continue;
            if (f->status == LS_WALK) { rc = walk(x, &again, &f->cid, dst, f->off, f->size, 1, 1); continue; }
            rc = leaf_error(x, f);
        }
        leaf_list t = ll;
        ll = again;
        again = t;
    }
    ia_free(ll.v);
    ia_free(again.v);
    return rc;
}

/* ---- raw-leaf files: block files mapped side by side, hashed in place ---- */

/* Files that cannot be mapped block by block and are at least this large are read into private
 * anonymous memory (huge pages where available); smaller ones into a memfd. */
#define BUFFER_MIN ((uint64_t)1 << 20)

typedef struct map_job {
    src_ctx *x;
    leaf *v;
    uint8_t *base;
    int hash; /* 0: map only (the hash is deferred) */
} map_job;

/* Checks that pre || p[0, size) || post (the leaf's framing: none for a raw leaf) hashes to its CID. */
static void hash_mapped(leaf *f, const uint8_t *p, EVP_MD_CTX *md) {
    uint8_t d[32];
    unsigned dl = 0;
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || (f->np && !EVP_DigestUpdate(md, f->pre, f->np)) ||
        !EVP_DigestUpdate(md, p, (size_t)f->size) || (f->nq && !EVP_DigestUpdate(md, f->post, f->nq)) ||
        !EVP_DigestFinal_ex(md, d, &dl) || dl != 32) {
        f->err = EIO;
        f->status = LS_IO;
        return;
    }
    if (memcmp(d, f->cid.digest, 32)) f->status = LS_CORRUPT;
}

/* Maps one raw leaf's block file at its place in the reserved range (its page-cache pages, no copy;
 * populated here so the hash and later the loader take no faults) and hashes the mapped bytes. */
static void map_leaf(map_job *j, leaf *f, EVP_MD_CTX *md) {
    char path[PATH_MAX];
    if (ia__blockstore_block_path(j->x->bs, &f->cid, path, sizeof path)) { f->status = LS_IO; f->err = ENAMETOOLONG; return; }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { f->status = errno == ENOENT ? LS_MISSING : LS_IO; f->err = errno; return; }
    struct stat st;
    if (fstat(fd, &st) || (uint64_t)st.st_size != f->size) {
        f->status = LS_SIZE;
        f->found = (long long)st.st_size;
        close(fd);
        return;
    }
    const uint8_t *p = f->size ? j->base + f->off : (const uint8_t *)""; /* an empty leaf maps nothing */
    if (f->size && mmap((void *)p, (size_t)f->size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) {
        f->err = errno;
        f->status = LS_IO;
        close(fd);
        return;
    }
    close(fd);
    f->at = p;
    if (j->hash) hash_mapped(f, p, md);
}

static void map_leaves(void *ctx, int64_t b, int64_t e, int tid) {
    (void)tid;
    map_job *j = ctx;
    EVP_MD_CTX *md = j->hash ? EVP_MD_CTX_new() : NULL;
    for (int64_t i = b; i < e; i++) map_leaf(j, &j->v[i], md);
    EVP_MD_CTX_free(md);
}

static int defer_leaves(pending *p, leaf_list *ll, ia_filemap *fm, const char *ref);

/* Maps the file DAG at cid (`size` bytes) block by block when every byte lives in a raw leaf and every
 * leaf but the last is a whole number of pages. *out = NULL (and IA_OK) when it is not such a file.
 * With x->defer set the blocks are mapped but not hashed yet: their hashes are checked later
 * (pending_finish), and nothing built from them may be handed out before that. */
static int map_file(src_ctx *x, const ia_cid *cid, uint64_t size, const char *ref, ia_filemap **out) {
    *out = NULL;
    leaf_list ll = {0};
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    x->plan_only = 1;
    x->plan_bad = 0;
    int rc = walk(x, &ll, cid, NULL, 0, size, 0, 0);
    x->plan_only = 0;
    int ok = !rc && !x->plan_bad && ll.n > 0 && size <= (uint64_t)SIZE_MAX / 2;
    for (size_t i = 0; ok && i < ll.n; i++)
        ok = ll.v[i].kind == LEAF_RAW && (i + 1 == ll.n || ll.v[i].size % pg == 0);
    x->plan_bad = 0;
    if (!ok) { ia_free(ll.v); return rc; }
    size_t span = ((size_t)size + pg - 1) & ~(pg - 1);
    uint8_t *base = NULL;
    if (span) {
        base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED) { ia_free(ll.v); return ia_set_error(IA_ERR_IO, "cannot reserve %zu bytes of address space: %s", span, strerror(errno)); }
    }
    map_job j = {x, ll.v, base, !x->defer}; /* an empty file's leaf is still checked (size and hash) */
    ia_parallel_for(x->pool, (int64_t)ll.n, 1, map_leaves, &j);
    for (size_t i = 0; !rc && i < ll.n; i++)
        if (ll.v[i].status != LS_OK) rc = leaf_error(x, &ll.v[i]);
    if (rc && x->defer) rc = blame_corrupt(x, &ll, rc); /* the blocks mapped so far, before they go */
    if (!rc && (rc = ia__filemap_wrap(base, (size_t)size, out))) *out = NULL;
    if (rc && span) munmap(base, span);
    if (!rc && x->defer && (rc = defer_leaves(x->defer, &ll, *out, ref))) {
        ia__filemap_release(*out);
        *out = NULL;
    }
    ia_free(ll.v);
    return rc;
}

/* ---- deferred hashing: the leaves of the block-mapped and buffer-read files (the model file and its
 * external data files) are hashed on other threads while the caller builds a session from the model
 * (a dag-pb leaf as its framing around the chunk in the buffer); pending_finish joins them and the
 * session is handed out only if every block matched its CID ---- */

struct pending {
    ia_blockstore *bs, *own; /* own: opened for this load, closed by pending_finish */
    leaf *v;
    size_t n, cap, next;     /* next: the first leaf no thread has taken yet (atomic) */
    ia_filemap *maps[MAX_FILES]; /* references that keep the mapped blocks alive until joined */
    char *refs[MAX_FILES];
    size_t nmaps;
    pthread_t th[16];
    int nth;
};

static int defer_leaves(pending *p, leaf_list *ll, ia_filemap *fm, const char *ref) {
    if (p->nmaps >= MAX_FILES) return ia_set_error(IA_ERR_LIMIT, "model needs more than %d files", MAX_FILES);
    if (p->n + ll->n > p->cap) {
        size_t nc = p->cap ? p->cap : 64;
        while (nc < p->n + ll->n) nc *= 2;
        leaf *nv = ia_realloc(p->v, nc * sizeof *nv);
        if (!nv) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        p->v = nv;
        p->cap = nc;
    }
    if (!(p->refs[p->nmaps] = ia_strdup(ref))) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ll->n; i++) {
        p->v[p->n] = ll->v[i];
        p->v[p->n++].file = (int)p->nmaps;
    }
    ia__filemap_retain(fm);
    p->maps[p->nmaps++] = fm;
    return IA_OK;
}

static void *hash_worker(void *arg) {
    pending *p = arg;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    for (;;) {
        size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
        if (i >= p->n) break;
        hash_mapped(&p->v[i], p->v[i].at, md); /* an empty leaf too: its CID must be the empty hash */
    }
    EVP_MD_CTX_free(md);
    return NULL;
}

/* Starts hashing the deferred blocks on up to (CPUs - 1) threads; the caller's thread joins in at
 * pending_finish. Without threads everything is hashed there. */
static void pending_start(pending *p) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int want = ncpu > 1 ? (int)(ncpu - 1) : 0;
    if (want > 16) want = 16;
    if ((size_t)want > p->n) want = (int)p->n;
    for (p->nth = 0; p->nth < want; p->nth++)
        if (pthread_create(&p->th[p->nth], NULL, hash_worker, p)) break;
}

/* Hashes what is left, joins the threads and frees p; the first block that did not match is the error. */
static int pending_finish(pending *p) {
    if (!p) return IA_OK;
    hash_worker(p);
    for (int i = 0; i < p->nth; i++) pthread_join(p->th[i], NULL);
    int rc = IA_OK;
    for (size_t i = 0; !rc && i < p->n; i++)
        if (p->v[i].status != LS_OK) {
            src_ctx x;
            memset(&x, 0, sizeof x);
            x.bs = p->bs;
            rc = leaf_error(&x, &p->v[i]);
            rc = ia_set_error(rc, "%s: %s", p->refs[p->v[i].file], ia__prev_error());
        }
    for (size_t i = 0; i < p->nmaps; i++) {
        ia__filemap_release(p->maps[i]);
        ia_free(p->refs[i]);
    }
    ia_free(p->v);
    ia_blockstore_close(p->own);
    ia_free(p);
    return rc;
}

static int remember(src_ctx *x, const char *path) {
    if (x->nlinks >= MAX_FILES * 2) return ia_set_error(IA_ERR_LIMIT, "model needs too many files");
    if (!(x->links[x->nlinks] = ia_strdup(path))) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    x->nlinks++;
    return IA_OK;
}

/* Makes tmpdir/rel (creating sub-directories) a link to the file at cid. */
static int materialize(src_ctx *x, const ia_cid *cid, const char *rel, const char *ref) {
    char dst[PATH_MAX];
    if (snprintf(dst, sizeof dst, "%s/%s", x->tmpdir, rel) >= (int)sizeof dst) return ia_set_error(IA_ERR_LIMIT, "path too long");
    for (char *p = dst + strlen(x->tmpdir) + 1; (p = strchr(p, '/')); p++) {
        *p = 0;
        if (mkdir(dst, 0700) == 0) { int rc = remember(x, dst); if (rc) return rc; }
        else if (errno != EEXIST) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", dst, strerror(errno));
        *p = '/';
    }
    char target[PATH_MAX];
    uint64_t size;
    int rc = ia_store_file_size(x->bs, cid, &size);
    if (rc) return ia_set_error(rc, "%s: %s", ref, ia__prev_error());
    if (x->nmaps >= MAX_FILES) return ia_set_error(IA_ERR_LIMIT, "model needs more than %d files", MAX_FILES);
    ia_filemap *fm = NULL;
    if ((rc = map_file(x, cid, size, ref, &fm))) return ia_set_error(rc, "%s: %s", ref, ia__prev_error());
    if (!fm && size >= BUFFER_MIN) {
        /* a private buffer filled from the blocks, read-only once filled; verified first, or (x->defer)
         * its leaves are hashed in the buffer on other threads while the caller builds on it */
        if (size > (uint64_t)SIZE_MAX / 2) return ia_set_error(IA_ERR_LIMIT, "%s is too large", ref);
        size_t pg = (size_t)sysconf(_SC_PAGESIZE), span = ((size_t)size + pg - 1) & ~(pg - 1);
        uint8_t *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) return ia_set_error(IA_ERR_IO, "cannot map a %llu-byte buffer: %s", (unsigned long long)size, strerror(errno));
        (void)madvise(m, span, MADV_HUGEPAGE); /* 2 MiB pages where the kernel has them: far fewer faults */
        leaf_list later = {0};
        rc = fill(x, cid, m, size, x->defer ? &later : NULL);
        if (!rc && mprotect(m, span, PROT_READ)) rc = ia_set_error(IA_ERR_IO, "mprotect failed: %s", strerror(errno));
        if (!rc) rc = ia__filemap_wrap(m, (size_t)size, &fm);
        if (rc) rc = blame_corrupt(x, &later, rc); /* before the buffer goes */
        if (!rc) fm->keep = 1; /* anonymous memory: dropped pages would read back as zeros */
        if (!rc && x->defer && (rc = defer_leaves(x->defer, &later, fm, ref))) { /* keeps a reference to fm */
            ia__filemap_release(fm); /* unmaps m */
            fm = NULL;
            m = NULL;
        }
        ia_free(later.v);
        if (rc) {
            if (m) munmap(m, span);
            return ia_set_error(rc, "%s: %s", ref, ia__prev_error());
        }
    }
    if (fm) {
        /* the entry is an empty placeholder; the loader finds the block mapping under its identity */
        int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) { ia__filemap_release(fm); return ia_set_error(IA_ERR_IO, "cannot create %s: %s", dst, strerror(errno)); }
        close(fd);
        if ((rc = remember(x, dst))) { ia__filemap_release(fm); return rc; }
        rc = ia__filemap_prepare(dst, fm);
        if (rc) { ia__filemap_release(fm); return rc; }
        x->maps[x->nmaps++] = fm;
        return IA_OK;
    } else {
        if (x->nfds >= MAX_FILES) return ia_set_error(IA_ERR_LIMIT, "model needs more than %d files", MAX_FILES);
        if (size > (uint64_t)SIZE_MAX / 2) return ia_set_error(IA_ERR_LIMIT, "%s is too large", ref);
        int fd = memfd_create("ia-model", MFD_CLOEXEC);
        if (fd < 0) return ia_set_error(IA_ERR_IO, "memfd_create failed: %s", strerror(errno));
        x->fds[x->nfds++] = fd;
        if (ftruncate(fd, (off_t)size)) return ia_set_error(IA_ERR_IO, "cannot size a %llu-byte buffer: %s", (unsigned long long)size, strerror(errno));
        if (size) {
            /* the pages are allocated by the threads that fill them (see read_leaf) */
            uint8_t *m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED) return ia_set_error(IA_ERR_IO, "cannot map a %llu-byte buffer: %s", (unsigned long long)size, strerror(errno));
            rc = fill(x, cid, m, size, NULL);
            munmap(m, (size_t)size);
            if (rc) return ia_set_error(rc, "%s: %s", ref, ia__prev_error());
        }
        snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    }
    if (symlink(target, dst)) return ia_set_error(IA_ERR_IO, "cannot create %s: %s", dst, strerror(errno));
    return remember(x, dst);
}

/* ---- the external data files an ONNX model names (ModelProto -> graphs -> tensors) ---- */

typedef struct locs {
    char *v[MAX_FILES];
    size_t n;
} locs;

static int locs_add(locs *l, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && !memcmp(l->v[i], p, n)) return IA_OK;
    if (l->n >= MAX_FILES) return ia_set_error(IA_ERR_LIMIT, "model names more than %d external data files", MAX_FILES);
    if (!(l->v[l->n] = ia_strndup((const char *)p, n))) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    l->n++;
    return IA_OK;
}

static int scan_graph(const uint8_t *p, size_t n, locs *l, int depth);

/* TensorProto: external_data (13) entries {key 1, value 2} with key "location". */
static int scan_tensor(const uint8_t *p, size_t n, locs *l) {
    ia_pb r = ia_pb_init(p, n);
    uint32_t f;
    int w, k;
    while ((k = ia_pb_next(&r, &f, &w)) == 1) {
        if (f == 13 && w == IA_PB_LEN) {
            const uint8_t *e;
            size_t en;
            if (ia_pb_bytes(&r, &e, &en)) return IA_ERR_PARSE;
            ia_pb s = ia_pb_init(e, en);
            const uint8_t *key = NULL, *val = NULL;
            size_t kn = 0, vn = 0;
            uint32_t sf;
            int sw, sk;
            while ((sk = ia_pb_next(&s, &sf, &sw)) == 1) {
                if ((sf == 1 || sf == 2) && sw == IA_PB_LEN) {
                    if (ia_pb_bytes(&s, sf == 1 ? &key : &val, sf == 1 ? &kn : &vn)) return IA_ERR_PARSE;
                } else if (ia_pb_skip(&s, sw)) return IA_ERR_PARSE;
            }
            if (sk < 0) return IA_ERR_PARSE;
            if (key && kn == 8 && !memcmp(key, "location", 8) && val) {
                int rc = locs_add(l, val, vn);
                if (rc) return rc;
            }
        } else if (ia_pb_skip(&r, w)) return IA_ERR_PARSE;
    }
    return k < 0 ? IA_ERR_PARSE : IA_OK;
}

/* Calls scan_tensor / scan_graph on the listed sub-messages of a message; others are skipped. */
static int scan_msg(const uint8_t *p, size_t n, locs *l, int depth, const uint32_t *tensors, const uint32_t *graphs,
                    const uint32_t *sparse, const uint32_t *nested) {
    if (depth > 64) return ia_set_error(IA_ERR_LIMIT, "model nests graphs deeper than 64 levels");
    ia_pb r = ia_pb_init(p, n);
    uint32_t f;
    int w, k, rc;
    while ((k = ia_pb_next(&r, &f, &w)) == 1) {
        if (w != IA_PB_LEN) { if (ia_pb_skip(&r, w)) return IA_ERR_PARSE; continue; }
        const uint8_t *b;
        size_t bn;
        if (ia_pb_bytes(&r, &b, &bn)) return IA_ERR_PARSE;
        rc = IA_OK;
        for (const uint32_t *t = tensors; *t && !rc; t++) if (*t == f) rc = scan_tensor(b, bn, l);
        for (const uint32_t *t = graphs; *t && !rc; t++) if (*t == f) rc = scan_graph(b, bn, l, depth + 1);
        for (const uint32_t *t = sparse; *t && !rc; t++) /* SparseTensorProto: values 1, indices 2 */
            if (*t == f) {
                static const uint32_t st[] = {1, 2, 0}, none[] = {0};
                rc = scan_msg(b, bn, l, depth + 1, st, none, none, none);
            }
        for (const uint32_t *t = nested; *t && !rc; t++) /* NodeProto.attribute (5) */
            if (*t == f) {
                static const uint32_t at[] = {5, 10, 0}, ag[] = {6, 11, 0}, as[] = {22, 23, 0}, none[] = {0};
                rc = scan_msg(b, bn, l, depth + 1, at, ag, as, none);
            }
        if (rc) return rc;
    }
    return k < 0 ? IA_ERR_PARSE : IA_OK;
}

/* GraphProto: node 1 (-> attribute 5), initializer 5, sparse_initializer 15. */
static int scan_graph(const uint8_t *p, size_t n, locs *l, int depth) {
    static const uint32_t t[] = {5, 0}, none[] = {0}, s[] = {15, 0};
    ia_pb r = ia_pb_init(p, n);
    uint32_t f;
    int w, k, rc;
    if (depth > 64) return ia_set_error(IA_ERR_LIMIT, "model nests graphs deeper than 64 levels");
    /* nodes need a two-level descent (NodeProto -> AttributeProto), handled here */
    while ((k = ia_pb_next(&r, &f, &w)) == 1) {
        if (f != 1 || w != IA_PB_LEN) { if (ia_pb_skip(&r, w)) return IA_ERR_PARSE; continue; }
        const uint8_t *b;
        size_t bn;
        if (ia_pb_bytes(&r, &b, &bn)) return IA_ERR_PARSE;
        if ((rc = scan_msg(b, bn, l, depth + 1, none, none, none, t))) return rc; /* node: attribute = field 5 */
    }
    if (k < 0) return IA_ERR_PARSE;
    return scan_msg(p, n, l, depth, t, none, s, none);
}

static int scan_model(const uint8_t *p, size_t n, locs *l) {
    static const uint32_t none[] = {0}, g[] = {7, 0};
    int rc = scan_msg(p, n, l, 0, none, g, none, none);
    if (rc == IA_ERR_PARSE) return ia_set_error(IA_ERR_PARSE, "not an ONNX model (malformed protobuf)");
    return rc;
}

/* ---- entry points ---- */

int ia_store_is_ref(const char *ref) {
    struct stat st;
    if (!ref || !ref[0] || stat(ref, &st) == 0) return 0;
    if (!strncmp(ref, "/ipfs/", 6)) ref += 6;
    size_t n = strcspn(ref, "/");
    char first[IA_CID_MAX_STRING];
    if (n == 0 || n >= sizeof first) return 0;
    memcpy(first, ref, n);
    first[n] = 0;
    ia_cid c;
    return ia_cid_parse(first, &c) == IA_OK;
}

/* Replaces the temporary directory in the loader's message with the reference's directory. */
static void rewrite_error(int rc, const char *tmpdir, const char *refdir) {
    const char *msg = ia__prev_error();
    char out[2048];
    size_t o = 0, tl = strlen(tmpdir);
    while (*msg && o + 1 < sizeof out) {
        if (!strncmp(msg, tmpdir, tl)) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", refdir);
            if (o >= sizeof out) o = sizeof out - 1;
            msg += tl;
        } else out[o++] = *msg++;
    }
    out[o] = 0;
    ia_set_error(rc, "%s", out);
}

static int safe_location(const char *loc) {
    if (!loc[0] || loc[0] == '/' || strchr(loc, '\\')) return 0;
    for (const char *p = loc; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && !strncmp(p, "..", 2)) return 0;
        p += n;
        while (*p == '/') p++;
    }
    return 1;
}

/* Loads the model at ref. With defer_out, the leaves of the block-mapped and buffer-read files (the
 * model file and its external data files; not those under 1 MiB, read into a memfd) are hashed on
 * other threads after this returns (*defer_out, to be passed to pending_finish); without it every
 * block is verified before the model is parsed. */
static int load(ia_blockstore *bs, const char *ref, ia_model **out, pending **defer_out) {
    *out = NULL;
    ia_blockstore *own = NULL;
    pending *p = NULL;
    int rc;
    if (!bs) {
        if ((rc = ia_blockstore_open(NULL, &own))) return rc;
        bs = own;
    }
    if (defer_out) {
        *defer_out = NULL;
        if (!(p = ia_calloc(1, sizeof *p))) { ia_blockstore_close(own); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
        p->bs = bs;
        p->own = own; /* closed by pending_finish: the error messages need the store's paths */
        own = NULL;
    }
    src_ctx x;
    memset(&x, 0, sizeof x);
    x.bs = bs;
    locs l = {{0}, 0};
    const char *r = !strncmp(ref, "/ipfs/", 6) ? ref + 6 : ref;
    /* the directory part (everything before the last component) and the file name */
    char *refdir = ia_strdup(r);
    if (!refdir) {
        if (p) { p->n = 0; pending_finish(p); }
        ia_blockstore_close(own);
        return ia_set_error(IA_ERR_NOMEM, "out of memory");
    }
    size_t rl = strlen(refdir);
    while (rl > 1 && refdir[rl - 1] == '/') refdir[--rl] = 0;
    char *slash = strrchr(refdir, '/');
    const char *name = "model.onnx";
    int has_dir = slash != NULL;
    if (slash) { *slash = 0; name = slash + 1; }
    if (ia_threadpool_create(0, &x.pool)) x.pool = NULL; /* no pool: leaves are read serially */
    if ((rc = ia__store_lock(bs, 0))) goto done; /* gc waits while we read */
    ia_cid cid;
    if ((rc = ia_store_resolve(bs, r, &cid))) {
        rc = ia_set_error(rc, "model %s: %s%s", ref, ia__prev_error(),
                          rc == IA_ERR_NOT_FOUND && strstr(ia__prev_error(), "not in the store")
                              ? " (add the model folder or import its CAR first)" : "");
        goto unlock;
    }
    char base[PATH_MAX];
    if (snprintf(base, sizeof base, "%s/tmp", ia_blockstore_root(bs)) >= (int)sizeof base ||
        (mkdir(base, 0755) && errno != EEXIST) ||
        snprintf(x.tmpdir, sizeof x.tmpdir, "%s/model-%ld-XXXXXX", base, (long)getpid()) >= (int)sizeof x.tmpdir ||
        !mkdtemp(x.tmpdir)) {
        rc = ia_set_error(IA_ERR_IO, "cannot create a temporary directory under %s: %s", base, strerror(errno));
        x.tmpdir[0] = 0;
        goto unlock;
    }
    /* With p, the model file's blocks are hashed after it is loaded, like its data files' (when it is
     * block-mapped or read into a buffer; one under 1 MiB is verified here): the ONNX parser and the
     * scan below are safe on any bytes, and on any failure before the session is handed out the
     * blocks are checked and a corrupted one is the error reported. */
    x.defer = p;
    if ((rc = materialize(&x, &cid, name, ref))) goto cleanup;
    /* find the external data files the model names, read them from sibling entries */
    if (x.nmaps) { /* the model file is block-mapped (the first and only mapping so far) */
        rc = x.maps[0]->len ? scan_model(x.maps[0]->addr, x.maps[0]->len, &l) : IA_OK;
        if (rc == IA_ERR_PARSE) rc = IA_OK; /* not ONNX: the loader says what is wrong */
        if (rc) { rc = ia_set_error(rc, "model %s: %s", ref, ia__prev_error()); goto cleanup; }
    } else {
        char lp[PATH_MAX];
        if (snprintf(lp, sizeof lp, "%s/%s", x.tmpdir, name) >= (int)sizeof lp) { rc = ia_set_error(IA_ERR_LIMIT, "path too long"); goto cleanup; }
        int fd = open(lp, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st)) { rc = ia_set_error(IA_ERR_IO, "cannot open %s: %s", lp, strerror(errno)); if (fd >= 0) close(fd); goto cleanup; }
        void *m = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0) : NULL;
        close(fd);
        if (m == MAP_FAILED) { rc = ia_set_error(IA_ERR_IO, "cannot map %s: %s", lp, strerror(errno)); goto cleanup; }
        rc = m ? scan_model(m, (size_t)st.st_size, &l) : IA_OK;
        if (m) munmap(m, (size_t)st.st_size);
        if (rc == IA_ERR_PARSE) rc = IA_OK; /* not ONNX: the loader says what is wrong */
        if (rc) { rc = ia_set_error(rc, "model %s: %s", ref, ia__prev_error()); goto cleanup; }
    }
    for (size_t i = 0; i < l.n; i++) {
        if (!safe_location(l.v[i])) continue; /* the loader names and refuses it */
        if (!has_dir) {
            rc = ia_set_error(IA_ERR_INVALID_ARG,
                              "model %s names external data '%s' but is a bare file CID: give it as DIRCID/path/model.onnx "
                              "so that its sibling files can be found", ref, l.v[i]);
            goto cleanup;
        }
        size_t n = strlen(refdir) + strlen(l.v[i]) + 2;
        char *sib = ia_malloc(n), *rel = ia_strdup(l.v[i]);
        if (!sib || !rel) { ia_free(sib); ia_free(rel); rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); goto cleanup; }
        /* drop "." components: "./w.bin" names the sibling w.bin */
        int o = snprintf(sib, n, "%s", refdir);
        for (const char *c = l.v[i]; *c;) {
            size_t k = strcspn(c, "/");
            if (k && !(k == 1 && c[0] == '.')) o += snprintf(sib + o, n - (size_t)o, "/%.*s", (int)k, c);
            c += k;
            while (*c == '/') c++;
        }
        ia_cid ec;
        rc = ia_store_resolve(bs, sib, &ec);
        if (rc) rc = ia_set_error(rc, "model %s: external data '%s' (%s): %s", ref, l.v[i], sib, ia__prev_error());
        else {
            struct stat st;
            char have[PATH_MAX];
            if (snprintf(have, sizeof have, "%s/%s", x.tmpdir, rel) >= (int)sizeof have) rc = ia_set_error(IA_ERR_LIMIT, "path too long");
            else if (lstat(have, &st) != 0) rc = materialize(&x, &ec, rel, sib);
        }
        ia_free(sib);
        ia_free(rel);
        if (rc) goto cleanup;
    }
    {
        char lp[PATH_MAX];
        if (snprintf(lp, sizeof lp, "%s/%s", x.tmpdir, name) >= (int)sizeof lp) rc = ia_set_error(IA_ERR_LIMIT, "path too long");
        else rc = ia_model_load(lp, out);
        if (rc) rewrite_error(rc, x.tmpdir, has_dir ? refdir : ref);
        if (p && !rc) { /* hashing goes on while the caller builds on the model */
            pending_start(p);
            *defer_out = p;
            p = NULL;
        } else if (p) { /* the loader failed: a corrupted block is the better explanation */
            own = p->own; /* still needed below (unlock), closed at the end */
            p->own = NULL;
            int vr = pending_finish(p);
            p = NULL;
            if (vr) rc = vr;
        }
    }
cleanup:
    for (size_t i = 0; i < x.nmaps; i++) { /* the loaded model keeps its own references */
        ia__filemap_unprepare(x.maps[i]);
        ia__filemap_release(x.maps[i]);
    }
    for (size_t i = x.nlinks; i-- > 0;) {
        if (unlink(x.links[i])) rmdir(x.links[i]);
        ia_free(x.links[i]);
    }
    for (size_t i = 0; i < x.nfds; i++) close(x.fds[i]);
    if (x.tmpdir[0]) rmdir(x.tmpdir);
unlock:
    ia__store_unlock(bs);
done:
    if (p) { /* failed before a model was handed on: a corrupted block (the model file's bytes may name
              * other data files or none) is the better explanation of what went wrong */
        pending_start(p);
        int vr = pending_finish(p);
        if (vr && rc) rc = vr;
    }
    for (size_t i = 0; i < l.n; i++) ia_free(l.v[i]);
    ia_threadpool_destroy(x.pool);
    ia_free(refdir);
    ia_blockstore_close(own);
    return rc;
}

int ia_store_model_load(ia_blockstore *bs, const char *ref, ia_model **out) {
    return load(bs, ref, out, NULL);
}

int ia_session_create_any(const char *path, const ia_session_options *opts, ia_session **out) {
    *out = NULL;
    if (!ia_store_is_ref(path)) return ia_session_create(path, opts, out);
    ia_model *m;
    pending *p = NULL;
    int rc = load(NULL, path, &m, &p);
    if (rc) return rc;
    ia_session *s = NULL;
    rc = ia_session_create_from_model(m, opts, &s); /* reads the data while it is being hashed */
    int vr = pending_finish(p);                       /* every block checked before s is handed out */
    if (vr) {
        if (!rc) ia_session_destroy(s);
        return vr;
    }
    if (rc) return rc;
    *out = s;
    return IA_OK;
}

int ia_model_load_any(const char *path, ia_model **out) {
    if (ia_store_is_ref(path)) return ia_store_model_load(NULL, path, out);
    return ia_model_load(path, out);
}
