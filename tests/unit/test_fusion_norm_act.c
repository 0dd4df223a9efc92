/* Optimizer unit tests: GELU (Erf and tanh forms) and SiLU recognition, decomposed LayerNorm,
 * RMSNorm (Div and Reciprocal forms), LayerNormalization and SkipLayerNorm fusion, each run
 * fused (level 2) and unfused (level 1) with the outputs compared. */
#include "fusion_testlib.h"
#include "unit.h"

static const int64_t XD[3] = {2, 5, 16};
static const int64_t DD[1] = {16};

static void finish(ia_pbw *g, ia_pbw *m, int two_inputs) {
    mb_value_info(g, 11, "x", IA_DTYPE_FLOAT, 3, XD);
    if (two_inputs) mb_value_info(g, 11, "r", IA_DTYPE_FLOAT, 3, XD);
    mb_value_info(g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(m, g, 17);
}

/* Runs the model fused and unfused; checks outputs agree and which ops remain. */
static void check(int *unit_failed_, ia_pbw *m, int two_inputs, const char *fused_op, int n_fused, size_t n_nodes,
                  double tol) {
    ia_tensor *in[2] = {fx_input(3, XD, 5, 3.0f), fx_input(3, XD, 6, 1.0f)};
    double err;
    ia_session *s = fx_compare(m, two_inputs ? 2 : 1, in, tol, tol, &err);
    CHECK(s != NULL);
    CHECK_MSG(err <= 1, "%s: err ratio %g", fused_op, err);
    if (s) {
        CHECK_MSG(fx_count(s, fused_op) == n_fused, "%s: %d", fused_op, fx_count(s, fused_op));
        CHECK_MSG(fx_nodes(s) == n_nodes, "%s: %zu nodes", fused_op, fx_nodes(s));
        if (fx_nodes(s) != n_nodes) fx_dump(s);
    }
    ia_session_destroy(s);
    ia_tensor_release(in[0]);
    ia_tensor_release(in[1]);
    ia_pbw_free(m);
}

TEST(gelu_erf_fuses) {
    ia_pbw g = {0}, m = {0};
    fx_scalar(&g, "sqrt2", 1.41421356f);
    fx_scalar(&g, "one", 1.0f);
    fx_scalar(&g, "half", 0.5f);
    fx_op(&g, "Div", "x sqrt2", "d");
    fx_op(&g, "Erf", "d", "e");
    fx_op(&g, "Add", "e one", "a");
    fx_op(&g, "Mul", "x a", "p");
    fx_op(&g, "Mul", "p half", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "Activation", 1, 1, 2e-6);
}

TEST(gelu_erf_half_first_fuses) { /* (x * 0.5) * (1 + erf(x * (1/sqrt 2))) */
    ia_pbw g = {0}, m = {0};
    fx_scalar(&g, "rs2", 0.70710678f);
    fx_scalar(&g, "one", 1.0f);
    fx_scalar(&g, "half", 0.5f);
    fx_op(&g, "Mul", "rs2 x", "d");
    fx_op(&g, "Erf", "d", "e");
    fx_op(&g, "Add", "one e", "a");
    fx_op(&g, "Mul", "x half", "h");
    fx_op(&g, "Mul", "h a", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "Activation", 1, 1, 2e-6);
}

TEST(gelu_wrong_constant_stays) {
    ia_pbw g = {0}, m = {0};
    fx_scalar(&g, "sqrt2", 1.5f); /* not sqrt 2 */
    fx_scalar(&g, "one", 1.0f);
    fx_scalar(&g, "half", 0.5f);
    fx_op(&g, "Div", "x sqrt2", "d");
    fx_op(&g, "Erf", "d", "e");
    fx_op(&g, "Add", "e one", "a");
    fx_op(&g, "Mul", "x a", "p");
    fx_op(&g, "Mul", "p half", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "Activation", 0, 5, 0);
}

TEST(gelu_tanh_fuses) {
    ia_pbw g = {0}, m = {0};
    fx_scalar(&g, "three", 3.0f);
    fx_scalar(&g, "c", 0.044715f);
    fx_scalar(&g, "k", 0.7978845608f);
    fx_scalar(&g, "one", 1.0f);
    fx_scalar(&g, "half", 0.5f);
    fx_op(&g, "Pow", "x three", "x3");
    fx_op(&g, "Mul", "c x3", "cx3");
    fx_op(&g, "Add", "x cx3", "s");
    fx_op(&g, "Mul", "s k", "t");
    fx_op(&g, "Tanh", "t", "th");
    fx_op(&g, "Add", "th one", "a");
    fx_op(&g, "Mul", "half x", "h");
    fx_op(&g, "Mul", "h a", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "Activation", 1, 1, 2e-6);
}

TEST(silu_fuses) {
    ia_pbw g = {0}, m = {0};
    fx_op(&g, "Sigmoid", "x", "s");
    fx_op(&g, "Mul", "s x", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "Activation", 1, 1, 2e-6);
}

TEST(sigmoid_read_elsewhere_stays) { /* the Sigmoid's output is also a graph output */
    ia_pbw g = {0}, m = {0};
    fx_op(&g, "Sigmoid", "x", "s");
    fx_op(&g, "Mul", "s x", "y");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 3, XD);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_value_info(&g, 12, "s", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    check(unit_failed_, &m, 0, "Activation", 0, 2, 0);
}

static void decomposed_ln(ia_pbw *g, const char *x, float eps, int64_t axis) {
    fx_weight(g, "gamma", 1, DD, 1, 1.0f);
    fx_weight(g, "beta", 1, DD, 2, 1.0f);
    fx_scalar(g, "two", 2.0f);
    fx_scalar(g, "eps", eps);
    fx_node r = fx_begin("ReduceMean", x, "mean");
    fx_ais(&r, "axes", 1, &axis);
    fx_end(g, &r);
    char in[64];
    snprintf(in, sizeof in, "%s mean", x);
    fx_op(g, "Sub", in, "d");
    fx_op(g, "Pow", "d two", "d2");
    fx_node r2 = fx_begin("ReduceMean", "d2", "var");
    fx_ais(&r2, "axes", 1, &axis);
    fx_end(g, &r2);
    fx_op(g, "Add", "var eps", "ve");
    fx_op(g, "Sqrt", "ve", "sd");
    fx_op(g, "Div", "d sd", "n");
    fx_op(g, "Mul", "n gamma", "ng");
    fx_op(g, "Add", "ng beta", "y");
}

TEST(layernorm_decomposed_fuses) {
    ia_pbw g = {0}, m = {0};
    decomposed_ln(&g, "x", 1e-5f, -1);
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 1, 1, 1e-5);
}

