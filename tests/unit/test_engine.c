/* Unit tests for session preparation and execution: shape-chain constant folding, load-time
 * shape and type errors naming the node, zero-copy external data, buffer reuse across runs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "model_builder.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "unit.h"

static void init_i64(ia_pbw *g, const char *name, int ndims, const int64_t *dims, const int64_t *vals, size_t n) {
    ia_pbw t = {0};
    for (int i = 0; i < ndims; i++) ia_pbw_varint_field(&t, 1, (uint64_t)dims[i]);
    ia_pbw_varint_field(&t, 2, IA_DTYPE_INT64);
    mb_str(&t, 8, name);
    ia_pbw_bytes_field(&t, 9, vals, n * 8);
    mb_sub(g, 5, &t);
}

static int load(const ia_pbw *m, ia_session **s) {
    ia_model *model;
    int rc = ia_model_load_memory(m->buf, m->len, NULL, &model);
    if (rc) return rc;
    return ia_session_create_from_model(model, NULL, s);
}

/* x[2,3,4] -> Shape -> Gather(1) -> Unsqueeze -> Concat([-1], .) -> Reshape(x, .) -> y */
TEST(shape_chain_folds_to_constant) {
    ia_pbw g = {0}, m = {0};
    int64_t one = 1, zero[1] = {0}, minus1[1] = {-1}, d1[1] = {1};
    init_i64(&g, "one", 0, NULL, &one, 1);
    init_i64(&g, "zero", 1, d1, zero, 1);
    init_i64(&g, "minus1", 1, d1, minus1, 1);
    const char *n1i[] = {"x"}, *n1o[] = {"s"}, *n2i[] = {"s", "one"}, *n2o[] = {"d"}, *n3i[] = {"d", "zero"}, *n3o[] = {"du"};
    const char *n4i[] = {"minus1", "du"}, *n4o[] = {"shp"}, *n5i[] = {"x", "shp"}, *n5o[] = {"y"};
    mb_node(&g, "Shape", "shape", 1, n1i, 1, n1o, NULL);
    mb_node(&g, "Gather", "gather", 2, n2i, 1, n2o, NULL);
    mb_node(&g, "Unsqueeze", "unsq", 2, n3i, 1, n3o, NULL);
    ia_pbw concat = {0};
    { /* Concat needs axis=0 */
        for (int i = 0; i < 2; i++) mb_str(&concat, 1, n4i[i]);
        mb_str(&concat, 2, n4o[0]);
        mb_str(&concat, 3, "concat");
        mb_str(&concat, 4, "Concat");
        ia_pbw a = {0};
        mb_str(&a, 1, "axis");
        ia_pbw_varint_field(&a, 3, 0);
        ia_pbw_varint_field(&a, 20, 2);
        mb_sub(&concat, 5, &a);
        mb_sub(&g, 1, &concat);
    }
    mb_node(&g, "Reshape", "reshape", 2, n5i, 1, n5o, NULL);
    int64_t xd[3] = {2, 3, 4};
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 3, xd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 13);
    ia_session *s;
    CHECK_MSG(load(&m, &s) == IA_OK, "%s", ia_last_error());
    const ia_graph *gr = ia_session_model(s)->graph;
    int k = ia__graph_find(gr, "shp");
    CHECK(k >= 0 && gr->values[k].init != NULL);
    if (k >= 0 && gr->values[k].init) {
        const int64_t *v = gr->values[k].init->data;
        CHECK(gr->values[k].init->numel == 2 && v[0] == -1 && v[1] == 3); /* Shape(x)[1] of the declared [2,3,4] */
    }
    int y = ia__graph_find(gr, "y");
    CHECK(gr->values[y].type.rank == 2 && gr->values[y].type.dims[0] == 8 && gr->values[y].type.dims[1] == 3);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

TEST(impossible_static_shape_fails_at_load) {
    ia_pbw g = {0}, m = {0};
    const char *in[] = {"a", "b"}, *out[] = {"y"};
    mb_node(&g, "MatMul", "proj", 2, in, 1, out, NULL);
    int64_t ad[2] = {2, 3}, bd[2] = {4, 5};
    mb_value_info(&g, 11, "a", IA_DTYPE_FLOAT, 2, ad);
    mb_value_info(&g, 11, "b", IA_DTYPE_FLOAT, 2, bd);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 13);
    ia_session *s;
    int rc = load(&m, &s);
    CHECK(rc == IA_ERR_SHAPE || rc == IA_ERR_INVALID_ARG);
    CHECK_MSG(strstr(ia_last_error(), "proj") != NULL, "%s", ia_last_error());
    ia_pbw_free(&m);
}

TEST(declared_dtype_mismatch_fails_at_load) {
    ia_pbw g = {0}, m = {0};
    const char *in[] = {"a", "a"}, *out[] = {"y"};
    mb_node(&g, "Add", "adder", 2, in, 1, out, NULL);
    int64_t d[1] = {4};
    mb_value_info(&g, 11, "a", IA_DTYPE_FLOAT, 1, d);
    mb_value_info(&g, 12, "y", IA_DTYPE_INT64, 1, d);
    mb_model(&m, &g, 13);
    ia_session *s;
    CHECK(load(&m, &s) == IA_ERR_TYPE);
    CHECK_MSG(strstr(ia_last_error(), "adder") && strstr(ia_last_error(), "int64"), "%s", ia_last_error());
    ia_pbw_free(&m);
}

