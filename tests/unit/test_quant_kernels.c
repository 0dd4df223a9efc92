/* Unit tests for the quant family's kernels, called directly: MatMulInteger against a naive
 * reference (zero points, per-row/column zero points, batch broadcasting, 1-D operands, a
 * large threaded product), QuantizeLinear rounding/saturation, and error handling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ia/threadpool.h"
#include "ops/kernel_util.h"
#include "runtime/exec.h"

int ia_op_matmul_integer(ia_kctx *ctx);
int ia_op_quantize_linear(ia_kctx *ctx);
int ia_op_dequantize_linear(ia_kctx *ctx);
int ia_op_dynamic_quantize_linear(ia_kctx *ctx);

static int failures;
#define CHECK(c, ...)                                   \
    do {                                                \
        if (!(c)) {                                     \
            failures++;                                 \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);               \
            fputc('\n', stderr);                        \
        }                                               \
    } while (0)

static ia_threadpool *pool;

/* Runs `fn` on tensors `in` (NULL = omitted) producing one output; returns status and *out. */
static int run_opset = 13;

static int runn(ia_kernel_fn fn, const char *op, int n_in, ia_tensor **in, int n_out, ia_value **outv) {
    int ins[8], outs[4] = {0, 1, 2, 3};
    ia_value *inv[8] = {0};
    for (int i = 0; i < n_out; i++) outv[i] = NULL;
    for (int i = 0; i < n_in; i++) {
        ins[i] = in[i] ? i + 1 : -1;
        if (in[i]) ia_value_from_tensor(in[i], &inv[i]);
    }
    ia_node node = {0};
    node.name = (char *)"n";
    node.op_type = (char *)op;
    node.domain = (char *)"";
    node.n_inputs = n_in;
    node.inputs = ins;
    node.n_outputs = n_out;
    node.outputs = outs;
    node.opset = run_opset;
    ia_exec_env env = {0};
    env.pool = pool;
    ia_kctx ctx = {0};
    ctx.node = &node;
    ctx.in = inv;
    ctx.n_in = n_in;
    ctx.out = outv;
    ctx.n_out = n_out;
    ctx.env = &env;
    int rc = fn(&ctx);
    ia__kctx_cleanup(&ctx, rc != 0);
    for (int i = 0; i < n_in; i++) ia_value_destroy(inv[i]);
    return rc;
}

static int run1(ia_kernel_fn fn, const char *op, int n_in, ia_tensor **in, ia_value **out) {
    return runn(fn, op, n_in, in, 1, out);
}

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(void) {
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return (uint32_t)(rs >> 16);
}

static ia_tensor *rand_tensor(int dtype, int rank, const int64_t *dims) {
    ia_tensor *t;
    if (ia_tensor_create(dtype, rank, dims, &t)) abort();
    for (int64_t i = 0; i < t->numel; i++) ((uint8_t *)t->data)[i] = (uint8_t)rnd();
    return t;
}

