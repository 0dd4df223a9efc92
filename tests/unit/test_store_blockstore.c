/* Unit tests for the on-disk store: put/get, corruption detection, identity CIDs, the importer
 * with ranged cat, get refusing escaping names, pins and gc, CAR round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "store/store_internal.h"

static int passed, failed;
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) passed++;                                                              \
        else { failed++; fprintf(stderr, "FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, ia_last_error()); } \
    } while (0)

int ia__blockstore_block_path(ia_blockstore *bs, const ia_cid *cid, char *path, size_t cap);

typedef struct sink { uint8_t *p; size_t len, cap; } sink;
static int to_sink(void *u, const void *d, size_t n) {
    sink *s = u;
    if (s->len + n > s->cap) return IA_ERR_LIMIT;
    memcpy(s->p + s->len, d, n);
    s->len += n;
    return IA_OK;
}

static int count_fn(void *u, const ia_cid *c, uint64_t sz) { (void)c; (void)sz; (*(int *)u)++; return 0; }

int main(void) {
    char root[] = "/tmp/ia-store-unit-XXXXXX";
    if (!mkdtemp(root)) return 1;
    ia_blockstore *bs;
    CHECK(ia_blockstore_open(root, &bs) == IA_OK);

    /* put / get / has, sharded path like flatfs */
    ia_cid c;
    ia_cid_of(1, IA_CODEC_RAW, "hello world", 11, &c);
    CHECK(ia_blockstore_put(bs, &c, "hello world", 11) == IA_OK && ia_blockstore_flush(bs) == IA_OK);
    char path[4096];
    CHECK(ia__blockstore_block_path(bs, &c, path, sizeof path) == IA_OK && strstr(path, "/blocks/") && access(path, F_OK) == 0);
    /* key CIQ... (base32 of the multihash), shard = next-to-last two characters */
    const char *key = strrchr(path, '/') + 1;
    CHECK(!strncmp(key, "CIQ", 3) && !strncmp(key + strlen(key) - 8, key - 3, 2));
    uint8_t *d;
    size_t n;
    CHECK(ia_blockstore_get(bs, &c, &d, &n) == IA_OK && n == 11 && !memcmp(d, "hello world", 11));
    ia_free(d);
    /* corruption: detected on read, named */
    chmod(path, 0644);
    FILE *f = fopen(path, "r+b");
    fputc('H', f);
    fclose(f);
    CHECK(ia_blockstore_get(bs, &c, &d, &n) == IA_ERR_PARSE && strstr(ia_last_error(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"));
    uint64_t checked = 0;
    CHECK(ia_store_verify(bs, NULL, NULL, NULL, &checked) == IA_ERR_PARSE && checked == 1);
    CHECK(ia_blockstore_delete(bs, &c) == IA_OK && !ia_blockstore_has(bs, &c));
    /* identity CIDs are never stored but always readable */
    uint8_t idc[] = {0x01, 0x55, 0x00, 0x03, 'a', 'b', 'c'};
    size_t used;
    ia_cid_decode(idc, sizeof idc, &c, &used);
    int count = 0;
    CHECK(ia_blockstore_put(bs, &c, "abc", 3) == IA_OK && ia_blockstore_has(bs, &c));
    CHECK(ia_blockstore_foreach(bs, count_fn, &count) == IA_OK && count == 0);

    /* importer + ranged cat across chunk boundaries (small chunks, deep tree) */
    size_t sz = 100000;
    uint8_t *data = ia_malloc(sz);
    for (size_t i = 0; i < sz; i++) data[i] = (uint8_t)(i * 7 + (i >> 8));
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    o.chunk_size = 1000;
    o.max_links = 3;
    ia_cid fileroot;
    CHECK(ia_add_bytes(bs, data, sz, &o, &fileroot) == IA_OK);
    uint64_t fsz = 0;
    CHECK(ia_store_file_size(bs, &fileroot, &fsz) == IA_OK && fsz == sz);
    sink s = {ia_malloc(sz), 0, sz};
    const uint64_t ranges[][2] = {{0, UINT64_MAX}, {999, 2}, {12345, 54321}, {99999, 10}, {sz, 5}, {0, 0}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        s.len = 0;
        uint64_t off = ranges[i][0], len = ranges[i][1];
        uint64_t want = off >= sz ? 0 : (len > sz - off ? sz - off : len);
        CHECK(ia_store_cat(bs, &fileroot, off, len, to_sink, &s) == IA_OK && s.len == want && !memcmp(s.p, data + (off < sz ? off : 0), (size_t)want));
    }
    /* same bytes hashed only (no store) give the same CID */
    ia_cid h;
    CHECK(ia_add_bytes(NULL, data, sz, &o, &h) == IA_OK && ia_cid_equal(&h, &fileroot));

    /* a hostile directory whose entry is named ".." is refused by get */
    ia__buf nb = {0};
    ia__link_in l = {fileroot, "..", 2, 1};
    const uint8_t dirdata[] = {0x08, 0x01};
    ia__dagpb_encode(&nb, &l, 1, dirdata, 2, 1);
    ia_cid evil;
    ia_cid_of(0, IA_CODEC_DAG_PB, nb.p, nb.len, &evil);
    ia_blockstore_put(bs, &evil, nb.p, nb.len);
    ia_blockstore_flush(bs);
    char out[4200];
    snprintf(out, sizeof out, "%s/out-evil", root);
    CHECK(ia_store_get(bs, &evil, out) == IA_ERR_PARSE && strstr(ia_last_error(), "escape"));
    ia__buf_free(&nb);

    /* pins + gc: the pinned file survives, the unpinned hostile dir goes */
    CHECK(ia_pin_add(bs, &fileroot, IA_PIN_RECURSIVE) == IA_OK);
    uint64_t rb = 0, rbytes = 0;
    CHECK(ia_store_gc(bs, &rb, &rbytes) == IA_OK && rb == 1);
    CHECK(!ia_blockstore_has(bs, &evil) && ia_blockstore_has(bs, &fileroot));
    s.len = 0;
    CHECK(ia_store_cat(bs, &fileroot, 0, UINT64_MAX, to_sink, &s) == IA_OK && s.len == sz);
    CHECK(ia_store_verify(bs, &fileroot, NULL, NULL, &checked) == IA_OK && checked > 100);
    CHECK(ia_pin_rm(bs, &fileroot) == IA_OK && ia_pin_rm(bs, &fileroot) == IA_ERR_NOT_FOUND);

    /* CAR round trip: export v1 and v2, import into a second store */
    char car[4200];
    for (int v = 1; v <= 2; v++) {
        snprintf(car, sizeof car, "%s/x%d.car", root, v);
        FILE *cf = fopen(car, "wb");
        CHECK(ia_car_export(bs, &fileroot, v, cf) == IA_OK);
        fclose(cf);
        char root2[4300];
        snprintf(root2, sizeof root2, "%s/second%d", root, v);
        ia_blockstore *bs2;
        size_t nblocks = 0;
        CHECK(ia_blockstore_open(root2, &bs2) == IA_OK && ia_car_import(bs2, car, NULL, NULL, &nblocks) == IA_OK && nblocks > 100);
        s.len = 0;
        CHECK(ia_store_cat(bs2, &fileroot, 0, UINT64_MAX, to_sink, &s) == IA_OK && s.len == sz && !memcmp(s.p, data, sz));
        ia_blockstore_close(bs2);
    }
    ia_free(s.p);
    ia_free(data);
    ia_blockstore_close(bs);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd)) fprintf(stderr, "cleanup failed\n");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
