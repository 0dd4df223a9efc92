/* Unit tests of the elementwise operator family: integer edge cases (division by zero, Mod
 * signs, wrapping Pow), every broadcast pattern of the driver against a naive reference,
 * threaded runs, legacy (opset < 7) broadcasting, float16, error handling, and the accuracy
 * of the vectorised float32 exp / tanh / erf. Self-contained: builds one-node models. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ia/model.h"
#include "ia/session.h"
#include "ia/tensor.h"
#include "onnx/pbwire.h"
#include "ops/fastmath.h"

static int failures;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* ---- one-node model builder ---- */

typedef struct attr {
    const char *name;
    int type; /* 1 float, 2 int, 3 string */
    float f;
    int64_t i;
    const char *s;
} attr;

typedef struct input {
    int dtype, rank;
    int64_t dims[4];
    const void *data;
} input;

static void put_str(ia_pbw *w, uint32_t field, const char *s) { ia_pbw_bytes_field(w, field, s, strlen(s)); }
static void put_sub(ia_pbw *w, uint32_t field, ia_pbw *sub) {
    ia_pbw_bytes_field(w, field, sub->buf, sub->len);
    ia_pbw_free(sub);
}

static void value_info(ia_pbw *g, uint32_t field, const char *name, int dtype, int rank, const int64_t *dims) {
    ia_pbw vi = {0}, tp = {0}, tt = {0}, sh = {0};
    put_str(&vi, 1, name);
    ia_pbw_varint_field(&tt, 1, (uint64_t)dtype);
    if (rank >= 0) {
        for (int i = 0; i < rank; i++) {
            ia_pbw d = {0};
            ia_pbw_varint_field(&d, 1, (uint64_t)dims[i]);
            put_sub(&sh, 1, &d);
        }
        put_sub(&tt, 2, &sh);
    }
    put_sub(&tp, 1, &tt);
    put_sub(&vi, 2, &tp);
    put_sub(g, field, &vi);
}

