/* Fuzz target: the CAR reader (v1 and v2) over untrusted bytes, with and without verification. */
#include <stdint.h>
#include "ipfs_accelerate.h"

static int visit(void *user, const ia_cid *cid, const uint8_t *block, size_t blen, int is_root) {
    (void)cid;
    (void)is_root;
    size_t *total = user;
    if (block) *total += blen;
    return IA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t total = 0;
    uint32_t ver;
    ia_car_read_buffer(data, size, 0, visit, &total, &ver);
    if (total > size) __builtin_trap();
    ia_car_read_buffer(data, size, 1, visit, &total, &ver);
    return 0;
}
