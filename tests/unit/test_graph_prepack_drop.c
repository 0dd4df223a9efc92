/* Session-creation memory steps: a constant weight whose every reader uses its pre-packed copy
 * loses its original data (and the results stay those of the unpacked level-0 run); a weight
 * something else also reads keeps it; IA_OPT_DISABLE=drop_packed keeps it; outputs a kernel
 * writes without zero-filling are still complete. */
#include "fusion_testlib.h"
#include "unit.h"

/* x[3,64] -> MatMul(W[64,32]) -> h -> MatMulBias-able Add(b) -> y; optionally also
 * w_out = Identity(W) as a second graph output (another reader of W's data). */
static void build(ia_pbw *m, int w_also_output) {
    ia_pbw g = {0};
    int64_t wd[2] = {64, 32}, bd[1] = {32}, xd[2] = {3, 64};
    fx_weight(&g, "W", 2, wd, 3, 0.5f);
    fx_weight(&g, "b", 1, bd, 4, 0.5f);
    fx_op(&g, "MatMul", "x W", "h");
    fx_op(&g, "Add", "h b", "y");
    if (w_also_output) fx_op(&g, "Identity", "W", "w_out");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 2, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    if (w_also_output) mb_value_info(&g, 12, "w_out", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(m, &g, 17);
}

/* W's data pointer in the session's graph (NULL once dropped). */
static const void *w_data(const ia_session *s) {
    const ia_graph *g = ia_session_model(s)->graph;
    int slot = ia__graph_find(g, "W");
    return slot >= 0 && g->values[slot].init ? g->values[slot].init->data : (const void *)1;
}

static void check(int *unit_failed_, int level, int w_also_output, int want_dropped) {
    ia_pbw m = {0};
    build(&m, w_also_output);
    int64_t xd[2] = {3, 64};
    ia_tensor *x = fx_input(2, xd, 9, 1.0f);
    ia_session *ref = NULL, *s = NULL;
    CHECK(fx_session(&m, 0, &ref) == IA_OK); /* level 0: no packing, the original weights */
    CHECK(fx_session(&m, level, &s) == IA_OK);
    if (ref && s) {
        CHECK_MSG((w_data(s) == NULL) == want_dropped, "level %d, W also an output %d: data %p", level, w_also_output,
                  w_data(s));
        CHECK(w_data(ref) != NULL);
        for (int rep = 0; rep < 2; rep++) { /* the second run reuses pooled (dirty) buffers */
            ia_value *a = fx_run(ref, 1, &x), *b = fx_run(s, 1, &x);
            double err = fx_err(b, a, 1e-6, 1e-5);
            CHECK_MSG(err <= 1, "level %d run %d: err ratio %g", level, rep, err);
            ia_value_destroy(a);
            ia_value_destroy(b);
        }
    }
    ia_session_destroy(ref);
    ia_session_destroy(s);
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

TEST(packed_weight_drops_its_original) {
    unsetenv("IA_OPT_DISABLE");
    check(unit_failed_, 1, 0, 1); /* MatMul reads the packed copy */
    check(unit_failed_, 2, 0, 1); /* MatMulBias reads the packed copy */
}

TEST(weight_read_elsewhere_keeps_its_data) {
    unsetenv("IA_OPT_DISABLE");
    check(unit_failed_, 1, 1, 0);
    check(unit_failed_, 2, 1, 0);
}

TEST(drop_packed_can_be_disabled) {
    setenv("IA_OPT_DISABLE", "drop_packed", 1);
    check(unit_failed_, 1, 0, 0);
    unsetenv("IA_OPT_DISABLE");
}

/* MatMul with an empty inner dimension: no zero-filled output to rely on, the kernel must write
 * the zeros itself (the pool hands back dirty buffers on the second run). */
TEST(matmul_empty_inner_dimension_writes_zeros) {
    ia_pbw g = {0}, m = {0};
    int64_t xd[2] = {4, 0}, wd[2] = {0, 6}, ud[2] = {4, 6};
    fx_weight(&g, "U", 2, ud, 5, 1.0f);
    mb_init_f32(&g, "W", 2, wd, NULL, 0);
    fx_op(&g, "Mul", "U U", "u2"); /* a 4x6 intermediate freed before the MatMul output is made */
    fx_op(&g, "ReduceSum", "u2", "s");
    fx_op(&g, "MatMul", "x W", "y");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 2, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_value_info(&g, 12, "s", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    ia_tensor *x = fx_input(2, xd, 1, 1.0f);
    for (int level = 0; level <= 2; level++) {
        ia_session *s = NULL;
        CHECK(fx_session(&m, level, &s) == IA_OK);
        for (int rep = 0; s && rep < 3; rep++) {
            ia_value *y = fx_run(s, 1, &x);
            CHECK(y != NULL && y->tensor->numel == 24);
            int nonzero = 0;
            for (int64_t i = 0; y && i < y->tensor->numel; i++) nonzero += ((float *)y->tensor->data)[i] != 0.0f;
            CHECK_MSG(nonzero == 0, "level %d run %d: %d nonzero", level, rep, nonzero);
            ia_value_destroy(y);
        }
        ia_session_destroy(s);
    }
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

UNIT_MAIN(CASE(packed_weight_drops_its_original), CASE(weight_read_elsewhere_keeps_its_data),
          CASE(drop_packed_can_be_disabled), CASE(matmul_empty_inner_dimension_writes_zeros))