TEST(layernorm_over_other_axis_stays) {
    ia_pbw g = {0}, m = {0};
    decomposed_ln(&g, "x", 1e-5f, 1); /* axis 1 of a rank-3 input is not the last axis */
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 0, 9, 1e-5);
}

TEST(skip_layernorm_decomposed_fuses) {
    ia_pbw g = {0}, m = {0};
    fx_op(&g, "Add", "x r", "xr");
    decomposed_ln(&g, "xr", 1e-12f, 2); /* axis 2 = last of the declared rank 3 */
    finish(&g, &m, 1);
    check(unit_failed_, &m, 1, "LayerNorm", 1, 1, 1e-5);
}

TEST(rmsnorm_fuses) {
    ia_pbw g = {0}, m = {0};
    int64_t axis = -1;
    fx_weight(&g, "w", 1, DD, 3, 1.0f);
    fx_scalar(&g, "two", 2.0f);
    fx_scalar(&g, "eps", 1e-6f);
    fx_op(&g, "Pow", "x two", "x2");
    fx_node r = fx_begin("ReduceMean", "x2", "ms");
    fx_ais(&r, "axes", 1, &axis);
    fx_end(&g, &r);
    fx_op(&g, "Add", "ms eps", "me");
    fx_op(&g, "Sqrt", "me", "rt");
    fx_op(&g, "Div", "x rt", "n");
    fx_op(&g, "Mul", "n w", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 1, 1, 1e-5);
}

