/* Tensor-family kernels on large inputs: the multithreaded paths (Transpose, Slice, Expand, Concat, Gather,
 * Tile, Cast) must give exactly the single-threaded result. Builds one-node ONNX models in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ia/session.h"

/* ---- minimal protobuf writer ---- */
typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void varint(buf *b, uint64_t v) {
    unsigned char c[10];
    int n = 0;
    do {
        c[n] = v & 127;
        v >>= 7;
        if (v) c[n] |= 128;
        n++;
    } while (v);
    put(b, c, (size_t)n);
}
static void f_int(buf *b, int field, int64_t v) { varint(b, (uint64_t)field << 3); varint(b, (uint64_t)v); }
static void f_bytes(buf *b, int field, const void *d, size_t n) { varint(b, (uint64_t)field << 3 | 2); varint(b, n); put(b, d, n); }
static void f_str(buf *b, int field, const char *s) { f_bytes(b, field, s, strlen(s)); }
static void f_msg(buf *b, int field, buf *m) { f_bytes(b, field, m->p, m->n); free(m->p); memset(m, 0, sizeof *m); }

static void value_info(buf *g, int field, const char *name, int dtype, int rank, const int64_t *dims) {
    buf shape = {0}, tt = {0}, ty = {0}, vi = {0};
    for (int i = 0; i < rank; i++) {
        buf d = {0};
        f_int(&d, 1, dims[i]);
        f_msg(&shape, 1, &d);
    }
    f_int(&tt, 1, dtype);
    if (rank >= 0) f_msg(&tt, 2, &shape);
    f_msg(&ty, 1, &tt);
    f_str(&vi, 1, name);
    f_msg(&vi, 2, &ty);
    f_msg(g, field, &vi);
}

typedef struct {
    const char *name;
    int64_t i;        /* INT attribute when n_ints < 0 */
    int n_ints;
    const int64_t *ints;
} attr;

/* One-node model: inputs x0.., output y (dtype/rank unknown to the model). */
static ia_session *make_session(const char *op, int n_in, ia_tensor **in, const attr *attrs, int n_attrs, int threads) {
    buf node = {0}, graph = {0}, model = {0};
    char nm[16];
    for (int i = 0; i < n_in; i++) {
        snprintf(nm, sizeof nm, "x%d", i);
        f_str(&node, 1, nm);
    }
    f_str(&node, 2, "y");
    f_str(&node, 3, "n0");
    f_str(&node, 4, op);
    for (int a = 0; a < n_attrs; a++) {
        buf at = {0};
        f_str(&at, 1, attrs[a].name);
        if (attrs[a].n_ints < 0) {
            f_int(&at, 3, attrs[a].i);
            f_int(&at, 20, 2);
        } else {
            for (int k = 0; k < attrs[a].n_ints; k++) f_int(&at, 8, attrs[a].ints[k]);
            f_int(&at, 20, 7);
        }
        f_msg(&node, 5, &at);
    }
    f_msg(&graph, 1, &node);
    f_str(&graph, 2, "g");
    for (int i = 0; i < n_in; i++) {
        snprintf(nm, sizeof nm, "x%d", i);
        value_info(&graph, 11, nm, in[i]->dtype, in[i]->rank, in[i]->dims);
    }
    value_info(&graph, 12, "y", in[0]->dtype == 1 && !strcmp(op, "Cast") ? 10 : in[0]->dtype, -1, NULL);
    f_int(&model, 1, 8);
    buf os = {0};
    f_str(&os, 1, "");
    f_int(&os, 2, 17);
    f_msg(&model, 8, &os);
    f_msg(&model, 7, &graph);
    ia_model *m;
    if (ia_model_load_memory(model.p, model.n, NULL, &m)) {
        fprintf(stderr, "load %s: %s\n", op, ia_last_error());
        exit(1);
    }
    free(model.p);
    ia_session_options o;
    ia_session_options_init(&o);
    o.threads = threads;
    o.optimize_level = 0; /* keep the node: inputs are fed at run time anyway */
    ia_session *s;
    if (ia_session_create_from_model(m, &o, &s)) {
        fprintf(stderr, "session %s: %s\n", op, ia_last_error());
        exit(1);
    }
    return s;
}

