/* CAR archives: CARv1 (dag-cbor header + sections) and CARv2 (pragma, header, CARv1 payload,
 * MultihashIndexSorted index): export in DFS order without duplicates, verified import
 * (all-or-nothing), inspect, and a bounds-checked reader over untrusted bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store_internal.h"

#define CAR_MAX_SECTION (16u << 20)
#define CAR_MAX_HEADER (1u << 20)
#define CAR_MAX_ROOTS 1024

static const uint8_t CARV2_PRAGMA[11] = {0x0a, 0xa1, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x02};

/* ---- minimal dag-cbor for the header ---- */

static int cbor_head(ia__buf *b, uint8_t major, uint64_t v) {
    uint8_t t[9];
    size_t n;
    if (v < 24) { t[0] = (uint8_t)(major << 5 | v); n = 1; }
    else if (v < 256) { t[0] = (uint8_t)(major << 5 | 24); t[1] = (uint8_t)v; n = 2; }
    else if (v < 65536) { t[0] = (uint8_t)(major << 5 | 25); t[1] = (uint8_t)(v >> 8); t[2] = (uint8_t)v; n = 3; }
    else { t[0] = (uint8_t)(major << 5 | 26); for (int i = 0; i < 4; i++) t[1 + i] = (uint8_t)(v >> (24 - 8 * i)); n = 5; }
    return ia__buf_put(b, t, n);
}

static int car_header(ia__buf *b, const ia_cid *roots, size_t nroots) {
    ia__buf h = {0};
    int rc = cbor_head(&h, 5, 2);
    if (!rc) rc = cbor_head(&h, 3, 5);
    if (!rc) rc = ia__buf_put(&h, "roots", 5);
    if (!rc) rc = cbor_head(&h, 4, nroots);
    for (size_t i = 0; i < nroots && !rc; i++) {
        uint8_t c[IA_CID_MAX_BYTES + 1];
        size_t n;
        c[0] = 0; /* identity multibase prefix, as dag-cbor's tag 42 requires */
        if ((rc = ia_cid_encode(&roots[i], c + 1, sizeof c - 1, &n))) break;
        uint8_t tag[2] = {0xd8, 42};
        rc = ia__buf_put(&h, tag, 2);
        if (!rc) rc = cbor_head(&h, 2, n + 1);
        if (!rc) rc = ia__buf_put(&h, c, n + 1);
    }
    if (!rc) rc = cbor_head(&h, 3, 7);
    if (!rc) rc = ia__buf_put(&h, "version", 7);
    if (!rc) rc = cbor_head(&h, 0, 1);
    if (!rc) rc = ia__buf_varint(b, h.len);
    if (!rc) rc = ia__buf_put(b, h.p, h.len);
    ia__buf_free(&h);
    return rc;
}

typedef struct cbor_rd { const uint8_t *p; size_t len, off; } cbor_rd;

static int cbor_read_head(cbor_rd *r, uint8_t *major, uint64_t *v) {
    if (r->off >= r->len) return ia_set_error(IA_ERR_PARSE, "CAR header: truncated CBOR");
    uint8_t b = r->p[r->off++];
    *major = b >> 5;
    uint8_t info = b & 31;
    if (info < 24) { *v = info; return IA_OK; }
    size_t n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (!n) return ia_set_error(IA_ERR_PARSE, "CAR header: unsupported CBOR item (indefinite length or reserved)");
    if (r->len - r->off < n) return ia_set_error(IA_ERR_PARSE, "CAR header: truncated CBOR");
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) x = x << 8 | r->p[r->off++];
    *v = x;
    return IA_OK;
}

