/* Protocol Buffers wire-format reader/writer: every read is checked against the buffer end. */
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "onnx/pbwire.h"

int ia_pb_varint(ia_pb *r, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return IA_ERR_PARSE;
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1) return IA_ERR_PARSE;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return IA_OK;
        }
    }
    return IA_ERR_PARSE;
}

int ia_pb_next(ia_pb *r, uint32_t *field, int *wire) {
    if (r->p >= r->end) return 0;
    uint64_t key;
    if (ia_pb_varint(r, &key)) return IA_ERR_PARSE;
    uint64_t f = key >> 3;
    if (f == 0 || f > 0x1fffffff) return IA_ERR_PARSE;
    *field = (uint32_t)f;
    *wire = (int)(key & 7);
    return 1;
}

int ia_pb_fixed32(ia_pb *r, uint32_t *v) {
    if (r->end - r->p < 4) return IA_ERR_PARSE;
    *v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    r->p += 4;
    return IA_OK;
}

int ia_pb_fixed64(ia_pb *r, uint64_t *v) {
    uint32_t lo, hi;
    if (ia_pb_fixed32(r, &lo) || ia_pb_fixed32(r, &hi)) return IA_ERR_PARSE;
    *v = (uint64_t)hi << 32 | lo;
    return IA_OK;
}

int ia_pb_bytes(ia_pb *r, const uint8_t **data, size_t *len) {
    uint64_t n;
    if (ia_pb_varint(r, &n)) return IA_ERR_PARSE;
    if (n > (uint64_t)(r->end - r->p)) return IA_ERR_PARSE;
    *data = r->p;
    *len = (size_t)n;
    r->p += n;
    return IA_OK;
}

int ia_pb_skip(ia_pb *r, int wire) {
    uint64_t v;
    const uint8_t *d;
    size_t n;
    switch (wire) {
    case IA_PB_VARINT: return ia_pb_varint(r, &v);
    case IA_PB_I64: return ia_pb_fixed64(r, &v);
    case IA_PB_I32: {
        uint32_t x;
        return ia_pb_fixed32(r, &x);
    }
    case IA_PB_LEN: return ia_pb_bytes(r, &d, &n);
    default: return IA_ERR_PARSE; /* groups (3, 4) are not used by ONNX */
    }
}

int ia_pb_count_varints(const uint8_t *p, size_t len, size_t *count) {
    size_t c = 0;
    for (size_t i = 0; i < len; i++)
        if (!(p[i] & 0x80)) c++;
    if (len && (p[len - 1] & 0x80)) return IA_ERR_PARSE;
    *count = c;
    return IA_OK;
}

static void pbw_reserve(ia_pbw *w, size_t extra) {
    if (w->failed) return;
    if (w->len + extra <= w->cap) return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + extra) cap *= 2;
    uint8_t *b = ia_realloc(w->buf, cap);
    if (!b) {
        w->failed = 1;
        return;
    }
    w->buf = b;
    w->cap = cap;
}

void ia_pbw_raw(ia_pbw *w, const void *data, size_t len) {
    pbw_reserve(w, len);
    if (w->failed) return;
    if (len) memcpy(w->buf + w->len, data, len);
    w->len += len;
}

void ia_pbw_varint(ia_pbw *w, uint64_t v) {
    uint8_t tmp[10];
    int n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    ia_pbw_raw(w, tmp, (size_t)n);
}

void ia_pbw_key(ia_pbw *w, uint32_t field, int wire) { ia_pbw_varint(w, (uint64_t)field << 3 | (unsigned)wire); }

void ia_pbw_bytes_field(ia_pbw *w, uint32_t field, const void *data, size_t len) {
    ia_pbw_key(w, field, IA_PB_LEN);
    ia_pbw_varint(w, len);
    ia_pbw_raw(w, data, len);
}

void ia_pbw_varint_field(ia_pbw *w, uint32_t field, uint64_t v) {
    ia_pbw_key(w, field, IA_PB_VARINT);
    ia_pbw_varint(w, v);
}

void ia_pbw_free(ia_pbw *w) {
    ia_free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}
