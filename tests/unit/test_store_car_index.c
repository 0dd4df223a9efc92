/* CARv2 index: what we write (MultihashIndexSorted 0x0401) is read back and verified against the
 * payload; damaged indexes (offset, digest, order, missing entry, truncation) are rejected with
 * nothing imported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int nothing(void *u, const ia_cid *c, const uint8_t *b, size_t l, int r) { (void)u; (void)c; (void)b; (void)l; (void)r; return 0; }

/* A CARv2 of a 5-block file (4 raw leaves + root), in memory. */
static uint8_t *make_car(size_t *len, char *root_dir) {
    ia_blockstore *bs;
    if (!mkdtemp(root_dir) || ia_blockstore_open(root_dir, &bs)) return NULL;
    ia_add_options o;
    ia_add_options_init(&o, "unixfs-v1-2025");
    o.chunk_size = 1000;
    uint8_t data[3500];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7 + 3);
    ia_cid root;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    int rc = ia_add_bytes(bs, data, sizeof data, &o, &root);
    if (!rc) rc = ia_car_export(bs, &root, 2, f);
    fclose(f);
    ia_blockstore_close(bs);
    if (rc) { free(buf); return NULL; }
    *len = n;
    return (uint8_t *)buf;
}

static int read_ok(const uint8_t *p, size_t n) {
    uint32_t ver;
    return ia_car_read_buffer(p, n, 1, nothing, NULL, &ver);
}

TEST(index_written_and_verified) {
    char dir[] = "/tmp/ia-car-index-XXXXXX";
    size_t n;
    uint8_t *car = make_car(&n, dir);
    CHECK(car != NULL);
    if (!car) return;
    CHECK(read_ok(car, n) == IA_OK);
    uint64_t doff = le64(car + 27), dsize = le64(car + 35), ioff = le64(car + 43);
    CHECK(doff == 51 && ioff == doff + dsize && ioff < n);
    const uint8_t *ix = car + ioff;
    /* varint 0x0401 = 81 08, one code (sha2-256 = 0x12), one width (32 + 8), 5 entries */
    CHECK(ix[0] == 0x81 && ix[1] == 0x08);
    CHECK(ix[2] == 1 && ix[3] == 0 && le64(ix + 6) == 0x12);
    CHECK(ix[14] == 1 && ix[18] == 40 && le64(ix + 22) == 5 * 40);
    CHECK(n == ioff + 30 + 5 * 40);
    /* entries sorted by digest */
    for (int e = 1; e < 5; e++) CHECK(memcmp(ix + 30 + (e - 1) * 40, ix + 30 + e * 40, 32) < 0);

    uint8_t *bad = malloc(n);
    /* an entry's offset moved by one byte */
    memcpy(bad, car, n);
    bad[ioff + 30 + 32] ^= 1;
    CHECK(read_ok(bad, n) == IA_ERR_PARSE && strstr(ia_last_error(), "CARv2 index"));
    /* a digest changed (and so out of place or naming another block) */
    memcpy(bad, car, n);
    bad[ioff + 30 + 40 + 31] ^= 0x55;
    CHECK(read_ok(bad, n) == IA_ERR_PARSE && strstr(ia_last_error(), "CARv2 index"));
    /* two entries swapped: not sorted */
    memcpy(bad, car, n);
    memcpy(bad + ioff + 30, car + ioff + 30 + 40, 40);
    memcpy(bad + ioff + 30 + 40, car + ioff + 30, 40);
    CHECK(read_ok(bad, n) == IA_ERR_PARSE && strstr(ia_last_error(), "not sorted"));
    /* one entry fewer (bucket length shrunk, file cut): a block missing from the index */
    memcpy(bad, car, n);
    bad[ioff + 22] = 4 * 40;
    CHECK(read_ok(bad, n - 40) == IA_ERR_PARSE && strstr(ia_last_error(), "missing from the index"));
    /* truncated index */
    CHECK(read_ok(car, n - 3) == IA_ERR_PARSE);
    /* an unknown index codec */
    memcpy(bad, car, n);
    bad[ioff] = 0x82;
    CHECK(read_ok(bad, n) == IA_ERR_PARSE && strstr(ia_last_error(), "unsupported index codec"));
    /* import refuses a damaged index and stores nothing */
    char path[64];
    snprintf(path, sizeof path, "%s/bad.car", dir);
    memcpy(bad, car, n);
    bad[ioff + 30 + 32] ^= 1;
    FILE *f = fopen(path, "wb");
    fwrite(bad, 1, n, f);
    fclose(f);
    char home[64];
    snprintf(home, sizeof home, "%s/h2", dir);
    ia_blockstore *bs;
    CHECK(ia_blockstore_open(home, &bs) == IA_OK);
    size_t nb = 0;
    CHECK(ia_car_import(bs, path, NULL, NULL, &nb) == IA_ERR_PARSE && strstr(ia_last_error(), "nothing imported"));
    uint64_t checked = 0;
    CHECK(ia_store_verify(bs, NULL, NULL, NULL, &checked) == IA_OK && checked == 0);
    ia_blockstore_close(bs);
    free(bad);
    free(car);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", dir, dir);
    if (system(cmd)) { }
}

UNIT_MAIN(CASE(index_written_and_verified))
