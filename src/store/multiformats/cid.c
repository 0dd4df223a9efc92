/* CIDs: binary and text forms (v0 and v1), multihash sha2-256 / identity, SHA-256 via OpenSSL,
 * and a hash set of CIDs. */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include "store/store_internal.h"

int ia__base58_decode(const char *s, size_t n, uint8_t **out, size_t *out_len);
int ia__base58_encode(const uint8_t *in, size_t len, char *out, size_t cap);

void ia__sha256(const void *data, size_t len, uint8_t out[32]) {
    SHA256(data, len, out);
}

void ia__sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, a, alen) ||
        !EVP_DigestUpdate(c, b, blen) || !EVP_DigestFinal_ex(c, out, NULL)) {
        /* Only on allocation failure inside OpenSSL: fall back to one buffer. */
        uint8_t *t = ia_malloc(alen + blen ? alen + blen : 1);
        if (t) {
            if (alen) memcpy(t, a, alen);
            if (blen) memcpy(t + alen, b, blen);
            SHA256(t, alen + blen, out);
            ia_free(t);
        } else {
            memset(out, 0, 32);
        }
    }
    EVP_MD_CTX_free(c);
}

void ia__cid_set(ia_cid *cid, uint32_t version, uint64_t codec, const uint8_t digest[32]) {
    cid->version = version;
    cid->codec = codec;
    cid->mh_code = IA_MH_SHA2_256;
    cid->digest_len = 32;
    memcpy(cid->digest, digest, 32);
}

int ia_cid_of(uint32_t version, uint64_t codec, const void *data, size_t len, ia_cid *cid) {
    if (version > 1) return ia_set_error(IA_ERR_INVALID_ARG, "CID version %u does not exist", version);
    if (version == 0 && codec != IA_CODEC_DAG_PB)
        return ia_set_error(IA_ERR_INVALID_ARG, "CIDv0 can only name dag-pb blocks");
    uint8_t d[32];
    ia__sha256(data, len, d);
    memset(cid, 0, sizeof *cid);
    ia__cid_set(cid, version, codec, d);
    return IA_OK;
}

int ia__cid_verify(const ia_cid *cid, const void *data, size_t len) {
    if (cid->mh_code == IA_MH_IDENTITY)
        return cid->digest_len == len && (len == 0 || memcmp(cid->digest, data, len) == 0);
    if (cid->mh_code != IA_MH_SHA2_256) return ia_set_error(IA_ERR_UNSUPPORTED, "multihash 0x%llx not supported", (unsigned long long)cid->mh_code);
    uint8_t d[32];
    ia__sha256(data, len, d);
    return memcmp(d, cid->digest, 32) == 0;
}

int ia_cid_equal(const ia_cid *a, const ia_cid *b) {
    return a->version == b->version && a->codec == b->codec && a->mh_code == b->mh_code &&
           a->digest_len == b->digest_len && memcmp(a->digest, b->digest, a->digest_len) == 0;
}

void ia_cid_to_v1(const ia_cid *in, ia_cid *out) {
    if (out != in) *out = *in;
    out->version = 1;
}

static int check_mh(uint64_t code, uint64_t dlen) {
    if (code == IA_MH_SHA2_256) {
        if (dlen != 32) return ia_set_error(IA_ERR_PARSE, "sha2-256 digest of %llu bytes (must be 32)", (unsigned long long)dlen);
    } else if (code == IA_MH_IDENTITY) {
        if (dlen > IA_CID_MAX_DIGEST) return ia_set_error(IA_ERR_LIMIT, "identity digest of %llu bytes exceeds %d", (unsigned long long)dlen, IA_CID_MAX_DIGEST);
    } else if (code == IA_MH_MURMUR3_X64_64) {
        if (dlen != 8) return ia_set_error(IA_ERR_PARSE, "murmur3-x64-64 digest of %llu bytes (must be 8)", (unsigned long long)dlen);
    } else {
        return ia_set_error(IA_ERR_UNSUPPORTED, "multihash code 0x%llx is not supported", (unsigned long long)code);
    }
    return IA_OK;
}

