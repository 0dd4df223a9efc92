/* Unit tests for the sequence family's kernels, called directly: SplitToSequence /
 * ConcatFromSequence round trips (with and without new_axis), and out-of-range positions
 * and bad inputs failing cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/kernel_util.h"
#include "runtime/exec.h"

int ia_op_split_to_sequence(ia_kctx *ctx);
int ia_op_concat_from_sequence(ia_kctx *ctx);
int ia_op_sequence_at(ia_kctx *ctx);
int ia_op_sequence_erase(ia_kctx *ctx);
int ia_op_sequence_insert(ia_kctx *ctx);

static int failures;
#define CHECK(c, ...)                                            \
    do {                                                         \
        if (!(c)) {                                              \
            failures++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

/* Runs `fn` on values `in` (NULL = omitted) with integer attributes; one output. */
static int run(ia_kernel_fn fn, int n_in, ia_value **in, int n_attr, const char **names, const int64_t *vals, ia_value **out) {
    int ins[8], outs[1] = {0};
    ia_attr attrs[4];
    memset(attrs, 0, sizeof attrs);
    for (int i = 0; i < n_attr; i++) {
        attrs[i].name = (char *)names[i];
        attrs[i].type = IA_ATTR_INT;
        attrs[i].i = vals[i];
    }
    for (int i = 0; i < n_in; i++) ins[i] = in[i] ? i + 1 : -1;
    ia_node node = {0};
    node.name = (char *)"n";
    node.op_type = (char *)"op";
    node.domain = (char *)"";
    node.n_inputs = n_in;
    node.inputs = ins;
    node.n_outputs = 1;
    node.outputs = outs;
    node.n_attrs = n_attr;
    node.attrs = attrs;
    node.opset = 17;
    ia_exec_env env = {0};
    ia_value *outv[1] = {0};
    ia_kctx ctx = {0};
    ctx.node = &node;
    ctx.in = in;
    ctx.n_in = n_in;
    ctx.out = outv;
    ctx.n_out = 1;
    ctx.env = &env;
    int rc = fn(&ctx);
    ia__kctx_cleanup(&ctx, rc != 0);
    *out = outv[0];
    return rc;
}

static ia_value *tensor_value(int dtype, int rank, const int64_t *dims) {
    ia_tensor *t;
    ia_value *v;
    if (ia_tensor_create(dtype, rank, dims, &t) || ia_value_from_tensor(t, &v)) abort();
    ia_tensor_release(t);
    return v;
}

static ia_value *scalar_i64(int64_t x) {
    ia_value *v = tensor_value(IA_DTYPE_INT64, 0, NULL);
    *(int64_t *)v->tensor->data = x;
    return v;
}

static void test_round_trip(void) {
    int64_t dims[3] = {2, 5, 3};
    ia_value *x = tensor_value(IA_DTYPE_FLOAT, 3, dims);
    for (int64_t i = 0; i < 30; i++) ((float *)x->tensor->data)[i] = (float)i;
    /* split into [2,3] slices without keepdims, then stack them back on axis 1 */
    const char *n1[2] = {"axis", "keepdims"};
    int64_t v1[2] = {1, 0};
    ia_value *in1[1] = {x}, *seq = NULL, *back = NULL;
    int rc = run(ia_op_split_to_sequence, 1, in1, 2, n1, v1, &seq);
    CHECK(rc == 0 && seq && seq->n_items == 5, "SplitToSequence without split");
    const char *n2[2] = {"axis", "new_axis"};
    int64_t v2[2] = {1, 1};
    ia_value *in2[1] = {seq};
    rc = run(ia_op_concat_from_sequence, 1, in2, 2, n2, v2, &back);
    CHECK(rc == 0 && back && back->tensor->rank == 3 && !memcmp(back->tensor->dims, dims, sizeof dims) &&
              !memcmp(back->tensor->data, x->tensor->data, 30 * sizeof(float)),
          "ConcatFromSequence(new_axis) does not restore the input");
    ia_value_destroy(back);
    ia_value_destroy(seq);
    /* uneven split sizes [1, 4] on axis 1, then concatenate back */
    int64_t two = 2;
    ia_value *sp = tensor_value(IA_DTYPE_INT64, 1, &two);
    ((int64_t *)sp->tensor->data)[0] = 1;
    ((int64_t *)sp->tensor->data)[1] = 4;
    ia_value *in3[2] = {x, sp};
    rc = run(ia_op_split_to_sequence, 2, in3, 1, n1, v1, &seq);
    CHECK(rc == 0 && seq && seq->n_items == 2 && seq->items[1]->tensor->dims[1] == 4, "SplitToSequence with lengths");
    in2[0] = seq;
    rc = run(ia_op_concat_from_sequence, 1, in2, 1, n2, v2, &back);
    CHECK(rc == 0 && back && !memcmp(back->tensor->data, x->tensor->data, 30 * sizeof(float)), "concat of uneven split");
    ia_value_destroy(back);
    ia_value_destroy(seq);
    /* lengths that do not sum to the axis fail */
    ((int64_t *)sp->tensor->data)[1] = 3;
    rc = run(ia_op_split_to_sequence, 2, in3, 1, n1, v1, &seq);
    CHECK(rc != 0 && !seq, "bad split lengths accepted");
    ia_value_destroy(sp);
    ia_value_destroy(x);
}

static void test_positions(void) {
    ia_value *seq, *out = NULL;
    ia_value_sequence(IA_DTYPE_FLOAT, &seq);
    int64_t d = 2;
    ia_value *t = tensor_value(IA_DTYPE_FLOAT, 1, &d), *ti = tensor_value(IA_DTYPE_INT32, 1, &d);
    ia_value *pos = scalar_i64(0);
    ia_value *in[3] = {seq, pos, NULL};
    CHECK(run(ia_op_sequence_at, 2, in, 0, NULL, NULL, &out) != 0 && !out, "SequenceAt on an empty sequence");
    CHECK(run(ia_op_sequence_erase, 2, in, 0, NULL, NULL, &out) != 0 && !out, "SequenceErase on an empty sequence");
    ia_value *ins[3] = {seq, t, NULL};
    CHECK(run(ia_op_sequence_insert, 2, ins, 0, NULL, NULL, &out) == 0 && out && out->n_items == 1, "SequenceInsert");
    ia_value *one = out;
    out = NULL;
    ins[0] = one;
    ins[1] = ti;
    CHECK(run(ia_op_sequence_insert, 2, ins, 0, NULL, NULL, &out) != 0 && !out, "SequenceInsert of a mismatched dtype");
    *(int64_t *)pos->tensor->data = -2;
    in[0] = one;
    CHECK(run(ia_op_sequence_at, 2, in, 0, NULL, NULL, &out) != 0 && !out, "SequenceAt(-2) on one item");
    *(int64_t *)pos->tensor->data = -1;
    CHECK(run(ia_op_sequence_at, 2, in, 0, NULL, NULL, &out) == 0 && out && out->tensor == t->tensor, "SequenceAt(-1) shares");
    ia_value_destroy(out);
    in[0] = t; /* a tensor where a sequence is expected */
    out = NULL;
    CHECK(run(ia_op_sequence_at, 2, in, 0, NULL, NULL, &out) != 0 && !out, "SequenceAt on a tensor");
    ia_value_destroy(one);
    ia_value_destroy(seq);
    ia_value_destroy(t);
    ia_value_destroy(ti);
    ia_value_destroy(pos);
}

int main(void) {
    test_round_trip();
    test_positions();
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("test_sequence_kernels: all passed\n");
    return failures != 0;
}
