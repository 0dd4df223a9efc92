/* Unit tests for the store's formats: varints, multibase, CIDs, dag-pb and UnixFS codecs. */
#include <stdio.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "store/store_internal.h"

static int passed, failed;
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) passed++;                                                              \
        else { failed++; fprintf(stderr, "FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, ia_last_error()); } \
    } while (0)

static void test_varint(void) {
    uint8_t b[10];
    uint64_t v;
    size_t used;
    const uint64_t vals[] = {0, 1, 127, 128, 300, 16384, 0x7fffffffffffffffull};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        size_t n = ia_varint_encode(vals[i], b);
        CHECK(ia_varint_decode(b, n, &v, &used) == IA_OK && v == vals[i] && used == n);
    }
    const uint8_t nonmin[] = {0x80, 0x00};
    CHECK(ia_varint_decode(nonmin, 2, &v, &used) == IA_ERR_PARSE);
    const uint8_t trunc[] = {0x80};
    CHECK(ia_varint_decode(trunc, 1, &v, &used) == IA_ERR_PARSE);
    const uint8_t longv[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(ia_varint_decode(longv, 10, &v, &used) == IA_ERR_PARSE);
}

static void test_multibase(void) {
    char s[128];
    uint8_t *out;
    size_t n;
    CHECK(ia_multibase_encode('z', (const uint8_t *)"hello world", 11, s, sizeof s) == IA_OK && !strcmp(s, "zStV1DL6CwTryKyV"));
    CHECK(ia_multibase_encode('b', (const uint8_t *)"hello world", 11, s, sizeof s) == IA_OK && !strcmp(s, "bnbswy3dpeb3w64tmmq"));
    CHECK(ia_multibase_encode('k', (const uint8_t *)"yes mani !", 10, s, sizeof s) == IA_OK && !strcmp(s, "k2lcpzo5yikidynfl"));
    CHECK(ia_multibase_decode("k2lcpzo5yikidynfl", &out, &n) == IA_OK && n == 10 && !memcmp(out, "yes mani !", 10));
    ia_free(out);
    CHECK(ia_multibase_decode("K2LCPZO5YIKIDYNFL", &out, &n) == IA_OK && n == 10 && !memcmp(out, "yes mani !", 10));
    ia_free(out);
    CHECK(ia_multibase_decode("BNBSWY3DPEB3W64TMMQ", &out, &n) == IA_OK && n == 11 && !memcmp(out, "hello world", 11));
    ia_free(out);
    const uint8_t z[] = {0, 0, 1};
    CHECK(ia_multibase_encode('z', z, 3, s, sizeof s) == IA_OK && !strcmp(s, "z112"));
    CHECK(ia_multibase_decode("z112", &out, &n) == IA_OK && n == 3 && !memcmp(out, z, 3));
    ia_free(out);
    CHECK(ia_multibase_decode("z0OIl", &out, &n) == IA_ERR_PARSE);
    CHECK(ia_multibase_decode("b1", &out, &n) == IA_ERR_PARSE);
    CHECK(ia_multibase_decode("bnbswy3dpeb3w64tmmr", &out, &n) == IA_ERR_PARSE); /* non-zero tail bits */
    CHECK(ia_multibase_decode("x123", &out, &n) == IA_ERR_UNSUPPORTED);
    CHECK(ia_multibase_decode("", &out, &n) == IA_ERR_PARSE);
}

static void test_cid(void) {
    ia_cid c, d;
    char s[IA_CID_MAX_STRING];
    CHECK(ia_cid_parse("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn", &c) == IA_OK && c.version == 0 && c.codec == IA_CODEC_DAG_PB);
    ia_cid_to_v1(&c, &d);
    CHECK(ia_cid_format(&d, 0, s, sizeof s) == IA_OK && !strcmp(s, "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"));
    ia_cid e;
    CHECK(ia_cid_parse(s, &e) == IA_OK && ia_cid_equal(&d, &e));
    CHECK(ia_cid_format(&d, 'k', s, sizeof s) == IA_OK && ia_cid_parse(s, &e) == IA_OK && ia_cid_equal(&d, &e));
    CHECK(ia_cid_format(&d, 'z', s, sizeof s) == IA_OK && ia_cid_parse(s, &e) == IA_OK && ia_cid_equal(&d, &e));
    CHECK(ia_cid_format(&c, 'b', s, sizeof s) == IA_ERR_INVALID_ARG);
    CHECK(ia_cid_of(1, IA_CODEC_RAW, "hello world", 11, &c) == IA_OK && ia_cid_format(&c, 0, s, sizeof s) == IA_OK &&
          !strcmp(s, "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"));
    CHECK(ia_cid_of(0, IA_CODEC_RAW, "x", 1, &c) == IA_ERR_INVALID_ARG);
    /* malformed */
    CHECK(ia_cid_parse("", &c) != IA_OK);
    CHECK(ia_cid_parse("Qm", &c) != IA_OK);
    CHECK(ia_cid_parse("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3N0", &c) != IA_OK);
    CHECK(ia_cid_parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5", &c) != IA_OK); /* truncated */
    CHECK(ia_cid_parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5eaa", &c) != IA_OK); /* trailing */
    /* identity CIDs: the digest is the data */
    uint8_t idc[] = {0x01, 0x55, 0x00, 0x03, 'a', 'b', 'c'};
    size_t used;
    CHECK(ia_cid_decode(idc, sizeof idc, &c, &used) == IA_OK && c.mh_code == IA_MH_IDENTITY && c.digest_len == 3 && used == 7);
    uint8_t badlen[] = {0x01, 0x55, 0x12, 0x10, 1, 2, 3};
    CHECK(ia_cid_decode(badlen, sizeof badlen, &c, &used) != IA_OK);
    uint8_t v2[] = {0x02, 0x55, 0x00, 0x00};
    CHECK(ia_cid_decode(v2, sizeof v2, &c, &used) != IA_OK);
}

static void test_dagpb(void) {
    ia__buf b = {0};
    ia__link_in l[2];
    memset(l, 0, sizeof l);
    ia_cid_of(1, IA_CODEC_RAW, "a", 1, &l[0].cid);
    ia_cid_of(0, IA_CODEC_DAG_PB, "b", 1, &l[1].cid);
    l[0].name = "a"; l[0].name_len = 1; l[0].tsize = 1;
    l[1].name = "b"; l[1].name_len = 1; l[1].tsize = 2;
    const uint8_t data[] = {0x08, 0x01};
    CHECK(ia__dagpb_encode(&b, l, 2, data, 2, 1) == IA_OK);
    ia_pb_node n;
    CHECK(ia_dagpb_decode(b.p, b.len, &n) == IA_OK && n.nlinks == 2 && n.has_data && n.data_len == 2 &&
          n.links[1].tsize == 2 && n.links[0].name_len == 1 && ia_cid_equal(&n.links[0].cid, &l[0].cid));
    ia_free(n.links);
    ia_unixfs u;
    CHECK(ia_unixfs_decode(data, 2, &u) == IA_OK && u.type == IA_UNIXFS_DIRECTORY);
    ia_free(u.blocksizes);
    /* unsorted links rejected */
    ia__buf b2 = {0};
    ia__link_in r[2] = {l[1], l[0]};
    CHECK(ia__dagpb_encode(&b2, r, 2, NULL, 0, 0) == IA_OK && ia_dagpb_decode(b2.p, b2.len, &n) == IA_ERR_PARSE);
    /* data before links rejected */
    ia__buf b3 = {0};
    ia__pb_bytes(&b3, 1, data, 2);
    ia__buf_put(&b3, b.p, b.len);
    CHECK(ia_dagpb_decode(b3.p, b3.len, &n) == IA_ERR_PARSE);
    /* unknown field rejected */
    const uint8_t unk[] = {0x18, 0x01};
    CHECK(ia_dagpb_decode(unk, 2, &n) == IA_ERR_PARSE);
    /* overrun rejected */
    const uint8_t over[] = {0x0a, 0x05, 0x08};
    CHECK(ia_dagpb_decode(over, 3, &n) == IA_ERR_PARSE);
    /* link fields out of order: Name before Hash */
    const uint8_t ord[] = {0x12, 0x03, 0x12, 0x01, 'a'};
    CHECK(ia_dagpb_decode(ord, sizeof ord, &n) == IA_ERR_PARSE);
    /* empty node is valid */
    CHECK(ia_dagpb_decode((const uint8_t *)"", 0, &n) == IA_OK && n.nlinks == 0 && !n.has_data);
    /* UnixFS: file with blocksizes; unknown type rejected */
    ia__buf ub = {0};
    uint64_t bs[2] = {5, 7};
    CHECK(ia__unixfs_encode(&ub, IA_UNIXFS_FILE, NULL, 0, 0, 1, 12, bs, 2, 0, 0, 0) == IA_OK);
    CHECK(ia_unixfs_decode(ub.p, ub.len, &u) == IA_OK && u.type == IA_UNIXFS_FILE && u.filesize == 12 && u.nblocksizes == 2 && u.blocksizes[1] == 7);
    ia_free(u.blocksizes);
    const uint8_t badtype[] = {0x08, 0x09};
    CHECK(ia_unixfs_decode(badtype, 2, &u) == IA_ERR_PARSE);
    const uint8_t notype[] = {0x18, 0x01};
    CHECK(ia_unixfs_decode(notype, 2, &u) == IA_ERR_PARSE);
    ia__buf_free(&b);
    ia__buf_free(&b2);
    ia__buf_free(&b3);
    ia__buf_free(&ub);
}

int main(void) {
    test_varint();
    test_multibase();
    test_cid();
    test_dagpb();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
