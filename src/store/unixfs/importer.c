/* The UnixFS importer: fixed-size chunker, kubo's balanced and trickle file layouts (streamed:
 * memory does not grow with file size), directories, symlinks, HAMT sharding decisions, and `add`
 * options. The trickle tree's shape is built in trickle.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "ia/threadpool.h"
#include "store/store_internal.h"
#include "store/unixfs/trickle.h"

int ia__blockstore_putv(ia_blockstore *bs, const ia_cid *cid, const struct iovec *iov, int niov);

int ia_add_options_init(ia_add_options *o, const char *profile) {
    memset(o, 0, sizeof *o);
    o->chunk_size = 262144;
    o->max_links = 174;
    o->hamt_threshold = 262144;
    o->hamt_fanout = 256;
    if (!profile || !strcmp(profile, "unixfs-v0-2015") || !strcmp(profile, "legacy-cid-v0")) return IA_OK;
    if (!strcmp(profile, "unixfs-v1-2025") || !strcmp(profile, "test-cid-v1-wide")) {
        o->cid_version = 1;
        o->raw_leaves = 1;
        o->chunk_size = 1048576;
        o->max_links = 1024;
        o->hamt_block_estimate = 1;
        return IA_OK;
    }
    return ia_set_error(IA_ERR_INVALID_ARG, "unknown profile '%s' (unixfs-v0-2015 or unixfs-v1-2025)", profile);
}

typedef ia__file_entry entry; /* cid, tsize (cumulative DAG size: link Tsize), fsize (file bytes below) */

typedef struct level {
    entry *e;
    size_t n;
} level;

typedef struct imp {
    ia_blockstore *bs;
    const ia_add_options *o;
    ia_add_entry_fn fn;
    void *user;
    ia__buf nb, ub;
    const ia__unixfs_meta *meta; /* of the file being imported */
    int leaf_type;               /* UnixFS Type of dag-pb leaves: File (balanced) or Raw (trickle, as kubo) */
    /* chunks are read a batch at a time (one large read) and hashed on the pool */
    ia_threadpool *pool;
    uint8_t *batch;
    size_t batch_chunks;
    uint8_t (*dig)[32];
    size_t *lens;
    /* progress */
    int progress;
    uint64_t done, total;
    double t0, last;
    /* directories are reported after all files, in post-order, as kubo does */
    struct done_dir { char *path; ia_cid cid; uint64_t size; } *dirs;
    size_t ndirs, capdirs;
} imp;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress_update(imp *im, int final) {
    if (!im->progress) return;
    double t = now_s();
    if (!final && t - im->last < 0.2) return;
    im->last = t;
    double el = t - im->t0, rate = el > 0 ? (double)im->done / el : 0;
    double eta = rate > 0 && im->total > im->done ? (double)(im->total - im->done) / rate : 0;
    double pct = im->total ? 100.0 * (double)im->done / (double)im->total : 100.0;
    fprintf(stderr, "\r%8.1f MiB / %.1f MiB  %5.1f%%  %7.1f MiB/s  ETA %4.0f s ", im->done / 1048576.0,
            im->total / 1048576.0, pct, rate / 1048576.0, eta);
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

static int put_blockv(imp *im, const ia_cid *cid, const struct iovec *v, int n) {
    return im->bs ? ia__blockstore_putv(im->bs, cid, v, n) : IA_OK;
}


/* The digest of one leaf (a raw block, or a UnixFS File node holding the chunk); runs on the
 * thread pool, so it uses its own hash context and no shared state. */
static int leaf_digest(EVP_MD_CTX *md, int raw, int type, const uint8_t *data, size_t len, uint8_t out[32]) {
    uint8_t pre[24], post[12];
    size_t np = 0, nq = 0;
    if (!raw) ia__unixfs_leaf_frame_typed(type, len, pre, &np, post, &nq);
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || (np && !EVP_DigestUpdate(md, pre, np)) ||
        (len && !EVP_DigestUpdate(md, data, len)) || (nq && !EVP_DigestUpdate(md, post, nq)) ||
        !EVP_DigestFinal_ex(md, out, NULL))
        return IA_ERR_RUNTIME;
    return IA_OK;
}

