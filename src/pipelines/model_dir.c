/* Model folder sources (include/ia/model_dir.h): one place that knows whether a model folder is a
 * file system folder or a directory in the content store, used by every text pipeline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ia/alloc.h"
#include "ia/model_dir.h"
#include "ia/store.h"
#include "store/store_internal.h"

struct ia_model_dir {
    int store;
    int bare;      /* store: `ref` is a file CID without a directory around it */
    char *name;    /* path of the folder, or its store reference (no prefix) */
    char *target;  /* the file `ref` named, relative to the folder; NULL for a folder */
    ia_blockstore *bs;
};

/* "ipfs://X" and "/ipfs/X" name X. */
static const char *strip_prefix(const char *ref) {
    if (!strncmp(ref, "ipfs://", 7)) return ref + 7;
    if (!strncmp(ref, "/ipfs/", 6)) return ref + 6;
    return ref;
}

static char *dup_trimmed(const char *s) {
    char *r = ia_strdup(s);
    if (!r) return NULL;
    size_t n = strlen(r);
    while (n > 1 && r[n - 1] == '/') r[--n] = 0;
    return r;
}

/* The message of a store read that failed, after `what` ("model folder X", a file's reference): a
 * missing block gets the hint how to add it. */
static int store_error(int rc, const char *what) {
    const char *msg = ia__prev_error();
    if (rc == IA_ERR_NOT_FOUND && strstr(msg, "not in the store"))
        return ia_set_error(rc, "%s: %s: add the model folder to the store first (ipfs-accelerate add -r DIR) "
                                "or import its CAR (ipfs-accelerate car import FILE.car)", what, msg);
    return ia_set_error(rc, "%s: %s", what, msg);
}

/* "model folder NAME" */
static int folder_error(int rc, const ia_model_dir *d) {
    char what[4200];
    snprintf(what, sizeof what, "model folder %s", d->name);
    return store_error(rc, what);
}

/* Whether the store's node at cid is a file: 1 file, 0 not a file (a directory), negative on a
 * missing or corrupted block. A raw block is a file by its codec: only its presence is checked
 * here (it is read and verified when the file is). */
static int store_is_file(ia_blockstore *bs, const ia_cid *cid) {
    if (cid->codec == IA_CODEC_RAW) {
        int has = ia_blockstore_has(bs, cid);
        if (has > 0) return 1;
        char cs[IA_CID_MAX_STRING];
        if (has < 0 || ia_cid_format(cid, 0, cs, sizeof cs)) return has < 0 ? has : ia_set_error(IA_ERR_PARSE, "unprintable CID");
        return ia_set_error(IA_ERR_NOT_FOUND, "block %s is not in the store", cs);
    }
    uint64_t sz = 0;
    int rc = ia_store_file_size(bs, cid, &sz);
    if (rc == IA_ERR_INVALID_ARG) return 0; /* "not a file": a directory, HAMT shard or symlink */
    return rc ? rc : 1;
}

int ia_model_dir_open(const char *ref, ia_model_dir **out) {
    *out = NULL;
    if (!ref || !*ref) return ia_set_error(IA_ERR_INVALID_ARG, "model folder: no path or CID given");
    ia_model_dir *d = ia_calloc(1, sizeof *d);
    if (!d) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    int rc = IA_OK;
    struct stat st;
    if (stat(ref, &st) == 0) {
        /* a file system path: a folder, or a file in its parent folder */
        if (!(d->name = dup_trimmed(ref))) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); goto fail; }
        if (!S_ISDIR(st.st_mode)) {
            char *slash = strrchr(d->name, '/');
            if (!slash) {
                d->target = d->name;
                d->name = ia_strdup(".");
            } else if (slash == d->name) {
                d->target = ia_strdup(slash + 1);
                d->name[1] = 0;
            } else {
                d->target = ia_strdup(slash + 1);
                *slash = 0;
            }
            if (!d->name || !d->target) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); goto fail; }
        }
        *out = d;
        return IA_OK;
    }
    int err = errno;
    const char *r = strip_prefix(ref);
    if (!ia_store_is_ref(r)) {
        rc = r != ref ? ia_set_error(IA_ERR_PARSE, "%s: not a CID after the ipfs prefix", ref)
                      : ia_set_error(IA_ERR_IO, "cannot open %s: %s", ref, strerror(err));
        goto fail;
    }
    d->store = 1;
    while (*r == '/') r++;
    if (!(d->name = dup_trimmed(r))) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); goto fail; }
    if ((rc = ia_blockstore_open(NULL, &d->bs))) goto fail;
    ia_cid cid;
    if ((rc = ia__store_lock(d->bs, 0))) goto fail;
    rc = ia_store_resolve(d->bs, d->name, &cid);
    int is_file = rc ? rc : store_is_file(d->bs, &cid);
    ia__store_unlock(d->bs);
    if (is_file < 0) { rc = folder_error(is_file, d); goto fail; }
    rc = IA_OK;
    if (is_file) {
        char *slash = strrchr(d->name, '/');
        if (slash) {
            *slash = 0;
            d->target = ia_strdup(slash + 1);
        } else {
            d->bare = 1;
            d->target = ia_strdup(d->name);
        }
        if (!d->target) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); goto fail; }
    }
    *out = d;
    return IA_OK;
