/* Unsigned varints (multiformats), growable buffers and protobuf field writers. */
#include <string.h>
#include "store/store_internal.h"

size_t ia_varint_encode(uint64_t v, uint8_t out[10]) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t ia__varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}

int ia_varint_decode(const uint8_t *p, size_t len, uint64_t *v, size_t *used) {
    uint64_t r = 0;
    for (size_t i = 0; i < 9; i++) {
        if (i >= len) return ia_set_error(IA_ERR_PARSE, "varint truncated after %zu bytes", len);
        uint8_t b = p[i];
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0) return ia_set_error(IA_ERR_PARSE, "varint not minimally encoded");
            *v = r;
            *used = i + 1;
            return IA_OK;
        }
    }
    return ia_set_error(IA_ERR_PARSE, "varint longer than 9 bytes");
}

int ia__buf_reserve(ia__buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return IA_OK;
    if (extra > SIZE_MAX / 2 - b->len) return ia_set_error(IA_ERR_NOMEM, "buffer too large");
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) cap *= 2;
    uint8_t *p = ia_realloc(b->p, cap);
    if (!p) return ia_set_error(IA_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->p = p;
    b->cap = cap;
    return IA_OK;
}

int ia__buf_put(ia__buf *b, const void *data, size_t n) {
    int rc = ia__buf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    return IA_OK;
}

int ia__buf_varint(ia__buf *b, uint64_t v) {
    uint8_t t[10];
    return ia__buf_put(b, t, ia_varint_encode(v, t));
}

int ia__pb_uint(ia__buf *b, uint32_t field, uint64_t v) {
    int rc = ia__buf_varint(b, (uint64_t)field << 3);
    return rc ? rc : ia__buf_varint(b, v);
}

int ia__pb_bytes(ia__buf *b, uint32_t field, const void *data, size_t n) {
    int rc = ia__buf_varint(b, ((uint64_t)field << 3) | 2);
    if (!rc) rc = ia__buf_varint(b, n);
    return rc ? rc : ia__buf_put(b, data, n);
}

void ia__buf_free(ia__buf *b) {
    ia_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
