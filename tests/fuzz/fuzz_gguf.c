/* Fuzz target: GGUF bytes -> metadata reader -> embedded vocabulary, then encoding and decoding with
 * what loaded. Must never crash, hang or leak. */
#include <stdint.h>
#include <string.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia_tokenizer *t = NULL;
    if (ia_tokenizer_load_gguf(data, size, &t) != IA_OK) return 0;
    static const char text[] = "Hello  w\xc3\xb6rld! <s> 12345 \xe4\xbd\xa0\xe5\xa5\xbd \xff\n\tab";
    ia_encoding e;
    if (ia_tokenizer_encode(t, text, sizeof text - 1, NULL, &e) == IA_OK) {
        char *s = NULL;
        size_t n;
        if (ia_tokenizer_decode(t, e.ids, e.len, 0, &s, &n) == IA_OK) ia_free(s);
        if (ia_tokenizer_decode(t, e.ids, e.len, 1, &s, &n) == IA_OK) ia_free(s);
        ia_encoding_free(&e);
    }
    ia_tokenizer_destroy(t);
    return 0;
}