/* Names and stores one leaf whose digest is known. */
static int put_leaf(imp *im, const uint8_t *data, size_t len, const uint8_t d[32], entry *out) {
    memset(&out->cid, 0, sizeof out->cid);
    if (im->o->raw_leaves) {
        ia__cid_set(&out->cid, 1, IA_CODEC_RAW, d);
        struct iovec v = {(void *)data, len};
        out->tsize = out->fsize = len;
        return put_blockv(im, &out->cid, &v, 1);
    }
    /* PBNode{Data: UnixFS{Type=File (or Raw), Data=chunk (when not empty), filesize=len}} */
    uint8_t pre[24], post[12];
    size_t np, nq;
    ia__unixfs_leaf_frame_typed(im->leaf_type, len, pre, &np, post, &nq);
    ia__cid_set(&out->cid, im->o->cid_version, IA_CODEC_DAG_PB, d);
    struct iovec v[3] = {{pre, np}, {(void *)data, len}, {post, nq}};
    out->tsize = np + len + nq;
    out->fsize = len;
    return put_blockv(im, &out->cid, v, 3);
}

/* Emits a dag-pb block from im->nb and names it. */
static int emit_node(imp *im, uint64_t child_tsize, entry *out) {
    uint8_t d[32];
    ia__sha256(im->nb.p, im->nb.len, d);
    memset(&out->cid, 0, sizeof out->cid);
    ia__cid_set(&out->cid, im->o->cid_version, IA_CODEC_DAG_PB, d);
    out->tsize = im->nb.len + child_tsize;
    struct iovec v = {im->nb.p, im->nb.len};
    return put_blockv(im, &out->cid, &v, 1);
}

/* Internal file node over entries e[0..n) (n = 0: an empty file's trickle root). */
static int make_file_node(imp *im, const entry *e, size_t n, const ia__unixfs_meta *meta, entry *out) {
    uint64_t *bsz = ia_malloc((n ? n : 1) * sizeof *bsz);
    ia__link_in *links = ia_calloc(n ? n : 1, sizeof *links);
    int rc = (!bsz || !links) ? ia_set_error(IA_ERR_NOMEM, "out of memory") : IA_OK;
    uint64_t fs = 0, ts = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        bsz[i] = e[i].fsize;
        fs += e[i].fsize;
        ts += e[i].tsize;
        links[i].cid = e[i].cid;
        links[i].name = "";
        links[i].tsize = e[i].tsize;
    }
    im->ub.len = im->nb.len = 0;
    if (!rc) rc = ia__unixfs_encode(&im->ub, IA_UNIXFS_FILE, NULL, 0, 0, 1, fs, bsz, n, 0, 0, 0);
    if (!rc) rc = ia__unixfs_put_meta(&im->ub, meta);
    if (!rc) rc = ia__dagpb_encode(&im->nb, links, n, im->ub.p, im->ub.len, 1);
    if (!rc) rc = emit_node(im, ts, out);
    out->fsize = fs;
    ia_free(bsz);
    ia_free(links);
    return rc;
}

/* Appends e to level `i`; a full level first becomes one node of the level above. */
static int push_entry(imp *im, level *lv, size_t *nlv, size_t i, entry e) {
    const size_t maxl = im->o->max_links;
    for (;;) {
        if (i == *nlv) {
            if (*nlv == 16) return ia_set_error(IA_ERR_LIMIT, "file too large for the DAG depth");
            lv[i].e = ia_malloc(maxl * sizeof(entry));
            lv[i].n = 0;
            if (!lv[i].e) return ia_set_error(IA_ERR_NOMEM, "out of memory");
            (*nlv)++;
        }
        if (lv[i].n < maxl) { lv[i].e[lv[i].n++] = e; return IA_OK; }
        entry up;
        int rc = make_file_node(im, lv[i].e, lv[i].n, im->meta, &up);
        if (rc) return rc;
        lv[i].n = 0;
        lv[i].e[lv[i].n++] = e;
        e = up;
        i++;
    }
}