/* Parses {roots:[CID...], version:N} (keys in either order); roots may be absent for v2's pragma. */
static int parse_header(const uint8_t *p, size_t len, uint64_t *version, ia_cid *roots, size_t *nroots) {
    cbor_rd r = {p, len, 0};
    uint8_t mj;
    uint64_t n, v;
    int rc = cbor_read_head(&r, &mj, &n);
    if (rc) return rc;
    if (mj != 5 || n > 8) return ia_set_error(IA_ERR_PARSE, "CAR header is not a small CBOR map");
    *version = 0;
    *nroots = 0;
    int have_version = 0;
    for (uint64_t i = 0; i < n; i++) {
        if ((rc = cbor_read_head(&r, &mj, &v))) return rc;
        if (mj != 3 || v > len - r.off) return ia_set_error(IA_ERR_PARSE, "CAR header: map key is not a string");
        const uint8_t *key = p + r.off;
        size_t klen = (size_t)v;
        r.off += klen;
        if (klen == 7 && !memcmp(key, "version", 7)) {
            if ((rc = cbor_read_head(&r, &mj, version))) return rc;
            if (mj != 0) return ia_set_error(IA_ERR_PARSE, "CAR header: version is not an integer");
            have_version = 1;
        } else if (klen == 5 && !memcmp(key, "roots", 5)) {
            uint64_t cnt;
            if ((rc = cbor_read_head(&r, &mj, &cnt))) return rc;
            if (mj != 4) return ia_set_error(IA_ERR_PARSE, "CAR header: roots is not an array");
            if (cnt > CAR_MAX_ROOTS) return ia_set_error(IA_ERR_LIMIT, "CAR header: more than %d roots", CAR_MAX_ROOTS);
            for (uint64_t k = 0; k < cnt; k++) {
                if ((rc = cbor_read_head(&r, &mj, &v))) return rc;
                if (mj != 6 || v != 42) return ia_set_error(IA_ERR_PARSE, "CAR header: root is not a CID (tag 42)");
                if ((rc = cbor_read_head(&r, &mj, &v))) return rc;
                if (mj != 2 || v < 1 || v > len - r.off || p[r.off] != 0)
                    return ia_set_error(IA_ERR_PARSE, "CAR header: malformed CID bytes in roots");
                size_t used;
                ia_cid c;
                if ((rc = ia_cid_decode(p + r.off + 1, (size_t)v - 1, &c, &used))) return rc;
                if (used != v - 1) return ia_set_error(IA_ERR_PARSE, "CAR header: trailing bytes after a root CID");
                if (roots) roots[*nroots] = c;
                (*nroots)++;
                r.off += (size_t)v;
            }
        } else {
            return ia_set_error(IA_ERR_PARSE, "CAR header: unknown key '%.*s'", (int)(klen > 32 ? 32 : klen), (const char *)key);
        }
    }
    if (!have_version) return ia_set_error(IA_ERR_PARSE, "CAR header without a version");
    if (r.off != len) return ia_set_error(IA_ERR_PARSE, "CAR header: %zu trailing bytes", len - r.off);
    return IA_OK;
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

typedef int (*car_fn)(void *user, const ia_cid *cid, const uint8_t *block, size_t blen, int is_root);

static int read_v1(const uint8_t *p, size_t len, int verify, car_fn fn, void *user) {
    uint64_t hl, version;
    size_t used;
    int rc = ia_varint_decode(p, len, &hl, &used);
    if (rc) return ia_set_error(rc, "CAR: bad header length");
    if (hl == 0 || hl > CAR_MAX_HEADER || hl > len - used) return ia_set_error(IA_ERR_PARSE, "CAR: header length %llu out of range", (unsigned long long)hl);
    ia_cid *roots = ia_calloc(CAR_MAX_ROOTS, sizeof *roots);
    size_t nroots = 0;
    if (!roots) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    rc = parse_header(p + used, (size_t)hl, &version, roots, &nroots);
    if (!rc && version != 1) rc = ia_set_error(IA_ERR_PARSE, "CAR: payload version %llu (expected 1)", (unsigned long long)version);
    for (size_t i = 0; !rc && i < nroots && fn; i++) rc = fn(user, &roots[i], NULL, 0, 1);
    ia_free(roots);
    if (rc) return rc;
    size_t off = used + (size_t)hl;
    while (off < len) {
        uint64_t sl;
        if ((rc = ia_varint_decode(p + off, len - off, &sl, &used))) return ia_set_error(rc, "CAR: bad section length at byte %zu", off);
        size_t start = off;
        off += used;
        if (sl == 0 || sl > len - off) return ia_set_error(IA_ERR_PARSE, "CAR: section at byte %zu has length %llu beyond the file", start, (unsigned long long)sl);
        if (sl > CAR_MAX_SECTION) return ia_set_error(IA_ERR_LIMIT, "CAR: section at byte %zu larger than 16 MiB", start);
        ia_cid c;
        size_t cl;
        if ((rc = ia_cid_decode(p + off, (size_t)sl, &c, &cl))) return ia_set_error(rc, "CAR: bad CID in section at byte %zu: %s", start, ia__prev_error());
        const uint8_t *blk = p + off + cl;
        size_t blen = (size_t)sl - cl;
        if (verify) {
            int ok = ia__cid_verify(&c, blk, blen);
            if (ok != 1) {
                char cs[IA_CID_MAX_STRING];
                if (ia_cid_format(&c, 0, cs, sizeof cs)) snprintf(cs, sizeof cs, "(unprintable)");
                if (ok < 0) return ia_set_error(IA_ERR_UNSUPPORTED, "CAR: block %s uses an unsupported hash", cs);
                return ia_set_error(IA_ERR_PARSE, "CAR: block %s does not match its CID (section at byte %zu)", cs, start);
            }
        }
        if (fn && (rc = fn(user, &c, blk, blen, 0))) return rc;
        off += (size_t)sl;
    }
    return IA_OK;
}

/* ---- CARv2 index ---- */

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Number of distinct multihashes (identity excluded: not indexed) among a CARv1 payload's
 * sections. The payload was already parsed by read_v1. */
static int count_distinct(const uint8_t *p, size_t len, size_t *distinct) {
    uint64_t hl, sl;
    size_t used, off;
    ia__cidset set = {0};
    int rc = IA_OK;
    if (ia_varint_decode(p, len, &hl, &used) || hl > len - used) return IA_ERR_PARSE;
    for (off = used + (size_t)hl; !rc && off < len; off += (size_t)sl) {
        ia_cid c;
        size_t cl;
        if (ia_varint_decode(p + off, len - off, &sl, &used) || sl > len - off - used) { rc = IA_ERR_PARSE; break; }
        off += used;
        if (ia_cid_decode(p + off, (size_t)sl, &c, &cl)) { rc = IA_ERR_PARSE; break; }
        if (c.mh_code == IA_MH_IDENTITY) continue;
        c.version = 1; /* keyed by multihash only */
        c.codec = IA_CODEC_RAW;
        if (ia__cidset_add(&set, &c) < 0) rc = IA_ERR_NOMEM;
    }
    *distinct = set.count;
    ia__cidset_free(&set);
    return rc;
}

/* Checks a CARv2 index against its payload: MultihashIndexSorted (0x0401: per multihash code,
 * buckets of one digest width, entries digest + payload offset, sorted) or IndexSorted (0x0400:
 * the same buckets without codes, go-car's older default). Every entry must point at a section
 * whose CID has that multihash, entries must be sorted, and the number of entries must equal the
 * number of distinct multihashes in the payload (go-car indexes each once; identity CIDs never). */
static int verify_index(const uint8_t *ix, size_t ixlen, const uint8_t *pay, size_t paylen) {
#define IXERR(...) ia_set_error(IA_ERR_PARSE, "CARv2 index: " __VA_ARGS__)
    uint64_t kind;
    size_t used, o;
    if (ia_varint_decode(ix, ixlen, &kind, &used)) return IXERR("bad codec varint");
    if (kind != 0x0401 && kind != 0x0400) return IXERR("unsupported index codec 0x%llx", (unsigned long long)kind);
    o = used;
    uint32_t ncodes = 1;
    if (kind == 0x0401) {
        if (ixlen - o < 4) return IXERR("truncated");
        ncodes = le32(ix + o);
        o += 4;
    }
    size_t entries = 0, dups = 0;
    uint64_t prev_code = 0;
    for (uint32_t ci = 0; ci < ncodes; ci++) {
        uint64_t code = IA_MH_SHA2_256;
        if (kind == 0x0401) {
            if (ixlen - o < 8) return IXERR("truncated");
            code = le64(ix + o);
            o += 8;
            if (ci && code <= prev_code) return IXERR("multihash codes not sorted");
            prev_code = code;
        }
        if (ixlen - o < 4) return IXERR("truncated");
        uint32_t nw = le32(ix + o);
        o += 4;
        uint32_t prev_w = 0;
        for (uint32_t wi = 0; wi < nw; wi++) {
            if (ixlen - o < 12) return IXERR("truncated");
            uint32_t width = le32(ix + o);
            uint64_t blen = le64(ix + o + 4);
            o += 12;
            if (width <= 8 || width - 8 > IA_CID_MAX_DIGEST || (wi && width <= prev_w)) return IXERR("bad bucket width %u", width);
            prev_w = width;
            if (blen > ixlen - o || blen % width) return IXERR("bucket of %llu bytes does not fit", (unsigned long long)blen);
            size_t dl = width - 8;
            for (uint64_t e = 0; e < blen / width; e++) {
                const uint8_t *ent = ix + o + e * width;
                if (e) {
                    int c = memcmp(ent - width, ent, dl);
                    if (c > 0) return IXERR("entries not sorted");
                    if (c == 0) dups++;
                }
                uint64_t off = le64(ent + dl), sl;
                ia_cid cid;
                size_t cl;
                if (off >= paylen || ia_varint_decode(pay + off, paylen - off, &sl, &used) || sl > paylen - off - used ||
                    ia_cid_decode(pay + off + used, (size_t)sl, &cid, &cl))
                    return IXERR("entry %llu points at byte %llu, which is not a section", (unsigned long long)(entries + e),
                                 (unsigned long long)off);
                if ((kind == 0x0401 && cid.mh_code != code) || cid.digest_len != dl || memcmp(cid.digest, ent, dl)) {
                    char cs[IA_CID_MAX_STRING];
                    if (ia_cid_format(&cid, 0, cs, sizeof cs)) cs[0] = 0;
                    return IXERR("entry at payload byte %llu names another multihash than the block there (%s)",
                                 (unsigned long long)off, cs);
                }
            }
            entries += (size_t)(blen / width);
            o += (size_t)blen;
        }
    }
    size_t distinct;
    if (count_distinct(pay, paylen, &distinct)) return IXERR("payload unreadable");
    if (dups) return IXERR("%zu duplicate entries", dups);
    /* every entry names a block of the payload, so equal counts mean equal sets */
    if (entries != distinct) return IXERR("%zu entries for %zu distinct blocks%s", entries, distinct,
                                          entries < distinct ? " (blocks missing from the index)" : "");
    return IA_OK;
#undef IXERR
}

int ia_car_read_buffer(const uint8_t *p, size_t len, int verify, car_fn fn, void *user, uint32_t *version) {
    if (len >= sizeof CARV2_PRAGMA && !memcmp(p, CARV2_PRAGMA, sizeof CARV2_PRAGMA)) {
        if (version) *version = 2;
        if (len < 51) return ia_set_error(IA_ERR_PARSE, "CARv2: truncated header");
        uint64_t doff = le64(p + 11 + 16), dsize = le64(p + 11 + 24), ioff = le64(p + 11 + 32);
        if (doff < 51 || doff > len || dsize > len - doff) return ia_set_error(IA_ERR_PARSE, "CARv2: data offset/size outside the file");
        if (ioff && (ioff < doff + dsize || ioff >= len)) return ia_set_error(IA_ERR_PARSE, "CARv2: index offset outside the file");
        int rc = read_v1(p + doff, (size_t)dsize, verify, fn, user);
        if (!rc && ioff && verify) rc = verify_index(p + ioff, len - (size_t)ioff, p + doff, (size_t)dsize);
        return rc;
    }
    if (version) *version = 1;
    return read_v1(p, len, verify, fn, user);
}

/* ---- mapping files ---- */

static int map_file(const char *path, uint8_t **p, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st)) { close(fd); return ia_set_error(IA_ERR_IO, "cannot stat %s", path); }
    *len = (size_t)st.st_size;
    if (*len == 0) { close(fd); return ia_set_error(IA_ERR_PARSE, "%s is empty", path); }
    void *m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return ia_set_error(IA_ERR_IO, "cannot map %s: %s", path, strerror(errno));
    *p = m;
    return IA_OK;
}