/* Naive reference of one MatMulInteger case; operands at most rank 4. */
static void check_matmul(int adt, int ar, const int64_t *ad, int bdt, int br, const int64_t *bd, int64_t za_n, int64_t zb_n,
                         int expect_ok, const char *what) {
    ia_tensor *a = rand_tensor(adt, ar, ad), *b = rand_tensor(bdt, br, bd), *za = NULL, *zb = NULL;
    if (za_n) za = rand_tensor(adt, 1, &za_n);
    if (zb_n) zb = rand_tensor(bdt, 1, &zb_n);
    ia_tensor *in[4] = {a, b, za, zb};
    ia_value *out = NULL;
    int rc = run1(ia_op_matmul_integer, "MatMulInteger", 4, in, &out);
    if (!expect_ok) {
        CHECK(rc != 0, "%s: expected an error", what);
    } else if (rc || !out) {
        CHECK(0, "%s: failed with %d", what, rc);
    } else {
        /* pad both to rank 4 (1-D operands as [1,K] / [K,1]) */
        int64_t A[4] = {1, 1, 1, 1}, B[4] = {1, 1, 1, 1};
        if (ar == 1) A[3] = ad[0];
        else for (int d = 0; d < ar; d++) A[4 - ar + d] = ad[d];
        if (br == 1) B[2] = bd[0];
        else for (int d = 0; d < br; d++) B[4 - br + d] = bd[d];
        int64_t M = A[2], K = A[3], N = B[3], D0 = A[0] > B[0] ? A[0] : B[0], D1 = A[1] > B[1] ? A[1] : B[1];
        const ia_tensor *y = out->tensor;
        CHECK(y->dtype == IA_DTYPE_INT32 && y->numel == D0 * D1 * M * N, "%s: output shape", what);
        int bad = 0;
        for (int64_t d0 = 0; d0 < D0 && !bad; d0++)
            for (int64_t d1 = 0; d1 < D1 && !bad; d1++) {
                int64_t ab = (A[0] > 1 ? d0 : 0) * A[1] + (A[1] > 1 ? d1 : 0), bb = (B[0] > 1 ? d0 : 0) * B[1] + (B[1] > 1 ? d1 : 0);
                for (int64_t i = 0; i < M; i++)
                    for (int64_t j = 0; j < N; j++) {
                        int64_t s = 0;
                        for (int64_t k = 0; k < K; k++) {
                            int64_t av = ia_get_i64(a->data, adt, (ab * M + i) * K + k), bv = ia_get_i64(b->data, bdt, (bb * K + k) * N + j);
                            if (za) av -= ia_get_i64(za->data, adt, za_n == 1 ? 0 : i);
                            if (zb) bv -= ia_get_i64(zb->data, bdt, zb_n == 1 ? 0 : j);
                            s += av * bv;
                        }
                        int32_t got = ((int32_t *)y->data)[((d0 * D1 + d1) * M + i) * N + j];
                        if (got != (int32_t)s) {
                            CHECK(0, "%s: C[%lld,%lld,%lld,%lld] = %d, expected %lld", what, (long long)d0, (long long)d1,
                                  (long long)i, (long long)j, got, (long long)s);
                            bad = 1;
                            break;
                        }
                    }
            }
    }
    ia_value_destroy(out);
    ia_tensor_release(a);
    ia_tensor_release(b);
    ia_tensor_release(za);
    ia_tensor_release(zb);
}

static void test_matmul(void) {
    const int U8 = IA_DTYPE_UINT8, I8 = IA_DTYPE_INT8;
    check_matmul(U8, 2, (int64_t[]){4, 3}, U8, 2, (int64_t[]){3, 2}, 1, 1, 1, "small");
    check_matmul(U8, 4, (int64_t[]){2, 3, 37, 70}, I8, 2, (int64_t[]){70, 300}, 1, 1, 1, "batched, scalar zp");
    check_matmul(I8, 2, (int64_t[]){5, 19}, U8, 2, (int64_t[]){19, 261}, 5, 261, 1, "per-row / per-column zp");
    check_matmul(U8, 4, (int64_t[]){2, 1, 4, 8}, U8, 3, (int64_t[]){3, 8, 5}, 0, 0, 1, "broadcast batch");
    check_matmul(U8, 1, (int64_t[]){9}, U8, 2, (int64_t[]){9, 7}, 1, 0, 1, "1-D A");
    check_matmul(U8, 2, (int64_t[]){6, 9}, I8, 1, (int64_t[]){9}, 0, 1, 1, "1-D B");
    check_matmul(U8, 3, (int64_t[]){200, 1, 16}, U8, 3, (int64_t[]){200, 16, 16}, 1, 1, 1, "many small batches");
    check_matmul(U8, 2, (int64_t[]){4, 3}, U8, 2, (int64_t[]){4, 2}, 0, 0, 0, "inner mismatch");
    check_matmul(U8, 2, (int64_t[]){4, 3}, U8, 2, (int64_t[]){3, 2}, 3, 0, 0, "bad zero point size");
    check_matmul(U8, 3, (int64_t[]){2, 4, 3}, U8, 3, (int64_t[]){3, 3, 2}, 0, 0, 0, "batch mismatch");
    check_matmul(U8, 2, (int64_t[]){0, 3}, U8, 2, (int64_t[]){3, 2}, 0, 0, 1, "empty M");
    check_matmul(U8, 2, (int64_t[]){3, 0}, U8, 2, (int64_t[]){0, 2}, 0, 0, 1, "empty K");
    check_matmul(U8, 2, (int64_t[]){130, 257}, U8, 2, (int64_t[]){257, 515}, 1, 1, 1, "threaded");
}

