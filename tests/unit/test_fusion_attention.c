/* Optimizer unit tests: attention fusion (Q K^T, scale, additive padding / causal mask,
 * softmax, V) into the tiled online-softmax kernel, compared with the unfused graph; query
 * and key lengths span several blocks and tiles of the kernel. */
#include "fusion_testlib.h"
#include "unit.h"

enum { B = 2, H = 3, SQ = 70, SK = 300, D = 8 };

/* the divisor of the "Div" cases: 2 sqrt 2 is divided by; a power of two is multiplied by its
 * exact reciprocal (the softmax tile's two paths) */
static float g_div = 2.8284271f;

/* q[B,H,SQ,D] k[B,kh,SK,D] v[B,kh,SK,D] (+ mask) -> attention -> y */
static void build(ia_pbw *m, const char *scale_op, int mask_kind, int kv_heads) {
    ia_pbw g = {0};
    fx_scalar(&g, "c", strcmp(scale_op, "Div") ? 0.35355339f : g_div);
    fx_node t = fx_begin("Transpose", "k", "kt");
    int64_t perm[4] = {0, 1, 3, 2};
    fx_ais(&t, "perm", 4, perm);
    fx_end(&g, &t);
    fx_op(&g, "MatMul", "q kt", "s");
    fx_op(&g, scale_op, "s c", "ss");
    const char *pre = "ss";
    if (mask_kind) {
        fx_op(&g, "Add", "mask ss", "sm");
        pre = "sm";
    }
    fx_node sm = fx_begin("Softmax", pre, "p");
    fx_ai(&sm, "axis", -1);
    fx_end(&g, &sm);
    fx_op(&g, "MatMul", "p v", "y");
    int64_t qd[4] = {B, H, SQ, D}, kd[4] = {B, kv_heads, SK, D};
    int64_t pad[4] = {B, 1, 1, SK}, causal[4] = {1, 1, SQ, SK};
    mb_value_info(&g, 11, "q", IA_DTYPE_FLOAT, 4, qd);
    mb_value_info(&g, 11, "k", IA_DTYPE_FLOAT, 4, kd);
    mb_value_info(&g, 11, "v", IA_DTYPE_FLOAT, 4, kd);
    if (mask_kind) mb_value_info(&g, 11, "mask", IA_DTYPE_FLOAT, 4, mask_kind == 1 ? pad : causal);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(m, &g, 17);
}

static void check(int *unit_failed_, const char *scale_op, int mask_kind, int kv_heads) {
    ia_pbw m = {0};
    build(&m, scale_op, mask_kind, kv_heads);
    int64_t qd[4] = {B, H, SQ, D}, kd[4] = {B, kv_heads, SK, D};
    int64_t pad[4] = {B, 1, 1, SK}, causal[4] = {1, 1, SQ, SK};
    ia_tensor *in[4] = {fx_input(4, qd, 1, 2.0f), fx_input(4, kd, 2, 2.0f), fx_input(4, kd, 3, 1.0f), NULL};
    if (mask_kind == 1) { /* padding: the second sequence ignores its last 37 keys */
        in[3] = fx_input(4, pad, 4, 0.0f);
        float *p = in[3]->data;
        for (int j = SK - 37; j < SK; j++) p[SK + j] = -3.4028235e38f;
    } else if (mask_kind == 2) { /* causal with the queries at the end of the keys */
        in[3] = fx_input(4, causal, 4, 0.0f);
        float *p = in[3]->data;
        for (int i = 0; i < SQ; i++)
            for (int j = 0; j < SK; j++) p[i * SK + j] = j <= SK - SQ + i ? 0.0f : -3.4028235e38f;
    }
    double err;
    ia_session *s = fx_compare(&m, mask_kind ? 4 : 3, in, 1e-5, 1e-4, &err);
    CHECK(s != NULL);
    CHECK_MSG(err <= 1, "%s mask %d: err ratio %g", scale_op, mask_kind, err);
    if (s) {
        CHECK(fx_count(s, "Attention") == 1);
        CHECK_MSG(fx_nodes(s) == 1, "%zu nodes", fx_nodes(s));
    }
    ia_session_destroy(s);
    for (int i = 0; i < 4; i++) ia_tensor_release(in[i]);
    ia_pbw_free(&m);
}

TEST(attention_div_padding_mask) { check(unit_failed_, "Div", 1, H); }
TEST(attention_mul_causal_mask) { check(unit_failed_, "Mul", 2, H); }
TEST(attention_div_power_of_two_causal_mask) {
    g_div = 4.0f;
    check(unit_failed_, "Div", 2, H);
    g_div = 2.8284271f;
}
TEST(attention_no_mask) { check(unit_failed_, "Mul", 0, H); }
TEST(attention_broadcast_kv_head) { check(unit_failed_, "Div", 1, 1); } /* one K/V head for all (MatMul broadcast) */

