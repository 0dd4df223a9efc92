/* Random access through a CARv2 index (ia_blockstore_open_car): a file reads back through the
 * index with an empty store, a damaged block fails only the reads that touch it, CARv1 and
 * index-less CARv2 files are refused, writes are refused. Also ia_add_fd (add from a pipe). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "unit.h"

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

typedef struct sink { uint8_t buf[8192]; size_t n; } sink;
static int to_sink(void *u, const void *d, size_t n) {
    sink *s = u;
    if (s->n + n > sizeof s->buf) return IA_ERR_LIMIT;
    memcpy(s->buf + s->n, d, n);
    s->n += n;
    return IA_OK;
}

static int write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(p, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

static uint8_t data[3500];

/* The CAR (version v) of a 4-leaf raw file (1000-byte chunks), written from a temporary store. */
static uint8_t *make_car(const char *dir, int v, ia_cid *root, size_t *len) {
    char home[128];
    snprintf(home, sizeof home, "%s/src", dir);
    ia_blockstore *bs;
    if (ia_blockstore_open(home, &bs)) return NULL;
    ia_add_options o;
    ia_add_options_init(&o, "unixfs-v1-2025");
    o.chunk_size = 1000;
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 13 + 5);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    int rc = ia_add_bytes(bs, data, sizeof data, &o, root);
    if (!rc) rc = ia_car_export(bs, root, v, f);
    fclose(f);
    ia_blockstore_close(bs);
    if (rc) { free(buf); return NULL; }
    *len = n;
    return (uint8_t *)buf;
}

TEST(car_random_access) {
    char dir[] = "/tmp/ia-car-random-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    ia_cid root, leaf;
    size_t n, n1;
    uint8_t *car = make_car(dir, 2, &root, &n), *car1 = make_car(dir, 1, &root, &n1);
    CHECK(car != NULL && car1 != NULL);
    if (!car || !car1) return;
    char p2[160], p1[160], pbad[160], pnoix[160];
    snprintf(p2, sizeof p2, "%s/a.car", dir);
    snprintf(p1, sizeof p1, "%s/v1.car", dir);
    snprintf(pbad, sizeof pbad, "%s/bad.car", dir);
    snprintf(pnoix, sizeof pnoix, "%s/noix.car", dir);
    CHECK(write_file(p2, car, n) == 0 && write_file(p1, car1, n1) == 0);
    ia_blockstore *bs;
    CHECK(ia_blockstore_open_car(p2, &bs) == IA_OK);
    sink s = {{0}, 0};
    CHECK(ia_store_cat(bs, &root, 0, UINT64_MAX, to_sink, &s) == IA_OK && s.n == sizeof data && !memcmp(s.buf, data, s.n));
    s.n = 0;
    CHECK(ia_store_cat(bs, &root, 2500, 700, to_sink, &s) == IA_OK && s.n == 700 && !memcmp(s.buf, data + 2500, 700));
    CHECK(ia_blockstore_has(bs, &root) == 1);
    CHECK(ia_cid_of(1, IA_CODEC_RAW, data + 1000, 1000, &leaf) == IA_OK && ia_blockstore_has(bs, &leaf) == 1);
    ia_cid absent;
    CHECK(ia_cid_of(1, IA_CODEC_RAW, "nope", 4, &absent) == IA_OK && ia_blockstore_has(bs, &absent) == 0);
    uint8_t *b;
    size_t bl;
    CHECK(ia_blockstore_get(bs, &absent, &b, &bl) == IA_ERR_NOT_FOUND && strstr(ia_last_error(), "is not in"));
    CHECK(ia_blockstore_put(bs, &absent, "nope", 4) == IA_ERR_UNSUPPORTED && strstr(ia_last_error(), "read-only"));
    ia_blockstore_close(bs);

    /* damage the second leaf (bytes 1000..1999 of the file) inside the CAR */
    uint8_t *bad = malloc(n);
    memcpy(bad, car, n);
    uint8_t *hit = memmem(bad, n, data + 1000, 1000);
    CHECK(hit != NULL);
    if (hit) hit[500] ^= 0x40;
    CHECK(write_file(pbad, bad, n) == 0);
    CHECK(ia_blockstore_open_car(pbad, &bs) == IA_OK);
    s.n = 0;
    CHECK(ia_store_cat(bs, &root, 0, 1000, to_sink, &s) == IA_OK && s.n == 1000); /* first leaf: fine */
    s.n = 0;
    CHECK(ia_store_cat(bs, &root, 2000, 1500, to_sink, &s) == IA_OK && s.n == 1500); /* third and fourth */
    char ls[IA_CID_MAX_STRING];
    CHECK(ia_cid_format(&leaf, 0, ls, sizeof ls) == IA_OK);
    CHECK(ia_store_cat(bs, &root, 0, UINT64_MAX, to_sink, &s) == IA_ERR_PARSE && strstr(ia_last_error(), ls) &&
          strstr(ia_last_error(), "corrupted"));
    ia_blockstore_close(bs);

    /* CARv1, and CARv2 without an index: refused with a hint */
    CHECK(ia_blockstore_open_car(p1, &bs) == IA_ERR_UNSUPPORTED && strstr(ia_last_error(), "car import"));
    memcpy(bad, car, n);
    memset(bad + 43, 0, 8); /* index offset 0 */
    CHECK(write_file(pnoix, bad, (size_t)(le64(car + 27) + le64(car + 35))) == 0);
    CHECK(ia_blockstore_open_car(pnoix, &bs) == IA_ERR_UNSUPPORTED && strstr(ia_last_error(), "without an index"));
    /* an index offset past the end */
    bad[43] = 0xff;
    bad[44] = 0xff;
    CHECK(write_file(pnoix, bad, n) == 0);
    CHECK(ia_blockstore_open_car(pnoix, &bs) == IA_ERR_PARSE);
    free(bad);
    free(car);
    free(car1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", dir, dir);
    if (system(cmd)) { }
}

TEST(add_from_fd_equals_add_bytes) {
    ia_add_options o;
    ia_add_options_init(&o, NULL);
    o.chunk_size = 1024;
    o.max_links = 3;
    static uint8_t buf[20000];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 31 + 7);
    ia_cid a, b, w;
    CHECK(ia_add_bytes(NULL, buf, sizeof buf, &o, &a) == IA_OK);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t off = 0;
        while (off < sizeof buf) {
            size_t m = sizeof buf - off < 777 ? sizeof buf - off : 777; /* small writes: reads come back short */
            ssize_t k = write(fds[1], buf + off, m);
            if (k <= 0) _exit(1);
            off += (size_t)k;
        }
        _exit(0);
    }
    close(fds[1]);
    CHECK(ia_add_fd(NULL, fds[0], NULL, &o, NULL, NULL, &b) == IA_OK && ia_cid_equal(&a, &b));
    close(fds[0]);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* wrapped under a name: a directory whose one entry is that file */
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], "hi\n", 3) == 3);
    close(fds[1]);
    o.wrap = 1;
    CHECK(ia_add_fd(NULL, fds[0], "x/y", &o, NULL, NULL, &w) == IA_ERR_INVALID_ARG); /* not a name */
    close(fds[0]);
}

UNIT_MAIN(CASE(car_random_access), CASE(add_from_fd_equals_add_bytes))
