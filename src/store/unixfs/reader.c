/* Reading UnixFS back from the blockstore: path resolution (plain and HAMT directories), ranged
 * cat that touches only the blocks holding the range, ls, get (refusing escaping names), and a
 * depth-first DAG walk used by CAR export, pins and gc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store_internal.h"

typedef struct node {
    uint8_t *raw;
    size_t len;
    ia_pb_node pb;
    ia_unixfs u;
    int is_raw;
} node;

static void node_free(node *n) {
    ia_free(n->raw);
    ia_free(n->pb.links);
    ia_free(n->u.blocksizes);
    memset(n, 0, sizeof *n);
}

static int node_load(ia_blockstore *bs, const ia_cid *cid, node *n) {
    memset(n, 0, sizeof *n);
    int rc = ia_blockstore_get(bs, cid, &n->raw, &n->len);
    if (rc) return rc;
    if (cid->codec == IA_CODEC_RAW) {
        n->is_raw = 1;
        n->u.type = IA_UNIXFS_RAW;
        return IA_OK;
    }
    if (cid->codec != IA_CODEC_DAG_PB) {
        node_free(n);
        return ia_set_error(IA_ERR_UNSUPPORTED, "codec %s is not UnixFS", ia_codec_name(cid->codec));
    }
    char cs[IA_CID_MAX_STRING];
    if (ia_cid_format(cid, 0, cs, sizeof cs)) cs[0] = 0;
    if ((rc = ia_dagpb_decode(n->raw, n->len, &n->pb))) {
        rc = ia_set_error(rc, "block %s: %s", cs, ia__prev_error());
        node_free(n);
        return rc;
    }
    if (!n->pb.has_data) { node_free(n); return ia_set_error(IA_ERR_PARSE, "block %s: dag-pb node without UnixFS data", cs); }
    if ((rc = ia_unixfs_decode(n->pb.data, n->pb.data_len, &n->u))) {
        rc = ia_set_error(rc, "block %s: %s", cs, ia__prev_error());
        node_free(n);
        return rc;
    }
    return IA_OK;
}

/* HAMT lookup of `name` under shard node n (consumed). */
static int hamt_find(ia_blockstore *bs, node *n, const char *name, size_t nlen, ia_cid *out) {
    int bits = n->u.has_fanout ? ia__hamt_bits(n->u.fanout) : -1;
    if (bits < 0 || !n->u.has_hash_type || n->u.hash_type != IA_MH_MURMUR3_X64_64) {
        node_free(n);
        return ia_set_error(IA_ERR_UNSUPPORTED, "HAMT shard with unsupported fanout or hash");
    }
    int padw = bits <= 4 ? 1 : 2;
    uint64_t h = ia_murmur3_x64_64(name, nlen);
    for (int depth = 0; (depth + 1) * bits <= 64; depth++) {
        unsigned idx = (unsigned)((h >> (64 - (depth + 1) * bits)) & ((1u << bits) - 1));
        char pre[3];
        snprintf(pre, sizeof pre, padw == 2 ? "%02X" : "%X", idx);
        int found = 0;
        for (size_t i = 0; i < n->pb.nlinks; i++) {
            ia_pb_link *l = &n->pb.links[i];
            if (l->name_len < (size_t)padw || memcmp(l->name, pre, (size_t)padw)) continue;
            if (l->name_len == (size_t)padw) { /* sub-shard */
                ia_cid c = l->cid;
                node_free(n);
                int rc = node_load(bs, &c, n);
                if (rc) return rc;
                if (n->u.type != IA_UNIXFS_HAMT) { node_free(n); return ia_set_error(IA_ERR_PARSE, "HAMT child is not a shard"); }
                found = 1;
                break;
            }
            if (l->name_len - (size_t)padw == nlen && !memcmp(l->name + padw, name, nlen)) {
                *out = l->cid;
                node_free(n);
                return IA_OK;
            }
        }
        if (!found) break;
    }
    node_free(n);
    return ia_set_error(IA_ERR_NOT_FOUND, "no entry named '%.*s'", (int)nlen, name);
}

