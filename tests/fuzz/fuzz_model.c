/* Fuzz target: ONNX model bytes -> loader -> session preparation (operator resolution, shape
 * inference and constant folding run kernels on the model's constants). Must never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ipfs_accelerate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ia_model *m = NULL;
    if (ia_model_load_memory(data, size, NULL, &m) != IA_OK) return 0;
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (sink) {
        ia_model_describe(m, sink, 0);
        ia_model_describe(m, sink, 1);
    }
    ia_session_options o;
    ia_session_options_init(&o);
    o.threads = 1;
    o.max_tensor_bytes = 64u << 20;
    ia_session *s = NULL;
    if (ia_session_create_from_model(m, &o, &s) == IA_OK) ia_session_destroy(s);
    return 0;
}