int ia_cid_decode(const uint8_t *p, size_t len, ia_cid *cid, size_t *used) {
    memset(cid, 0, sizeof *cid);
    if (len >= 2 && p[0] == 0x12 && p[1] == 0x20) {
        if (len < 34) return ia_set_error(IA_ERR_PARSE, "CIDv0 truncated (%zu of 34 bytes)", len);
        ia__cid_set(cid, 0, IA_CODEC_DAG_PB, p + 2);
        *used = 34;
        return IA_OK;
    }
    size_t off = 0, n;
    uint64_t ver, codec, code, dlen;
    int rc = ia_varint_decode(p, len, &ver, &n);
    if (rc) return rc;
    off += n;
    if (ver != 1) return ia_set_error(IA_ERR_PARSE, "CID version %llu is not supported", (unsigned long long)ver);
    if ((rc = ia_varint_decode(p + off, len - off, &codec, &n))) return rc;
    off += n;
    if ((rc = ia_varint_decode(p + off, len - off, &code, &n))) return rc;
    off += n;
    if ((rc = ia_varint_decode(p + off, len - off, &dlen, &n))) return rc;
    off += n;
    if ((rc = check_mh(code, dlen))) return rc;
    if (dlen > len - off) return ia_set_error(IA_ERR_PARSE, "CID digest truncated (%zu of %llu bytes)", len - off, (unsigned long long)dlen);
    cid->version = 1;
    cid->codec = codec;
    cid->mh_code = code;
    cid->digest_len = (uint32_t)dlen;
    memcpy(cid->digest, p + off, (size_t)dlen);
    *used = off + (size_t)dlen;
    return IA_OK;
}

size_t ia__multihash_bytes(const ia_cid *cid, uint8_t *out, size_t cap) {
    uint8_t t[20];
    size_t n = ia_varint_encode(cid->mh_code, t);
    n += ia_varint_encode(cid->digest_len, t + n);
    if (n + cid->digest_len > cap) return 0;
    memcpy(out, t, n);
    memcpy(out + n, cid->digest, cid->digest_len);
    return n + cid->digest_len;
}

int ia_cid_encode(const ia_cid *cid, uint8_t *out, size_t cap, size_t *len) {
    size_t off = 0;
    if (cid->digest_len > IA_CID_MAX_DIGEST) return ia_set_error(IA_ERR_INVALID_ARG, "CID digest too long");
    if (cid->version == 0) {
        if (cid->codec != IA_CODEC_DAG_PB || cid->mh_code != IA_MH_SHA2_256 || cid->digest_len != 32)
            return ia_set_error(IA_ERR_INVALID_ARG, "CIDv0 must be dag-pb with a sha2-256 digest");
    } else if (cid->version == 1) {
        uint8_t t[20];
        size_t n = ia_varint_encode(1, t);
        n += ia_varint_encode(cid->codec, t + n);
        if (n > cap) return ia_set_error(IA_ERR_LIMIT, "CID buffer too small");
        memcpy(out, t, n);
        off = n;
    } else {
        return ia_set_error(IA_ERR_INVALID_ARG, "CID version %u does not exist", cid->version);
    }
    size_t m = ia__multihash_bytes(cid, out + off, cap - off);
    if (!m) return ia_set_error(IA_ERR_LIMIT, "CID buffer too small");
    *len = off + m;
    return IA_OK;
}

int ia_cid_parse(const char *s, ia_cid *cid) {
    if (!s) return ia_set_error(IA_ERR_INVALID_ARG, "no CID given");
    size_t n = strlen(s);
    uint8_t *bytes = NULL;
    size_t blen = 0, used;
    int rc;
    if (n == 46 && s[0] == 'Q' && s[1] == 'm') {
        rc = ia__base58_decode(s, n, &bytes, &blen);
        if (rc) return ia_set_error(rc, "'%s' is not a CID: %s", s, ia__prev_error());
        if (blen != 34 || bytes[0] != 0x12 || bytes[1] != 0x20) {
            ia_free(bytes);
            return ia_set_error(IA_ERR_PARSE, "'%s' is not a CIDv0 (not a sha2-256 multihash)", s);
        }
    } else {
        rc = ia_multibase_decode(s, &bytes, &blen);
        if (rc) return ia_set_error(rc, "'%.80s' is not a CID: %s", s, ia__prev_error());
        if (blen >= 1 && bytes[0] == 0x12) {
            ia_free(bytes);
            return ia_set_error(IA_ERR_PARSE, "'%.80s': a multibase CIDv0 is not valid", s);
        }
    }
    rc = ia_cid_decode(bytes, blen, cid, &used);
    if (!rc && used != blen) rc = ia_set_error(IA_ERR_PARSE, "'%.80s' has %zu trailing bytes after the CID", s, blen - used);
    else if (rc) rc = ia_set_error(rc, "'%.80s' is not a CID: %s", s, ia__prev_error());
    ia_free(bytes);
    return rc;
}

int ia_cid_format(const ia_cid *cid, char base, char *out, size_t cap) {
    uint8_t b[IA_CID_MAX_BYTES];
    size_t n;
    int rc = ia_cid_encode(cid, b, sizeof b, &n);
    if (rc) return rc;
    if (cid->version == 0) {
        if (base && base != 'z') return ia_set_error(IA_ERR_INVALID_ARG, "a CIDv0 is always base58btc; convert it to v1 first");
        return ia__base58_encode(b, n, out, cap);
    }
    return ia_multibase_encode(base ? base : 'b', b, n, out, cap);
}