/* The scores are also a graph output: nothing may be fused away. */
TEST(attention_with_visible_scores_stays) {
    ia_pbw g = {0}, m = {0};
    fx_node t = fx_begin("Transpose", "k", "kt");
    int64_t perm[4] = {0, 1, 3, 2};
    fx_ais(&t, "perm", 4, perm);
    fx_end(&g, &t);
    fx_op(&g, "MatMul", "q kt", "s");
    fx_node sm = fx_begin("Softmax", "s", "p");
    fx_ai(&sm, "axis", -1);
    fx_end(&g, &sm);
    fx_op(&g, "MatMul", "p v", "y");
    int64_t qd[4] = {1, 2, 5, 4};
    mb_value_info(&g, 11, "q", IA_DTYPE_FLOAT, 4, qd);
    mb_value_info(&g, 11, "k", IA_DTYPE_FLOAT, 4, qd);
    mb_value_info(&g, 11, "v", IA_DTYPE_FLOAT, 4, qd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_value_info(&g, 12, "s", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    ia_session *s = NULL;
    CHECK(fx_session(&m, 2, &s) == IA_OK);
    if (s) CHECK(fx_count(s, "Attention") == 0 && fx_nodes(s) == 4);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

/* Q, K, V given as [B, S, H, D] and transposed to heads first (perm 0 2 1 3), the output
 * transposed back, as BERT and ViT graphs do: the four transposes are absorbed into the node
 * (layout_* = 1) unless a transposed value is read elsewhere (`q_visible`: the transposed Q is
 * also a graph output, so that one transpose stays and the node mixes layouts). */
static void check_head_layout(int *unit_failed_, int kv_heads, int q_visible) {
    ia_pbw g = {0}, m = {0};
    int64_t p0213[4] = {0, 2, 1, 3}, p0132[4] = {0, 1, 3, 2};
    const char *tr[4][2] = {{"qs", "q"}, {"ks", "k"}, {"vs", "v"}, {"y", "yt"}};
    fx_scalar(&g, "c", 2.8284271f);
    for (int i = 0; i < 3; i++) {
        fx_node t = fx_begin("Transpose", tr[i][0], tr[i][1]);
        fx_ais(&t, "perm", 4, p0213);
        fx_end(&g, &t);
    }
    fx_node t = fx_begin("Transpose", "k", "kt");
    fx_ais(&t, "perm", 4, p0132);
    fx_end(&g, &t);
    fx_op(&g, "MatMul", "q kt", "s");
    fx_op(&g, "Div", "s c", "ss");
    fx_op(&g, "Add", "mask ss", "sm");
    fx_node sm = fx_begin("Softmax", "sm", "p");
    fx_ai(&sm, "axis", -1);
    fx_end(&g, &sm);
    fx_op(&g, "MatMul", "p v", "y");
    fx_node o = fx_begin("Transpose", tr[3][0], tr[3][1]);
    fx_ais(&o, "perm", 4, p0213);
    fx_end(&g, &o);
    int64_t qd[4] = {B, SQ, H, D}, kd[4] = {B, SK, kv_heads, D}, pad[4] = {B, 1, 1, SK};
    mb_value_info(&g, 11, "qs", IA_DTYPE_FLOAT, 4, qd);
    mb_value_info(&g, 11, "ks", IA_DTYPE_FLOAT, 4, kd);
    mb_value_info(&g, 11, "vs", IA_DTYPE_FLOAT, 4, kd);
    mb_value_info(&g, 11, "mask", IA_DTYPE_FLOAT, 4, pad);
    mb_value_info(&g, 12, "yt", IA_DTYPE_FLOAT, 0, NULL);
    if (q_visible) mb_value_info(&g, 12, "q", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 17);
    ia_tensor *in[4] = {fx_input(4, qd, 1, 2.0f), fx_input(4, kd, 2, 2.0f), fx_input(4, kd, 3, 1.0f),
                        fx_input(4, pad, 4, 0.0f)};
    float *pm = in[3]->data;
    for (int j = SK - 37; j < SK; j++) pm[SK + j] = -3.4028235e38f;
    double err;
    ia_session *s = fx_compare(&m, 4, in, 1e-5, 1e-4, &err);
    CHECK(s != NULL);
    CHECK_MSG(err <= 1, "kv heads %d, q visible %d: err ratio %g", kv_heads, q_visible, err);
    if (s) {
        CHECK(fx_count(s, "Attention") == 1);
        CHECK_MSG(fx_count(s, "Transpose") == q_visible, "%d transposes left", fx_count(s, "Transpose"));
        if (fx_count(s, "Transpose") != q_visible) fx_dump(s);
    }
    ia_session_destroy(s);
    for (int i = 0; i < 4; i++) ia_tensor_release(in[i]);
    ia_pbw_free(&m);
}

TEST(attention_head_transposes_absorbed) { check_head_layout(unit_failed_, H, 0); }
TEST(attention_head_transposes_broadcast_kv) { check_head_layout(unit_failed_, 1, 0); }
TEST(attention_head_transpose_read_elsewhere_stays) { check_head_layout(unit_failed_, H, 1); }

UNIT_MAIN(CASE(attention_head_transposes_absorbed), CASE(attention_head_transposes_broadcast_kv),
          CASE(attention_head_transpose_read_elsewhere_stays), CASE(attention_div_padding_mask), CASE(attention_mul_causal_mask), CASE(attention_div_power_of_two_causal_mask), CASE(attention_no_mask),
          CASE(attention_broadcast_kv_head), CASE(attention_with_visible_scores_stays))