int ia_store_resolve(ia_blockstore *bs, const char *path, ia_cid *out) {
    if (!strncmp(path, "/ipfs/", 6)) path += 6;
    const char *slash = strchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : strlen(path);
    char first[IA_CID_MAX_STRING];
    if (n >= sizeof first) return ia_set_error(IA_ERR_PARSE, "'%.40s...' is not a CID", path);
    memcpy(first, path, n);
    first[n] = 0;
    ia_cid cur;
    int rc = ia_cid_parse(first, &cur);
    if (rc) return rc;
    const char *p = slash;
    while (p && *p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        node nd;
        if ((rc = node_load(bs, &cur, &nd))) return rc;
        if (nd.u.type == IA_UNIXFS_HAMT) {
            if ((rc = hamt_find(bs, &nd, p, len, &cur))) return rc;
        } else if (nd.u.type == IA_UNIXFS_DIRECTORY) {
            int found = 0;
            for (size_t i = 0; i < nd.pb.nlinks; i++)
                if (nd.pb.links[i].name_len == len && !memcmp(nd.pb.links[i].name, p, len)) {
                    cur = nd.pb.links[i].cid;
                    found = 1;
                    break;
                }
            node_free(&nd);
            if (!found) return ia_set_error(IA_ERR_NOT_FOUND, "no entry named '%.*s' in %s", (int)len, p, first);
        } else {
            node_free(&nd);
            return ia_set_error(IA_ERR_NOT_FOUND, "'%.*s': the path goes through a file", (int)len, p);
        }
        p = e;
    }
    *out = cur;
    return IA_OK;
}

static int file_size_of(const node *n, uint64_t *size) {
    if (n->is_raw) { *size = n->len; return IA_OK; }
    if (n->u.type == IA_UNIXFS_RAW) { *size = n->u.data_len; return IA_OK; }
    if (n->u.type != IA_UNIXFS_FILE) return ia_set_error(IA_ERR_INVALID_ARG, "not a file (UnixFS type %d)", n->u.type);
    if (n->u.has_filesize) { *size = n->u.filesize; return IA_OK; }
    uint64_t s = n->u.data_len;
    for (size_t i = 0; i < n->u.nblocksizes; i++) s += n->u.blocksizes[i];
    *size = s;
    return IA_OK;
}

int ia_store_file_size(ia_blockstore *bs, const ia_cid *cid, uint64_t *size) {
    node n;
    int rc = node_load(bs, cid, &n);
    if (rc) return rc;
    rc = file_size_of(&n, size);
    node_free(&n);
    return rc;
}

typedef int (*write_fn)(void *user, const void *data, size_t len);

/* Emits bytes [off, off+len) of the file rooted at cid, where the node covers file bytes
 * from 0. Depth is bounded to stop cycles built by hostile blocks. */
static int cat_rec(ia_blockstore *bs, const ia_cid *cid, uint64_t off, uint64_t len, write_fn fn, void *user, int depth) {
    if (depth > 64) return ia_set_error(IA_ERR_LIMIT, "file DAG deeper than 64 levels");
    node n;
    int rc = node_load(bs, cid, &n);
    if (rc) return rc;
    const uint8_t *data = n.is_raw ? n.raw : n.u.data;
    size_t dlen = n.is_raw ? n.len : n.u.data_len;
    if (!n.is_raw && n.u.type != IA_UNIXFS_FILE && n.u.type != IA_UNIXFS_RAW) {
        node_free(&n);
        return ia_set_error(IA_ERR_INVALID_ARG, "not a file (UnixFS type %d)", n.u.type);
    }
    if (!n.is_raw && n.u.nblocksizes != n.pb.nlinks) {
        node_free(&n);
        return ia_set_error(IA_ERR_PARSE, "file node with %zu links but %zu blocksizes", n.pb.nlinks, n.u.nblocksizes);
    }
    /* inline data comes first */
    if (off < dlen && len) {
        uint64_t take = dlen - off < len ? dlen - off : len;
        if ((rc = fn(user, data + off, (size_t)take))) { node_free(&n); return rc; }
        len -= take;
        off = 0;
    } else {
        off -= off < dlen ? off : dlen;
    }
    for (size_t i = 0; !n.is_raw && i < n.pb.nlinks && len && !rc; i++) {
        uint64_t bsz = n.u.blocksizes[i];
        if (off >= bsz) { off -= bsz; continue; }
        uint64_t take = bsz - off < len ? bsz - off : len;
        rc = cat_rec(bs, &n.pb.links[i].cid, off, take, fn, user, depth + 1);
        len -= take;
        off = 0;
    }
    node_free(&n);
    return rc;
}

