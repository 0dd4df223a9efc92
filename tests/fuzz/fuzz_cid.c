/* Fuzz target: CID text and binary parsing, and formatting what parses. */
#include <stdint.h>
#include <string.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char s[1024];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    ia_cid c, d;
    char out[IA_CID_MAX_STRING];
    if (ia_cid_parse(s, &c) == IA_OK) {
        if (ia_cid_format(&c, 0, out, sizeof out) == IA_OK && ia_cid_parse(out, &d) == IA_OK && !ia_cid_equal(&c, &d))
            __builtin_trap();
        ia_cid_to_v1(&c, &c);
        ia_cid_format(&c, 'k', out, sizeof out);
        ia_cid_format(&c, 'z', out, sizeof out);
    }
    size_t used;
    if (ia_cid_decode(data, size, &c, &used) == IA_OK && used > size) __builtin_trap();
    return 0;
}
