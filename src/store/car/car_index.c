/* Random access into a CARv2 file through its index: a block is found by binary search in the
 * sorted multihash index and read at its offset, without scanning the payload; every read is
 * verified against its CID. Backs ia_blockstore_open_car (a read-only blockstore). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/car/car_index.h"

#define MAX_BUCKETS 64

typedef struct bucket {
    uint64_t code;        /* multihash code (IndexSorted 0x0400: any) */
    uint32_t width;       /* digest bytes + 8 */
    const uint8_t *ent;   /* entries: digest ‖ uint64 LE offset, sorted by digest */
    uint64_t n;
} bucket;

struct ia__car_index {
    uint8_t *map;
    size_t len;
    const uint8_t *pay; /* the CARv1 payload */
    size_t paylen;
    bucket b[MAX_BUCKETS];
    size_t nb;
    int any_code; /* 0x0400: buckets carry no multihash code */
    char *path;
};

static const uint8_t PRAGMA[11] = {0x0a, 0xa1, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x02};

static uint64_t rd64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

void ia__car_index_close(ia__car_index *c) {
    if (!c) return;
    if (c->map) munmap(c->map, c->len);
    ia_free(c->path);
    ia_free(c);
}

/* Reads the index's layout (bucket headers and sizes only: O(buckets), not O(entries)). */
static int parse_index(ia__car_index *c, const uint8_t *ix, size_t ixlen) {
#define IXERR(...) ia_set_error(IA_ERR_PARSE, "%s: CARv2 index: " __VA_ARGS__)
    uint64_t kind;
    size_t used, o;
    if (ia_varint_decode(ix, ixlen, &kind, &used)) return IXERR("bad codec varint", c->path);
    if (kind != 0x0401 && kind != 0x0400) return IXERR("unsupported index codec 0x%llx", c->path, (unsigned long long)kind);
    o = used;
    c->any_code = kind == 0x0400;
    uint32_t ncodes = 1;
    if (kind == 0x0401) {
        if (ixlen - o < 4) return IXERR("truncated", c->path);
        ncodes = rd32(ix + o);
        o += 4;
    }
    for (uint32_t ci = 0; ci < ncodes; ci++) {
        uint64_t code = IA_MH_SHA2_256;
        if (kind == 0x0401) {
            if (ixlen - o < 8) return IXERR("truncated", c->path);
            code = rd64(ix + o);
            o += 8;
        }
        if (ixlen - o < 4) return IXERR("truncated", c->path);
        uint32_t nw = rd32(ix + o);
        o += 4;
        for (uint32_t wi = 0; wi < nw; wi++) {
            if (ixlen - o < 12) return IXERR("truncated", c->path);
            uint32_t width = rd32(ix + o);
            uint64_t blen = rd64(ix + o + 4);
            o += 12;
            if (width <= 8 || width - 8 > IA_CID_MAX_DIGEST) return IXERR("bad bucket width %u", c->path, width);
            if (blen > ixlen - o || blen % width) return IXERR("bucket of %llu bytes does not fit", c->path, (unsigned long long)blen);
            if (c->nb == MAX_BUCKETS) return IXERR("more than %d buckets", c->path, MAX_BUCKETS);
            c->b[c->nb++] = (bucket){code, width, ix + o, blen / width};
            o += (size_t)blen;
        }
    }
    return IA_OK;
#undef IXERR
}