int ia_store_cat(ia_blockstore *bs, const ia_cid *cid, uint64_t offset, uint64_t length, write_fn fn, void *user) {
    uint64_t size;
    int rc = ia_store_file_size(bs, cid, &size);
    if (rc) return rc;
    if (offset >= size) return IA_OK;
    if (length > size - offset) length = size - offset;
    return cat_rec(bs, cid, offset, length, fn, user, 0);
}

static int entry_type(ia_blockstore *bs, const ia_cid *cid) {
    if (cid->codec == IA_CODEC_RAW) return IA_ENTRY_FILE;
    if (!ia_blockstore_has(bs, cid)) return IA_ENTRY_OTHER;
    node n;
    if (node_load(bs, cid, &n)) return IA_ENTRY_OTHER;
    int t = n.u.type == IA_UNIXFS_DIRECTORY || n.u.type == IA_UNIXFS_HAMT ? IA_ENTRY_DIR
          : n.u.type == IA_UNIXFS_SYMLINK ? IA_ENTRY_SYMLINK
          : n.u.type == IA_UNIXFS_FILE || n.u.type == IA_UNIXFS_RAW ? IA_ENTRY_FILE : IA_ENTRY_OTHER;
    node_free(&n);
    return t;
}

typedef int (*ls_fn)(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type);

static int ls_rec(ia_blockstore *bs, node *n, ls_fn fn, void *user, int depth) {
    int hamt = n->u.type == IA_UNIXFS_HAMT;
    int padw = 0;
    if (hamt) {
        int bits = n->u.has_fanout ? ia__hamt_bits(n->u.fanout) : -1;
        if (bits < 0) return ia_set_error(IA_ERR_UNSUPPORTED, "HAMT shard with unsupported fanout");
        padw = bits <= 4 ? 1 : 2;
        if (depth > 64) return ia_set_error(IA_ERR_LIMIT, "HAMT deeper than 64 levels");
    }
    int rc = IA_OK;
    for (size_t i = 0; i < n->pb.nlinks && !rc; i++) {
        ia_pb_link *l = &n->pb.links[i];
        if (hamt && l->name_len == (size_t)padw) {
            node sub;
            if ((rc = node_load(bs, &l->cid, &sub))) return rc;
            if (sub.u.type != IA_UNIXFS_HAMT) rc = ia_set_error(IA_ERR_PARSE, "HAMT child is not a shard");
            else rc = ls_rec(bs, &sub, fn, user, depth + 1);
            node_free(&sub);
            continue;
        }
        if (hamt && l->name_len < (size_t)padw) return ia_set_error(IA_ERR_PARSE, "HAMT link name too short");
        size_t nl = l->name_len - (size_t)padw;
        if (nl && memchr(l->name + padw, 0, nl)) return ia_set_error(IA_ERR_PARSE, "directory entry name contains a NUL byte");
        char *name = ia_malloc(nl + 1);
        if (!name) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        if (nl) memcpy(name, l->name + padw, nl);
        name[nl] = 0;
        rc = fn(user, name, &l->cid, l->tsize, entry_type(bs, &l->cid));
        ia_free(name);
    }
    return rc;
}

int ia_store_ls(ia_blockstore *bs, const ia_cid *cid, ls_fn fn, void *user) {
    node n;
    int rc = node_load(bs, cid, &n);
    if (rc) return rc;
    if (n.u.type != IA_UNIXFS_DIRECTORY && n.u.type != IA_UNIXFS_HAMT) {
        node_free(&n);
        return ia_set_error(IA_ERR_INVALID_ARG, "not a directory");
    }
    rc = ls_rec(bs, &n, fn, user, 0);
    node_free(&n);
    return rc;
}

/* ---- get ---- */

static int fd_write(void *user, const void *data, size_t len) {
    int fd = *(int *)user;
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return ia_set_error(IA_ERR_IO, "write failed: %s", strerror(errno));
        p += w;
        len -= (size_t)w;
    }
    return IA_OK;
}