fail:
    ia_model_dir_close(d);
    return rc;
}

void ia_model_dir_close(ia_model_dir *d) {
    if (!d) return;
    ia_blockstore_close(d->bs);
    ia_free(d->name);
    ia_free(d->target);
    ia_free(d);
}

const char *ia_model_dir_name(const ia_model_dir *d) { return d ? d->name : ""; }
int ia_model_dir_is_store(const ia_model_dir *d) { return d && d->store; }
const char *ia_model_dir_target(const ia_model_dir *d) { return d ? d->target : NULL; }

int ia_model_dir_path(const ia_model_dir *d, const char *rel, char *out, size_t cap) {
    int n;
    if (d->bare) n = snprintf(out, cap, "%s", d->name);
    else if (!strcmp(d->name, "/")) n = snprintf(out, cap, "/%s", rel);
    else n = snprintf(out, cap, "%s/%s", d->name, rel);
    if (n < 0 || (size_t)n >= cap) return ia_set_error(IA_ERR_LIMIT, "%s/%s: path too long", d->name, rel);
    return IA_OK;
}

/* Resolves rel in a store folder: 1 and *cid when it is a file, 0 when absent or not a file,
 * negative (message set) when a block is missing or corrupted. Holds the store lock. */
static int store_lookup(ia_model_dir *d, const char *rel, ia_cid *cid) {
    if (d->bare && strcmp(rel, d->target)) return 0; /* a lone file has no siblings */
    char ref[4096];
    int rc = ia_model_dir_path(d, rel, ref, sizeof ref);
    if (rc) return rc;
    if ((rc = ia__store_lock(d->bs, 0))) return rc;
    rc = ia_store_resolve(d->bs, ref, cid);
    if (rc == IA_ERR_NOT_FOUND && !strstr(ia_last_error(), "not in the store")) rc = 0; /* no such entry */
    else if (rc) rc = folder_error(rc, d);
    else {
        rc = store_is_file(d->bs, cid);
        if (rc < 0) rc = folder_error(rc, d);
    }
    ia__store_unlock(d->bs);
    return rc;
}

