/* Unit tests for loading untrusted model bytes: every failure is a status code plus a
 * message naming the problem (node, op, value), never a crash. */
#include <stdlib.h>
#include "ipfs_accelerate.h"
#include "model_builder.h"
#include "unit.h"

static const int64_t two[1] = {2};

/* x[2] -> Identity -> y[2] */
static void identity_model(ia_pbw *m) {
    ia_pbw g = {0};
    const char *in[] = {"x"}, *out[] = {"y"};
    mb_node(&g, "Identity", "id0", 1, in, 1, out, NULL);
    mb_str(&g, 2, "g");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, two);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, two);
    mb_model(m, &g, 13);
}

static int session_from(const ia_pbw *m, ia_session **s) {
    ia_model *model;
    int rc = ia_model_load_memory(m->buf, m->len, NULL, &model);
    if (rc) return rc;
    return ia_session_create_from_model(model, NULL, s);
}

static ia_value *float_value(int64_t n, int dtype) {
    ia_tensor *t;
    ia_tensor_create(dtype, 1, &n, &t);
    ia_value *v;
    ia_value_from_tensor(t, &v);
    ia_tensor_release(t);
    return v;
}

TEST(valid_model_runs) {
    ia_pbw m = {0};
    identity_model(&m);
    ia_session *s;
    CHECK_MSG(session_from(&m, &s) == IA_OK, "%s", ia_last_error());
    ia_value *in = float_value(2, IA_DTYPE_FLOAT), *out = NULL;
    ((float *)in->tensor->data)[1] = 3.5f;
    CHECK(ia_session_run(s, &in, 1, &out, 1) == IA_OK);
    CHECK(out && ((float *)out->tensor->data)[1] == 3.5f);
    ia_value_destroy(in);
    ia_value_destroy(out);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

TEST(every_truncation_fails_cleanly) {
    ia_pbw m = {0};
    identity_model(&m);
    int failures = 0;
    for (size_t len = 0; len < m.len; len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size so ASan sees any overread */
        memcpy(copy, m.buf, len);
        ia_model *model = NULL;
        int rc = ia_model_load_memory(copy, len, NULL, &model);
        if (rc) {
            failures++;
            CHECK(rc < 0 && ia_last_error()[0]);
        } else {
            ia_model_destroy(model);
        }
        free(copy);
    }
    CHECK(failures > (int)m.len / 2);
    ia_pbw_free(&m);
}

TEST(wrong_wire_type) {
    ia_pbw m = {0};
    ia_pbw_varint_field(&m, 1, 8);
    ia_pbw_varint_field(&m, 7, 5); /* graph as a varint */
    ia_model *model;
    CHECK(ia_model_load_memory(m.buf, m.len, NULL, &model) == IA_ERR_PARSE);
    CHECK(strstr(ia_last_error(), "graph") != NULL);
    ia_pbw_free(&m);
}

TEST(length_past_end) {
    uint8_t bytes[] = {0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}; /* graph LEN ~4 GB */
    ia_model *model;
    CHECK(ia_model_load_memory(bytes, sizeof bytes, NULL, &model) == IA_ERR_PARSE);
}

TEST(huge_declared_tensor) {
    ia_pbw g = {0}, m = {0};
    int64_t dims[2] = {(int64_t)1 << 40, (int64_t)1 << 40};
    float four[1] = {1};
    mb_init_f32(&g, "w", 2, dims, four, 1);
    const char *in[] = {"w"}, *out[] = {"y"};
    mb_node(&g, "Identity", "id0", 1, in, 1, out, NULL);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 13);
    ia_model *model;
    int rc = ia_model_load_memory(m.buf, m.len, NULL, &model);
    CHECK(rc == IA_ERR_PARSE || rc == IA_ERR_LIMIT);
    CHECK(strstr(ia_last_error(), "'w'") != NULL);
    ia_pbw_free(&m);
}

TEST(cycle_is_reported) {
    ia_pbw g = {0}, m = {0};
    const char *a_in[] = {"c"}, *a_out[] = {"b"}, *b_in[] = {"b"}, *b_out[] = {"c"};
    mb_node(&g, "Identity", "first", 1, a_in, 1, a_out, NULL);
    mb_node(&g, "Identity", "second", 1, b_in, 1, b_out, NULL);
    mb_value_info(&g, 12, "c", IA_DTYPE_FLOAT, 1, two);
    mb_model(&m, &g, 13);
    ia_model *model;
    CHECK(ia_model_load_memory(m.buf, m.len, NULL, &model) == IA_ERR_GRAPH);
    CHECK_MSG(strstr(ia_last_error(), "cycle") != NULL, "%s", ia_last_error());
    ia_pbw_free(&m);
}

