/* dag-pb: strict canonical encoder and decoder (PBNode / PBLink as the IPLD spec fixes them). */
#include <stdlib.h>
#include <string.h>
#include "store/store_internal.h"

static int name_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static int link_cmp(const void *x, const void *y) {
    const ia__link_in *a = x, *b = y;
    return name_cmp((const uint8_t *)a->name, a->name_len, (const uint8_t *)b->name, b->name_len);
}

void ia__links_sort(ia__link_in *links, size_t n) {
    /* Stable order among equal names does not matter: names in one directory are unique, and
     * file-chunk links all have the empty name and are never sorted. */
    if (n > 1) qsort(links, n, sizeof *links, link_cmp);
}

size_t ia__dagpb_link_size(const ia__link_in *l) {
    uint8_t c[IA_CID_MAX_BYTES];
    size_t clen = 0;
    if (ia_cid_encode(&l->cid, c, sizeof c, &clen)) return 0;
    size_t inner = 1 + ia__varint_size(clen) + clen + 1 + ia__varint_size(l->name_len) + l->name_len + 1 +
                   ia__varint_size(l->tsize);
    return 1 + ia__varint_size(inner) + inner;
}

int ia__dagpb_encode(ia__buf *out, const ia__link_in *links, size_t nlinks, const uint8_t *data, size_t data_len,
                     int has_data) {
    int rc = IA_OK;
    for (size_t i = 0; i < nlinks && !rc; i++) {
        uint8_t c[IA_CID_MAX_BYTES];
        size_t clen;
        if ((rc = ia_cid_encode(&links[i].cid, c, sizeof c, &clen))) return rc;
        size_t inner = 1 + ia__varint_size(clen) + clen + 1 + ia__varint_size(links[i].name_len) + links[i].name_len +
                       1 + ia__varint_size(links[i].tsize);
        rc = ia__buf_varint(out, (2 << 3) | 2);
        if (!rc) rc = ia__buf_varint(out, inner);
        if (!rc) rc = ia__pb_bytes(out, 1, c, clen);
        if (!rc) rc = ia__pb_bytes(out, 2, links[i].name, links[i].name_len);
        if (!rc) rc = ia__pb_uint(out, 3, links[i].tsize);
    }
    if (!rc && has_data) rc = ia__pb_bytes(out, 1, data, data_len);
    return rc;
}

/* Reads a protobuf key; only field numbers 1..15 exist in these messages. */
static int read_key(const uint8_t *p, size_t len, size_t *off, uint32_t *field, uint32_t *wt) {
    uint64_t k;
    size_t n;
    if (ia_varint_decode(p + *off, len - *off, &k, &n)) return ia_set_error(IA_ERR_PARSE, "dag-pb: bad field key at byte %zu", *off);
    *off += n;
    *field = (uint32_t)(k >> 3);
    *wt = (uint32_t)(k & 7);
    if ((k >> 3) > 15) return ia_set_error(IA_ERR_PARSE, "dag-pb: unknown field %llu at byte %zu", (unsigned long long)(k >> 3), *off);
    return IA_OK;
}

static int read_bytes(const uint8_t *p, size_t len, size_t *off, const uint8_t **v, size_t *vlen) {
    uint64_t l;
    size_t n;
    if (ia_varint_decode(p + *off, len - *off, &l, &n)) return ia_set_error(IA_ERR_PARSE, "dag-pb: bad length at byte %zu", *off);
    *off += n;
    if (l > len - *off) return ia_set_error(IA_ERR_PARSE, "dag-pb: field of %llu bytes overruns the block at byte %zu", (unsigned long long)l, *off);
    *v = p + *off;
    *vlen = (size_t)l;
    *off += (size_t)l;
    return IA_OK;
}

static int decode_link(const uint8_t *p, size_t len, ia_pb_link *l) {
    memset(l, 0, sizeof *l);
    size_t off = 0;
    uint32_t last = 0, field = 0, wt = 0;
    int has_hash = 0;
    while (off < len) {
        int rc = read_key(p, len, &off, &field, &wt);
        if (rc) return rc;
        if (field <= last) return ia_set_error(IA_ERR_PARSE, "dag-pb link: field %u out of order or repeated", field);
        last = field;
        if (field == 1 || field == 2) {
            if (wt != 2) return ia_set_error(IA_ERR_PARSE, "dag-pb link: field %u has wire type %u", field, wt);
            const uint8_t *v = NULL;
            size_t vlen = 0;
            if ((rc = read_bytes(p, len, &off, &v, &vlen))) return rc;
            if (field == 1) {
                size_t used;
                if ((rc = ia_cid_decode(v, vlen, &l->cid, &used))) return ia_set_error(rc, "dag-pb link: bad CID: %s", ia__prev_error());
                if (used != vlen) return ia_set_error(IA_ERR_PARSE, "dag-pb link: trailing bytes after the CID");
                has_hash = 1;
            } else {
                l->name = v;
                l->name_len = vlen;
                l->has_name = 1;
            }
        } else if (field == 3) {
            if (wt != 0) return ia_set_error(IA_ERR_PARSE, "dag-pb link: Tsize has wire type %u", wt);
            size_t n;
            if (ia_varint_decode(p + off, len - off, &l->tsize, &n)) return ia_set_error(IA_ERR_PARSE, "dag-pb link: bad Tsize");
            off += n;
            l->has_tsize = 1;
        } else {
            return ia_set_error(IA_ERR_PARSE, "dag-pb link: unknown field %u", field);
        }
    }
    if (!has_hash) return ia_set_error(IA_ERR_PARSE, "dag-pb link without a Hash");
    return IA_OK;
}

int ia_dagpb_decode(const uint8_t *p, size_t len, ia_pb_node *node) {
    memset(node, 0, sizeof *node);
    size_t off = 0, cap = 0;
    uint32_t field = 0, wt = 0;
    int rc = IA_OK;
    while (off < len) {
        if ((rc = read_key(p, len, &off, &field, &wt))) goto fail;
        if (node->has_data) { rc = ia_set_error(IA_ERR_PARSE, "dag-pb: field %u after Data (not canonical)", field); goto fail; }
        if ((field != 1 && field != 2) || wt != 2) {
            rc = ia_set_error(IA_ERR_PARSE, "dag-pb: unknown field %u (wire type %u) at byte %zu", field, wt, off);
            goto fail;
        }
        const uint8_t *v = NULL;
        size_t vlen = 0;
        if ((rc = read_bytes(p, len, &off, &v, &vlen))) goto fail;
        if (field == 1) {
            node->data = v;
            node->data_len = vlen;
            node->has_data = 1;
            continue;
        }
        if (node->nlinks == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            ia_pb_link *nl = ia_realloc(node->links, ncap * sizeof *nl);
            if (!nl) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory decoding dag-pb"); goto fail; }
            node->links = nl;
            cap = ncap;
        }
        ia_pb_link *l = &node->links[node->nlinks];
        if ((rc = decode_link(v, vlen, l))) goto fail;
        if (node->nlinks > 0) {
            const ia_pb_link *prev = &node->links[node->nlinks - 1];
            if (name_cmp(prev->name, prev->name_len, l->name, l->name_len) > 0) {
                rc = ia_set_error(IA_ERR_PARSE, "dag-pb: links not sorted by name (link %zu)", node->nlinks);
                goto fail;
            }
        }
        node->nlinks++;
    }
    return IA_OK;
fail:
    ia_free(node->links);
    memset(node, 0, sizeof *node);
    return rc;
}