typedef int (*read_fn)(void *src, uint8_t *buf, size_t cap, size_t *got);

typedef struct hash_job {
    imp *im;
    int failed;
} hash_job;

static void hash_leaves(void *ctx, int64_t b, int64_t e, int tid) {
    (void)tid;
    hash_job *j = ctx;
    imp *im = j->im;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    for (int64_t k = b; k < e; k++)
        if (leaf_digest(md, im->o->raw_leaves, im->leaf_type, im->batch + (size_t)k * im->o->chunk_size, im->lens[k], im->dig[k]))
            __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    EVP_MD_CTX_free(md);
}

/* Reads the next batch of chunks (one large read) and hashes their leaves on the pool: *n chunks
 * (im->lens, im->dig), *eof once the input has ended. An empty input gives one empty chunk when
 * `empty_leaf` (the balanced layout's empty file) and none otherwise. */
static int read_batch(imp *im, read_fn rd, void *src, int empty_leaf, size_t *n, int *eof) {
    const size_t cs = im->o->chunk_size;
    size_t got = 0;
    *n = 0;
    int rc = rd(src, im->batch, cs * im->batch_chunks, &got);
    if (rc) return rc;
    *eof = got < cs * im->batch_chunks;
    size_t m = got ? (got + cs - 1) / cs : (empty_leaf ? 1 : 0);
    for (size_t k = 0; k < m; k++) im->lens[k] = k + 1 < m ? cs : got - k * cs;
    hash_job hj = {im, 0};
    if (m) ia_parallel_for(m > 1 ? im->pool : NULL, (int64_t)m, 1, hash_leaves, &hj);
    if (hj.failed) return ia_set_error(IA_ERR_RUNTIME, "SHA-256 failed in OpenSSL");
    *n = m;
    return IA_OK;
}

/* ---- trickle layout: trickle.c pulls the leaves of the batches in order ---- */

typedef struct tk_src {
    imp *im;
    read_fn rd;
    void *src;
    size_t k, n; /* next chunk of the batch, chunks in it */
    int eof;
} tk_src;

static int tk_done(void *u, int *done) {
    tk_src *s = u;
    while (s->k == s->n && !s->eof) {
        s->k = 0;
        int rc = read_batch(s->im, s->rd, s->src, 0, &s->n, &s->eof);
        if (rc) return rc;
    }
    *done = s->k == s->n;
    return IA_OK;
}

static int tk_leaf(void *u, entry *out) {
    tk_src *s = u;
    imp *im = s->im;
    if (s->k >= s->n) return ia_set_error(IA_ERR_RUNTIME, "trickle: no chunk left");
    size_t k = s->k++;
    int rc = put_leaf(im, im->batch + k * im->o->chunk_size, im->lens[k], im->dig[k], out);
    if (!rc) {
        im->done += im->lens[k];
        progress_update(im, 0);
    }
    return rc;
}

/* Metadata on the root only: kubo's trickle.Layout calls FillMetadata on the root node alone
 * (ipfs-unixfs-importer's reducer writes it on every inner node; the two differ for files of more
 * than max_links chunks, and this layout is kubo's). */
static int tk_node(void *u, const entry *kids, size_t n, int root, entry *out) {
    tk_src *s = u;
    return make_file_node(s->im, kids, n, root ? s->im->meta : NULL, out);
}

/* Trickle layout, streamed (kubo's trickle.Layout: Raw-typed dag-pb leaves or raw leaves, the root
 * always an inner node and the only one with the file's mode and mtime). */
static int import_trickle(imp *im, read_fn rd, void *src, entry *root) {
    tk_src s = {im, rd, src, 0, 0, 0};
    ia__trickle_ops ops = {&s, im->o->max_links, 4, tk_done, tk_leaf, tk_node};
    return ia__trickle_build(&ops, root);
}

