/* Fuzz target: multibase decoding (b, B, z, k, K, f) and re-encoding round trips. */
#include <stdint.h>
#include <string.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char s[2048];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    uint8_t *out;
    size_t len;
    if (ia_multibase_decode(s, &out, &len) == IA_OK) {
        char back[4200];
        char base = s[0] == 'B' ? 'b' : s[0] == 'K' ? 'k' : s[0];
        if (len < 1024 && ia_multibase_encode(base, out, len, back, sizeof back) == IA_OK) {
            uint8_t *again;
            size_t alen;
            if (ia_multibase_decode(back, &again, &alen) != IA_OK) __builtin_trap();
            if (alen != len || memcmp(again, out, len)) __builtin_trap();
            ia_free(again);
        }
        ia_free(out);
    }
    return 0;
}
