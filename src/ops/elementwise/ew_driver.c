/* The elementwise driver: broadcast iteration (collapsed to contiguous runs), float16/bfloat16
 * conversion, threading, and the shared unary / binary kernel bodies. */
#include <string.h>
#include "ops/elementwise/ew.h"

/* Elements converted per block when float16/bfloat16 is computed through float. */
#define EW_BLOCK 256
/* Below this many output elements the work stays on the calling thread. */
#define EW_GRAIN 16384

typedef struct ew_plan {
    ew_call call;                        /* dtypes as the loop sees them */
    ew_loop_fn fn;
    int n_in;
    int k;                               /* collapsed rank (>= 1) */
    int64_t dims[IA_MAX_DIMS];           /* collapsed output dims */
    int64_t st[EW_MAX_IN][IA_MAX_DIMS];  /* element strides of each input over those dims */
    int64_t inner_st[EW_MAX_IN];         /* stride along the innermost dim: 0 or 1 */
    const char *in[EW_MAX_IN];
    int in_dtype[EW_MAX_IN];             /* stored dtypes */
    size_t in_es[EW_MAX_IN];
    char *out;
    int out_dtype;
    size_t out_es;
    int convert;                         /* some input or the output is float16/bfloat16 */
} ew_plan;

static int is_half(int dtype) { return dtype == IA_DTYPE_FLOAT16 || dtype == IA_DTYPE_BFLOAT16; }

static void half_to_float(float *dst, const void *src, int dtype, int64_t n) {
    const uint16_t *s = src;
    if (dtype == IA_DTYPE_FLOAT16)
        for (int64_t i = 0; i < n; i++) dst[i] = ia_fp16_to_f32(s[i]);
    else
        for (int64_t i = 0; i < n; i++) dst[i] = ia_bf16_to_f32(s[i]);
}

static void float_to_half(void *dst, const float *src, int dtype, int64_t n) {
    uint16_t *d = dst;
    if (dtype == IA_DTYPE_FLOAT16)
        for (int64_t i = 0; i < n; i++) d[i] = ia_f32_to_fp16(src[i]);
    else
        for (int64_t i = 0; i < n; i++) d[i] = ia_f32_to_bf16(src[i]);
}

/* One contiguous run of n outputs starting at output element out_off, with input j starting
 * at element in_off[j] and advancing by inner_st[j] (0 or 1). */
static void run_segment(const ew_plan *p, int64_t out_off, const int64_t *in_off, int64_t n) {
    const void *ptr[EW_MAX_IN];
    if (!p->convert) {
        for (int j = 0; j < p->n_in; j++) ptr[j] = p->in[j] + (size_t)in_off[j] * p->in_es[j];
        p->fn(&p->call, p->out + (size_t)out_off * p->out_es, ptr, p->inner_st, n);
        return;
    }
    float buf[EW_MAX_IN][EW_BLOCK];
    float obuf[EW_BLOCK];
    int out_half = is_half(p->out_dtype);
    for (int64_t b = 0; b < n; b += EW_BLOCK) {
        int64_t m = n - b < EW_BLOCK ? n - b : EW_BLOCK;
        for (int j = 0; j < p->n_in; j++) {
            const char *src = p->in[j] + (size_t)(in_off[j] + b * p->inner_st[j]) * p->in_es[j];
            if (is_half(p->in_dtype[j])) {
                half_to_float(buf[j], src, p->in_dtype[j], p->inner_st[j] ? m : 1);
                ptr[j] = buf[j];
            } else {
                ptr[j] = src;
            }
        }
        char *dst = p->out + (size_t)(out_off + b) * p->out_es;
        p->fn(&p->call, out_half ? (void *)obuf : (void *)dst, ptr, p->inner_st, m);
        if (out_half) float_to_half(dst, obuf, p->out_dtype, m);
    }
}