const char *ia_codec_name(uint64_t code) {
    switch (code) {
    case IA_CODEC_RAW: return "raw";
    case IA_CODEC_DAG_PB: return "dag-pb";
    case IA_CODEC_DAG_CBOR: return "dag-cbor";
    case 0x0129: return "dag-json";
    case 0x0200: return "json";
    case 0x51: return "cbor";
    case 0x72: return "libp2p-key";
    default: return "unknown";
    }
}

static const char *mh_name(uint64_t code) {
    switch (code) {
    case IA_MH_IDENTITY: return "identity";
    case IA_MH_SHA2_256: return "sha2-256";
    case IA_MH_MURMUR3_X64_64: return "murmur3-x64-64";
    default: return "unknown";
    }
}

int ia_cid_describe(const char *text, FILE *out) {
    ia_cid c;
    int rc = ia_cid_parse(text, &c);
    if (rc) return rc;
    const char *base = c.version == 0 ? "base58btc (CIDv0, no prefix)" : text[0] == 'b' ? "base32 (b)" : text[0] == 'B' ? "base32upper (B)"
                     : text[0] == 'z' ? "base58btc (z)" : text[0] == 'k' ? "base36 (k)" : text[0] == 'K' ? "base36upper (K)" : "base16 (f)";
    fprintf(out, "cid:       %s\nversion:   %u\nmultibase: %s\ncodec:     %s (0x%llx)\nmultihash: %s (0x%llx), %u-byte digest\ndigest:    ",
            text, c.version, base, ia_codec_name(c.codec), (unsigned long long)c.codec, mh_name(c.mh_code),
            (unsigned long long)c.mh_code, c.digest_len);
    for (uint32_t i = 0; i < c.digest_len; i++) fprintf(out, "%02x", c.digest[i]);
    fputc('\n', out);
    char s[IA_CID_MAX_STRING];
    if (c.version == 0 && !ia_cid_format(&c, 0, s, sizeof s)) fprintf(out, "v0:        %s\n", s);
    ia_cid v1;
    ia_cid_to_v1(&c, &v1);
    if (!ia_cid_format(&v1, 'b', s, sizeof s)) fprintf(out, "v1 base32: %s\n", s);
    if (!ia_cid_format(&v1, 'k', s, sizeof s)) fprintf(out, "v1 base36: %s\n", s);
    if (!ia_cid_format(&v1, 'z', s, sizeof s)) fprintf(out, "v1 base58: %s\n", s);
    return IA_OK;
}

const char *ia__prev_error(void) {
    static _Thread_local char copy[512];
    snprintf(copy, sizeof copy, "%s", ia_last_error());
    return copy;
}

/* ---- CID set ---- */

static uint64_t cid_hash(const ia_cid *c) {
    uint64_t h = 1469598103934665603ull ^ c->codec;
    for (uint32_t i = 0; i < c->digest_len; i++) h = (h ^ c->digest[i]) * 1099511628211ull;
    return h ^ (c->mh_code << 7);
}

static int same_block(const ia_cid *a, const ia_cid *b) {
    return a->codec == b->codec && a->mh_code == b->mh_code && a->digest_len == b->digest_len &&
           memcmp(a->digest, b->digest, a->digest_len) == 0;
}

int ia__cidset_has(const ia__cidset *s, const ia_cid *cid) {
    if (!s->cap) return 0;
    for (size_t i = cid_hash(cid) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->used[i]) return 0;
        if (same_block(&s->slots[i], cid)) return 1;
    }
}

int ia__cidset_add(ia__cidset *s, const ia_cid *cid) {
    if ((s->count + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        ia__cidset n = {ia_calloc(ncap, sizeof(ia_cid)), ia_calloc(ncap, 1), ncap, 0};
        if (!n.slots || !n.used) {
            ia_free(n.slots);
            ia_free(n.used);
            return ia_set_error(IA_ERR_NOMEM, "out of memory in CID set");
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->used[i]) ia__cidset_add(&n, &s->slots[i]);
        ia__cidset_free(s);
        *s = n;
    }
    for (size_t i = cid_hash(cid) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->used[i]) {
            s->used[i] = 1;
            s->slots[i] = *cid;
            s->count++;
            return 1;
        }
        if (same_block(&s->slots[i], cid)) return 0;
    }
}

void ia__cidset_free(ia__cidset *s) {
    ia_free(s->slots);
    ia_free(s->used);
    memset(s, 0, sizeof *s);
}
