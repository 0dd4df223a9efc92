/* Fuzz target: the bench command's integer list parser ("1,4,16", "16-512*2", "1-8+2"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int64_t v[256];
    size_t n = 0;
    if (ia_bench_parse_int_list(s, v, 256, &n) == IA_OK && (n == 0 || n > 256)) abort();
    free(s);
    return 0;
}