/* Balanced layout, streamed: levels[0] gathers leaves; a full level becomes one node of the
 * level above when the next entry arrives. The result equals kubo's balanced builder. */
static int import_stream(imp *im, read_fn rd, void *src, const ia__unixfs_meta *meta, entry *root) {
    level lv[16];
    size_t nlv = 0;
    int rc = IA_OK, first = 1;
    im->meta = meta; /* every file node carries it, inner ones too, as ipfs-unixfs-importer writes them */
    if (im->o->trickle) {
        rc = import_trickle(im, rd, src, root);
        im->meta = NULL;
        return rc;
    }
    const size_t cs = im->o->chunk_size;
    const uint8_t *last = im->batch;
    for (int eof = 0; !eof;) {
        size_t n = 0;
        if ((rc = read_batch(im, rd, src, first, &n, &eof))) break;
        first = 0; /* an empty file is one empty leaf */
        if (n == 0) break;
        for (size_t k = 0; k < n && !rc; k++) {
            entry e;
            last = im->batch + k * cs;
            if ((rc = put_leaf(im, last, im->lens[k], im->dig[k], &e))) break;
            im->done += im->lens[k];
            progress_update(im, 0);
            rc = push_entry(im, lv, &nlv, 0, e);
        }
        if (rc) goto out;
    }
    if (rc) goto out;
    int has_meta = meta && meta->given; /* a default mode, not written, still turns the leaf into a node */
    for (size_t i = 0; i < nlv; i++) {
        if (i == nlv - 1 && lv[i].n == 1) {
            *root = lv[i].e[0];
            /* one chunk (only a single leaf is ever alone at the top): with metadata it becomes a
             * File node holding the chunk inline, as ipfs-unixfs-importer does (a raw leaf has
             * nowhere to keep a mode or mtime) */
            if (has_meta) {
                size_t len = (size_t)root->fsize;
                im->ub.len = im->nb.len = 0;
                rc = ia__unixfs_encode(&im->ub, IA_UNIXFS_FILE, last, len, len > 0, 1, len, NULL, 0, 0, 0, 0);
                if (!rc) rc = ia__unixfs_put_meta(&im->ub, meta);
                if (!rc) rc = ia__dagpb_encode(&im->nb, NULL, 0, im->ub.p, im->ub.len, 1);
                if (!rc) rc = emit_node(im, 0, root);
                root->fsize = len;
            }
            break;
        }
        if (lv[i].n == 0) continue;
        entry up;
        if ((rc = make_file_node(im, lv[i].e, lv[i].n, meta, &up))) break;
        lv[i].n = 0;
        if (i + 1 == nlv) { *root = up; break; }
        if ((rc = push_entry(im, lv, &nlv, i + 1, up))) break;
    }
out:
    im->meta = NULL;
    for (size_t i = 0; i < nlv; i++) ia_free(lv[i].e);
    return rc;
}

typedef struct fd_src { int fd; const char *path; } fd_src;
static int fd_read(void *s, uint8_t *buf, size_t cap, size_t *got) {
    fd_src *f = s;
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(f->fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return ia_set_error(IA_ERR_IO, "reading %s failed: %s", f->path, strerror(errno));
        if (r == 0) break;
        n += (size_t)r;
    }
    *got = n;
    return IA_OK;
}

typedef struct mem_src { const uint8_t *p; size_t len, off; } mem_src;
static int mem_read(void *s, uint8_t *buf, size_t cap, size_t *got) {
    mem_src *m = s;
    size_t n = m->len - m->off < cap ? m->len - m->off : cap;
    if (n) memcpy(buf, m->p + m->off, n);
    m->off += n;
    *got = n;
    return IA_OK;
}