/* ---- import ---- */

typedef struct imp_ctx {
    ia_blockstore *bs;
    void (*root_fn)(void *, const ia_cid *);
    void *user;
    size_t n;
    ia_cid *roots;
    size_t nroots;
} imp_ctx;

static int count_block(void *u, const ia_cid *c, const uint8_t *b, size_t l, int is_root) {
    imp_ctx *x = u;
    (void)b;
    (void)l;
    if (is_root) {
        if (x->nroots < CAR_MAX_ROOTS) x->roots[x->nroots++] = *c;
        return IA_OK;
    }
    x->n++;
    return IA_OK;
}

static int put_block(void *u, const ia_cid *c, const uint8_t *b, size_t l, int is_root) {
    imp_ctx *x = u;
    if (is_root) return IA_OK;
    return ia_blockstore_put(x->bs, c, b, l);
}

int ia_car_import(ia_blockstore *bs, const char *path, void (*root_fn)(void *user, const ia_cid *root), void *user,
                  size_t *nblocks) {
    uint8_t *p;
    size_t len;
    int rc = map_file(path, &p, &len);
    if (rc) return rc;
    imp_ctx x = {bs, root_fn, user, 0, ia_calloc(CAR_MAX_ROOTS, sizeof(ia_cid)), 0};
    if (!x.roots) { munmap(p, len); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    /* pass 1 verifies everything; only a fully valid CAR is stored (pass 2) */
    rc = ia_car_read_buffer(p, len, 1, count_block, &x, NULL);
    if (rc) rc = ia_set_error(rc, "%s: %s (nothing imported)", path, ia__prev_error());
    if (!rc) rc = ia__store_lock(bs, 0);
    if (!rc) {
        rc = ia_car_read_buffer(p, len, 0, put_block, &x, NULL);
        int f = ia_blockstore_flush(bs);
        if (!rc) rc = f;
        for (size_t i = 0; !rc && i < x.nroots; i++) {
            if (root_fn) root_fn(user, &x.roots[i]);
            if (ia_blockstore_has(bs, &x.roots[i])) rc = ia_pin_add(bs, &x.roots[i], IA_PIN_RECURSIVE);
        }
        ia__store_unlock(bs);
    }
    if (nblocks) *nblocks = x.n;
    ia_free(x.roots);
    munmap(p, len);
    return rc;
}

/* ---- export ---- */

typedef struct rec { ia_cid cid; uint64_t off; } rec;

typedef struct exp_ctx {
    FILE *out;
    int write;
    uint64_t off; /* offset within the CARv1 payload */
    rec *recs;
    size_t nrec, cap;
    int rc;
} exp_ctx;

static int section(void *u, const ia_cid *cid, const uint8_t *data, size_t len) {
    exp_ctx *x = u;
    uint8_t c[IA_CID_MAX_BYTES], vi[10];
    size_t cl;
    int rc = ia_cid_encode(cid, c, sizeof c, &cl);
    if (rc) return rc;
    size_t vl = ia_varint_encode(cl + len, vi);
    if (x->write) {
        if (fwrite(vi, 1, vl, x->out) != vl || fwrite(c, 1, cl, x->out) != cl || (len && fwrite(data, 1, len, x->out) != len))
            return ia_set_error(IA_ERR_IO, "writing the CAR failed: %s", strerror(errno));
    } else {
        if (x->nrec == x->cap) {
            size_t nc = x->cap ? x->cap * 2 : 256;
            rec *nr = ia_realloc(x->recs, nc * sizeof *nr);
            if (!nr) return ia_set_error(IA_ERR_NOMEM, "out of memory");
            x->recs = nr;
            x->cap = nc;
        }
        x->recs[x->nrec].cid = *cid;
        x->recs[x->nrec].off = x->off;
        x->nrec++;
    }
    x->off += vl + cl + len;
    return IA_OK;
}

static void put_le(uint8_t *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static int rec_cmp(const void *a, const void *b) {
    const rec *x = a, *y = b;
    if (x->cid.mh_code != y->cid.mh_code) return x->cid.mh_code < y->cid.mh_code ? -1 : 1;
    if (x->cid.digest_len != y->cid.digest_len) return x->cid.digest_len < y->cid.digest_len ? -1 : 1;
    return memcmp(x->cid.digest, y->cid.digest, x->cid.digest_len);
}

/* MultihashIndexSorted (0x0401): per multihash code, buckets of equal digest width holding
 * sorted (digest, offset) entries. */
static int write_index(FILE *out, rec *r, size_t n) {
    qsort(r, n, sizeof *r, rec_cmp);
    ia__buf b = {0};
    uint8_t t[16];
    int rc = ia__buf_varint(&b, 0x0401);
    size_t ncodes = 0;
    for (size_t i = 0; i < n; i++) if (i == 0 || r[i].cid.mh_code != r[i - 1].cid.mh_code) ncodes++;
    put_le(t, ncodes, 4);
    if (!rc) rc = ia__buf_put(&b, t, 4);
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && r[j].cid.mh_code == r[i].cid.mh_code) j++;
        size_t nw = 0;
        for (size_t k = i; k < j; k++) if (k == i || r[k].cid.digest_len != r[k - 1].cid.digest_len) nw++;
        put_le(t, r[i].cid.mh_code, 8);
        put_le(t + 8, nw, 4);
        rc = ia__buf_put(&b, t, 12);
        for (size_t k = i; k < j && !rc;) {
            size_t m = k;
            while (m < j && r[m].cid.digest_len == r[k].cid.digest_len) m++;
            /* skip duplicate digests (same multihash under two codecs) */
            size_t cnt = 0;
            for (size_t q = k; q < m; q++) if (q == k || rec_cmp(&r[q], &r[q - 1])) cnt++;
            uint32_t width = r[k].cid.digest_len + 8;
            put_le(t, width, 4);
            put_le(t + 4, (uint64_t)width * cnt, 8);
            rc = ia__buf_put(&b, t, 12);
            for (size_t q = k; q < m && !rc; q++) {
                if (q != k && !rec_cmp(&r[q], &r[q - 1])) continue;
                rc = ia__buf_put(&b, r[q].cid.digest, r[q].cid.digest_len);
                put_le(t, r[q].off, 8);
                if (!rc) rc = ia__buf_put(&b, t, 8);
            }
            k = m;
        }
        i = j;
    }
    if (!rc && fwrite(b.p, 1, b.len, out) != b.len) rc = ia_set_error(IA_ERR_IO, "writing the CAR index failed");
    ia__buf_free(&b);
    return rc;
}