/* Output elements [begin, end): walks rows of the collapsed shape with an odometer. */
static void run_range(const ew_plan *p, int64_t begin, int64_t end) {
    int k = p->k;
    int64_t inner = p->dims[k - 1];
    int64_t row = begin / inner, col = begin - row * inner;
    int64_t idx[IA_MAX_DIMS], base[EW_MAX_IN] = {0}, off[EW_MAX_IN];
    for (int d = k - 2; d >= 0; d--) {
        idx[d] = row % p->dims[d];
        row /= p->dims[d];
        for (int j = 0; j < p->n_in; j++) base[j] += idx[d] * p->st[j][d];
    }
    int64_t pos = begin;
    while (pos < end) {
        int64_t cnt = inner - col < end - pos ? inner - col : end - pos;
        for (int j = 0; j < p->n_in; j++) off[j] = base[j] + col * p->inner_st[j];
        run_segment(p, pos, off, cnt);
        pos += cnt;
        col = 0;
        if (pos >= end) break;
        for (int d = k - 2; d >= 0; d--) {
            idx[d]++;
            for (int j = 0; j < p->n_in; j++) base[j] += p->st[j][d];
            if (idx[d] < p->dims[d]) break;
            for (int j = 0; j < p->n_in; j++) base[j] -= p->dims[d] * p->st[j][d];
            idx[d] = 0;
        }
    }
}

static void run_chunk(void *ctx, int64_t begin, int64_t end, int thread_index) {
    (void)thread_index;
    run_range(ctx, begin, end);
}

/* Drops size-1 dims and merges neighbours that every input walks contiguously (or not at
 * all), so equal shapes become one run, a scalar a stride-0 run, and a bias add rows. */
static void collapse(ew_plan *p, int rank, const int64_t *dims, int64_t full[][IA_MAX_DIMS]) {
    int64_t rd[IA_MAX_DIMS], rs[EW_MAX_IN][IA_MAX_DIMS];
    int k = 0;
    for (int d = rank - 1; d >= 0; d--) {
        if (dims[d] == 1) continue;
        int merge = k > 0;
        for (int j = 0; merge && j < p->n_in; j++)
            if (full[j][d] != rs[j][k - 1] * rd[k - 1]) merge = 0;
        if (merge) {
            rd[k - 1] *= dims[d];
            continue;
        }
        rd[k] = dims[d];
        for (int j = 0; j < p->n_in; j++) rs[j][k] = full[j][d];
        k++;
    }
    if (k == 0) {
        rd[0] = 1;
        for (int j = 0; j < p->n_in; j++) rs[j][0] = 0;
        k = 1;
    }
    p->k = k;
    for (int d = 0; d < k; d++) {
        p->dims[d] = rd[k - 1 - d];
        for (int j = 0; j < p->n_in; j++) p->st[j][d] = rs[j][k - 1 - d];
    }
    for (int j = 0; j < p->n_in; j++) p->inner_st[j] = p->st[j][k - 1] ? 1 : 0;
}

void ia_ew_run(ia_kctx *ctx, ia_tensor *out, int n_in, const ia_tensor *const *in, ew_loop_fn fn,
               const void *params, unsigned flags) {
    if (out->numel <= 0 || n_in < 1 || n_in > EW_MAX_IN) return;
    ew_plan p;
    memset(&p, 0, sizeof p);
    p.fn = fn;
    p.n_in = n_in;
    p.call.n_in = n_in;
    p.call.params = params;
    p.out = out->data;
    p.out_dtype = out->dtype;
    p.out_es = ia_dtype_size(out->dtype);
    int half_ok = (flags & EW_HALF_AS_FLOAT) != 0;
    p.convert = half_ok && is_half(out->dtype);
    p.call.out_dtype = half_ok && is_half(out->dtype) ? IA_DTYPE_FLOAT : out->dtype;
    int64_t full[EW_MAX_IN][IA_MAX_DIMS];
    for (int j = 0; j < n_in; j++) {
        p.in[j] = in[j]->data;
        p.in_dtype[j] = in[j]->dtype;
        p.in_es[j] = ia_dtype_size(in[j]->dtype);
        if (half_ok && is_half(in[j]->dtype)) p.convert = 1;
        p.call.in_dtype[j] = half_ok && is_half(in[j]->dtype) ? IA_DTYPE_FLOAT : in[j]->dtype;
        ia_broadcast_strides(in[j], out->rank, out->dims, full[j]);
    }
    collapse(&p, out->rank, out->dims, full);
    ia_parallel_for(ia_kctx_pool(ctx), out->numel, EW_GRAIN, run_chunk, &p);
}

