/* Protocol Buffers wire-format reader and writer (bounds-checked, no allocation), enough for
 * ONNX's messages: varints, fixed32/64, length-delimited fields, packed repeated scalars. */
#ifndef IA_PBWIRE_H
#define IA_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

enum { IA_PB_VARINT = 0, IA_PB_I64 = 1, IA_PB_LEN = 2, IA_PB_I32 = 5 };

typedef struct ia_pb {
    const uint8_t *p, *end;
} ia_pb;

static inline ia_pb ia_pb_init(const void *data, size_t len) {
    ia_pb r = {(const uint8_t *)data, (const uint8_t *)data + len};
    return r;
}

/* Reads the next key. Returns 1 and sets field/wire, 0 at the end, IA_ERR_PARSE on garbage. */
int ia_pb_next(ia_pb *r, uint32_t *field, int *wire);
int ia_pb_varint(ia_pb *r, uint64_t *v);
int ia_pb_fixed32(ia_pb *r, uint32_t *v);
int ia_pb_fixed64(ia_pb *r, uint64_t *v);
/* A length-delimited field's bytes (points into the buffer). */
int ia_pb_bytes(ia_pb *r, const uint8_t **data, size_t *len);
/* Skips a field of the given wire type. */
int ia_pb_skip(ia_pb *r, int wire);
/* Number of elements in a repeated scalar field that may be packed (wire LEN) or not:
 * counts varints in a packed run; used to size arrays before decoding. */
int ia_pb_count_varints(const uint8_t *p, size_t len, size_t *count);

/* Writer into a growable buffer. */
typedef struct ia_pbw {
    uint8_t *buf;
    size_t len, cap;
    int failed;
} ia_pbw;

void ia_pbw_varint(ia_pbw *w, uint64_t v);
void ia_pbw_key(ia_pbw *w, uint32_t field, int wire);
void ia_pbw_raw(ia_pbw *w, const void *data, size_t len);
void ia_pbw_bytes_field(ia_pbw *w, uint32_t field, const void *data, size_t len);
void ia_pbw_varint_field(ia_pbw *w, uint32_t field, uint64_t v);
void ia_pbw_free(ia_pbw *w);

#endif