static int check_opts(const ia_add_options *o) {
    if (o->cid_version > 1) return ia_set_error(IA_ERR_INVALID_ARG, "--cid-version must be 0 or 1");
    if (o->chunk_size < 1 || o->chunk_size > (2u << 20))
        return ia_set_error(IA_ERR_INVALID_ARG, "chunk size %zu out of range (1 .. 2 MiB)", o->chunk_size);
    if (o->max_links < 2 || o->max_links > 65536) return ia_set_error(IA_ERR_INVALID_ARG, "--max-links must be 2 .. 65536");
    if (o->cid_version == 0 && o->raw_leaves) return ia_set_error(IA_ERR_INVALID_ARG, "raw leaves need CIDv1 (kubo upgrades; pass --cid-version=1)");
    return IA_OK;
}

static int imp_init(imp *im, ia_blockstore *bs, const ia_add_options *o, ia_add_entry_fn fn, void *user) {
    memset(im, 0, sizeof *im);
    int rc = check_opts(o);
    if (rc) return rc;
    im->bs = bs;
    im->o = o;
    im->fn = fn;
    im->user = user;
    /* about 16 MiB of chunks per batch (at most 64), so memory stays bounded whatever the file size */
    im->batch_chunks = (16u << 20) / o->chunk_size;
    if (im->batch_chunks < 1) im->batch_chunks = 1;
    if (im->batch_chunks > 64) im->batch_chunks = 64;
    im->batch = ia_malloc(o->chunk_size * im->batch_chunks);
    im->dig = ia_malloc(im->batch_chunks * sizeof *im->dig);
    im->lens = ia_malloc(im->batch_chunks * sizeof *im->lens);
    if (!im->batch || !im->dig || !im->lens) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    if (ia_threadpool_create(0, &im->pool)) im->pool = NULL; /* no pool: leaves are hashed serially */
    im->t0 = im->last = now_s();
    im->progress = o->progress && isatty(2);
    im->leaf_type = o->trickle ? IA_UNIXFS_RAW : IA_UNIXFS_FILE;
    return IA_OK;
}

static void imp_free(imp *im) {
    ia_free(im->batch);
    ia_free(im->dig);
    ia_free(im->lens);
    ia_threadpool_destroy(im->pool);
    ia__buf_free(&im->nb);
    ia__buf_free(&im->ub);
    for (size_t i = 0; i < im->ndirs; i++) ia_free(im->dirs[i].path);
    ia_free(im->dirs);
}

int ia_add_bytes(ia_blockstore *bs, const void *data, size_t len, const ia_add_options *o, ia_cid *root) {
    imp im;
    int rc = imp_init(&im, bs, o, NULL, NULL);
    entry e;
    mem_src m = {data, len, 0};
    if (!rc && bs) rc = ia__store_lock(bs, 0);
    if (!rc) {
        rc = import_stream(&im, mem_read, &m, NULL, &e);
        if (bs) {
            int f = ia_blockstore_flush(bs);
            if (!rc) rc = f;
            ia__store_unlock(bs);
        }
    }
    if (!rc) *root = e.cid;
    imp_free(&im);
    return rc;
}

/* --preserve-mode / --preserve-mtime (from st; NULL: nothing to stat), else --mode / --mtime: the
 * metadata of a file or directory, as ipfs-unixfs writes it (a mode equal to the default, 0644 for
 * files and 0755 for directories, is left out). */
static const ia__unixfs_meta *stat_meta(const imp *im, const struct stat *st, int dir, ia__unixfs_meta *m) {
    const ia_add_options *o = im->o;
    int pmode = o->preserve_mode && st, pmtime = o->preserve_mtime && st;
    memset(m, 0, sizeof *m);
    m->given = pmode || pmtime || o->has_mode_value || o->has_mtime_value;
    if (pmode || o->has_mode_value) {
        m->mode = pmode ? (uint32_t)st->st_mode & 07777 : o->mode_value & 07777;
        m->has_mode = m->mode != (dir ? 0755u : 0644u);
    }
    if (pmtime) {
        m->has_mtime = 1;
        m->sec = (int64_t)st->st_mtim.tv_sec;
        m->nsec = (uint32_t)st->st_mtim.tv_nsec;
    } else if (o->has_mtime_value) {
        m->has_mtime = 1;
        m->sec = o->mtime_value;
        m->nsec = o->mtime_nsec_value;
    }
    return m;
}