int ia_car_export(ia_blockstore *bs, const ia_cid *root, int version, FILE *out) {
    if (version != 1 && version != 2) return ia_set_error(IA_ERR_INVALID_ARG, "CAR version must be 1 or 2");
    ia__buf h = {0};
    int rc = car_header(&h, root, 1);
    exp_ctx x = {out, 0, h.len, NULL, 0, 0, 0};
    if (!rc && version == 2) {
        rc = ia_dag_walk(bs, root, 0, section, &x); /* sizes and offsets first */
        if (!rc) {
            uint8_t hdr[51];
            memcpy(hdr, CARV2_PRAGMA, 11);
            memset(hdr + 11, 0, 16);
            put_le(hdr + 27, 51, 8);
            put_le(hdr + 35, x.off, 8);
            put_le(hdr + 43, 51 + x.off, 8);
            if (fwrite(hdr, 1, 51, out) != 51) rc = ia_set_error(IA_ERR_IO, "writing the CAR failed");
        }
    }
    if (!rc && fwrite(h.p, 1, h.len, out) != h.len) rc = ia_set_error(IA_ERR_IO, "writing the CAR failed");
    if (!rc) {
        x.write = 1;
        x.off = h.len;
        rc = ia_dag_walk(bs, root, 0, section, &x);
    }
    if (!rc && version == 2) rc = write_index(out, x.recs, x.nrec);
    ia_free(x.recs);
    ia__buf_free(&h);
    return rc;
}

