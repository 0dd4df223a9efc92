/* GGUF reader: checks the header, metadata and tensor infos against the buffer's bounds, and gives
 * typed access to the metadata values (little-endian, versions 2 and 3). */
#include "pipelines/tokenizers/gguf.h"
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"

static const size_t type_size[IA__GGUF_NTYPES] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
static const char *const type_name[IA__GGUF_NTYPES] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                                       "bool", "string", "array", "u64", "i64", "f64"};

typedef struct { const uint8_t *p, *end; } cur;

static uint64_t le(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}
static int take(cur *c, size_t n, const uint8_t **at) {
    if ((size_t)(c->end - c->p) < n) return 0;
    if (at) *at = c->p;
    c->p += n;
    return 1;
}
static int rd(cur *c, size_t n, uint64_t *v) {
    const uint8_t *at;
    if (!take(c, n, &at)) return 0;
    *v = le(at, n);
    return 1;
}
static int rdstr(cur *c, const char **s, size_t *n) {
    uint64_t len;
    const uint8_t *at;
    if (!rd(c, 8, &len) || len > (uint64_t)(c->end - c->p) || !take(c, (size_t)len, &at)) return 0;
    *s = (const char *)at;
    *n = (size_t)len;
    return 1;
}

/* Skips one value of `type`; arrays recurse up to `depth` levels. */
static int skip_value(cur *c, uint32_t type, int depth, const char *key, size_t kl) {
    if (type >= IA__GGUF_NTYPES)
        return ia_set_error(IA_ERR_PARSE, "gguf: value of \"%.*s\" has unknown type %u", (int)kl, key, type);
    if (type == IA__GGUF_STRING) {
        const char *s;
        size_t n;
        if (!rdstr(c, &s, &n)) return ia_set_error(IA_ERR_PARSE, "gguf: string value of \"%.*s\" runs past the end of the file", (int)kl, key);
        return IA_OK;
    }
    if (type == IA__GGUF_ARRAY) {
        uint64_t at, n;
        if (depth <= 0) return ia_set_error(IA_ERR_PARSE, "gguf: arrays of \"%.*s\" nested too deep", (int)kl, key);
        if (!rd(c, 4, &at) || !rd(c, 8, &n)) return ia_set_error(IA_ERR_PARSE, "gguf: array header of \"%.*s\" truncated", (int)kl, key);
        if (at >= IA__GGUF_NTYPES) return ia_set_error(IA_ERR_PARSE, "gguf: array \"%.*s\" has unknown element type %u", (int)kl, key, (unsigned)at);
        if (type_size[at]) {
            if (n > (uint64_t)(c->end - c->p) / type_size[at] || !take(c, (size_t)n * type_size[at], NULL))
                return ia_set_error(IA_ERR_PARSE, "gguf: array \"%.*s\" (%llu %s) runs past the end of the file", (int)kl, key,
                                    (unsigned long long)n, type_name[at]);
            return IA_OK;
        }
        /* strings and arrays take at least 8 bytes each: bounds the loop */
        if (n > (uint64_t)(c->end - c->p) / 8)
            return ia_set_error(IA_ERR_PARSE, "gguf: array \"%.*s\" (%llu %s) runs past the end of the file", (int)kl, key,
                                (unsigned long long)n, type_name[at]);
        for (uint64_t i = 0; i < n; i++) {
            int rc = skip_value(c, (uint32_t)at, depth - 1, key, kl);
            if (rc) return rc;
        }
        return IA_OK;
    }
    if (!take(c, type_size[type], NULL)) return ia_set_error(IA_ERR_PARSE, "gguf: value of \"%.*s\" truncated", (int)kl, key);
    return IA_OK;
}

