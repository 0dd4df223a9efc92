/* Optimizer unit tests: Cast/Identity/Dropout elimination and MatMul + bias (+ activation)
 * fusion, each run fused (level 2) and unfused (level 1) with the outputs compared. */
#include "fusion_testlib.h"
#include "unit.h"

/* x[3,8] -> Identity -> Cast(float) -> Dropout -> MatMul(W[8,5]) -> Add(b[5]) -> act -> y */
static void build_linear(ia_pbw *m, const char *act, int with_bias, int rank3) {
    ia_pbw g = {0};
    int64_t wd[2] = {8, 5}, bd[1] = {5};
    fx_weight(&g, "W", 2, wd, 1, 0.5f);
    fx_weight(&g, "b", 1, bd, 2, 0.5f);
    fx_op(&g, "Identity", "x", "x1");
    fx_node c = fx_begin("Cast", "x1", "x2");
    fx_ai(&c, "to", IA_DTYPE_FLOAT);
    fx_end(&g, &c);
    fx_op(&g, "Dropout", "x2", "x3");
    fx_op(&g, "MatMul", "x3 W", "h");
    const char *last = "h";
    if (with_bias) {
        fx_op(&g, "Add", "b h", "hb"); /* bias first: either operand order is a bias add */
        last = "hb";
    }
    if (act) {
        fx_op(&g, act, last, "y");
    } else {
        fx_op(&g, "Identity", last, "y");
    }
    int64_t xd2[2] = {3, 8}, xd3[3] = {2, 3, 8};
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, rank3 ? 3 : 2, rank3 ? xd3 : xd2);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(m, &g, 17);
}

