/* Pins (root/pins: one "recursive CID" or "direct CID" line each, rewritten atomically), garbage
 * collection under the store's exclusive lock, and verification of stored blocks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "store/store_internal.h"

int ia__blockstore_block_path(ia_blockstore *bs, const ia_cid *cid, char *path, size_t cap);

typedef struct pin { ia_cid cid; int kind; } pin;
typedef struct pinset { pin *p; size_t n, cap; } pinset;

static int pins_path(ia_blockstore *bs, char *out, size_t cap, const char *suffix) {
    if (snprintf(out, cap, "%s/pins%s", ia_blockstore_root(bs), suffix) >= (int)cap) return ia_set_error(IA_ERR_LIMIT, "path too long");
    return IA_OK;
}

static int pins_load(ia_blockstore *bs, pinset *s) {
    char path[PATH_MAX];
    memset(s, 0, sizeof *s);
    int rc = pins_path(bs, path, sizeof path, "");
    if (rc) return rc;
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? IA_OK : ia_set_error(IA_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char kind[16], cs[400];
        if (sscanf(line, "%15s %399s", kind, cs) != 2) continue;
        ia_cid c;
        if (ia_cid_parse(cs, &c)) continue;
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 16;
            pin *np = ia_realloc(s->p, nc * sizeof *np);
            if (!np) { fclose(f); ia_free(s->p); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
            s->p = np;
            s->cap = nc;
        }
        s->p[s->n].cid = c;
        s->p[s->n].kind = !strcmp(kind, "direct") ? IA_PIN_DIRECT : IA_PIN_RECURSIVE;
        s->n++;
    }
    fclose(f);
    return IA_OK;
}

static int pins_save(ia_blockstore *bs, const pinset *s) {
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc = pins_path(bs, path, sizeof path, "");
    if (!rc) rc = pins_path(bs, tmp, sizeof tmp, ".tmp");
    if (rc) return rc;
    FILE *f = fopen(tmp, "w");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    for (size_t i = 0; i < s->n; i++) {
        char cs[IA_CID_MAX_STRING];
        if (ia_cid_format(&s->p[i].cid, 0, cs, sizeof cs)) continue;
        fprintf(f, "%s %s\n", s->p[i].kind == IA_PIN_DIRECT ? "direct" : "recursive", cs);
    }
    int bad = fflush(f) || fsync(fileno(f));
    if (fclose(f) || bad || rename(tmp, path)) {
        unlink(tmp);
        return ia_set_error(IA_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return IA_OK;
}

/* Pin-file updates are serialised by their own lock, independent of the store lock. */
static int pins_lock(ia_blockstore *bs) {
    char path[PATH_MAX];
    int rc = pins_path(bs, path, sizeof path, ".lock");
    if (rc) return rc;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX)) {
        if (errno != EINTR) { close(fd); return ia_set_error(IA_ERR_IO, "cannot lock %s", path); }
    }
    return fd;
}

static int modify(ia_blockstore *bs, const ia_cid *cid, int kind) {
    int lfd = pins_lock(bs);
    if (lfd < 0) return lfd;
    pinset s;
    int rc = pins_load(bs, &s), found = 0;
    for (size_t i = 0; !rc && i < s.n; i++) {
        if (!ia_cid_equal(&s.p[i].cid, cid)) continue;
        found = 1;
        if (kind) s.p[i].kind = s.p[i].kind > kind ? s.p[i].kind : kind;
        else { s.p[i] = s.p[s.n - 1]; s.n--; i--; }
    }
    if (!rc && !found && !kind) {
        char cs[IA_CID_MAX_STRING];
        if (ia_cid_format(cid, 0, cs, sizeof cs)) cs[0] = 0;
        rc = ia_set_error(IA_ERR_NOT_FOUND, "%s is not pinned", cs);
    }
    if (!rc && !found && kind) {
        pin *np = s.n == s.cap ? ia_realloc(s.p, (s.cap + 1) * sizeof *np) : s.p;
        if (!np) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        else {
            s.p = np;
            if (s.n == s.cap) s.cap++;
            s.p[s.n].cid = *cid;
            s.p[s.n].kind = kind;
            s.n++;
        }
    }
    if (!rc) rc = pins_save(bs, &s);
    ia_free(s.p);
    close(lfd);
    return rc;
}

int ia_pin_add(ia_blockstore *bs, const ia_cid *cid, int kind) {
    if (kind != IA_PIN_DIRECT && kind != IA_PIN_RECURSIVE) return ia_set_error(IA_ERR_INVALID_ARG, "bad pin kind");
    return modify(bs, cid, kind);
}

int ia_pin_rm(ia_blockstore *bs, const ia_cid *cid) { return modify(bs, cid, 0); }

int ia_pin_ls(ia_blockstore *bs, int (*fn)(void *user, const ia_cid *cid, int kind), void *user) {
    pinset s;
    int rc = pins_load(bs, &s);
    for (size_t i = 0; !rc && i < s.n; i++) rc = fn(user, &s.p[i].cid, s.p[i].kind);
    ia_free(s.p);
    return rc;
}

/* ---- gc ---- */

static void mh_key(const ia_cid *c, ia_cid *k) {
    *k = *c;
    k->version = 1;
    k->codec = IA_CODEC_RAW;
}

