/* Fuzz target: test-data files (TensorProto / SequenceProto / OptionalProto) as `run --input`
 * reads them. The first byte picks the expected kind. Must never crash. */
#include <stddef.h>
#include <stdint.h>
#include "ipfs_accelerate.h"
#include "onnx/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    ia_type_info elem = {0}, t = {0};
    elem.kind = IA_VALUE_TENSOR;
    elem.rank = -1;
    t.kind = 1 + data[0] % 3;
    t.rank = -1;
    t.elem = t.kind == IA_VALUE_TENSOR ? NULL : &elem;
    ia_value *v = NULL;
    if (ia__value_decode(data + 1, size - 1, &t, &v) == IA_OK) {
        ia_pbw w = {0};
        ia__value_encode(&w, v, "x");
        ia_pbw_free(&w);
        ia_value_destroy(v);
    }
    return 0;
}
