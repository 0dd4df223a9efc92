/* HAMT-sharded directories (UnixFS HAMTShard): murmur3-x64-64 of entry names, 8 bits per level
 * at fanout 256, link names = bucket in upper-case hex (+ entry name for leaves). */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include "store/store_internal.h"

int ia__blockstore_putv(ia_blockstore *bs, const ia_cid *cid, const struct iovec *iov, int niov);

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t fmix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}
static uint64_t load64le(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* MurmurHash3 x64 128 (seed 0); returns h1, whose big-endian bytes are the multihash digest. */
uint64_t ia_murmur3_x64_64(const void *data, size_t len) {
    const uint8_t *p = data;
    const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
    uint64_t h1 = 0, h2 = 0;
    size_t nblocks = len / 16;
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t k1 = load64le(p + 16 * i), k2 = load64le(p + 16 * i + 8);
        k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
        h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
        k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
        h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
    }
    const uint8_t *t = p + nblocks * 16;
    uint64_t k1 = 0, k2 = 0;
    switch (len & 15) {
    case 15: k2 ^= (uint64_t)t[14] << 48; /* fall through */
    case 14: k2 ^= (uint64_t)t[13] << 40; /* fall through */
    case 13: k2 ^= (uint64_t)t[12] << 32; /* fall through */
    case 12: k2 ^= (uint64_t)t[11] << 24; /* fall through */
    case 11: k2 ^= (uint64_t)t[10] << 16; /* fall through */
    case 10: k2 ^= (uint64_t)t[9] << 8; /* fall through */
    case 9: k2 ^= (uint64_t)t[8]; k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2; /* fall through */
    case 8: k1 ^= (uint64_t)t[7] << 56; /* fall through */
    case 7: k1 ^= (uint64_t)t[6] << 48; /* fall through */
    case 6: k1 ^= (uint64_t)t[5] << 40; /* fall through */
    case 5: k1 ^= (uint64_t)t[4] << 32; /* fall through */
    case 4: k1 ^= (uint64_t)t[3] << 24; /* fall through */
    case 3: k1 ^= (uint64_t)t[2] << 16; /* fall through */
    case 2: k1 ^= (uint64_t)t[1] << 8; /* fall through */
    case 1: k1 ^= (uint64_t)t[0]; k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1; /* fall through */
    default: break;
    }
    h1 ^= (uint64_t)len;
    h2 ^= (uint64_t)len;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    return h1;
}

int ia__hamt_bits(uint64_t fanout) {
    int b = 0;
    while (b < 16 && ((uint64_t)1 << b) < fanout) b++;
    return ((uint64_t)1 << b) == fanout && b >= 1 && b <= 8 ? b : -1;
}

typedef struct hent {
    const ia__link_in *link;
    uint64_t hash;
} hent;

static const char HEX[] = "0123456789ABCDEF";