static int import_file(imp *im, const char *path, const struct stat *st, entry *out) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    fd_src s = {fd, path};
    ia__unixfs_meta m;
    int rc = import_stream(im, fd_read, &s, stat_meta(im, st, 0, &m), out);
    close(fd);
    return rc;
}

/* A symlink: UnixFS{Type=Symlink, Data=target}, with an mtime (--preserve-mtime: the link's own,
 * from lstat; or --mtime) but never a mode, as kubo's adder writes it (addSymlink sets only the
 * modification time; its tests check that --mode leaves a link's mode alone). */
static int import_symlink(imp *im, const char *path, const struct stat *st, entry *out) {
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target);
    if (n < 0) return ia_set_error(IA_ERR_IO, "cannot read link %s: %s", path, strerror(errno));
    if ((size_t)n == sizeof target) return ia_set_error(IA_ERR_LIMIT, "link %s: target too long", path);
    ia__unixfs_meta m;
    stat_meta(im, st, 0, &m);
    m.has_mode = 0;
    im->ub.len = im->nb.len = 0;
    int rc = ia__unixfs_encode(&im->ub, IA_UNIXFS_SYMLINK, (const uint8_t *)target, (size_t)n, 1, 0, 0, NULL, 0, 0, 0, 0);
    if (!rc) rc = ia__unixfs_put_meta(&im->ub, &m);
    if (!rc) rc = ia__dagpb_encode(&im->nb, NULL, 0, im->ub.p, im->ub.len, 1);
    if (!rc) rc = emit_node(im, 0, out);
    out->fsize = 0;
    return rc;
}

static size_t cid_bytes_len(const ia_cid *c) {
    uint8_t b[IA_CID_MAX_BYTES];
    size_t n = 0;
    ia_cid_encode(c, b, sizeof b, &n);
    return n;
}

/* A directory from sorted links: flat, or a HAMT when its estimated size exceeds the threshold
 * (links estimate: names + CID bytes; block estimate: the encoded block's bytes). */
static int make_dir(imp *im, ia__link_in *links, size_t n, const ia__unixfs_meta *meta, entry *out) {
    uint64_t est = 0, ts = 0;
    im->ub.len = 0;
    int rc = ia__unixfs_encode(&im->ub, IA_UNIXFS_DIRECTORY, NULL, 0, 0, 0, 0, NULL, 0, 0, 0, 0);
    if (!rc) rc = ia__unixfs_put_meta(&im->ub, meta);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        ts += links[i].tsize;
        est += im->o->hamt_block_estimate ? ia__dagpb_link_size(&links[i]) : links[i].name_len + cid_bytes_len(&links[i].cid);
    }
    if (im->o->hamt_block_estimate) est += 1 + ia__varint_size(im->ub.len) + im->ub.len; /* the Data field */
    if (im->o->hamt_threshold && est > im->o->hamt_threshold) {
        out->fsize = 0;
        return ia__hamt_build(im->bs, im->o->cid_version, links, n, im->o->hamt_fanout, meta, &out->cid, &out->tsize);
    }
    im->nb.len = 0;
    rc = ia__dagpb_encode(&im->nb, links, n, im->ub.p, im->ub.len, 1);
    if (!rc) rc = emit_node(im, ts, out);
    out->fsize = 0;
    return rc;
}