static int safe_name(const char *name) {
    return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

typedef struct get_ctx {
    ia_blockstore *bs;
    const char *dir;
    int depth;
    int rc;
} get_ctx;

static int get_rec(ia_blockstore *bs, const ia_cid *cid, const char *out, int depth);

static int get_entry(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type) {
    get_ctx *g = user;
    (void)tsize;
    (void)type;
    /* names come from untrusted blocks: never let one leave the target directory */
    if (!safe_name(name)) return ia_set_error(IA_ERR_PARSE, "refusing entry name '%s': it would escape the target", name);
    size_t n = strlen(g->dir) + strlen(name) + 2;
    char *p = ia_malloc(n);
    if (!p) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    snprintf(p, n, "%s/%s", g->dir, name);
    int rc = get_rec(g->bs, cid, p, g->depth + 1);
    ia_free(p);
    return rc;
}

static int ls_raw_names(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type);

static int get_rec(ia_blockstore *bs, const ia_cid *cid, const char *out, int depth) {
    if (depth > 256) return ia_set_error(IA_ERR_LIMIT, "directory tree deeper than 256 levels");
    node n;
    int rc = node_load(bs, cid, &n);
    if (rc) return rc;
    if (n.u.type == IA_UNIXFS_DIRECTORY || n.u.type == IA_UNIXFS_HAMT) {
        if (mkdir(out, 0755)) {
            rc = ia_set_error(IA_ERR_IO, "cannot create %s: %s", out, strerror(errno));
        } else {
            get_ctx g = {bs, out, depth, 0};
            /* a NUL inside a link name would shorten the C string: check names first */
            rc = ls_rec(bs, &n, ls_raw_names, NULL, 0);
            if (!rc) rc = ls_rec(bs, &n, get_entry, &g, 0);
        }
    } else if (n.u.type == IA_UNIXFS_SYMLINK) {
        char *t = ia_strndup((const char *)n.u.data, n.u.data_len);
        if (!t) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        else if (strlen(t) != n.u.data_len) rc = ia_set_error(IA_ERR_PARSE, "symlink target contains NUL");
        else if (symlink(t, out)) rc = ia_set_error(IA_ERR_IO, "cannot create symlink %s: %s", out, strerror(errno));
        ia_free(t);
    } else {
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) rc = ia_set_error(IA_ERR_IO, "cannot create %s: %s", out, strerror(errno));
        else {
            rc = ia_store_cat(bs, cid, 0, UINT64_MAX, fd_write, &fd);
            if (close(fd) && !rc) rc = ia_set_error(IA_ERR_IO, "closing %s failed: %s", out, strerror(errno));
        }
    }
    node_free(&n);
    return rc;
}

static int ls_raw_names(void *user, const char *name, const ia_cid *cid, uint64_t tsize, int type) {
    (void)user; (void)cid; (void)tsize; (void)type;
    return safe_name(name) ? IA_OK : ia_set_error(IA_ERR_PARSE, "refusing entry name '%s': it would escape the target", name);
}

int ia_store_get(ia_blockstore *bs, const ia_cid *cid, const char *out_path) {
    struct stat st;
    if (!lstat(out_path, &st)) return ia_set_error(IA_ERR_IO, "%s already exists", out_path);
    return get_rec(bs, cid, out_path, 0);
}

/* ---- DAG walk ---- */

typedef int (*walk_fn)(void *user, const ia_cid *cid, const uint8_t *data, size_t len);

static int walk_rec(ia_blockstore *bs, const ia_cid *cid, int missing_ok, walk_fn fn, void *user, ia__cidset *seen, int depth) {
    if (depth > 1024) return ia_set_error(IA_ERR_LIMIT, "DAG deeper than 1024 levels");
    int r = ia__cidset_add(seen, cid);
    if (r <= 0) return r;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = ia_blockstore_get(bs, cid, &data, &len);
    if (rc == IA_ERR_NOT_FOUND && missing_ok) return fn(user, cid, NULL, 0);
    if (rc) return rc;
    if ((rc = fn(user, cid, data, len))) { ia_free(data); return rc; }
    if (cid->codec == IA_CODEC_DAG_PB) {
        ia_pb_node pb;
        if ((rc = ia_dagpb_decode(data, len, &pb))) { ia_free(data); return rc; }
        for (size_t i = 0; i < pb.nlinks && !rc; i++) rc = walk_rec(bs, &pb.links[i].cid, missing_ok, fn, user, seen, depth + 1);
        ia_free(pb.links);
    }
    ia_free(data);
    return rc;
}

int ia_dag_walk(ia_blockstore *bs, const ia_cid *root, int missing_ok, walk_fn fn, void *user) {
    ia__cidset seen = {0};
    int rc = walk_rec(bs, root, missing_ok, fn, user, &seen, 0);
    ia__cidset_free(&seen);
    return rc;
}
