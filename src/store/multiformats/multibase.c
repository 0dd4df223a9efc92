/* Multibase encodings: base32 lower (b), base58btc (z), base36 lower (k), base16 (f). */
#include <string.h>
#include "store/store_internal.h"

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char B36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
static const char B32[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char B16[] = "0123456789abcdef";

/* Big-number base conversion for base58 / base36: leading zero bytes become leading zero digits. */
static int radix_encode(const char *alpha, unsigned base, const uint8_t *in, size_t len, char *out, size_t cap) {
    size_t zeros = 0;
    while (zeros < len && in[zeros] == 0) zeros++;
    size_t size = (len - zeros) * 138 / 100 + 2; /* log(256)/log(58) < 1.38; base36 needs 1.55 */
    if (base == 36) size = (len - zeros) * 155 / 100 + 2;
    uint8_t *d = ia_calloc(size ? size : 1, 1);
    if (!d) return ia_set_error(IA_ERR_NOMEM, "out of memory in multibase encode");
    size_t high = size;
    for (size_t i = zeros; i < len; i++) {
        unsigned carry = in[i];
        size_t j = size;
        while (j > 0 && (j > high || carry)) {
            j--;
            carry += 256u * d[j];
            d[j] = (uint8_t)(carry % base);
            carry /= base;
        }
        high = j;
    }
    size_t k = 0;
    while (k < size && d[k] == 0) k++;
    size_t need = zeros + (size - k) + 1;
    if (need > cap) { ia_free(d); return ia_set_error(IA_ERR_LIMIT, "multibase output does not fit in %zu bytes", cap); }
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++) out[o++] = alpha[0];
    for (; k < size; k++) out[o++] = alpha[d[k]];
    out[o] = 0;
    ia_free(d);
    return IA_OK;
}

static int digit_of(const char *alpha, char c) {
    const char *p = c ? strchr(alpha, c) : NULL;
    return p ? (int)(p - alpha) : -1;
}