static int report_dir(imp *im, const char *rel, const entry *e) {
    if (im->ndirs == im->capdirs) {
        size_t nc = im->capdirs ? im->capdirs * 2 : 16;
        struct done_dir *nd = ia_realloc(im->dirs, nc * sizeof *nd);
        if (!nd) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        im->dirs = nd;
        im->capdirs = nc;
    }
    im->dirs[im->ndirs].path = ia_strdup(rel);
    if (!im->dirs[im->ndirs].path) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    im->dirs[im->ndirs].cid = e->cid;
    im->dirs[im->ndirs].size = e->tsize;
    im->ndirs++;
    return IA_OK;
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int import_path(imp *im, const char *path, const char *rel, entry *out);

static int import_dir(imp *im, const char *path, const char *rel, const struct stat *st, entry *out) {
    DIR *d = opendir(path);
    if (!d) return ia_set_error(IA_ERR_IO, "cannot read directory %s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = IA_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (de->d_name[0] == '.' && !im->o->hidden) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = ia_realloc(names, cap * sizeof *nn);
            if (!nn) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); break; }
            names = nn;
        }
        if (!(names[n] = ia_strdup(de->d_name))) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); break; }
        n++;
    }
    closedir(d);
    ia__link_in *links = rc ? NULL : ia_calloc(n ? n : 1, sizeof *links);
    if (!rc && !links) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
    if (!rc && n > 1) qsort(names, n, sizeof *names, str_cmp); /* strcmp orders bytes as unsigned: dag-pb's order */
    for (size_t i = 0; !rc && i < n; i++) {
        size_t pl = strlen(path) + strlen(names[i]) + 2, rl = strlen(rel) + strlen(names[i]) + 2;
        char *cp = ia_malloc(pl), *cr = ia_malloc(rl);
        if (!cp || !cr) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        else {
            snprintf(cp, pl, "%s/%s", path, names[i]);
            snprintf(cr, rl, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
            entry e;
            rc = import_path(im, cp, cr, &e);
            if (!rc) {
                links[i].cid = e.cid;
                links[i].name = names[i];
                links[i].name_len = strlen(names[i]);
                links[i].tsize = e.tsize;
            }
        }
        ia_free(cp);
        ia_free(cr);
    }
    ia__unixfs_meta m;
    if (!rc) rc = make_dir(im, links, n, stat_meta(im, st, 1, &m), out);
    if (!rc) rc = report_dir(im, rel, out);
    for (size_t i = 0; i < n; i++) ia_free(names[i]);
    ia_free(names);
    ia_free(links);
    return rc;
}

static int import_path(imp *im, const char *path, const char *rel, entry *out) {
    struct stat st;
    if (lstat(path, &st)) return ia_set_error(IA_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    int rc;
    if (S_ISDIR(st.st_mode)) return import_dir(im, path, rel, &st, out);
    if (S_ISLNK(st.st_mode)) rc = import_symlink(im, path, &st, out);
    else if (S_ISREG(st.st_mode)) rc = import_file(im, path, &st, out);
    else return ia_set_error(IA_ERR_UNSUPPORTED, "%s is not a regular file, directory or symlink", path);
    if (!rc && im->fn) im->fn(im->user, rel, &out->cid, out->fsize);
    return rc;
}

static const char *base_name(const char *p, char *buf, size_t cap) {
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;
    size_t s = n;
    while (s > 0 && p[s - 1] != '/') s--;
    snprintf(buf, cap, "%.*s", (int)(n - s), p + s);
    return buf;
}

static uint64_t tree_bytes(const char *path, int hidden) {
    struct stat st;
    if (lstat(path, &st)) return 0;
    if (S_ISREG(st.st_mode)) return (uint64_t)st.st_size;
    if (!S_ISDIR(st.st_mode)) return 0;
    uint64_t t = 0;
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || (de->d_name[0] == '.' && !hidden)) continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", path, de->d_name) < (int)sizeof p) t += tree_bytes(p, hidden);
    }
    if (d) closedir(d);
    return t;
}

