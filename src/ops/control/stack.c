/* Slicing along an axis and stacking along a new axis (Loop scan outputs, Scan). */
#include <string.h>
#include "ia/alloc.h"
#include "ops/control/stack.h"
#include "ops/kernel_util.h"

int ia__tensor_slice_axis(const ia_tensor *t, int axis, int64_t index, ia_tensor **out) {
    if (axis < 0 || axis >= t->rank || index < 0 || index >= t->dims[axis]) return IA_ERR_INVALID_ARG;
    int64_t dims[IA_MAX_DIMS];
    int r = 0;
    for (int d = 0; d < t->rank; d++)
        if (d != axis) dims[r++] = t->dims[d];
    int rc = ia_tensor_create(t->dtype, r, dims, out);
    if (rc) return rc;
    int64_t outer = 1, inner = 1, len = t->dims[axis];
    for (int d = 0; d < axis; d++) outer *= t->dims[d];
    for (int d = axis + 1; d < t->rank; d++) inner *= t->dims[d];
    for (int64_t o = 0; o < outer; o++)
        if ((rc = ia_copy_elems((*out)->data, o * inner, t->data, (o * len + index) * inner, inner, t->dtype))) {
            ia_tensor_release(*out);
            *out = NULL;
            return rc;
        }
    return IA_OK;
}

int ia__tensor_stack(ia_tensor *const *items, int64_t n, int axis, int reverse, int dtype_if_empty, ia_tensor **out) {
    if (n == 0) {
        int64_t zero = 0;
        return ia_tensor_create(dtype_if_empty ? dtype_if_empty : IA_DTYPE_FLOAT, 1, &zero, out);
    }
    const ia_tensor *f = items[0];
    if (f->rank + 1 > IA_MAX_DIMS || axis < 0 || axis > f->rank) return IA_ERR_INVALID_ARG;
    for (int64_t i = 1; i < n; i++) {
        if (items[i]->dtype != f->dtype || items[i]->rank != f->rank ||
            memcmp(items[i]->dims, f->dims, sizeof(int64_t) * (size_t)f->rank))
            return ia_set_error(IA_ERR_SHAPE, "per-iteration outputs differ in type or shape (iteration %lld)", (long long)i);
    }
    int64_t dims[IA_MAX_DIMS];
    for (int d = 0, r = 0; d <= f->rank; d++) dims[d] = d == axis ? n : f->dims[r++];
    int rc = ia_tensor_create(f->dtype, f->rank + 1, dims, out);
    if (rc) return rc;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= f->dims[d];
    for (int d = axis; d < f->rank; d++) inner *= f->dims[d];
    for (int64_t i = 0; i < n; i++) {
        int64_t pos = reverse ? n - 1 - i : i;
        for (int64_t o = 0; o < outer; o++)
            if ((rc = ia_copy_elems((*out)->data, (o * n + pos) * inner, items[i]->data, o * inner, inner, f->dtype))) {
                ia_tensor_release(*out);
                *out = NULL;
                return rc;
            }
    }
    return IA_OK;
}