/* Runs `op` (opset `opset`) on the inputs; returns the status and sets *out (caller frees). */
static int run_op(const char *op, int opset, const attr *attrs, int nattr, const input *in, int nin, int out_dtype,
                  int threads, ia_value **out) {
    static const char *names[] = {"a", "b", "c", "d", "e"};
    ia_pbw node = {0}, graph = {0}, model = {0}, os = {0};
    for (int i = 0; i < nin; i++) put_str(&node, 1, names[i]);
    put_str(&node, 2, "y");
    put_str(&node, 3, "n0");
    put_str(&node, 4, op);
    for (int k = 0; k < nattr; k++) {
        ia_pbw a = {0};
        put_str(&a, 1, attrs[k].name);
        if (attrs[k].type == 1) {
            ia_pbw_key(&a, 2, IA_PB_I32);
            ia_pbw_raw(&a, &attrs[k].f, 4);
        } else if (attrs[k].type == 2) {
            ia_pbw_varint_field(&a, 3, (uint64_t)attrs[k].i);
        } else {
            put_str(&a, 4, attrs[k].s);
        }
        ia_pbw_varint_field(&a, 20, (uint64_t)attrs[k].type);
        put_sub(&node, 5, &a);
    }
    put_sub(&graph, 1, &node);
    put_str(&graph, 2, "g");
    for (int i = 0; i < nin; i++) value_info(&graph, 11, names[i], in[i].dtype, in[i].rank, in[i].dims);
    value_info(&graph, 12, "y", out_dtype, -1, NULL);
    ia_pbw_varint_field(&model, 1, 8);
    put_str(&model, 2, "unit");
    put_str(&os, 1, "");
    ia_pbw_varint_field(&os, 2, (uint64_t)opset);
    put_sub(&model, 8, &os);
    put_sub(&model, 7, &graph);

    *out = NULL;
    ia_model *m = NULL;
    int rc = ia_model_load_memory(model.buf, model.len, NULL, &m);
    ia_pbw_free(&model);
    if (rc) return rc;
    ia_session_options o;
    ia_session_options_init(&o);
    o.threads = threads;
    ia_session *s = NULL;
    if ((rc = ia_session_create_from_model(m, &o, &s))) return rc;
    if (threads > 1) {
        /* Let the pool's workers start before the first parallel run: the branch this test
         * was written on predates the thread-pool start-race fix (a late worker missed job 1). */
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    ia_value *vals[5] = {0};
    for (int i = 0; i < nin && !rc; i++) {
        ia_tensor *t;
        rc = ia_tensor_create(in[i].dtype, in[i].rank, in[i].dims, &t);
        if (rc) break;
        if (t->nbytes) memcpy(t->data, in[i].data, t->nbytes);
        rc = ia_value_from_tensor(t, &vals[i]);
        ia_tensor_release(t);
    }
    if (!rc) rc = ia_session_run(s, vals, (size_t)nin, out, 1);
    for (int i = 0; i < nin; i++) ia_value_destroy(vals[i]);
    ia_session_destroy(s);
    return rc;
}

static const ia_tensor *tensor_of(const ia_value *v) { return v && v->kind == IA_VALUE_TENSOR ? v->tensor : NULL; }

/* ---- cases ---- */

static void test_int_div_mod(void) {
    int32_t a[] = {7, -7, INT32_MIN, 5, -7, 7, 0}, b[] = {0, 2, -1, -3, 3, -3, 0};
    input in[2] = {{IA_DTYPE_INT32, 1, {7}, a}, {IA_DTYPE_INT32, 1, {7}, b}};
    ia_value *y;
    CHECK(run_op("Div", 14, NULL, 0, in, 2, IA_DTYPE_INT32, 1, &y) == IA_OK);
    const int32_t want_div[] = {0, -3, INT32_MIN, -1, -2, -2, 0};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_div, sizeof want_div));
    ia_value_destroy(y);

    attr py = {"fmod", 2, 0, 0, NULL}, c = {"fmod", 2, 0, 1, NULL};
    CHECK(run_op("Mod", 13, &py, 1, in, 2, IA_DTYPE_INT32, 1, &y) == IA_OK);
    const int32_t want_py[] = {0, 1, 0, -1, 2, -2, 0};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_py, sizeof want_py));
    ia_value_destroy(y);
    CHECK(run_op("Mod", 13, &c, 1, in, 2, IA_DTYPE_INT32, 1, &y) == IA_OK);
    const int32_t want_c[] = {0, -1, 0, 2, -1, 1, 0};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_c, sizeof want_c));
    ia_value_destroy(y);

    uint8_t u[] = {200, 3}, v[] = {0, 2};
    input uin[2] = {{IA_DTYPE_UINT8, 1, {2}, u}, {IA_DTYPE_UINT8, 1, {2}, v}};
    CHECK(run_op("Div", 14, NULL, 0, uin, 2, IA_DTYPE_UINT8, 1, &y) == IA_OK);
    CHECK(tensor_of(y) && ((uint8_t *)tensor_of(y)->data)[0] == 0 && ((uint8_t *)tensor_of(y)->data)[1] == 1);
    ia_value_destroy(y);
}