static int radix_decode(const char *alpha, unsigned base, const char *s, size_t n, uint8_t **out, size_t *out_len) {
    size_t zeros = 0;
    while (zeros < n && s[zeros] == alpha[0]) zeros++;
    size_t size = (n - zeros) * 733 / 1000 + 2; /* log(58)/log(256) < 0.733; base36 smaller */
    uint8_t *b = ia_calloc(size, 1);
    if (!b) return ia_set_error(IA_ERR_NOMEM, "out of memory in multibase decode");
    size_t high = size;
    for (size_t i = zeros; i < n; i++) {
        int v = digit_of(alpha, s[i]);
        if (v < 0) { ia_free(b); return ia_set_error(IA_ERR_PARSE, "invalid character '%c' at %zu for base%u", s[i], i, base); }
        unsigned carry = (unsigned)v;
        size_t j = size;
        while (j > 0 && (j > high || carry)) {
            j--;
            carry += base * b[j];
            b[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        high = j;
    }
    size_t k = 0;
    while (k < size && b[k] == 0) k++;
    size_t total = zeros + size - k;
    uint8_t *r = ia_malloc(total ? total : 1);
    if (!r) { ia_free(b); return ia_set_error(IA_ERR_NOMEM, "out of memory in multibase decode"); }
    memset(r, 0, zeros);
    memcpy(r + zeros, b + k, size - k);
    ia_free(b);
    *out = r;
    *out_len = total;
    return IA_OK;
}

static int b32_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
    size_t need = (len * 8 + 4) / 5 + 1;
    if (need > cap) return ia_set_error(IA_ERR_LIMIT, "base32 output does not fit in %zu bytes", cap);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) { out[o++] = B32[(acc >> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = 0;
    return IA_OK;
}

static int b32_decode(const char *s, size_t n, int upper, uint8_t **out, size_t *out_len) {
    uint8_t *r = ia_malloc(n * 5 / 8 + 1);
    if (!r) return ia_set_error(IA_ERR_NOMEM, "out of memory in base32 decode");
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (upper && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        else if (upper && c >= 'a' && c <= 'z') c = 0; /* mixed case is not valid */
        int v = digit_of(B32, c);
        if (v < 0) { ia_free(r); return ia_set_error(IA_ERR_PARSE, "invalid base32 character at %zu", i); }
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) { r[o++] = (uint8_t)(acc >> (bits - 8)); bits -= 8; }
    }
    /* Leftover bits must be zero padding of fewer than 5 bits. */
    if (bits >= 5 || (acc & ((1u << bits) - 1))) {
        ia_free(r);
        return ia_set_error(IA_ERR_PARSE, "base32 string has a non-canonical tail");
    }
    *out = r;
    *out_len = o;
    return IA_OK;
}

int ia_multibase_encode(char base, const uint8_t *data, size_t len, char *out, size_t cap) {
    if (cap < 2) return ia_set_error(IA_ERR_LIMIT, "multibase output buffer too small");
    out[0] = base;
    switch (base) {
    case 'b': return b32_encode(data, len, out + 1, cap - 1);
    case 'z': return radix_encode(B58, 58, data, len, out + 1, cap - 1);
    case 'k': return radix_encode(B36, 36, data, len, out + 1, cap - 1);
    case 'f':
        if (len * 2 + 2 > cap) return ia_set_error(IA_ERR_LIMIT, "base16 output does not fit");
        for (size_t i = 0; i < len; i++) { out[1 + 2 * i] = B16[data[i] >> 4]; out[2 + 2 * i] = B16[data[i] & 15]; }
        out[1 + 2 * len] = 0;
        return IA_OK;
    default: return ia_set_error(IA_ERR_UNSUPPORTED, "multibase '%c' is not supported (use b, z, k or f)", base);
    }
}

/* Base58btc without a prefix (CIDv0 text). */
int ia__base58_decode(const char *s, size_t n, uint8_t **out, size_t *out_len);
int ia__base58_decode(const char *s, size_t n, uint8_t **out, size_t *out_len) {
    return radix_decode(B58, 58, s, n, out, out_len);
}
int ia__base58_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int ia__base58_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
    return radix_encode(B58, 58, in, len, out, cap);
}

int ia_multibase_decode(const char *s, uint8_t **out, size_t *out_len) {
    if (!s || !s[0]) return ia_set_error(IA_ERR_PARSE, "empty multibase string");
    size_t n = strlen(s + 1);
    if (n > 4096) return ia_set_error(IA_ERR_LIMIT, "multibase string longer than 4096 characters");
    switch (s[0]) {
    case 'b': return b32_decode(s + 1, n, 0, out, out_len);
    case 'B': return b32_decode(s + 1, n, 1, out, out_len);
    case 'z': return radix_decode(B58, 58, s + 1, n, out, out_len);
    case 'k': return radix_decode(B36, 36, s + 1, n, out, out_len);
    case 'K': {
        char *l = ia_strdup(s + 1);
        if (!l) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            if (l[i] >= 'A' && l[i] <= 'Z') l[i] = (char)(l[i] - 'A' + 'a');
            else if (l[i] >= 'a' && l[i] <= 'z') l[i] = '!';
        }
        int rc = radix_decode(B36, 36, l, n, out, out_len);
        ia_free(l);
        return rc;
    }
    case 'f': {
        if (n % 2) return ia_set_error(IA_ERR_PARSE, "base16 string of odd length");
        uint8_t *r = ia_malloc(n / 2 + 1);
        if (!r) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n / 2; i++) {
            int hi = digit_of(B16, s[1 + 2 * i]), lo = digit_of(B16, s[2 + 2 * i]);
            if (hi < 0 || lo < 0) { ia_free(r); return ia_set_error(IA_ERR_PARSE, "invalid base16 character"); }
            r[i] = (uint8_t)(hi << 4 | lo);
        }
        *out = r;
        *out_len = n / 2;
        return IA_OK;
    }
    default: return ia_set_error(IA_ERR_UNSUPPORTED, "unsupported multibase prefix '%c'", s[0]);
    }
}
