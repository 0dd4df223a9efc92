/* UnixFS Data messages (the Data field of dag-pb nodes): encoding as kubo writes them, and a
 * strict decoder. */
#include <string.h>
#include "store/store_internal.h"
#include "store/unixfs/trickle.h"

int ia__unixfs_encode(ia__buf *out, int type, const uint8_t *data, size_t data_len, int has_data, int has_filesize,
                      uint64_t filesize, const uint64_t *blocksizes, size_t nblocksizes, int has_hash_fanout,
                      uint64_t hash_type, uint64_t fanout) {
    int rc = ia__pb_uint(out, 1, (uint64_t)type);
    if (!rc && has_data) rc = ia__pb_bytes(out, 2, data, data_len);
    if (!rc && has_filesize) rc = ia__pb_uint(out, 3, filesize);
    for (size_t i = 0; i < nblocksizes && !rc; i++) rc = ia__pb_uint(out, 4, blocksizes[i]);
    if (!rc && has_hash_fanout) rc = ia__pb_uint(out, 5, hash_type);
    if (!rc && has_hash_fanout) rc = ia__pb_uint(out, 6, fanout);
    return rc;
}

int ia__unixfs_put_meta(ia__buf *out, const ia__unixfs_meta *m) {
    if (!m) return IA_OK;
    int rc = m->has_mode ? ia__pb_uint(out, 7, m->mode) : IA_OK;
    if (!rc && m->has_mtime) {
        uint8_t t[24];
        size_t n = 0;
        t[n++] = 0x08; /* Seconds: int64 as a varint (two's complement when negative) */
        n += ia_varint_encode((uint64_t)m->sec, t + n);
        if (m->nsec) {
            t[n++] = 0x15; /* FractionalNanoseconds: fixed32 */
            for (int i = 0; i < 4; i++) t[n++] = (uint8_t)(m->nsec >> (8 * i));
        }
        rc = ia__pb_bytes(out, 8, t, n);
    }
    return rc;
}

size_t ia__unixfs_leaf_frame(uint64_t len, uint8_t pre[24], size_t *np, uint8_t post[12], size_t *nq) {
    return ia__unixfs_leaf_frame_typed(IA_UNIXFS_FILE, len, pre, np, post, nq);
}

size_t ia__unixfs_leaf_frame_typed(int type, uint64_t len, uint8_t pre[24], size_t *np, uint8_t post[12], size_t *nq) {
    size_t inner = 2 + (len ? 1 + ia__varint_size(len) + (size_t)len : 0) + 1 + ia__varint_size(len);
    size_t a = 0, b = 0;
    pre[a++] = 0x0a; /* PBNode.Data */
    a += ia_varint_encode(inner, pre + a);
    pre[a++] = 0x08; /* Type: File (balanced) or Raw (trickle), one byte either way */
    pre[a++] = (uint8_t)type;
    if (len) {
        pre[a++] = 0x12; /* Data */
        a += ia_varint_encode(len, pre + a);
    }
    post[b++] = 0x18; /* filesize */
    b += ia_varint_encode(len, post + b);
    *np = a;
    *nq = b;
    return a + (size_t)len + b;
}

static int uvar(const uint8_t *p, size_t len, size_t *off, uint64_t *v) {
    size_t n;
    if (ia_varint_decode(p + *off, len - *off, v, &n)) return ia_set_error(IA_ERR_PARSE, "unixfs: bad varint at byte %zu", *off);
    *off += n;
    return IA_OK;
}

static int push_bs(ia_unixfs *u, size_t *cap, uint64_t v) {
    if (u->nblocksizes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        uint64_t *nb = ia_realloc(u->blocksizes, ncap * sizeof *nb);
        if (!nb) return ia_set_error(IA_ERR_NOMEM, "out of memory decoding unixfs");
        u->blocksizes = nb;
        *cap = ncap;
    }
    u->blocksizes[u->nblocksizes++] = v;
    return IA_OK;
}

static int decode_mtime(const uint8_t *p, size_t len, ia_unixfs *u) {
    size_t off = 0;
    while (off < len) {
        uint64_t k, v;
        if (uvar(p, len, &off, &k)) return IA_ERR_PARSE;
        if (k == (1 << 3)) {
            if (uvar(p, len, &off, &v)) return IA_ERR_PARSE;
            u->mtime_sec = (int64_t)v;
        } else if (k == ((2 << 3) | 5)) {
            if (len - off < 4) return ia_set_error(IA_ERR_PARSE, "unixfs: truncated mtime nanoseconds");
            u->mtime_nsec = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
            if (u->mtime_nsec > 999999999u) return ia_set_error(IA_ERR_PARSE, "unixfs: mtime nanoseconds out of range");
            off += 4;
        } else {
            return ia_set_error(IA_ERR_PARSE, "unixfs: unknown mtime field");
        }
    }
    u->has_mtime = 1;
    return IA_OK;
}

int ia_unixfs_decode(const uint8_t *p, size_t len, ia_unixfs *u) {
    memset(u, 0, sizeof *u);
    u->type = -1;
    size_t off = 0, cap = 0;
    int rc = IA_OK;
    while (off < len) {
        uint64_t k, v;
        if ((rc = uvar(p, len, &off, &k))) goto fail;
        uint32_t field = (uint32_t)(k >> 3), wt = (uint32_t)(k & 7);
        if (wt == 0 && field != 2 && field != 7 + 1) {
            if ((rc = uvar(p, len, &off, &v))) goto fail;
            switch (field) {
            case 1:
                if (v > IA_UNIXFS_HAMT) { rc = ia_set_error(IA_ERR_PARSE, "unixfs: unknown Type %llu", (unsigned long long)v); goto fail; }
                u->type = (int)v;
                break;
            case 3: u->filesize = v; u->has_filesize = 1; break;
            case 4: if ((rc = push_bs(u, &cap, v))) goto fail; break;
            case 5: u->hash_type = v; u->has_hash_type = 1; break;
            case 6: u->fanout = v; u->has_fanout = 1; break;
            case 7: u->mode = (uint32_t)(v & 07777); u->has_mode = 1; break;
            default: rc = ia_set_error(IA_ERR_PARSE, "unixfs: unknown field %u", field); goto fail;
            }
        } else if (wt == 2 && (field == 2 || field == 4 || field == 8)) {
            uint64_t l;
            if ((rc = uvar(p, len, &off, &l))) goto fail;
            if (l > len - off) { rc = ia_set_error(IA_ERR_PARSE, "unixfs: field %u overruns the message", field); goto fail; }
            if (field == 2) {
                u->data = p + off;
                u->data_len = (size_t)l;
                u->has_data = 1;
            } else if (field == 4) { /* packed blocksizes, accepted when reading */
                size_t end = off + (size_t)l, o2 = off;
                while (o2 < end) {
                    if ((rc = uvar(p, end, &o2, &v)) || (rc = push_bs(u, &cap, v))) goto fail;
                }
            } else if ((rc = decode_mtime(p + off, (size_t)l, u))) {
                goto fail;
            }
            off += (size_t)l;
        } else {
            rc = ia_set_error(IA_ERR_PARSE, "unixfs: unexpected field %u with wire type %u", field, wt);
            goto fail;
        }
    }
    if (u->type < 0) { rc = ia_set_error(IA_ERR_PARSE, "unixfs: Data without a Type"); goto fail; }
    return IA_OK;
fail:
    ia_free(u->blocksizes);
    memset(u, 0, sizeof *u);
    return rc;
}