/* ---- inspect ---- */

typedef struct insp { FILE *out; size_t blocks, raw, pb, other; uint64_t bytes; } insp;

static int insp_fn(void *u, const ia_cid *c, const uint8_t *b, size_t l, int is_root) {
    insp *x = u;
    (void)b;
    if (is_root) {
        char s[IA_CID_MAX_STRING];
        if (!ia_cid_format(c, 0, s, sizeof s)) fprintf(x->out, "root:     %s\n", s);
        return IA_OK;
    }
    x->blocks++;
    x->bytes += l;
    if (c->codec == IA_CODEC_RAW) x->raw++;
    else if (c->codec == IA_CODEC_DAG_PB) x->pb++;
    else x->other++;
    return IA_OK;
}

int ia_car_inspect(const char *path, FILE *out) {
    uint8_t *p;
    size_t len;
    int rc = map_file(path, &p, &len);
    if (rc) return rc;
    uint32_t ver = 0;
    insp x = {out, 0, 0, 0, 0, 0};
    fprintf(out, "file:     %s (%zu bytes)\n", path, len);
    rc = ia_car_read_buffer(p, len, 1, insp_fn, &x, &ver);
    fprintf(out, "version:  %u\nblocks:   %zu (%zu raw, %zu dag-pb, %zu other), %llu block bytes\n", ver, x.blocks, x.raw,
            x.pb, x.other, (unsigned long long)x.bytes);
    fprintf(out, "verified: %s\n", rc ? ia_last_error()
                                      : ver == 2 && len >= 51 && le64(p + 43) ? "every block matches its CID; the index matches the payload"
                                                                            : "every block matches its CID");
    munmap(p, len);
    return rc;
}