int ia_model_dir_has(ia_model_dir *d, const char *rel) {
    if (!d || !rel) return ia_set_error(IA_ERR_INVALID_ARG, "ia_model_dir_has: NULL argument");
    if (d->store) {
        ia_cid c;
        return store_lookup(d, rel, &c);
    }
    char p[4096];
    int rc = ia_model_dir_path(d, rel, p, sizeof p);
    if (rc) return rc;
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int ia_model_dir_find(ia_model_dir *d, const char *const *cands, size_t n, const char **found) {
    *found = NULL;
    for (size_t i = 0; i < n; i++) {
        int h = ia_model_dir_has(d, cands[i]);
        if (h < 0) return h;
        if (h) { *found = cands[i]; return IA_OK; }
    }
    return IA_ERR_NOT_FOUND;
}

typedef struct grow {
    char *p;
    size_t len, cap, max;
} grow;

static int put_bytes(void *user, const void *data, size_t len) {
    grow *g = user;
    if (len > g->max - g->len) return ia_set_error(IA_ERR_LIMIT, "larger than %zu bytes", g->max);
    if (len > g->cap - g->len) {
        size_t nc = g->cap;
        while (nc - g->len < len) nc = nc > g->max / 2 ? g->max : nc * 2;
        char *np = ia_realloc(g->p, nc + 1);
        if (!np) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        g->p = np;
        g->cap = nc;
    }
    memcpy(g->p + g->len, data, len);
    g->len += len;
    return 0;
}

int ia_model_dir_read(ia_model_dir *d, const char *rel, size_t max, char **data, size_t *len) {
    *data = NULL;
    *len = 0;
    if (!d || !rel) return ia_set_error(IA_ERR_INVALID_ARG, "ia_model_dir_read: NULL argument");
    char p[4096];
    int rc = ia_model_dir_path(d, rel, p, sizeof p);
    if (rc) return rc;
    if (d->store) {
        ia_cid cid;
        int h = store_lookup(d, rel, &cid);
        if (h < 0) return h;
        if (!h) return ia_set_error(IA_ERR_NOT_FOUND, "%s: no %s", d->name, rel);
        /* read through the file's blocks (each verified) into a buffer grown as they come, so that
         * a file whose recorded size lies cannot make us allocate more than max */
        grow g = {ia_malloc(4097), 0, 4096, max};
        if (!g.p) return ia_set_error(IA_ERR_NOMEM, "%s: out of memory", p);
        if ((rc = ia__store_lock(d->bs, 0))) { ia_free(g.p); return rc; }
        rc = ia_store_cat(d->bs, &cid, 0, UINT64_MAX, put_bytes, &g);
        ia__store_unlock(d->bs);
        if (rc) {
            rc = store_error(rc, p);
            ia_free(g.p);
            return rc;
        }
        g.p[g.len] = 0;
        *data = g.p;
        *len = g.len;
        return IA_OK;
    }
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) return ia_set_error(IA_ERR_NOT_FOUND, "%s: no %s", d->name, rel);
    if ((uint64_t)st.st_size > max) return ia_set_error(IA_ERR_LIMIT, "%s: larger than %zu bytes", p, max);
    FILE *f = fopen(p, "rb");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot open %s: %s", p, strerror(errno));
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *b = ia_malloc(cap + 1);
    if (!b) { fclose(f); return ia_set_error(IA_ERR_NOMEM, "%s: out of memory", p); }
    /* read to the end (the file may have grown since stat); one byte of room shows that it did */
    size_t r;
    while (n < cap && (r = fread(b + n, 1, cap - n, f)) > 0) n += r;
    int bad = ferror(f);
    fclose(f);
    if (bad) { ia_free(b); return ia_set_error(IA_ERR_IO, "cannot read %s", p); }
    if (n > max) { ia_free(b); return ia_set_error(IA_ERR_LIMIT, "%s: larger than %zu bytes", p, max); }
    b[n] = 0;
    *data = b;
    *len = n;
    return IA_OK;
}

int ia_model_dir_load_model(ia_model_dir *d, const char *rel, ia_model **out) {
    *out = NULL;
    if (!d || !rel) return ia_set_error(IA_ERR_INVALID_ARG, "ia_model_dir_load_model: NULL argument");
    char p[4096];
    int rc = ia_model_dir_path(d, rel, p, sizeof p);
    if (rc) return rc;
    return d->store ? ia_store_model_load(d->bs, p, out) : ia_model_load(p, out);
}

int ia_model_dir_session(ia_model_dir *d, const char *rel, const ia_session_options *opts, ia_session **out) {
    *out = NULL;
    ia_model *m;
    int rc = ia_model_dir_load_model(d, rel, &m);
    if (rc) return rc;
    return ia_session_create_from_model(m, opts, out);
}

int ia_model_file_resolve(const char *ref, const char *const *cands, size_t n, char *out, size_t cap, int *is_folder) {
    ia_model_dir *d;
    int rc = ia_model_dir_open(ref, &d);
    if (rc) return rc;
    const char *rel = ia_model_dir_target(d);
    if (is_folder) *is_folder = rel == NULL;
    if (!rel) {
        rc = ia_model_dir_find(d, cands, n, &rel);
        if (rc == IA_ERR_NOT_FOUND) {
            char list[1024];
            size_t o = 0;
            list[0] = 0;
            for (size_t i = 0; i < n && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", cands[i]);
            rc = ia_set_error(rc, "%s: no %s", ia_model_dir_name(d), list);
        }
    }
    if (!rc) rc = ia_model_dir_path(d, rel, out, cap);
    ia_model_dir_close(d);
    return rc;
}

int ia_model_session_create(const char *path_or_ref, const ia_session_options *opts, ia_session **out) {
    *out = NULL;
    if (!path_or_ref) return ia_set_error(IA_ERR_INVALID_ARG, "no model given");
    struct stat st;
    if (stat(path_or_ref, &st) == 0) return ia_session_create(path_or_ref, opts, out);
    const char *r = strip_prefix(path_or_ref);
    if (!ia_store_is_ref(r)) {
        if (r != path_or_ref) return ia_set_error(IA_ERR_PARSE, "%s: not a CID after the ipfs prefix", path_or_ref);
        return ia_session_create(path_or_ref, opts, out); /* the loader says what is wrong */
    }
    ia_model *m;
    int rc = ia_store_model_load(NULL, r, &m);
    if (rc) return rc;
    return ia_session_create_from_model(m, opts, out);
}