/* ---- shared kernel bodies ---- */

int ia_ew_unary(ia_kctx *ctx, const ew_unop *op, const void *params) {
    const ia_tensor *x = ia_kctx_input(ctx, 0);
    if (!x) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs a tensor input", op->name);
    if (!ew_type_ok(op->types, x->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s input", op->name, ia_dtype_name(x->dtype));
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, op->out_dtype ? op->out_dtype : x->dtype, x->rank, x->dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    ia_ew_run(ctx, y, 1, &x, op->loop, params, EW_HALF_AS_FLOAT);
    return IA_OK;
}

/* Opset < 7 binary ops broadcast only with attribute broadcast=1: B's shape then lines up
 * with A's dims starting at `axis` (default: B's trailing dims). This rewrites B's shape
 * into the equivalent numpy one (1s around it) in `view`. */
static int legacy_broadcast(ia_kctx *ctx, const char *name, const ia_tensor *a, const ia_tensor *b,
                            ia_tensor *view) {
    if (ia_kctx_opset(ctx) >= 7 || ia_kctx_attr_int(ctx, "broadcast", 0) != 1) return 0;
    int64_t axis = ia_kctx_attr_int(ctx, "axis", (int64_t)a->rank - b->rank);
    if (axis < 0) axis += a->rank;
    if (b->rank > a->rank || axis < 0 || axis + b->rank > a->rank)
        return ia_kctx_fail(ctx, IA_ERR_SHAPE, "%s: B of rank %d cannot be broadcast at axis %lld of rank-%d A", name,
                            b->rank, (long long)axis, a->rank);
    *view = *b;
    view->rank = a->rank;
    for (int d = 0; d < a->rank; d++)
        view->dims[d] = d >= axis && d < axis + b->rank ? b->dims[d - axis] : 1;
    return 1;
}

int ia_ew_binary(ia_kctx *ctx, const ew_binop *op, const void *params) {
    const ia_tensor *a = ia_kctx_input(ctx, 0), *b = ia_kctx_input(ctx, 1);
    if (!a || !b) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs two tensor inputs", op->name);
    if (!ew_type_ok(op->types, a->dtype))
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s input", op->name, ia_dtype_name(a->dtype));
    if (op->types_b) {
        if (!ew_type_ok(op->types_b, b->dtype))
            IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support %s as second input", op->name, ia_dtype_name(b->dtype));
    } else if (b->dtype != a->dtype) {
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s inputs differ in type: %s and %s", op->name, ia_dtype_name(a->dtype),
                 ia_dtype_name(b->dtype));
    }
    ia_tensor view;
    int rc = legacy_broadcast(ctx, op->name, a, b, &view);
    if (rc < 0) return rc;
    if (rc) b = &view;
    int rank;
    int64_t dims[IA_MAX_DIMS];
    if (ia_broadcast_shape(a->rank, a->dims, b->rank, b->dims, &rank, dims)) {
        char sa[128], sb[128];
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s: shapes %s and %s do not broadcast", op->name,
                 ia_shape_str(a->rank, a->dims, sa, sizeof sa), ia_shape_str(b->rank, b->dims, sb, sizeof sb));
    }
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, op->out_dtype ? op->out_dtype : a->dtype, rank, dims, &y));
    if (ia_kctx_shape_only(ctx)) return IA_OK;
    const ia_tensor *ins[2] = {a, b};
    ia_ew_run(ctx, y, 2, ins, op->loop, params, EW_HALF_AS_FLOAT);
    return IA_OK;
}