int ia__car_index_open(const char *path, ia__car_index **out) {
    *out = NULL;
    ia__car_index *c = ia_calloc(1, sizeof *c);
    if (!c || !(c->path = ia_strdup(path))) { ia_free(c); return ia_set_error(IA_ERR_NOMEM, "out of memory"); }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        int rc = ia_set_error(IA_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        ia__car_index_close(c);
        return rc;
    }
    c->len = (size_t)st.st_size;
    void *m = c->len ? mmap(NULL, c->len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) {
        int rc = c->len ? ia_set_error(IA_ERR_IO, "cannot map %s: %s", path, strerror(e)) : ia_set_error(IA_ERR_PARSE, "%s is empty", path);
        ia__car_index_close(c);
        return rc;
    }
    c->map = m;
    int rc = IA_OK;
    if (c->len < sizeof PRAGMA || memcmp(c->map, PRAGMA, sizeof PRAGMA))
        rc = ia_set_error(IA_ERR_UNSUPPORTED, "%s is not a CARv2 file, so it has no index to read blocks from: import it "
                                              "(car import), or write it with car export --version 2", path);
    else if (c->len < 51) rc = ia_set_error(IA_ERR_PARSE, "%s: CARv2 header truncated", path);
    if (!rc) {
        uint64_t doff = rd64(c->map + 11 + 16), dsize = rd64(c->map + 11 + 24), ioff = rd64(c->map + 11 + 32);
        if (doff < 51 || doff > c->len || dsize > c->len - doff) rc = ia_set_error(IA_ERR_PARSE, "%s: CARv2 data offset/size outside the file", path);
        else if (!ioff) rc = ia_set_error(IA_ERR_UNSUPPORTED, "%s is a CARv2 without an index: import it (car import) instead", path);
        else if (ioff < doff + dsize || ioff >= c->len) rc = ia_set_error(IA_ERR_PARSE, "%s: CARv2 index offset outside the file", path);
        else {
            c->pay = c->map + doff;
            c->paylen = (size_t)dsize;
            rc = parse_index(c, c->map + ioff, c->len - (size_t)ioff);
        }
    }
    if (rc) { ia__car_index_close(c); return rc; }
    *out = c;
    return IA_OK;
}

/* Binary search for the digest; returns the payload offset or UINT64_MAX. */
static uint64_t lookup(const ia__car_index *c, const ia_cid *cid) {
    for (size_t i = 0; i < c->nb; i++) {
        const bucket *b = &c->b[i];
        if ((!c->any_code && b->code != cid->mh_code) || b->width != cid->digest_len + 8) continue;
        size_t dl = cid->digest_len;
        uint64_t lo = 0, hi = b->n;
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            int r = memcmp(b->ent + mid * b->width, cid->digest, dl);
            if (r == 0) return rd64(b->ent + mid * b->width + dl);
            if (r < 0) lo = mid + 1;
            else hi = mid;
        }
    }
    return UINT64_MAX;
}

int ia__car_index_get(ia__car_index *c, const ia_cid *cid, const uint8_t **data, size_t *len) {
    char cs[IA_CID_MAX_STRING];
    if (ia_cid_format(cid, 0, cs, sizeof cs)) snprintf(cs, sizeof cs, "(unprintable CID)");
    uint64_t off = lookup(c, cid);
    if (off == UINT64_MAX) return ia_set_error(IA_ERR_NOT_FOUND, "block %s is not in %s", cs, c->path);
    uint64_t sl;
    size_t used, cl;
    ia_cid at;
    if (off >= c->paylen || ia_varint_decode(c->pay + off, c->paylen - off, &sl, &used) || sl > c->paylen - off - used ||
        ia_cid_decode(c->pay + off + used, (size_t)sl, &at, &cl))
        return ia_set_error(IA_ERR_PARSE, "%s: CARv2 index entry for %s points at payload byte %llu, which is not a section",
                            c->path, cs, (unsigned long long)off);
    if (at.mh_code != cid->mh_code || at.digest_len != cid->digest_len || memcmp(at.digest, cid->digest, cid->digest_len))
        return ia_set_error(IA_ERR_PARSE, "%s: CARv2 index entry for %s points at a section holding another block", c->path, cs);
    const uint8_t *blk = c->pay + off + used + cl;
    size_t blen = (size_t)sl - cl;
    int ok = ia__cid_verify(cid, blk, blen);
    if (ok < 0) return ok;
    if (!ok) return ia_set_error(IA_ERR_PARSE, "block %s is corrupted (its bytes do not hash to its CID): %s, payload byte %llu",
                                 cs, c->path, (unsigned long long)off);
    *data = blk;
    *len = blen;
    return IA_OK;
}

int ia__car_index_has(const ia__car_index *c, const ia_cid *cid) { return lookup(c, cid) != UINT64_MAX; }