static ia_tensor *run(const char *op, int n_in, ia_tensor **in, const attr *attrs, int n_attrs, int threads, double *ms) {
    ia_session *s = make_session(op, n_in, in, attrs, n_attrs, threads);
    ia_value *vin[8], *out = NULL;
    for (int i = 0; i < n_in; i++)
        if (ia_value_from_tensor(in[i], &vin[i])) abort();
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = ia_session_run(s, vin, (size_t)n_in, &out, 1);
    clock_gettime(CLOCK_MONOTONIC, &b);
    *ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    if (rc) {
        fprintf(stderr, "run %s: %s\n", op, ia_session_errmsg(s));
        exit(1);
    }
    ia_tensor *t = ia_tensor_retain(out->tensor);
    ia_value_destroy(out);
    for (int i = 0; i < n_in; i++) ia_value_destroy(vin[i]);
    ia_session_destroy(s);
    return t;
}

static ia_tensor *rand_f32(int rank, const int64_t *dims, unsigned seed) {
    ia_tensor *t;
    if (ia_tensor_create(IA_DTYPE_FLOAT, rank, dims, &t)) abort();
    for (int64_t i = 0; i < t->numel; i++) {
        seed = seed * 1103515245u + 12345u;
        ((float *)t->data)[i] = (float)(seed >> 8) / 16777216.0f;
    }
    return t;
}

static ia_tensor *ints(int n, const int64_t *v) {
    ia_tensor *t;
    int64_t d = n;
    if (ia_tensor_create(IA_DTYPE_INT64, 1, &d, &t)) abort();
    memcpy(t->data, v, (size_t)n * 8);
    return t;
}

static int failures;

static void check(const char *label, const char *op, int n_in, ia_tensor **in, const attr *attrs, int n_attrs) {
    double ms1, ms4;
    ia_tensor *a = run(op, n_in, in, attrs, n_attrs, 1, &ms1);
    ia_tensor *b = run(op, n_in, in, attrs, n_attrs, 4, &ms4);
    int ok = a->dtype == b->dtype && a->rank == b->rank && a->nbytes == b->nbytes && !memcmp(a->dims, b->dims, sizeof a->dims) &&
             !memcmp(a->data, b->data, a->nbytes);
    printf("%-4s %-28s %8lld elems  1 thread %7.2f ms  4 threads %7.2f ms\n", ok ? "ok" : "FAIL", label, (long long)a->numel, ms1, ms4);
    if (!ok) failures++;
    ia_tensor_release(a);
    ia_tensor_release(b);
}

int main(void) {
    int64_t d3[3] = {96, 256, 200}, d2[2] = {1, 4096}, dg[2] = {30000, 64};
    ia_tensor *x = rand_f32(3, d3, 1), *row = rand_f32(2, d2, 2), *table = rand_f32(2, dg, 3);
    int64_t p201[3] = {2, 0, 1}, p021[3] = {0, 2, 1}, p102[3] = {1, 0, 2};
    attr tp[3] = {{"perm", 0, 3, p201}, {"perm", 0, 3, p021}, {"perm", 0, 3, p102}};
    check("Transpose 201", "Transpose", 1, &x, &tp[0], 1);
    check("Transpose 021", "Transpose", 1, &x, &tp[1], 1);
    check("Transpose 102", "Transpose", 1, &x, &tp[2], 1);

    int64_t st[3] = {-1, 3, 1}, en[3] = {-97, 250, 199}, ax[3] = {0, 1, 2}, sp[3] = {-2, 1, 3};
    ia_tensor *sl[5] = {x, ints(3, st), ints(3, en), ints(3, ax), ints(3, sp)};
    check("Slice neg steps", "Slice", 5, sl, NULL, 0);

    int64_t es[2] = {2048, 4096};
    ia_tensor *ex[2] = {row, ints(2, es)};
    check("Expand row", "Expand", 2, ex, NULL, 0);

    ia_tensor *cc[2] = {x, x};
    attr cax = {"axis", 1, -1, NULL};
    check("Concat axis 1", "Concat", 2, cc, &cax, 1);

    int64_t idx[2048];
    for (int i = 0; i < 2048; i++) idx[i] = (i * 7919) % 60000 - 30000;
    ia_tensor *ga[2] = {table, ints(2048, idx)};
    attr gax = {"axis", 0, -1, NULL};
    check("Gather rows (neg idx)", "Gather", 2, ga, &gax, 1);

    int64_t rep[3] = {2, 1, 3};
    ia_tensor *ti[2] = {x, ints(3, rep)};
    check("Tile", "Tile", 2, ti, NULL, 0);

    attr to = {"to", 10, -1, NULL};
    check("Cast f32->f16", "Cast", 1, &x, &to, 1);

    for (int i = 1; i < 5; i++) ia_tensor_release(sl[i]);
    ia_tensor_release(ex[1]);
    ia_tensor_release(ga[1]);
    ia_tensor_release(ti[1]);
    ia_tensor_release(x);
    ia_tensor_release(row);
    ia_tensor_release(table);
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