TEST(external_data_is_mapped_not_copied) {
    char dir[] = "/tmp/ia_ext_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], model_path[256];
    snprintf(path, sizeof path, "%s/weights.bin", dir);
    snprintf(model_path, sizeof model_path, "%s/model.onnx", dir);
    enum { N = 1 << 16 };
    float *w = malloc(N * sizeof *w);
    for (int i = 0; i < N; i++) w[i] = (float)i * 0.5f;
    FILE *f = fopen(path, "wb");
    fwrite("pad!", 1, 4, f); /* offset 4: still 4-byte aligned */
    fwrite(w, sizeof *w, N, f);
    fclose(f);
    ia_pbw g = {0}, m = {0}, t = {0};
    int64_t n = N;
    ia_pbw_varint_field(&t, 1, (uint64_t)n);
    ia_pbw_varint_field(&t, 2, IA_DTYPE_FLOAT);
    mb_str(&t, 8, "w");
    const char *kv[3][2] = {{"location", "weights.bin"}, {"offset", "4"}, {"length", "262144"}};
    for (int i = 0; i < 3; i++) {
        ia_pbw e = {0};
        mb_str(&e, 1, kv[i][0]);
        mb_str(&e, 2, kv[i][1]);
        mb_sub(&t, 13, &e);
    }
    ia_pbw_varint_field(&t, 14, 1);
    mb_sub(&g, 5, &t);
    const char *in[] = {"x", "w"}, *out[] = {"y"};
    mb_node(&g, "Add", "add", 2, in, 1, out, NULL);
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, &n);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 1, &n);
    mb_model(&m, &g, 13);
    f = fopen(model_path, "wb");
    fwrite(m.buf, 1, m.len, f);
    fclose(f);
    ia_session *s;
    CHECK_MSG(ia_session_create(model_path, NULL, &s) == IA_OK, "%s", ia_last_error());
    const ia_model *model = ia_session_model(s);
    int k = ia__graph_find(model->graph, "w");
    const ia_tensor *wt = model->graph->values[k].init;
    CHECK(model->n_external == 1);
    CHECK(wt && wt->release == ia__filemap_tensor_release); /* points into the mapping */
    CHECK(wt && (const char *)wt->data == (const char *)model->external_maps[0]->addr + 4);
    ia_tensor *xt;
    ia_tensor_create(IA_DTYPE_FLOAT, 1, &n, &xt);
    for (int i = 0; i < N; i++) ((float *)xt->data)[i] = 1;
    ia_value *x, *y = NULL;
    ia_value_from_tensor(xt, &x);
    ia_tensor_release(xt);
    CHECK(ia_session_run(s, &x, 1, &y, 1) == IA_OK);
    CHECK(y && ((float *)y->tensor->data)[N - 1] == w[N - 1] + 1);
    ia_value_destroy(x);
    ia_value_destroy(y);
    ia_session_destroy(s);
    /* a length beyond the file is refused, naming the tensor */
    f = fopen(path, "wb");
    fwrite(w, 1, 100, f);
    fclose(f);
    CHECK(ia_session_create(model_path, NULL, &s) == IA_ERR_PARSE);
    CHECK_MSG(strstr(ia_last_error(), "'w'") != NULL, "%s", ia_last_error());
    unlink(path);
    unlink(model_path);
    rmdir(dir);
    free(w);
    ia_pbw_free(&m);
}

TEST(steady_state_runs_allocate_nothing) {
    ia_pbw g = {0}, m = {0};
    const char *a_in[] = {"x", "x"}, *a_out[] = {"t"}, *b_in[] = {"t", "x"}, *b_out[] = {"u"}, *c_in[] = {"u"}, *c_out[] = {"y"};
    mb_node(&g, "Mul", "mul", 2, a_in, 1, a_out, NULL);
    mb_node(&g, "Add", "add", 2, b_in, 1, b_out, NULL);
    mb_node(&g, "Relu", "relu", 1, c_in, 1, c_out, NULL);
    int64_t d[1] = {-1};
    (void)d;
    mb_value_info(&g, 11, "x", IA_DTYPE_FLOAT, 1, NULL);
    mb_value_info(&g, 12, "y", IA_DTYPE_FLOAT, 0, NULL);
    mb_model(&m, &g, 13);
    ia_session *s;
    CHECK_MSG(load(&m, &s) == IA_OK, "%s", ia_last_error());
    int64_t sizes[4] = {1000, 1000, 5000, 5000};
    uint64_t allocs[4];
    for (int r = 0; r < 4; r++) {
        ia_tensor *xt;
        ia_tensor_create(IA_DTYPE_FLOAT, 1, &sizes[r], &xt);
        ia_value *x, *y = NULL;
        ia_value_from_tensor(xt, &x);
        ia_tensor_release(xt);
        CHECK(ia_session_run(s, &x, 1, &y, 1) == IA_OK);
        ia_value_destroy(x);
        ia_value_destroy(y); /* the output buffer returns to the pool too */
        ia_run_stats st;
        ia_session_last_stats(s, &st);
        allocs[r] = st.allocations;
    }
    CHECK(allocs[0] > 0 && allocs[2] > 0);      /* new shapes: new buffers */
    CHECK_MSG(allocs[1] == 0 && allocs[3] == 0, "repeat runs allocated %llu and %llu buffers",
              (unsigned long long)allocs[1], (unsigned long long)allocs[3]);
    ia_session_destroy(s);
    ia_pbw_free(&m);
}

UNIT_MAIN(CASE(shape_chain_folds_to_constant), CASE(impossible_static_shape_fails_at_load), CASE(declared_dtype_mismatch_fails_at_load),
          CASE(external_data_is_mapped_not_copied), CASE(steady_state_runs_allocate_nothing))
