/* Tokenizer string helpers: growable buffers, string lists, UTF-8 decoding and WHATWG-style
 * repair of ill-formed input, JavaScript whitespace, file reading. */
#include <stdio.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

int ia__sbuf_reserve(ia__sbuf *b, size_t extra) {
    if (b->n + extra + 1 <= b->cap) return IA_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra + 1) {
        if (cap > ((size_t)1 << 40)) return ia_set_error(IA_ERR_LIMIT, "tokenizer: string too large");
        cap *= 2;
    }
    char *p = ia_realloc(b->p, cap);
    if (!p) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    b->p = p;
    b->cap = cap;
    return IA_OK;
}

int ia__sbuf_put(ia__sbuf *b, const char *s, size_t n) {
    int rc = ia__sbuf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return IA_OK;
}

int ia__sbuf_putc(ia__sbuf *b, char c) { return ia__sbuf_put(b, &c, 1); }

int ia__sbuf_put_cp(ia__sbuf *b, uint32_t cp) {
    char t[4];
    size_t n;
    if (cp < 0x80) { t[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 63)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 63)); t[2] = (char)(0x80 | (cp & 63)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 63));
        t[2] = (char)(0x80 | ((cp >> 6) & 63)); t[3] = (char)(0x80 | (cp & 63)); n = 4;
    }
    return ia__sbuf_put(b, t, n);
}

void ia__sbuf_free(ia__sbuf *b) {
    ia_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

int ia__slist_push(ia__slist *l, const char *s, size_t n) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        ia__span *v = ia_realloc(l->v, cap * sizeof *v);
        if (!v) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        l->v = v;
        l->cap = cap;
    }
    /* s may point into l->buf itself: copy through the offset after a possible realloc */
    size_t off = l->buf.n;
    if (l->buf.p && s >= l->buf.p && s < l->buf.p + l->buf.cap) {
        size_t so = (size_t)(s - l->buf.p);
        int rc = ia__sbuf_reserve(&l->buf, n);
        if (rc) return rc;
        memmove(l->buf.p + off, l->buf.p + so, n);
        l->buf.n += n;
        l->buf.p[l->buf.n] = 0;
    } else {
        int rc = ia__sbuf_put(&l->buf, s, n);
        if (rc) return rc;
    }
    l->v[l->n].off = off;
    l->v[l->n].len = n;
    l->n++;
    return IA_OK;
}

void ia__slist_clear(ia__slist *l) {
    l->n = 0;
    l->buf.n = 0;
}

void ia__slist_free(ia__slist *l) {
    ia__sbuf_free(&l->buf);
    ia_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

size_t ia__utf8_next(const char *s, size_t n, uint32_t *cp) {
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 || n < 2) { *cp = u[0]; return 1; }
    if (u[0] < 0xE0) { *cp = ((uint32_t)(u[0] & 31) << 6) | (u[1] & 63); return 2; }
    if (u[0] < 0xF0 || n < 4) {
        if (n < 3) { *cp = u[0]; return 1; }
        *cp = ((uint32_t)(u[0] & 15) << 12) | ((uint32_t)(u[1] & 63) << 6) | (u[2] & 63);
        return 3;
    }
    *cp = ((uint32_t)(u[0] & 7) << 18) | ((uint32_t)(u[1] & 63) << 12) | ((uint32_t)(u[2] & 63) << 6) | (u[3] & 63);
    return 4;
}

size_t ia__utf8_prev_len(const char *s, size_t end) {
    size_t k = 1;
    while (k < end && k < 4 && ((unsigned char)s[end - k] & 0xC0) == 0x80) k++;
    return k;
}

/* Length of the well-formed sequence at u (0 if ill-formed); *sub = length of the maximal
 * subpart to replace by one U+FFFD when ill-formed (Unicode / WHATWG practice). */
static size_t wellformed(const unsigned char *u, size_t n, size_t *sub) {
    unsigned char c = u[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else { *sub = 1; return 0; }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= n) { *sub = i; return 0; }
        unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (u[i] < l || u[i] > h) { *sub = i; return 0; }
    }
    return need + 1;
}

int ia__utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, sub;
    while (i < n) {
        if (u[i] < 0x80) { i++; continue; }
        size_t k = wellformed(u + i, n - i, &sub);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

int ia__utf8_sanitize(const char *s, size_t n, ia__sbuf *out) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0, sub;
    int rc = ia__sbuf_reserve(out, n);
    if (rc) return rc;
    while (i < n) {
        if (u[i] < 0x80) { i++; continue; }
        size_t k = wellformed(u + i, n - i, &sub);
        if (k) { i += k; continue; }
        if ((rc = ia__sbuf_put(out, s + run, i - run))) return rc;
        if ((rc = ia__sbuf_put(out, "\xEF\xBF\xBD", 3))) return rc;
        i += sub;
        run = i;
    }
    return ia__sbuf_put(out, s + run, n - run);
}

int ia__js_is_space(uint32_t cp) {
    if (cp < 0x80) return cp == ' ' || (cp >= 9 && cp <= 13);
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

int ia__uni_is_white_space(uint32_t cp) {
    if (cp < 0x80) return cp == ' ' || (cp >= 9 && cp <= 13);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

void ia__js_trim(const char *s, size_t *b, size_t *e, int left, int right) {
    size_t i = *b, j = *e;
    uint32_t cp;
    while (left && i < j) {
        size_t k = ia__utf8_next(s + i, j - i, &cp);
        if (!ia__js_is_space(cp)) break;
        i += k;
    }
    while (right && j > i) {
        size_t k = ia__utf8_prev_len(s + i, j - i);
        ia__utf8_next(s + j - k, k, &cp);
        if (!ia__js_is_space(cp)) break;
        j -= k;
    }
    *b = i;
    *e = j;
}

int ia__read_file(const char *path, char **data, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot open %s", path);
    if (fseek(f, 0, SEEK_END)) { fclose(f); return ia_set_error(IA_ERR_IO, "cannot read %s", path); }
    long sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET)) { fclose(f); return ia_set_error(IA_ERR_IO, "cannot read %s", path); }
    char *p = ia_malloc((size_t)sz + 1);
    if (!p) { fclose(f); return ia_set_error(IA_ERR_NOMEM, "out of memory reading %s", path); }
    size_t got = fread(p, 1, (size_t)sz, f);
    fclose(f);
    if (got != (size_t)sz) { ia_free(p); return ia_set_error(IA_ERR_IO, "short read of %s", path); }
    p[sz] = 0;
    *data = p;
    *n = (size_t)sz;
    return IA_OK;
}