int ia_add_paths(ia_blockstore *bs, const char *const *paths, size_t npaths, const ia_add_options *o,
                 ia_add_entry_fn fn, void *user, ia_cid *root) {
    if (npaths == 0) return ia_set_error(IA_ERR_INVALID_ARG, "no paths to add");
    imp im;
    int rc = imp_init(&im, bs, o, fn, user);
    if (rc) { imp_free(&im); return rc; }
    if (im.progress) {
        for (size_t i = 0; i < npaths; i++) im.total += tree_bytes(paths[i], o->hidden);
        if (im.total < (64u << 20)) im.progress = 0;
    }
    if (bs && (rc = ia__store_lock(bs, 0))) { imp_free(&im); return rc; }
    int wrap = o->wrap || npaths > 1;
    ia__link_in *links = wrap ? ia_calloc(npaths, sizeof *links) : NULL;
    char (*names)[NAME_MAX + 1] = wrap ? ia_calloc(npaths, sizeof *names) : NULL;
    if (wrap && (!links || !names)) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
    entry e;
    for (size_t i = 0; !rc && i < npaths; i++) {
        char bn[NAME_MAX + 1];
        base_name(paths[i], bn, sizeof bn);
        rc = import_path(&im, paths[i], bn, &e);
        if (!rc && wrap) {
            memcpy(names[i], bn, sizeof bn);
            links[i].cid = e.cid;
            links[i].name = names[i];
            links[i].name_len = strlen(names[i]);
            links[i].tsize = e.tsize;
        }
    }
    if (!rc && wrap) {
        ia__links_sort(links, npaths);
        for (size_t i = 1; !rc && i < npaths; i++)
            if (!strcmp(links[i - 1].name, links[i].name))
                rc = ia_set_error(IA_ERR_INVALID_ARG, "two inputs are both named '%s'", links[i].name);
        if (!rc) rc = make_dir(&im, links, npaths, NULL, &e); /* the wrapping directory has no metadata */
        if (!rc) rc = report_dir(&im, "", &e);
    }
    progress_update(&im, 1);
    if (bs) {
        int f = ia_blockstore_flush(bs);
        if (!rc) rc = f;
        if (!rc && o->pin) rc = ia_pin_add(bs, &e.cid, IA_PIN_RECURSIVE);
        ia__store_unlock(bs);
    }
    if (!rc) {
        for (size_t i = 0; i < im.ndirs && fn; i++) fn(user, im.dirs[i].path, &im.dirs[i].cid, im.dirs[i].size);
        *root = e.cid;
    }
    ia_free(links);
    ia_free(names);
    imp_free(&im);
    return rc;
}

int ia_add_fd(ia_blockstore *bs, int fd, const char *name, const ia_add_options *o, ia_add_entry_fn fn, void *user,
              ia_cid *root) {
    imp im;
    int rc = imp_init(&im, bs, o, fn, user);
    if (rc) { imp_free(&im); return rc; }
    im.progress = 0; /* the size is not known in advance */
    if (name && (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")))
        rc = ia_set_error(IA_ERR_INVALID_ARG, "'%s' cannot be a file name in a directory", name);
    if (!rc && bs) rc = ia__store_lock(bs, 0);
    if (rc) { imp_free(&im); return rc; }
    entry f, e;
    fd_src s = {fd, name ? name : "standard input"};
    ia__unixfs_meta sm; /* --mode / --mtime apply; there is nothing to stat for the preserve flags */
    rc = import_stream(&im, fd_read, &s, stat_meta(&im, NULL, 0, &sm), &f);
    char cs[IA_CID_MAX_STRING] = "";
    if (!rc && !name && ia_cid_format(&f.cid, 0, cs, sizeof cs)) rc = ia_set_error(IA_ERR_RUNTIME, "cannot format a CID");
    const char *nm = name ? name : cs; /* kubo names unnamed standard input by its CID */
    e = f;
    if (!rc && o->wrap) {
        ia__link_in l = {f.cid, nm, strlen(nm), f.tsize};
        rc = make_dir(&im, &l, 1, NULL, &e);
    }
    if (bs) {
        int fl = ia_blockstore_flush(bs);
        if (!rc) rc = fl;
        if (!rc && o->pin) rc = ia_pin_add(bs, &e.cid, IA_PIN_RECURSIVE);
        ia__store_unlock(bs);
    }
    if (!rc) {
        if (fn) fn(user, nm, &f.cid, f.fsize);
        if (fn && o->wrap) fn(user, "", &e.cid, e.tsize);
        *root = e.cid;
    }
    imp_free(&im);
    return rc;
}