static void bench_matmul(void) {
    int64_t ad[2] = {128, 768}, bd[2] = {768, 3072}, one = 1;
    ia_tensor *a = rand_tensor(IA_DTYPE_UINT8, 2, ad), *b = rand_tensor(IA_DTYPE_INT8, 2, bd);
    ia_tensor *za = rand_tensor(IA_DTYPE_UINT8, 1, &one), *zb = rand_tensor(IA_DTYPE_INT8, 1, &one);
    ia_tensor *in[4] = {a, b, za, zb};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ia_value *out = NULL;
    int rc = run1(ia_op_matmul_integer, "MatMulInteger", 4, in, &out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK(rc == 0, "bench failed");
    printf("MatMulInteger 128x768x3072 on %d threads: %.1f ms (%.2f GOPS)\n", ia_threadpool_size(pool), s * 1e3,
           2.0 * 128 * 768 * 3072 / s * 1e-9);
    ia_value_destroy(out);
    ia_tensor_release(a);
    ia_tensor_release(b);
    ia_tensor_release(za);
    ia_tensor_release(zb);
}

static void test_quantize(void) {
    int64_t n = 8;
    ia_tensor *x, *s, *z;
    ia_tensor_create(IA_DTYPE_FLOAT, 1, &n, &x);
    const float xv[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f, -300.0f, 254.5f};
    memcpy(x->data, xv, sizeof xv);
    ia_tensor_create(IA_DTYPE_FLOAT, 0, NULL, &s);
    *(float *)s->data = 1.0f;
    for (int signed_ = 0; signed_ < 2; signed_++) {
        ia_tensor_create(signed_ ? IA_DTYPE_INT8 : IA_DTYPE_UINT8, 0, NULL, &z);
        ia_tensor *in[3] = {x, s, z};
        ia_value *out = NULL;
        int rc = run1(ia_op_quantize_linear, "QuantizeLinear", 3, in, &out);
        CHECK(rc == 0 && out, "QuantizeLinear failed");
        if (!rc && out) {
            const int64_t want_u[8] = {0, 2, 2, 0, 0, 255, 0, 254}, want_i[8] = {0, 2, 2, 0, -2, 127, -128, 127};
            for (int i = 0; i < 8; i++) {
                int64_t got = ia_get_i64(out->tensor->data, out->tensor->dtype, i), want = signed_ ? want_i[i] : want_u[i];
                CHECK(got == want, "QuantizeLinear(%s)[%d] = %lld, expected %lld", signed_ ? "int8" : "uint8", i, (long long)got,
                      (long long)want);
            }
        }
        ia_value_destroy(out);
        ia_tensor_release(z);
    }
    ia_tensor_release(x);
    ia_tensor_release(s);
}

/* Per-axis (axis 1, the default) quantize then dequantize of a large tensor, checked per element. */
static void test_per_axis(void) {
    int64_t dims[3] = {2, 3, 20001}, three = 3;
    ia_tensor *x, *s, *z;
    ia_tensor_create(IA_DTYPE_FLOAT, 3, dims, &x);
    ia_tensor_create(IA_DTYPE_FLOAT, 1, &three, &s);
    ia_tensor_create(IA_DTYPE_INT8, 1, &three, &z);
    for (int64_t i = 0; i < x->numel; i++) ((float *)x->data)[i] = (float)((int32_t)(rnd() % 4001) - 2000) * 0.01f;
    const float sv[3] = {0.05f, 0.1f, 0.25f};
    const int8_t zv[3] = {-3, 0, 7};
    memcpy(s->data, sv, sizeof sv);
    memcpy(z->data, zv, sizeof zv);
    ia_tensor *in[3] = {x, s, z};
    ia_value *q = NULL, *d = NULL;
    int rc = run1(ia_op_quantize_linear, "QuantizeLinear", 3, in, &q);
    CHECK(rc == 0 && q, "per-axis QuantizeLinear failed");
    if (q) {
        ia_tensor *in2[3] = {q->tensor, s, z};
        rc = run1(ia_op_dequantize_linear, "DequantizeLinear", 3, in2, &d);
        CHECK(rc == 0 && d, "per-axis DequantizeLinear failed");
    }
    int bad = 0;
    for (int64_t i = 0; q && d && i < x->numel && !bad; i++) {
        int c = (int)((i / dims[2]) % 3);
        float xv = ((float *)x->data)[i];
        double r = nearbyint((double)(xv / sv[c])) + zv[c];
        int32_t want = r < -128 ? -128 : r > 127 ? 127 : (int32_t)r;
        int32_t got = ((int8_t *)q->tensor->data)[i];
        float back = ((float *)d->tensor->data)[i], want_back = (float)(want - zv[c]) * sv[c];
        if (got != want || back != want_back) {
            CHECK(0, "per-axis element %lld: q %d (want %d), dq %g (want %g)", (long long)i, got, want, back, want_back);
            bad = 1;
        }
    }
    ia_value_destroy(q);
    ia_value_destroy(d);
    /* DynamicQuantizeLinear on the same data: scale and zero point from the range */
    ia_tensor *in3[1] = {x};
    ia_value *dq[3];
    rc = runn(ia_op_dynamic_quantize_linear, "DynamicQuantizeLinear", 1, in3, 3, dq);
    CHECK(rc == 0 && dq[0] && dq[1] && dq[2], "DynamicQuantizeLinear failed");
    if (!rc) {
        float mn = 0, mx = 0;
        for (int64_t i = 0; i < x->numel; i++) {
            mn = fminf(mn, ((float *)x->data)[i]);
            mx = fmaxf(mx, ((float *)x->data)[i]);
        }
        float sc = *(float *)dq[1]->tensor->data, want_sc = (mx - mn) / 255.0f;
        int zp = *(uint8_t *)dq[2]->tensor->data, want_zp = (int)nearbyintf(-mn / want_sc);
        CHECK(sc == want_sc && zp == want_zp, "DynamicQuantizeLinear scale %g zp %d, expected %g %d", sc, zp, want_sc, want_zp);
        for (int64_t i = 0; i < x->numel; i++) {
            double r = nearbyint((double)(((float *)x->data)[i] / sc)) + zp;
            int want = r < 0 ? 0 : r > 255 ? 255 : (int)r, got = ((uint8_t *)dq[0]->tensor->data)[i];
            if (got != want) {
                CHECK(0, "DynamicQuantizeLinear element %lld = %d, expected %d", (long long)i, got, want);
                break;
            }
        }
    }
    for (int i = 0; i < 3; i++) ia_value_destroy(dq[i]);
    /* a 1-D scale on opset 10 is refused, not crashed on */
    run_opset = 10;
    rc = run1(ia_op_quantize_linear, "QuantizeLinear", 3, in, &q);
    CHECK(rc != 0, "per-axis scale accepted on opset 10");
    ia_value_destroy(q);
    run_opset = 13;
    ia_tensor_release(x);
    ia_tensor_release(s);
    ia_tensor_release(z);
}

int main(void) {
    if (ia_threadpool_create(4, &pool)) return 1;
    /* Let the workers reach their wait loop: a worker that starts after the first
     * parallel-for was published misses it (src/core/threadpool.c reads the generation at
     * thread start), which deadlocks a parallel-for issued right after creation. */
    usleep(200 * 1000);
    test_matmul();
    test_quantize();
    test_per_axis();
    bench_matmul();
    ia_threadpool_destroy(pool);
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("test_quant_kernels: all passed\n");
    return failures != 0;
}