static int keep_block(void *user, const ia_cid *cid, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    ia_cid k;
    mh_key(cid, &k);
    int r = ia__cidset_add(user, &k);
    return r < 0 ? r : IA_OK;
}

typedef struct gc_ctx {
    ia_blockstore *bs;
    ia__cidset *keep;
    ia_cid *del;
    size_t ndel, cap;
    uint64_t bytes;
} gc_ctx;

static int gc_visit(void *user, const ia_cid *c, uint64_t size) {
    gc_ctx *g = user;
    if (ia__cidset_has(g->keep, c)) return 0;
    if (g->ndel == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 256;
        ia_cid *nd = ia_realloc(g->del, nc * sizeof *nd);
        if (!nd) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        g->del = nd;
        g->cap = nc;
    }
    g->del[g->ndel++] = *c;
    g->bytes += size;
    return 0;
}

int ia_store_gc(ia_blockstore *bs, uint64_t *removed_blocks, uint64_t *removed_bytes) {
    int rc = ia__store_lock(bs, 1); /* no add or import runs while we decide */
    if (rc) return rc;
    pinset s;
    ia__cidset keep = {0};
    rc = pins_load(bs, &s);
    for (size_t i = 0; !rc && i < s.n; i++) {
        if (s.p[i].kind == IA_PIN_RECURSIVE) rc = ia_dag_walk(bs, &s.p[i].cid, 1, keep_block, &keep);
        else rc = keep_block(&keep, &s.p[i].cid, NULL, 0);
    }
    gc_ctx g = {bs, &keep, NULL, 0, 0, 0};
    if (!rc) rc = ia_blockstore_foreach(bs, gc_visit, &g);
    for (size_t i = 0; !rc && i < g.ndel; i++) rc = ia_blockstore_delete(bs, &g.del[i]);
    /* no add or import holds the lock now: temporaries of killed ones are stale */
    if (!rc) rc = ia_blockstore_clean_temp(bs, NULL);
    if (removed_blocks) *removed_blocks = rc ? 0 : g.ndel;
    if (removed_bytes) *removed_bytes = rc ? 0 : g.bytes;
    ia_free(g.del);
    ia_free(s.p);
    ia__cidset_free(&keep);
    ia__store_unlock(bs);
    return rc;
}

/* ---- verify ---- */

typedef struct ver_ctx {
    ia_blockstore *bs;
    void (*fn)(void *, const char *, const char *);
    void *user;
    uint64_t checked, bad;
} ver_ctx;

static void report(ver_ctx *v, const ia_cid *c, const char *what) {
    char cs[IA_CID_MAX_STRING], path[PATH_MAX];
    if (ia_cid_format(c, 0, cs, sizeof cs)) cs[0] = 0;
    if (ia__blockstore_block_path(v->bs, c, path, sizeof path)) path[0] = 0;
    char msg[PATH_MAX + 128];
    snprintf(msg, sizeof msg, "%s (%s)", what, path);
    v->bad++;
    if (v->fn) v->fn(v->user, cs, msg);
}

static int ver_block(void *user, const ia_cid *c, uint64_t size) {
    ver_ctx *v = user;
    (void)size;
    uint8_t *d;
    size_t n;
    v->checked++;
    int rc = ia_blockstore_get(v->bs, c, &d, &n);
    if (rc == IA_OK) ia_free(d);
    else if (rc == IA_ERR_PARSE) report(v, c, "bytes do not hash to the CID");
    else return rc;
    return IA_OK;
}

static int ver_walk(ver_ctx *v, const ia_cid *c, ia__cidset *seen, int depth) {
    if (depth > 1024) return ia_set_error(IA_ERR_LIMIT, "DAG deeper than 1024 levels");
    int r = ia__cidset_add(seen, c);
    if (r <= 0) return r;
    uint8_t *d;
    size_t n;
    v->checked++;
    int rc = ia_blockstore_get(v->bs, c, &d, &n);
    if (rc == IA_ERR_PARSE) { report(v, c, "bytes do not hash to the CID"); return IA_OK; }
    if (rc == IA_ERR_NOT_FOUND) { report(v, c, "block missing"); return IA_OK; }
    if (rc) return rc;
    if (c->codec == IA_CODEC_DAG_PB) {
        ia_pb_node pb;
        if (ia_dagpb_decode(d, n, &pb)) report(v, c, "not valid dag-pb");
        else {
            for (size_t i = 0; !rc && i < pb.nlinks; i++) rc = ver_walk(v, &pb.links[i].cid, seen, depth + 1);
            ia_free(pb.links);
        }
    }
    ia_free(d);
    return rc;
}

int ia_store_verify(ia_blockstore *bs, const ia_cid *root, void (*fn)(void *user, const char *key, const char *what),
                    void *user, uint64_t *checked) {
    ver_ctx v = {bs, fn, user, 0, 0};
    int rc;
    if (root) {
        ia__cidset seen = {0};
        rc = ver_walk(&v, root, &seen, 0);
        ia__cidset_free(&seen);
    } else {
        rc = ia_blockstore_foreach(bs, ver_block, &v);
    }
    if (checked) *checked = v.checked;
    if (!rc && v.bad) return ia_set_error(IA_ERR_PARSE, "%llu corrupted or missing blocks", (unsigned long long)v.bad);
    return rc;
}