static void test_pow_int(void) {
    int64_t a[] = {2, -1, 1, 3, 2, 0}, b[] = {-1, -3, -5, 40, 10, 0};
    input in[2] = {{IA_DTYPE_INT64, 1, {6}, a}, {IA_DTYPE_INT64, 1, {6}, b}};
    ia_value *y;
    CHECK(run_op("Pow", 15, NULL, 0, in, 2, IA_DTYPE_INT64, 1, &y) == IA_OK);
    const int64_t want[] = {0, -1, 1, (int64_t)12157665459056928801ull, 1024, 1};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want, sizeof want));
    ia_value_destroy(y);

    float x[] = {-3, 0.5f, -0.0f, 4}, two = 2, half = 0.5f;
    input fin[2] = {{IA_DTYPE_FLOAT, 1, {4}, x}, {IA_DTYPE_FLOAT, 0, {0}, &two}};
    CHECK(run_op("Pow", 15, NULL, 0, fin, 2, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    const float *o = tensor_of(y) ? tensor_of(y)->data : NULL;
    CHECK(o && o[0] == 9 && o[1] == 0.25f && o[3] == 16);
    ia_value_destroy(y);
    fin[1].data = &half;
    CHECK(run_op("Pow", 15, NULL, 0, fin, 2, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    o = tensor_of(y) ? tensor_of(y)->data : NULL;
    CHECK(o && isnan(o[0]) && o[3] == 2 && o[2] == 0 && !signbit(o[2])); /* pow(-0, 0.5) is +0 */
    ia_value_destroy(y);
}

/* Compares op(a, b) with a naive broadcast loop for a set of shape pairs. */
static void check_broadcast(const char *op, int ra, const int64_t *da, int rb, const int64_t *db, int threads) {
    int64_t na = 1, nb = 1;
    for (int i = 0; i < ra; i++) na *= da[i];
    for (int i = 0; i < rb; i++) nb *= db[i];
    float *a = malloc((size_t)na * 4), *b = malloc((size_t)nb * 4);
    for (int64_t i = 0; i < na; i++) a[i] = (float)(i % 97) * 0.5f - 7;
    for (int64_t i = 0; i < nb; i++) b[i] = (float)(i % 13) + 1;
    input in[2] = {{IA_DTYPE_FLOAT, ra, {0}, a}, {IA_DTYPE_FLOAT, rb, {0}, b}};
    memcpy(in[0].dims, da, (size_t)ra * 8);
    memcpy(in[1].dims, db, (size_t)rb * 8);
    ia_value *y;
    int rc = run_op(op, 14, NULL, 0, in, 2, IA_DTYPE_FLOAT, threads, &y);
    CHECK(rc == IA_OK);
    const ia_tensor *t = tensor_of(y);
    if (t) {
        int r = t->rank;
        int64_t bad = 0;
        for (int64_t i = 0; i < t->numel; i++) {
            int64_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
            for (int d = r - 1; d >= 0; d--) {
                int64_t idx = rem % t->dims[d];
                rem /= t->dims[d];
                int dA = d - (r - ra), dB = d - (r - rb);
                if (dA >= 0) { ia += (da[dA] == 1 ? 0 : idx) * sa; sa *= da[dA]; }
                if (dB >= 0) { ib += (db[dB] == 1 ? 0 : idx) * sb; sb *= db[dB]; }
            }
            float x = a[ia], z = b[ib];
            float want = !strcmp(op, "Add") ? x + z : !strcmp(op, "Sub") ? x - z : !strcmp(op, "Mul") ? x * z : x / z;
            if (((const float *)t->data)[i] != want) bad++;
        }
        CHECK(bad == 0);
    }
    ia_value_destroy(y);
    free(a);
    free(b);
}

static void test_broadcast_patterns(void) {
    const int64_t s234[] = {2, 3, 4}, s4[] = {4}, s31[] = {3, 1}, s214[] = {2, 1, 4}, s1[] = {1}, s134[] = {1, 3, 4};
    check_broadcast("Add", 3, s234, 3, s234, 1); /* equal shapes */
    check_broadcast("Sub", 3, s234, 1, s4, 1);   /* bias along the last dim */
    check_broadcast("Mul", 3, s234, 2, s31, 1);  /* broadcast along the last dim */
    check_broadcast("Div", 3, s234, 0, s1, 1);   /* scalar */
    check_broadcast("Div", 0, s1, 3, s234, 1);   /* scalar on the left */
    check_broadcast("Add", 3, s214, 2, s31, 1);  /* both sides broadcast */
    check_broadcast("Sub", 3, s134, 3, s214, 1);
    check_broadcast("Sub", 1, s1, 3, s214, 1);
    /* Large enough to be split across threads, with chunks starting mid-row. */
    const int64_t big[] = {3, 257, 301}, row[] = {301}, col[] = {257, 1}, mid[] = {3, 1, 301};
    check_broadcast("Add", 3, big, 1, row, 4);
    check_broadcast("Mul", 3, big, 2, col, 4);
    check_broadcast("Sub", 3, mid, 3, big, 4);
    check_broadcast("Div", 3, big, 3, big, 4);
}

static void test_variadic(void) {
    float a[] = {1, NAN, 3, 4, 5, 6}, b[] = {10, 0, -1, 2}, c = 2;
    input in[3] = {{IA_DTYPE_FLOAT, 3, {2, 1, 3}, a}, {IA_DTYPE_FLOAT, 2, {4, 1}, b}, {IA_DTYPE_FLOAT, 0, {0}, &c}};
    ia_value *y;
    CHECK(run_op("Sum", 13, NULL, 0, in, 3, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    const ia_tensor *t = tensor_of(y);
    CHECK(t && t->rank == 3 && t->dims[0] == 2 && t->dims[1] == 4 && t->dims[2] == 3);
    if (t) {
        const float *o = t->data;
        CHECK(o[0] == 13 && isnan(o[1]) && o[2] == 15 && o[3] == 3 && o[12 + 11] == 6 + 2 + 2);
    }
    ia_value_destroy(y);
    CHECK(run_op("Max", 13, NULL, 0, in, 3, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    t = tensor_of(y);
    if (t) {
        const float *o = t->data;
        CHECK(o[0] == 10 && isnan(o[1]) && o[2] == 10 && o[9] == 2 && o[11] == 3);
    }
    ia_value_destroy(y);
    CHECK(run_op("Mean", 13, NULL, 0, in, 3, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    t = tensor_of(y);
    CHECK(t && fabsf(((const float *)t->data)[0] - 13.0f / 3) < 1e-6f);
    ia_value_destroy(y);
}

static void test_where_legacy_and_bits(void) {
    uint8_t cond[] = {1, 0};
    int64_t x[] = {1, 2, 3}, yv = -5;
    input in[3] = {{IA_DTYPE_BOOL, 2, {2, 1}, cond}, {IA_DTYPE_INT64, 1, {3}, x}, {IA_DTYPE_INT64, 0, {0}, &yv}};
    ia_value *y;
    CHECK(run_op("Where", 16, NULL, 0, in, 3, IA_DTYPE_INT64, 1, &y) == IA_OK);
    const int64_t want_w[] = {1, 2, 3, -5, -5, -5};
    CHECK(tensor_of(y) && tensor_of(y)->numel == 6 && !memcmp(tensor_of(y)->data, want_w, sizeof want_w));
    ia_value_destroy(y);

    /* Opset 6 Add with broadcast=1, axis=0: B of shape [2] lines up with A's first dim. */
    float a[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20};
    input lin[2] = {{IA_DTYPE_FLOAT, 2, {2, 3}, a}, {IA_DTYPE_FLOAT, 1, {2}, b}};
    attr la[2] = {{"broadcast", 2, 0, 1, NULL}, {"axis", 2, 0, 0, NULL}};
    CHECK(run_op("Add", 6, la, 2, lin, 2, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    const float want_l[] = {11, 12, 13, 24, 25, 26};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_l, sizeof want_l));
    ia_value_destroy(y);

    uint8_t s[] = {1, 1, 255}, n[] = {8, 7, 1};
    input bin[2] = {{IA_DTYPE_UINT8, 1, {3}, s}, {IA_DTYPE_UINT8, 1, {3}, n}};
    attr left = {"direction", 3, 0, 0, "LEFT"};
    CHECK(run_op("BitShift", 11, &left, 1, bin, 2, IA_DTYPE_UINT8, 1, &y) == IA_OK);
    const uint8_t want_b[] = {0, 128, 254};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_b, sizeof want_b));
    ia_value_destroy(y);

    int8_t c8[] = {-100, 0, 100}, lo = 10, hi = 5;
    input cin[3] = {{IA_DTYPE_INT8, 1, {3}, c8}, {IA_DTYPE_INT8, 0, {0}, &lo}, {IA_DTYPE_INT8, 0, {0}, &hi}};
    CHECK(run_op("Clip", 13, NULL, 0, cin, 3, IA_DTYPE_INT8, 1, &y) == IA_OK); /* min > max: all max */
    const int8_t want_c[] = {5, 5, 5};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_c, sizeof want_c));
    ia_value_destroy(y);
}

static void test_float_semantics(void) {
    float r[] = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.6f};
    input in = {IA_DTYPE_FLOAT, 1, {6}, r};
    ia_value *y;
    CHECK(run_op("Round", 11, NULL, 0, &in, 1, IA_DTYPE_FLOAT, 1, &y) == IA_OK);
    const float want_r[] = {0, 2, 2, -0.0f, -2, 3};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_r, sizeof want_r));
    ia_value_destroy(y);

    float f[] = {INFINITY, -INFINITY, NAN, 1};
    input fin = {IA_DTYPE_FLOAT, 1, {4}, f};
    attr neg_only = {"detect_positive", 2, 0, 0, NULL};
    CHECK(run_op("IsInf", 10, &neg_only, 1, &fin, 1, IA_DTYPE_BOOL, 1, &y) == IA_OK);
    const uint8_t want_i[] = {0, 1, 0, 0};
    CHECK(tensor_of(y) && !memcmp(tensor_of(y)->data, want_i, sizeof want_i));
    ia_value_destroy(y);

    /* float16 goes through float and back. */
    uint16_t h[] = {ia_f32_to_fp16(1.5f), ia_f32_to_fp16(-2.0f)}, k = ia_f32_to_fp16(0.25f);
    input hin[2] = {{IA_DTYPE_FLOAT16, 1, {2}, h}, {IA_DTYPE_FLOAT16, 0, {0}, &k}};
    CHECK(run_op("Mul", 14, NULL, 0, hin, 2, IA_DTYPE_FLOAT16, 1, &y) == IA_OK);
    const ia_tensor *t = tensor_of(y);
    CHECK(t && t->dtype == IA_DTYPE_FLOAT16 && ia_fp16_to_f32(((uint16_t *)t->data)[0]) == 0.375f &&
          ia_fp16_to_f32(((uint16_t *)t->data)[1]) == -0.5f);
    ia_value_destroy(y);
}

/* Activations against double-precision formulas, including far-out inputs. */
static double ref_act(const char *op, double x) {
    if (!strcmp(op, "Gelu")) return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    if (!strcmp(op, "GeluTanh")) return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    if (!strcmp(op, "Sigmoid")) return 1 / (1 + exp(-x));
    if (!strcmp(op, "Tanh")) return tanh(x);
    if (!strcmp(op, "Softplus")) return x > 30 ? x : log1p(exp(x));
    if (!strcmp(op, "Mish")) return x * tanh(x > 30 ? x : log1p(exp(x)));
    if (!strcmp(op, "HardSwish")) return x * fmax(0, fmin(1, x / 6 + 0.5));
    if (!strcmp(op, "Elu")) return x < 0 ? expm1(x) : x;
    return NAN;
}

static void test_activations(void) {
    float x[] = {-100, -20, -3, -1, -0.3f, -1e-4f, 0, 1e-4f, 0.3f, 1, 3, 20, 100};
    const int n = (int)(sizeof x / sizeof x[0]);
    const char *ops[] = {"Gelu", "GeluTanh", "Sigmoid", "Tanh", "Softplus", "Mish", "HardSwish", "Elu"};
    input in = {IA_DTYPE_FLOAT, 1, {n}, x};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        int gelu_tanh = !strcmp(ops[k], "GeluTanh");
        attr approx = {"approximate", 3, 0, 0, "tanh"};
        int opset = !strncmp(ops[k], "Gelu", 4) ? 20 : 18;
        ia_value *y;
        int rc = run_op(gelu_tanh ? "Gelu" : ops[k], opset, gelu_tanh ? &approx : NULL, gelu_tanh, &in, 1,
                        IA_DTYPE_FLOAT, 1, &y);
        CHECK(rc == IA_OK);
        const ia_tensor *t = tensor_of(y);
        for (int i = 0; t && i < n; i++) {
            double want = ref_act(ops[k], x[i]), got = ((const float *)t->data)[i];
            if (!(fabs(got - want) <= 1e-30 + 1e-6 * fabs(want) + 1e-7)) {
                fprintf(stderr, "  %s(%g) = %.9g, expected %.9g\n", ops[k], x[i], got, want);
                failures++;
            }
        }
        ia_value_destroy(y);
    }
}

static void test_errors(void) {
    float a[6] = {0}, b[4] = {0};
    int32_t c[4] = {0};
    ia_value *y;
    input shp[2] = {{IA_DTYPE_FLOAT, 2, {2, 3}, a}, {IA_DTYPE_FLOAT, 1, {4}, b}};
    CHECK(run_op("Add", 14, NULL, 0, shp, 2, IA_DTYPE_FLOAT, 1, &y) != IA_OK);
    ia_value_destroy(y);
    input typ[2] = {{IA_DTYPE_FLOAT, 1, {4}, b}, {IA_DTYPE_INT32, 1, {4}, c}};
    CHECK(run_op("Mul", 14, NULL, 0, typ, 2, IA_DTYPE_FLOAT, 1, &y) != IA_OK);
    ia_value_destroy(y);
    CHECK(run_op("Sqrt", 13, NULL, 0, &typ[1], 1, IA_DTYPE_INT32, 1, &y) != IA_OK);
    ia_value_destroy(y);
    attr bad = {"direction", 3, 0, 0, "UP"};
    input u[2] = {{IA_DTYPE_UINT8, 1, {1}, c}, {IA_DTYPE_UINT8, 1, {1}, c}};
    CHECK(run_op("BitShift", 11, &bad, 1, u, 2, IA_DTYPE_UINT8, 1, &y) != IA_OK);
    ia_value_destroy(y);
}

static void test_fastmath_accuracy(void) {
    double worst_exp = 0, worst_tanh = 0, worst_erf = 0, worst_sig = 0;
    for (double v = -30; v < 30; v += 1.37e-4) {
        float x = (float)v;
        if (x > -87 && x < 88) {
            double e = exp((double)x);
            worst_exp = fmax(worst_exp, fabs(ia_fast_exp(x) - e) / e);
        }
        double t = tanh((double)x), f = erf((double)x), s = 1 / (1 + exp(-(double)x));
        if (t != 0) worst_tanh = fmax(worst_tanh, fabs(ia_fast_tanh(x) - t) / fabs(t));
        if (f != 0) worst_erf = fmax(worst_erf, fabs(ia_fast_erf(x) - f) / fabs(f));
        worst_sig = fmax(worst_sig, fabs(ia_fast_sigmoid(x) - s) / s);
    }
    CHECK(worst_exp < 4e-7 && worst_tanh < 4e-7 && worst_erf < 6e-7 && worst_sig < 6e-7);
    CHECK(isnan(ia_fast_exp(NAN)) && isnan(ia_fast_tanh(NAN)) && isnan(ia_fast_erf(NAN)));
    CHECK(ia_fast_tanh(INFINITY) == 1 && ia_fast_tanh(-INFINITY) == -1);
    CHECK(ia_fast_erf(INFINITY) == 1 && ia_fast_erf(-INFINITY) == -1 && ia_fast_sigmoid(INFINITY) == 1);
    CHECK(ia_fast_tanh(0) == 0 && ia_fast_erf(0) == 0 && ia_fast_sigmoid(0) == 0.5f);
}

int main(void) {
    struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {{"int_div_mod", test_int_div_mod},
                 {"pow_int", test_pow_int},
                 {"broadcast_patterns", test_broadcast_patterns},
                 {"variadic", test_variadic},
                 {"where_legacy_and_bits", test_where_legacy_and_bits},
                 {"float_semantics", test_float_semantics},
                 {"activations", test_activations},
                 {"errors", test_errors},
                 {"fastmath_accuracy", test_fastmath_accuracy}};
    int failed_cases = 0, n = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++) {
        int before = failures;
        cases[i].fn();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", cases[i].name);
        failed_cases += failures != before;
    }
    printf("%d passed, %d failed\n", n - failed_cases, failed_cases);
    return failed_cases ? 1 : 0;
}
