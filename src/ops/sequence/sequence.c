/* Sequence plumbing: SequenceConstruct, SequenceEmpty, SequenceInsert, SequenceAt, SequenceErase, SequenceLength. */
#include "ia/alloc.h"
#include "ops/kernel_util.h"
#include "ops/sequence/seq_util.h"

const ia_value *ia__seq_input(ia_kctx *ctx, int i, const char *op, int *rc) {
    const ia_value *v = ia_kctx_input_value(ctx, i);
    if (!v) {
        *rc = ia_kctx_fail(ctx, IA_ERR_INVALID_ARG, "%s: input %d (a sequence) is missing", op, i);
        return NULL;
    }
    if (v->kind != IA_VALUE_SEQUENCE) {
        *rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "%s: input %d must be a sequence, got a %s", op, i,
                           v->kind == IA_VALUE_TENSOR ? "tensor" : "optional");
        return NULL;
    }
    for (size_t k = 0; k < v->n_items; k++) {
        if (!v->items[k] || v->items[k]->kind != IA_VALUE_TENSOR || !v->items[k]->tensor) {
            *rc = ia_kctx_fail(ctx, IA_ERR_TYPE, "%s: item %zu of the input sequence is not a tensor", op, k);
            return NULL;
        }
    }
    *rc = IA_OK;
    return v;
}

int ia__seq_elem_dtype(const ia_value *seq) {
    if (seq->elem_dtype != IA_DTYPE_UNDEFINED) return seq->elem_dtype;
    return seq->n_items ? seq->items[0]->tensor->dtype : IA_DTYPE_UNDEFINED;
}

/* Reads an optional scalar integer position at input `i`; *present is 0 when omitted. */
int ia__seq_position(ia_kctx *ctx, int i, const char *op, int64_t *pos, int *present) {
    const ia_tensor *t = ia_kctx_input(ctx, i);
    *present = 0;
    if (!t) {
        if (ia_kctx_input_value(ctx, i)) IA_KFAIL(ctx, IA_ERR_TYPE, "%s: position must be a tensor", op);
        return IA_OK;
    }
    if (t->dtype != IA_DTYPE_INT32 && t->dtype != IA_DTYPE_INT64)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s: position must be int32 or int64, got %s", op, ia_dtype_name(t->dtype));
    if (t->numel != 1 || t->rank > 1)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: position must be a scalar (got %lld elements)", op, (long long)t->numel);
    if (!t->data) return IA_ERR_NEED_VALUE;
    *pos = ia_get_i64(t->data, t->dtype, 0);
    *present = 1;
    return IA_OK;
}

/* New sequence value sharing the tensors of `seq` (or empty if seq is NULL). */
static int seq_copy(const ia_value *seq, int elem_dtype, ia_value **out) {
    IA_KTRY(ia_value_sequence(elem_dtype, out));
    for (size_t k = 0; seq && k < seq->n_items; k++) {
        ia_value *item;
        int rc = ia_value_from_tensor(seq->items[k]->tensor, &item);
        if (!rc) {
            rc = ia_value_sequence_insert(*out, item, -1);
            if (rc) ia_value_destroy(item);
        }
        if (rc) {
            ia_value_destroy(*out);
            *out = NULL;
            return rc;
        }
    }
    return IA_OK;
}

/* Appends a shared reference to tensor `t` at `pos` (-1 = end). */
static int seq_add(ia_value *seq, const ia_tensor *t, int64_t pos) {
    ia_value *item;
    IA_KTRY(ia_value_from_tensor((ia_tensor *)t, &item));
    int rc = ia_value_sequence_insert(seq, item, pos);
    if (rc) ia_value_destroy(item);
    return rc;
}

