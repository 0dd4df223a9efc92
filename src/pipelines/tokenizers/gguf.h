/* GGUF (llama.cpp's file format) reader: header, metadata key/values of every type (arrays
 * included) and tensor infos, bounds-checked; values are read in place from the caller's buffer. */
#ifndef IA_GGUF_H
#define IA_GGUF_H

#include <stddef.h>
#include <stdint.h>

enum {
    IA__GGUF_U8 = 0, IA__GGUF_I8, IA__GGUF_U16, IA__GGUF_I16, IA__GGUF_U32, IA__GGUF_I32, IA__GGUF_F32,
    IA__GGUF_BOOL, IA__GGUF_STRING, IA__GGUF_ARRAY, IA__GGUF_U64, IA__GGUF_I64, IA__GGUF_F64, IA__GGUF_NTYPES
};

typedef struct ia__gguf_kv {
    const char *key; /* not NUL-terminated */
    size_t keylen;
    uint32_t type;   /* IA__GGUF_* */
    uint32_t atype;  /* element type of an array */
    uint64_t n;      /* array length */
    const uint8_t *val; /* first byte of the value (of the first element for arrays) */
} ia__gguf_kv;

typedef struct ia__gguf {
    uint32_t version;
    uint64_t ntensors;
    ia__gguf_kv *kv;
    size_t nkv;
    const uint8_t *end; /* end of the buffer */
} ia__gguf;

/* Parses and checks the whole header (every length within the buffer, known types, nesting at most
 * 4 arrays deep, tensor infos). The buffer must outlive g. IA_ERR_PARSE with the place named. */
int ia__gguf_parse(const void *buf, size_t n, ia__gguf *g);
void ia__gguf_free(ia__gguf *g);
const ia__gguf_kv *ia__gguf_find(const ia__gguf *g, const char *key);
/* Scalar value of an integer or bool kv (any width); 0 when the kv is not one. */
int ia__gguf_int(const ia__gguf_kv *kv, int64_t *v);
/* A string kv: pointer and length. */
int ia__gguf_str(const ia__gguf_kv *kv, const char **s, size_t *n);
/* Element i of a numeric array as a double / int64 (0 if the kv is not such an array or i >= n). */
int ia__gguf_arr_num(const ia__gguf_kv *kv, uint64_t i, double *v);
/* Walks a string array: *pos starts at 0 (a cursor into the array); returns the next string. */
int ia__gguf_arr_next_str(const ia__gguf_kv *kv, size_t *pos, const char **s, size_t *n);

#endif
