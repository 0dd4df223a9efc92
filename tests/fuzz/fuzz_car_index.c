/* Fuzz target: random access through a CARv2 index (ia_blockstore_open_car) over untrusted bytes:
 * the index layout, then every CID of the payload (and the roots) looked up and read, which
 * follows index offsets into the payload. The input is written to a temporary file first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "ipfs_accelerate.h"

typedef struct seen {
    ia_cid c[64];
    int n;
} seen;

static int collect(void *user, const ia_cid *cid, const uint8_t *block, size_t blen, int is_root) {
    (void)block;
    (void)blen;
    (void)is_root;
    seen *s = user;
    if (s->n < 64) s->c[s->n++] = *cid;
    return IA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[] = "/tmp/ia-fuzz-car-index-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(fd);
    seen s;
    s.n = 0;
    uint32_t ver;
    ia_car_read_buffer(data, size, 0, collect, &s, &ver); /* the CIDs to look up (errors: use what was read) */
    ia_blockstore *bs;
    if (ia_blockstore_open_car(path, &bs) == IA_OK) {
        for (int i = 0; i < s.n; i++) {
            uint8_t *b;
            size_t n;
            if (ia_blockstore_get(bs, &s.c[i], &b, &n) == IA_OK) {
                if (n > size) __builtin_trap();
                ia_free(b);
            }
            ia_blockstore_has(bs, &s.c[i]);
            uint64_t fsz;
            ia_store_file_size(bs, &s.c[i], &fsz);
        }
        ia_blockstore_close(bs);
    }
    unlink(path);
    return 0;
}