/* Builds the shard node for entries (all sharing the first `depth` indices). */
static int build(ia_blockstore *bs, uint32_t ver, hent *e, size_t n, int bits, int depth, const ia__unixfs_meta *meta,
                 ia_cid *cid, uint64_t *tsize) {
    if ((depth + 1) * bits > 64) return ia_set_error(IA_ERR_LIMIT, "HAMT: 64-bit hash collision between directory entries");
    const unsigned fanout = 1u << bits;
    int shift = 64 - (depth + 1) * bits;
    /* entries are sorted by hash, so each bucket is a contiguous run */
    ia__link_in *links = ia_calloc(n ? n : 1, sizeof *links);
    char (*names)[3] = ia_calloc(n ? n : 1, 3);
    char **lnames = ia_calloc(n ? n : 1, sizeof(char *));
    uint8_t bitmap[32];
    memset(bitmap, 0, sizeof bitmap);
    int rc = (!links || !names || !lnames) ? ia_set_error(IA_ERR_NOMEM, "out of memory") : IA_OK;
    size_t nl = 0;
    uint64_t child_ts = 0;
    int padw = bits <= 4 ? 1 : 2;
    for (size_t i = 0; !rc && i < n;) {
        unsigned idx = (unsigned)((e[i].hash >> shift) & (fanout - 1));
        size_t j = i + 1;
        while (j < n && (unsigned)((e[j].hash >> shift) & (fanout - 1)) == idx) j++;
        bitmap[31 - idx / 8] |= (uint8_t)(1u << (idx % 8));
        if (padw == 2) { names[nl][0] = HEX[idx >> 4]; names[nl][1] = HEX[idx & 15]; }
        else names[nl][0] = HEX[idx & 15];
        if (j - i == 1) {
            size_t ln = (size_t)padw + e[i].link->name_len;
            lnames[nl] = ia_malloc(ln + 1);
            if (!lnames[nl]) { rc = ia_set_error(IA_ERR_NOMEM, "out of memory"); break; }
            memcpy(lnames[nl], names[nl], (size_t)padw);
            memcpy(lnames[nl] + padw, e[i].link->name, e[i].link->name_len);
            lnames[nl][ln] = 0;
            links[nl].cid = e[i].link->cid;
            links[nl].name = lnames[nl];
            links[nl].name_len = ln;
            links[nl].tsize = e[i].link->tsize;
        } else {
            rc = build(bs, ver, e + i, j - i, bits, depth + 1, NULL, &links[nl].cid, &links[nl].tsize);
            links[nl].name = names[nl];
            links[nl].name_len = (size_t)padw;
        }
        child_ts += links[nl].tsize;
        nl++;
        i = j;
    }
    ia__buf ub = {0}, nb = {0};
    if (!rc) {
        size_t s = 0;
        while (s < 31 && bitmap[s] == 0) s++;
        if (bitmap[s] == 0) s = 32; /* empty: no bytes */
        rc = ia__unixfs_encode(&ub, IA_UNIXFS_HAMT, bitmap + s, 32 - s, 1, 0, 0, NULL, 0, 1, IA_MH_MURMUR3_X64_64, fanout);
        if (!rc) rc = ia__unixfs_put_meta(&ub, meta); /* the root shard only, as the importer does */
    }
    if (!rc) rc = ia__dagpb_encode(&nb, links, nl, ub.p, ub.len, 1);
    if (!rc) {
        uint8_t d[32];
        ia__sha256(nb.p, nb.len, d);
        memset(cid, 0, sizeof *cid);
        ia__cid_set(cid, ver, IA_CODEC_DAG_PB, d);
        *tsize = nb.len + child_ts;
        if (bs) rc = ia_blockstore_put(bs, cid, nb.p, nb.len);
    }
    for (size_t i = 0; i < nl && lnames; i++) ia_free(lnames[i]);
    ia_free(lnames);
    ia_free(names);
    ia_free(links);
    ia__buf_free(&ub);
    ia__buf_free(&nb);
    return rc;
}

static int hent_cmp(const void *a, const void *b) {
    const hent *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    size_t n = x->link->name_len < y->link->name_len ? x->link->name_len : y->link->name_len;
    int c = memcmp(x->link->name, y->link->name, n);
    return c ? c : (x->link->name_len < y->link->name_len ? -1 : x->link->name_len > y->link->name_len);
}

int ia__hamt_build(ia_blockstore *bs, uint32_t cid_version, ia__link_in *links, size_t n, uint32_t fanout,
                   const ia__unixfs_meta *meta, ia_cid *cid, uint64_t *tsize) {
    int bits = ia__hamt_bits(fanout);
    if (bits < 0) return ia_set_error(IA_ERR_INVALID_ARG, "HAMT fanout %u must be a power of two from 2 to 256", fanout);
    hent *e = ia_calloc(n ? n : 1, sizeof *e);
    if (!e) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        e[i].link = &links[i];
        e[i].hash = ia_murmur3_x64_64(links[i].name, links[i].name_len);
    }
    qsort(e, n, sizeof *e, hent_cmp);
    int rc = build(bs, cid_version, e, n, bits, 0, meta, cid, tsize);
    ia_free(e);
    return rc;
}