TEST(eliminate_identity_cast_dropout) {
    ia_pbw m = {0};
    build_linear(&m, NULL, 0, 0);
    int64_t xd[2] = {3, 8};
    ia_tensor *x = fx_input(2, xd, 7, 1.0f);
    double err;
    ia_session *s = fx_compare(&m, 1, &x, 0, 0, &err);
    CHECK(s != NULL);
    CHECK_MSG(err == 0, "err %g", err); /* nothing but bypasses: bit-identical */
    if (s) {
        CHECK(fx_count(s, "Cast") == 0 && fx_count(s, "Dropout") == 0);
        CHECK(fx_count(s, "Identity") == 1); /* the one writing the graph output stays */
        CHECK(fx_count(s, "MatMul") == 1);   /* a MatMul without bias or activation stays itself */
        CHECK(fx_nodes(s) == 2);
    }
    ia_session_destroy(s);
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

TEST(cast_to_another_type_stays) {
    ia_pbw g = {0}, m = {0};
    fx_node c = fx_begin("Cast", "x", "y");
    fx_ai(&c, "to", IA_DTYPE_DOUBLE);
    fx_end(&g, &c);
    int64_t xd[1] = {4};
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_DOUBLE, 0, NULL);
    mb_model(&m, &g, 17);
    ia_session *s = NULL;
    CHECK(fx_session(&m, 2, &s) == IA_OK);
    if (s) CHECK(fx_count(s, "Cast") == 1);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

static void check_linear(int *unit_failed_, const char *act, int with_bias, int rank3, int want_fused) {
    ia_pbw m = {0};
    build_linear(&m, act, with_bias, rank3);
    int64_t xd2[2] = {3, 8}, xd3[3] = {2, 3, 8};
    ia_tensor *x = fx_input(rank3 ? 3 : 2, rank3 ? xd3 : xd2, 11, 2.0f);
    double err;
    ia_session *s = fx_compare(&m, 1, &x, 1e-6, 1e-5, &err);
    CHECK(s != NULL);
    CHECK_MSG(err <= 1, "act %s: err ratio %g", act ? act : "none", err);
    if (s) {
        CHECK_MSG(fx_count(s, "MatMulBias") == want_fused, "act %s", act ? act : "none");
        CHECK(fx_count(s, "MatMul") == !want_fused);
        if (want_fused && act) CHECK(fx_count(s, act) == 0);
        if (want_fused && with_bias) CHECK(fx_count(s, "Add") == 0);
    }
    ia_session_destroy(s);
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

TEST(matmul_bias_fuses) { check_linear(unit_failed_, NULL, 1, 0, 1); }
TEST(matmul_bias_relu_fuses) { check_linear(unit_failed_, "Relu", 1, 1, 1); }
TEST(matmul_bias_sigmoid_fuses) { check_linear(unit_failed_, "Sigmoid", 1, 0, 1); }
TEST(matmul_relu_without_bias_fuses) { check_linear(unit_failed_, "Relu", 0, 1, 1); }
TEST(matmul_tanh_is_left_alone) { check_linear(unit_failed_, "Tanh", 0, 0, 0); }

/* x[2, 60, 40] -> MatMul(W[40, 300]) -> Add(b[300]) -> act: 120 rows and 300 columns take the
 * blocked GEMM path with several row blocks and partial column strips, where the bias and the
 * activation run in the GEMM's epilogue; compared with the unfused level-1 graph. */
static void check_large_linear(int *unit_failed_, const char *act) {
    ia_pbw g = {0}, m = {0};
    int64_t wd[2] = {40, 300}, bd[1] = {300}, xd[3] = {2, 60, 40};
    fx_weight(&g, "W", 2, wd, 5, 0.3f);
    fx_weight(&g, "b", 1, bd, 6, 0.5f);
    fx_op(&g, "MatMul", "x W", "h");
    fx_op(&g, "Add", "h b", "hb");
    fx_op(&g, act, "hb", "y");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 3, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    ia_tensor *x = fx_input(3, xd, 13, 1.0f);
    double err;
    ia_session *s = fx_compare(&m, 1, &x, 1e-5, 1e-5, &err);
    CHECK(s != NULL);
    CHECK_MSG(err <= 1, "act %s: err ratio %g", act, err);
    if (s) CHECK_MSG(fx_count(s, "MatMulBias") == 1 && fx_nodes(s) == 1, "act %s", act);
    ia_session_destroy(s);
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

TEST(large_matmul_bias_relu_fuses) { check_large_linear(unit_failed_, "Relu"); }
TEST(large_matmul_bias_sigmoid_fuses) { check_large_linear(unit_failed_, "Sigmoid"); }

/* A bias whose shape would broadcast the output up ([1,5] with a rank-1 product) is not a bias. */
TEST(matmul_add_of_non_bias_stays) {
    ia_pbw g = {0}, m = {0};
    int64_t wd[2] = {8, 5}, bd[2] = {3, 5};
    fx_weight(&g, "W", 2, wd, 1, 0.5f);
    fx_weight(&g, "B", 2, bd, 2, 0.5f);
    fx_op(&g, "MatMul", "x W", "h");
    fx_op(&g, "Add", "h B", "y");
    int64_t xd[2] = {3, 8};
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 2, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    ia_tensor *x = fx_input(2, xd, 3, 1.0f);
    double err;
    ia_session *s = fx_compare(&m, 1, &x, 0, 0, &err);
    CHECK(s && err == 0);
    if (s) CHECK(fx_count(s, "MatMulBias") == 0 && fx_count(s, "Add") == 1);
    ia_session_destroy(s);
    ia_tensor_release(x);
    ia_pbw_free(&m);
}

/* With the pass switched off (IA_OPT_DISABLE) the graph keeps its MatMul and Add. */
TEST(matmul_pass_can_be_disabled) {
    ia_pbw m = {0};
    build_linear(&m, NULL, 1, 0);
    setenv("IA_OPT_DISABLE", "matmul_add", 1);
    ia_session *s = NULL;
    CHECK(fx_session(&m, 2, &s) == IA_OK);
    if (s) CHECK(fx_count(s, "MatMulBias") == 0 && fx_count(s, "MatMul") == 1 && fx_count(s, "Cast") == 0);
    ia_session_destroy(s);
    unsetenv("IA_OPT_DISABLE");
    ia_pbw_free(&m);
}

UNIT_MAIN(CASE(eliminate_identity_cast_dropout), CASE(cast_to_another_type_stays), CASE(matmul_bias_fuses),
          CASE(matmul_bias_relu_fuses), CASE(matmul_bias_sigmoid_fuses), CASE(matmul_relu_without_bias_fuses),
          CASE(matmul_tanh_is_left_alone), CASE(matmul_add_of_non_bias_stays), CASE(matmul_pass_can_be_disabled),
          CASE(large_matmul_bias_relu_fuses), CASE(large_matmul_bias_sigmoid_fuses))