int ia__gguf_parse(const void *buf, size_t n, ia__gguf *g) {
    memset(g, 0, sizeof *g);
    cur c = {buf, (const uint8_t *)buf + n};
    g->end = c.end;
    uint64_t ver, nt, nkv;
    if (n < 4 || memcmp(buf, "GGUF", 4)) return ia_set_error(IA_ERR_PARSE, "gguf: not a GGUF file (no GGUF magic)");
    c.p += 4;
    if (!rd(&c, 4, &ver)) return ia_set_error(IA_ERR_PARSE, "gguf: header truncated");
    if (ver != 2 && ver != 3) return ia_set_error(IA_ERR_UNSUPPORTED, "gguf: version %u is not supported (2 and 3 are)", (unsigned)ver);
    if (!rd(&c, 8, &nt) || !rd(&c, 8, &nkv)) return ia_set_error(IA_ERR_PARSE, "gguf: header truncated");
    /* a key/value takes at least 8 + 4 bytes, a tensor info at least 8 + 4 + 4 + 8 */
    if (nkv > (uint64_t)(c.end - c.p) / 12) return ia_set_error(IA_ERR_PARSE, "gguf: %llu key/values cannot fit in the file", (unsigned long long)nkv);
    if (nt > (uint64_t)(c.end - c.p) / 24) return ia_set_error(IA_ERR_PARSE, "gguf: %llu tensor infos cannot fit in the file", (unsigned long long)nt);
    g->version = (uint32_t)ver;
    g->ntensors = nt;
    if (nkv && !(g->kv = ia_calloc((size_t)nkv, sizeof *g->kv))) return ia_set_error(IA_ERR_NOMEM, "gguf: out of memory");
    int rc = IA_OK;
    for (uint64_t i = 0; i < nkv && !rc; i++) {
        ia__gguf_kv *kv = &g->kv[i];
        uint64_t type;
        if (!rdstr(&c, &kv->key, &kv->keylen)) { rc = ia_set_error(IA_ERR_PARSE, "gguf: key %llu truncated", (unsigned long long)i); break; }
        if (!rd(&c, 4, &type)) { rc = ia_set_error(IA_ERR_PARSE, "gguf: type of \"%.*s\" truncated", (int)kv->keylen, kv->key); break; }
        kv->type = (uint32_t)type;
        const uint8_t *start = c.p;
        if ((rc = skip_value(&c, kv->type, 4, kv->key, kv->keylen))) break;
        if (kv->type == IA__GGUF_ARRAY) {
            kv->atype = (uint32_t)le(start, 4);
            kv->n = le(start + 4, 8);
            kv->val = start + 12;
        } else {
            kv->val = start;
        }
        g->nkv++;
    }
    for (uint64_t i = 0; i < nt && !rc; i++) {
        const char *name;
        size_t nl;
        uint64_t nd, d, ty, off;
        if (!rdstr(&c, &name, &nl) || !rd(&c, 4, &nd)) { rc = ia_set_error(IA_ERR_PARSE, "gguf: tensor info %llu truncated", (unsigned long long)i); break; }
        if (nd > 8) { rc = ia_set_error(IA_ERR_PARSE, "gguf: tensor \"%.*s\" has %u dimensions (at most 8)", (int)nl, name, (unsigned)nd); break; }
        for (uint64_t k = 0; k < nd && !rc; k++)
            if (!rd(&c, 8, &d)) rc = ia_set_error(IA_ERR_PARSE, "gguf: tensor info \"%.*s\" truncated", (int)nl, name);
        if (!rc && (!rd(&c, 4, &ty) || !rd(&c, 8, &off))) rc = ia_set_error(IA_ERR_PARSE, "gguf: tensor info \"%.*s\" truncated", (int)nl, name);
    }
    if (rc) ia__gguf_free(g);
    return rc;
}

void ia__gguf_free(ia__gguf *g) {
    ia_free(g->kv);
    g->kv = NULL;
    g->nkv = 0;
}

const ia__gguf_kv *ia__gguf_find(const ia__gguf *g, const char *key) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < g->nkv; i++)
        if (g->kv[i].keylen == kl && !memcmp(g->kv[i].key, key, kl)) return &g->kv[i];
    return NULL;
}

static int num_at(uint32_t type, const uint8_t *p, double *d, int64_t *v) {
    uint64_t u;
    switch (type) {
    case IA__GGUF_U8: case IA__GGUF_BOOL: *v = p[0]; break;
    case IA__GGUF_I8: *v = (int8_t)p[0]; break;
    case IA__GGUF_U16: *v = (int64_t)le(p, 2); break;
    case IA__GGUF_I16: *v = (int16_t)le(p, 2); break;
    case IA__GGUF_U32: *v = (int64_t)le(p, 4); break;
    case IA__GGUF_I32: *v = (int32_t)le(p, 4); break;
    case IA__GGUF_U64: u = le(p, 8); *v = u > INT64_MAX ? INT64_MAX : (int64_t)u; break;
    case IA__GGUF_I64: *v = (int64_t)le(p, 8); break;
    case IA__GGUF_F32: { uint32_t b = (uint32_t)le(p, 4); float f; memcpy(&f, &b, 4); *d = f; return 2; }
    case IA__GGUF_F64: { u = le(p, 8); double f; memcpy(&f, &u, 8); *d = f; return 2; }
    default: return 0;
    }
    *d = (double)*v;
    return 1;
}

int ia__gguf_int(const ia__gguf_kv *kv, int64_t *v) {
    double d;
    return kv && num_at(kv->type, kv->val, &d, v) == 1;
}

int ia__gguf_str(const ia__gguf_kv *kv, const char **s, size_t *n) {
    if (!kv || kv->type != IA__GGUF_STRING) return 0;
    *n = (size_t)le(kv->val, 8);
    *s = (const char *)kv->val + 8;
    return 1;
}

int ia__gguf_arr_num(const ia__gguf_kv *kv, uint64_t i, double *v) {
    int64_t iv;
    if (!kv || kv->type != IA__GGUF_ARRAY || i >= kv->n || kv->atype >= IA__GGUF_NTYPES || !type_size[kv->atype]) return 0;
    return num_at(kv->atype, kv->val + i * type_size[kv->atype], v, &iv) != 0;
}

int ia__gguf_arr_next_str(const ia__gguf_kv *kv, size_t *pos, const char **s, size_t *n) {
    /* the parse checked every string of the array: the cursor stays within it */
    if (!kv || kv->type != IA__GGUF_ARRAY || kv->atype != IA__GGUF_STRING) return 0;
    const uint8_t *p = kv->val + *pos;
    *n = (size_t)le(p, 8);
    *s = (const char *)p + 8;
    *pos += 8 + *n;
    return 1;
}