TEST(t5_rmsnorm_reciprocal_fuses) {
    ia_pbw g = {0}, m = {0};
    int64_t axis = -1;
    fx_weight(&g, "w", 1, DD, 3, 1.0f);
    fx_scalar(&g, "two", 2.0f);
    fx_scalar(&g, "eps", 1e-6f);
    fx_op(&g, "Pow", "x two", "x2");
    fx_node r = fx_begin("ReduceMean", "x2", "ms");
    fx_ais(&r, "axes", 1, &axis);
    fx_end(&g, &r);
    fx_op(&g, "Add", "ms eps", "me");
    fx_op(&g, "Sqrt", "me", "rt");
    fx_op(&g, "Reciprocal", "rt", "inv");
    fx_op(&g, "Mul", "x inv", "n");
    fx_op(&g, "Mul", "w n", "y");
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 1, 1, 1e-5);
}

/* Pre-LN residual: s = x + r feeds LayerNormalization and is also a graph output. */
TEST(skip_layernormalization_keeps_sum) {
    ia_pbw g = {0}, m = {0};
    fx_weight(&g, "gamma", 1, DD, 1, 1.0f);
    fx_weight(&g, "beta", 1, DD, 2, 1.0f);
    fx_op(&g, "Add", "x r", "s");
    fx_node ln = fx_begin("LayerNormalization", "s gamma beta", "y");
    fx_ai(&ln, "axis", -1);
    fx_af(&ln, "epsilon", 1e-5f);
    fx_end(&g, &ln);
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 3, XD);
    mb_value_info(&g, 11, "r", IA_DTYPE_FLOAT, 3, XD);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_value_info(&g, 12, "s", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    check(unit_failed_, &m, 1, "LayerNorm", 1, 1, 1e-5);
}

/* A residual that broadcasts ([1,5,16] + [2,5,16], like position embeddings). */
TEST(skip_layernorm_broadcast_residual) {
    ia_pbw g = {0}, m = {0};
    int64_t pd[3] = {1, 5, 16};
    fx_weight(&g, "gamma", 1, DD, 1, 1.0f);
    fx_weight(&g, "pos", 3, pd, 4, 1.0f);
    fx_op(&g, "Identity", "pos", "posv");
    fx_op(&g, "Mul", "x x", "xx");
    fx_op(&g, "Add", "posv xx", "s");
    fx_node ln = fx_begin("LayerNormalization", "s gamma", "y");
    fx_end(&g, &ln);
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 1, 2, 1e-5);
}

/* The residual broadcast the other way round (the activations first, positions second, as in
 * Whisper's and ViT's embeddings), and with positions of rank 2: the kernel repeats the rows of the
 * positions instead of materialising the sum. */
static void broadcast_second(int *unit_failed_, int pos_rank) {
    ia_pbw g = {0}, m = {0};
    int64_t pd3[3] = {1, 5, 16}, pd2[2] = {5, 16};
    fx_weight(&g, "gamma", 1, DD, 1, 1.0f);
    fx_weight(&g, "beta", 1, DD, 2, 1.0f);
    fx_weight(&g, "pos", pos_rank, pos_rank == 3 ? pd3 : pd2, 4, 1.0f);
    fx_op(&g, "Identity", "pos", "posv");
    fx_op(&g, "Mul", "x x", "xx");
    fx_op(&g, "Add", "xx posv", "s");
    fx_node ln = fx_begin("LayerNormalization", "s gamma beta", "y");
    fx_end(&g, &ln);
    finish(&g, &m, 0);
    check(unit_failed_, &m, 0, "LayerNorm", 1, 2, 1e-5);
}

TEST(skip_layernorm_broadcast_residual_second) { broadcast_second(unit_failed_, 3); }
TEST(skip_layernorm_broadcast_residual_rank2) { broadcast_second(unit_failed_, 2); }

UNIT_MAIN(CASE(gelu_erf_fuses), CASE(gelu_erf_half_first_fuses), CASE(gelu_wrong_constant_stays), CASE(gelu_tanh_fuses),
          CASE(silu_fuses), CASE(sigmoid_read_elsewhere_stays), CASE(layernorm_decomposed_fuses),
          CASE(layernorm_over_other_axis_stays), CASE(skip_layernorm_decomposed_fuses), CASE(rmsnorm_fuses),
          CASE(t5_rmsnorm_reciprocal_fuses), CASE(skip_layernormalization_keeps_sum), CASE(skip_layernorm_broadcast_residual),
          CASE(skip_layernorm_broadcast_residual_second), CASE(skip_layernorm_broadcast_residual_rank2))