TEST(missing_initializer_names_node) {
    ia_pbw g = {0}, m = {0};
    const char *in[] = {"x", "weights"}, *out[] = {"y"};
    mb_node(&g, "Add", "adder", 2, in, 1, out, NULL);
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, two);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, two);
    mb_model(&m, &g, 13);
    ia_model *model;
    CHECK(ia_model_load_memory(m.buf, m.len, NULL, &model) == IA_ERR_GRAPH);
    CHECK_MSG(strstr(ia_last_error(), "adder") && strstr(ia_last_error(), "weights"), "%s", ia_last_error());
    ia_pbw_free(&m);
}

TEST(unknown_op_names_op_domain_opset_node) {
    ia_pbw g = {0}, m = {0};
    const char *in[] = {"x"}, *out[] = {"y"};
    mb_node(&g, "FrobnicateTensor", "frob7", 1, in, 1, out, NULL);
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, two);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, two);
    mb_model(&m, &g, 15);
    ia_session *s;
    CHECK(session_from(&m, &s) == IA_ERR_UNSUPPORTED);
    const char *e = ia_last_error();
    CHECK_MSG(strstr(e, "FrobnicateTensor") && strstr(e, "opset 15") && strstr(e, "frob7"), "%s", e);
    ia_pbw_free(&m);
}

TEST(unimported_domain) {
    ia_pbw g = {0}, m = {0};
    const char *in[] = {"x"}, *out[] = {"y"};
    mb_node(&g, "Attention", "attn", 1, in, 1, out, "com.example");
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, two);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, two);
    mb_model(&m, &g, 15);
    ia_session *s;
    CHECK(session_from(&m, &s) == IA_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ia_last_error(), "com.example") != NULL, "%s", ia_last_error());
    ia_pbw_free(&m);
}

TEST(runtime_shape_and_type_mismatch) {
    ia_pbw m = {0};
    identity_model(&m);
    ia_session *s;
    CHECK(session_from(&m, &s) == IA_OK);
    ia_value *in = float_value(3, IA_DTYPE_FLOAT), *out = NULL;
    CHECK(ia_session_run(s, &in, 1, &out, 1) == IA_ERR_SHAPE);
    CHECK_MSG(strstr(ia_session_errmsg(s), "'x'") != NULL, "%s", ia_session_errmsg(s));
    ia_value_destroy(in);
    in = float_value(2, IA_DTYPE_INT64);
    CHECK(ia_session_run(s, &in, 1, &out, 1) == IA_ERR_TYPE);
    CHECK(out == NULL);
    ia_value_destroy(in);
    CHECK(ia_session_run(s, NULL, 0, &out, 1) == IA_ERR_INVALID_ARG);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

TEST(external_data_cannot_escape) {
    ia_pbw g = {0}, m = {0}, t = {0}, kv = {0};
    ia_pbw_varint_field(&t, 1, 2);
    ia_pbw_varint_field(&t, 2, IA_DTYPE_FLOAT);
    mb_str(&t, 8, "w");
    mb_str(&kv, 1, "location");
    mb_str(&kv, 2, "../../etc/passwd");
    mb_sub(&t, 13, &kv);
    ia_pbw_varint_field(&t, 14, 1);
    mb_sub(&g, 5, &t);
    const char *in[] = {"w"}, *out[] = {"y"};
    mb_node(&g, "Identity", "id0", 1, in, 1, out, NULL);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, two);
    mb_model(&m, &g, 13);
    ia_model *model;
    CHECK(ia_model_load_memory(m.buf, m.len, "/tmp", &model) == IA_ERR_PARSE);
    CHECK_MSG(strstr(ia_last_error(), "escapes") != NULL, "%s", ia_last_error());
    ia_pbw_free(&m);
}

UNIT_MAIN(CASE(valid_model_runs), CASE(every_truncation_fails_cleanly), CASE(wrong_wire_type), CASE(length_past_end),
          CASE(huge_declared_tensor), CASE(cycle_is_reported), CASE(missing_initializer_names_node),
          CASE(unknown_op_names_op_domain_opset_node), CASE(unimported_domain), CASE(runtime_shape_and_type_mismatch),
          CASE(external_data_cannot_escape))