int ia_op_sequence_construct(ia_kctx *ctx) {
    int n = ia_kctx_num_inputs(ctx);
    if (n < 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceConstruct needs at least one input");
    int dtype = IA_DTYPE_UNDEFINED;
    for (int i = 0; i < n; i++) {
        const ia_tensor *t = ia_kctx_input(ctx, i);
        if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceConstruct: input %d is missing or not a tensor", i);
        if (i == 0) dtype = t->dtype;
        else if (t->dtype != dtype)
            IA_KFAIL(ctx, IA_ERR_TYPE, "SequenceConstruct: input %d is %s but input 0 is %s", i, ia_dtype_name(t->dtype),
                     ia_dtype_name(dtype));
    }
    ia_value *seq;
    IA_KTRY(ia_value_sequence(dtype, &seq));
    for (int i = 0; i < n; i++) {
        int rc = seq_add(seq, ia_kctx_input(ctx, i), -1);
        if (rc) {
            ia_value_destroy(seq);
            return rc;
        }
    }
    return ia_kctx_set_output(ctx, 0, seq);
}

int ia_op_sequence_empty(ia_kctx *ctx) {
    int64_t dtype = ia_kctx_attr_int(ctx, "dtype", IA_DTYPE_FLOAT);
    if (dtype <= IA_DTYPE_UNDEFINED || dtype >= IA_DTYPE_COUNT_)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceEmpty: dtype %lld is not a known element type", (long long)dtype);
    ia_value *seq;
    IA_KTRY(ia_value_sequence((int)dtype, &seq));
    return ia_kctx_set_output(ctx, 0, seq);
}

int ia_op_sequence_insert(ia_kctx *ctx) {
    int rc;
    const ia_value *in = ia__seq_input(ctx, 0, "SequenceInsert", &rc);
    if (!in) return rc;
    const ia_tensor *t = ia_kctx_input(ctx, 1);
    if (!t) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceInsert: input 1 (tensor) is missing or not a tensor");
    int dtype = ia__seq_elem_dtype(in);
    if (dtype != IA_DTYPE_UNDEFINED && dtype != t->dtype)
        IA_KFAIL(ctx, IA_ERR_TYPE, "SequenceInsert: cannot insert a %s tensor into a sequence of %s", ia_dtype_name(t->dtype),
                 ia_dtype_name(dtype));
    int64_t n = (int64_t)in->n_items, pos = n;
    int present;
    IA_KTRY(ia__seq_position(ctx, 2, "SequenceInsert", &pos, &present));
    if (!present) pos = n;
    if (pos < -n || pos > n)
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceInsert: position %lld is out of range [-%lld, %lld]", (long long)pos,
                 (long long)n, (long long)n);
    if (pos < 0) pos += n;
    ia_value *seq;
    IA_KTRY(seq_copy(in, t->dtype, &seq));
    if ((rc = seq_add(seq, t, pos))) {
        ia_value_destroy(seq);
        return rc;
    }
    return ia_kctx_set_output(ctx, 0, seq);
}

/* Normalises a position that must name an existing item. */
static int item_index(ia_kctx *ctx, const char *op, int64_t pos, int64_t n, int64_t *out) {
    if (pos < -n || pos >= n) {
        if (n == 0) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: the sequence is empty (position %lld)", op, (long long)pos);
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s: position %lld is out of range [-%lld, %lld]", op, (long long)pos, (long long)n,
                 (long long)(n - 1));
    }
    *out = pos < 0 ? pos + n : pos;
    return IA_OK;
}

int ia_op_sequence_at(ia_kctx *ctx) {
    int rc;
    const ia_value *in = ia__seq_input(ctx, 0, "SequenceAt", &rc);
    if (!in) return rc;
    int64_t pos = 0, idx = 0;
    int present;
    IA_KTRY(ia__seq_position(ctx, 1, "SequenceAt", &pos, &present));
    if (!present) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "SequenceAt: position input is missing");
    IA_KTRY(item_index(ctx, "SequenceAt", pos, (int64_t)in->n_items, &idx));
    ia_value *v;
    IA_KTRY(ia_value_from_tensor(in->items[idx]->tensor, &v));
    return ia_kctx_set_output(ctx, 0, v);
}

int ia_op_sequence_erase(ia_kctx *ctx) {
    int rc;
    const ia_value *in = ia__seq_input(ctx, 0, "SequenceErase", &rc);
    if (!in) return rc;
    int64_t pos = -1, idx = 0;
    int present;
    IA_KTRY(ia__seq_position(ctx, 1, "SequenceErase", &pos, &present));
    if (!present) pos = -1;
    IA_KTRY(item_index(ctx, "SequenceErase", pos, (int64_t)in->n_items, &idx));
    ia_value *seq;
    IA_KTRY(ia_value_sequence(ia__seq_elem_dtype(in), &seq));
    for (size_t k = 0; k < in->n_items; k++) {
        if ((int64_t)k == idx) continue;
        if ((rc = seq_add(seq, in->items[k]->tensor, -1))) {
            ia_value_destroy(seq);
            return rc;
        }
    }
    return ia_kctx_set_output(ctx, 0, seq);
}

int ia_op_sequence_length(ia_kctx *ctx) {
    int rc;
    const ia_value *in = ia__seq_input(ctx, 0, "SequenceLength", &rc);
    if (!in) return rc;
    ia_tensor *out;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 0, NULL, &out));
    if (out->data) ((int64_t *)out->data)[0] = (int64_t)in->n_items;
    return IA_OK;
}
