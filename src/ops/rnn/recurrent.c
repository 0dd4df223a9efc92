/* RNN, GRU and LSTM: the ONNX recurrent layers (all directions, optional inputs, custom
 * activations, clip, layout), computed in float (float/float16/bfloat16) or double. */
#include <math.h>
#include <string.h>
#include <strings.h>
#include <tgmath.h>
#include "ops/kernel_util.h"

enum { RNN_CELL_RNN, RNN_CELL_GRU, RNN_CELL_LSTM };

typedef enum {
    RNN_ACT_RELU,
    RNN_ACT_TANH,
    RNN_ACT_SIGMOID,
    RNN_ACT_AFFINE,
    RNN_ACT_LEAKY_RELU,
    RNN_ACT_THRESHOLDED_RELU,
    RNN_ACT_SCALED_TANH,
    RNN_ACT_HARD_SIGMOID,
    RNN_ACT_ELU,
    RNN_ACT_SOFTSIGN,
    RNN_ACT_SOFTPLUS
} rnn_act_kind;

typedef struct {
    rnn_act_kind kind;
    double alpha, beta;
} rnn_act;

/* Everything one run needs; tensors are in the working type (float or double). */
typedef struct {
    int cell;
    int64_t S, B, IN, H, D, G; /* sequence, batch, input size, hidden size, directions, gates */
    int layout, linear_before_reset, input_forget, has_clip;
    double clip;
    int reverse[2];
    rnn_act act[2][3]; /* per direction: f, g, h */
    const int64_t *seq_lens;
    ia_threadpool *pool;
    const void *X, *W, *R, *Bias, *H0, *C0, *P; /* Bias, H0, C0, P may be NULL */
    void *Y, *Yh, *Yc;                          /* NULL when not produced */
} rnn_plan;

/* Row of X (and of the X.W^T buffer) holding time step t of batch entry b. */
static inline int64_t rnn_x_row(const rnn_plan *p, int64_t t, int64_t b) {
    return p->layout ? b * p->S + t : t * p->B + b;
}

/* Offset of Y[t, d, b, :] (layout 0) or Y[b, t, d, :] (layout 1). */
static inline int64_t rnn_y_index(const rnn_plan *p, int64_t t, int64_t d, int64_t b) {
    return (p->layout ? (b * p->S + t) * p->D + d : (t * p->D + d) * p->B + b) * p->H;
}

/* Offset of state[d, b, :] (layout 0) or state[b, d, :] (layout 1): initial_h/c, Y_h, Y_c. */
static inline int64_t rnn_state_index(const rnn_plan *p, int64_t d, int64_t b) {
    return (p->layout ? b * p->D + d : d * p->B + b) * p->H;
}

/* Workspace elements run_direction needs. */
static int64_t rnn_ws_elems(const rnn_plan *p) {
    int64_t GH = p->G * p->H;
    return p->S * p->B * GH + p->B * GH + 3 * p->B * p->H + GH + (p->IN + p->H) * GH;
}

#define RT float
#define SFX f32
#include "recurrent_impl.inc"
#undef RT
#undef SFX
#define RT double
#define SFX f64
#include "recurrent_impl.inc"
#undef RT
#undef SFX

/* ---- attributes ---- */

static const struct {
    const char *name;
    rnn_act_kind kind;
    int uses_alpha, uses_beta;
    double alpha, beta; /* defaults */
} act_table[] = {
    {"Relu", RNN_ACT_RELU, 0, 0, 0, 0},
    {"Tanh", RNN_ACT_TANH, 0, 0, 0, 0},
    {"Sigmoid", RNN_ACT_SIGMOID, 0, 0, 0, 0},
    {"Affine", RNN_ACT_AFFINE, 1, 1, 1.0, 0.0},
    {"LeakyRelu", RNN_ACT_LEAKY_RELU, 1, 0, 0.01, 0},
    {"ThresholdedRelu", RNN_ACT_THRESHOLDED_RELU, 1, 0, 1.0, 0},
    {"ScaledTanh", RNN_ACT_SCALED_TANH, 1, 1, 1.0, 1.0},
    {"HardSigmoid", RNN_ACT_HARD_SIGMOID, 1, 1, 0.2, 0.5},
    {"Elu", RNN_ACT_ELU, 1, 0, 1.0, 0},
    {"Softsign", RNN_ACT_SOFTSIGN, 0, 0, 0, 0},
    {"Softplus", RNN_ACT_SOFTPLUS, 0, 0, 0, 0},
};

/* Fills p->act from `activations`, `activation_alpha` and `activation_beta`. `nact` is the
 * number of activations per direction (1 for RNN, 2 for GRU, 3 for LSTM). The list names
 * nact functions per direction (forward first); a bidirectional layer given only nact
 * reuses them for both directions. Alpha / beta lists either have one entry per listed
 * activation, or are consumed in order by just the activations that take the parameter. */
static int parse_activations(ia_kctx *ctx, rnn_plan *p, int nact) {
    static const rnn_act_kind defaults[3] = {RNN_ACT_SIGMOID, RNN_ACT_TANH, RNN_ACT_TANH};
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < 3; k++) {
            p->act[d][k].kind = nact == 1 ? RNN_ACT_TANH : defaults[k];
            p->act[d][k].alpha = p->act[d][k].beta = 0;
        }
    const ia_attr *a = ia_kctx_attr(ctx, "activations");
    if (!a) return IA_OK;
    if (a->type != IA_ATTR_STRINGS) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "attribute 'activations' must be a list of strings");
    size_t n = a->n;
    if (n != (size_t)nact && n != (size_t)(nact * p->D))
        IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "attribute 'activations' has %zu entries; expected %d per direction (%lld directions)",
                 n, nact, (long long)p->D);
    const float *alphas = NULL, *betas = NULL;
    size_t na = ia_kctx_attr_floats(ctx, "activation_alpha", &alphas);
    size_t nb = ia_kctx_attr_floats(ctx, "activation_beta", &betas);
    size_t ia = 0, ib = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = a->strings[i] ? a->strings[i] : "";
        size_t e = 0, ne = sizeof act_table / sizeof act_table[0];
        while (e < ne && strcasecmp(name, act_table[e].name)) e++;
        if (e == ne) IA_KFAIL(ctx, IA_ERR_UNSUPPORTED, "activation function '%s' is not supported", name);
        rnn_act act = {act_table[e].kind, act_table[e].alpha, act_table[e].beta};
        if (na == n) act.alpha = alphas[i];
        else if (act_table[e].uses_alpha && ia < na) act.alpha = alphas[ia++];
        if (nb == n) act.beta = betas[i];
        else if (act_table[e].uses_beta && ib < nb) act.beta = betas[ib++];
        int d = (int)(i / (size_t)nact), k = (int)(i % (size_t)nact);
        p->act[d][k] = act;
        if (n == (size_t)nact && p->D == 2) p->act[1][k] = act;
    }
    return IA_OK;
}

/* ---- input handling ---- */

static int check_shape(ia_kctx *ctx, const ia_tensor *t, const char *what, int rank, const int64_t *dims) {
    char got[128], want[128];
    int ok = t->rank == rank;
    for (int i = 0; ok && i < rank; i++) ok = t->dims[i] == dims[i];
    if (!ok)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "%s has shape %s; expected %s", what, ia_shape_str(t->rank, t->dims, got, sizeof got),
                 ia_shape_str(rank, dims, want, sizeof want));
    return IA_OK;
}

/* Data of `t` in the working type (`work` = float or double): the tensor's own storage when
 * it already is, else a converted scratch copy. NULL for an absent tensor or on no memory. */
static const void *as_work(ia_kctx *ctx, const ia_tensor *t, int work, int *rc) {
    if (!t) return NULL;
    if (t->dtype == work) return t->data;
    size_t es = ia_dtype_size(work);
    void *buf = ia_kctx_scratch(ctx, (size_t)t->numel * es);
    if (!buf) {
        *rc = IA_ERR_NOMEM;
        return NULL;
    }
    for (int64_t i = 0; i < t->numel; i++) ia_set_f64(buf, work, i, ia_get_f64(t->data, t->dtype, i));
    return buf;
}

static int run_recurrent(ia_kctx *ctx, int cell) {
    static const char *names[] = {"RNN", "GRU", "LSTM"};
    const char *op = names[cell];
    rnn_plan p;
    memset(&p, 0, sizeof p);
    p.cell = cell;
    p.G = cell == RNN_CELL_RNN ? 1 : cell == RNN_CELL_GRU ? 3 : 4;
    int nact = cell == RNN_CELL_RNN ? 1 : cell == RNN_CELL_GRU ? 2 : 3;

    const ia_tensor *X = ia_kctx_input(ctx, 0), *W = ia_kctx_input(ctx, 1), *R = ia_kctx_input(ctx, 2);
    const ia_tensor *Bt = ia_kctx_input(ctx, 3), *SL = ia_kctx_input(ctx, 4), *H0 = ia_kctx_input(ctx, 5);
    const ia_tensor *C0 = cell == RNN_CELL_LSTM ? ia_kctx_input(ctx, 6) : NULL;
    const ia_tensor *Pt = cell == RNN_CELL_LSTM ? ia_kctx_input(ctx, 7) : NULL;
    if (!X || !W || !R) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s needs inputs X, W and R", op);
    int dt = X->dtype;
    if (dt != IA_DTYPE_FLOAT && dt != IA_DTYPE_DOUBLE && dt != IA_DTYPE_FLOAT16 && dt != IA_DTYPE_BFLOAT16)
        IA_KFAIL(ctx, IA_ERR_TYPE, "%s does not support input type %s", op, ia_dtype_name(dt));
    const ia_tensor *same[] = {W, R, Bt, H0, C0, Pt};
    const char *same_names[] = {"W", "R", "B", "initial_h", "initial_c", "P"};
    for (int i = 0; i < 6; i++)
        if (same[i] && same[i]->dtype != dt)
            IA_KFAIL(ctx, IA_ERR_TYPE, "%s input %s is %s but X is %s", op, same_names[i], ia_dtype_name(same[i]->dtype),
                     ia_dtype_name(dt));

    /* Attributes. */
    int64_t layout = ia_kctx_attr_int(ctx, "layout", 0);
    if (layout != 0 && layout != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s layout must be 0 or 1, got %lld", op, (long long)layout);
    p.layout = (int)layout;
    const char *dir = ia_kctx_attr_string(ctx, "direction", "forward");
    if (!strcmp(dir, "forward")) p.D = 1;
    else if (!strcmp(dir, "reverse")) {
        p.D = 1;
        p.reverse[0] = 1;
    } else if (!strcmp(dir, "bidirectional")) {
        p.D = 2;
        p.reverse[1] = 1;
    }
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s direction '%s' is not forward, reverse or bidirectional", op, dir);
    const ia_attr *clip = ia_kctx_attr(ctx, "clip");
    if (clip) {
        if (clip->type != IA_ATTR_FLOAT || !(clip->f >= 0))
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s clip must be a non-negative float", op);
        p.has_clip = 1;
        p.clip = clip->f;
    }
    p.linear_before_reset = cell == RNN_CELL_GRU && ia_kctx_attr_int(ctx, "linear_before_reset", 0) != 0;
    p.input_forget = cell == RNN_CELL_LSTM && ia_kctx_attr_int(ctx, "input_forget", 0) != 0;
    IA_KTRY(parse_activations(ctx, &p, nact));

    /* Shapes. */
    char sb[128];
    if (X->rank != 3) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s X must be 3-D, got %s", op, ia_shape_str(X->rank, X->dims, sb, sizeof sb));
    if (R->rank != 3) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s R must be 3-D, got %s", op, ia_shape_str(R->rank, R->dims, sb, sizeof sb));
    p.S = layout ? X->dims[1] : X->dims[0];
    p.B = layout ? X->dims[0] : X->dims[1];
    p.IN = X->dims[2];
    p.H = R->dims[2];
    int64_t hs = ia_kctx_attr_int(ctx, "hidden_size", p.H);
    if (hs != p.H) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s hidden_size is %lld but R has hidden size %lld", op, (long long)hs, (long long)p.H);
    if (p.H <= 0) IA_KFAIL(ctx, IA_ERR_SHAPE, "%s hidden size must be positive", op);
    int64_t GH = p.G * p.H;
    IA_KTRY(check_shape(ctx, W, "W", 3, (int64_t[]){p.D, GH, p.IN}));
    IA_KTRY(check_shape(ctx, R, "R", 3, (int64_t[]){p.D, GH, p.H}));
    if (Bt) IA_KTRY(check_shape(ctx, Bt, "B", 2, (int64_t[]){p.D, 2 * GH}));
    int64_t state_dims[3] = {layout ? p.B : p.D, layout ? p.D : p.B, p.H};
    if (H0) IA_KTRY(check_shape(ctx, H0, "initial_h", 3, state_dims));
    if (C0) IA_KTRY(check_shape(ctx, C0, "initial_c", 3, state_dims));
    if (Pt) IA_KTRY(check_shape(ctx, Pt, "P", 2, (int64_t[]){p.D, 3 * p.H}));
    if (SL) {
        if (SL->dtype != IA_DTYPE_INT32 && SL->dtype != IA_DTYPE_INT64)
            IA_KFAIL(ctx, IA_ERR_TYPE, "%s sequence_lens must be int32, got %s", op, ia_dtype_name(SL->dtype));
        IA_KTRY(check_shape(ctx, SL, "sequence_lens", 1, (int64_t[]){p.B}));
    }

    /* Outputs. */
    int64_t ydims[4] = {p.S, p.D, p.B, p.H}, ydims1[4] = {p.B, p.S, p.D, p.H};
    ia_tensor *Y = NULL, *Yh = NULL, *Yc = NULL;
    if (ia_kctx_output_wanted(ctx, 0)) IA_KTRY(ia_kctx_output(ctx, 0, dt, 4, layout ? ydims1 : ydims, &Y));
    if (ia_kctx_output_wanted(ctx, 1)) IA_KTRY(ia_kctx_output(ctx, 1, dt, 3, state_dims, &Yh));
    if (cell == RNN_CELL_LSTM && ia_kctx_output_wanted(ctx, 2)) IA_KTRY(ia_kctx_output(ctx, 2, dt, 3, state_dims, &Yc));
    if (ia_kctx_shape_only(ctx)) return IA_OK;

    /* Sequence lengths. */
    int64_t *lens = ia_kctx_scratch(ctx, (size_t)(p.B > 0 ? p.B : 1) * sizeof(int64_t));
    if (!lens) return IA_ERR_NOMEM;
    for (int64_t b = 0; b < p.B; b++) {
        int64_t v = !SL ? p.S : SL->dtype == IA_DTYPE_INT32 ? ((const int32_t *)SL->data)[b] : ((const int64_t *)SL->data)[b];
        if (v < 0 || v > p.S)
            IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "%s sequence_lens[%lld] = %lld is outside [0, %lld]", op, (long long)b,
                     (long long)v, (long long)p.S);
        lens[b] = v;
    }
    p.seq_lens = lens;
    if (p.S == 0 || p.B == 0) {
        /* No time steps or no batch: Y is empty; the final states are the initial ones. */
        if (Yh && H0) memcpy(Yh->data, H0->data, Yh->nbytes);
        if (Yc && C0) memcpy(Yc->data, C0->data, Yc->nbytes);
        return IA_OK;
    }

    /* Workspace: guard the size computation against overflow before allocating. */
    int work = dt == IA_DTYPE_DOUBLE ? IA_DTYPE_DOUBLE : IA_DTYPE_FLOAT;
    size_t es = ia_dtype_size(work);
    int64_t rows, xw_elems, ws_bytes;
    if (__builtin_mul_overflow(p.S + 1, p.B, &rows) || __builtin_add_overflow(rows, p.IN + p.H + 1, &rows) ||
        __builtin_mul_overflow(rows, GH + 4 * p.H, &xw_elems) ||
        __builtin_mul_overflow(xw_elems, (int64_t)es, &ws_bytes) || (uint64_t)ws_bytes > SIZE_MAX / 2)
        IA_KFAIL(ctx, IA_ERR_LIMIT, "%s workspace for %lld x %lld steps of %lld gates is too large", op, (long long)p.S,
                 (long long)p.B, (long long)GH);
    void *ws = ia_kctx_scratch(ctx, (size_t)rnn_ws_elems(&p) * es);
    if (!ws) return IA_ERR_NOMEM;

    int rc = IA_OK;
    p.X = as_work(ctx, X, work, &rc);
    p.W = as_work(ctx, W, work, &rc);
    p.R = as_work(ctx, R, work, &rc);
    p.Bias = as_work(ctx, Bt, work, &rc);
    p.H0 = as_work(ctx, H0, work, &rc);
    p.C0 = as_work(ctx, C0, work, &rc);
    p.P = as_work(ctx, Pt, work, &rc);
    if (rc) return rc;
    ia_tensor *outs[3] = {Y, Yh, Yc};
    void *obuf[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        if (!outs[i]) continue;
        obuf[i] = outs[i]->dtype == work ? outs[i]->data : ia_kctx_scratch(ctx, (size_t)outs[i]->numel * es);
        if (!obuf[i]) return IA_ERR_NOMEM;
    }
    p.Y = obuf[0], p.Yh = obuf[1], p.Yc = obuf[2];
    p.pool = ia_kctx_pool(ctx);

    for (int d = 0; d < (int)p.D; d++) {
        if (work == IA_DTYPE_FLOAT) run_direction_f32(&p, d, ws);
        else run_direction_f64(&p, d, ws);
    }
    for (int i = 0; i < 3; i++)
        if (outs[i] && obuf[i] != outs[i]->data)
            for (int64_t k = 0; k < outs[i]->numel; k++) ia_set_f64(outs[i]->data, dt, k, ia_get_f64(obuf[i], work, k));
    return IA_OK;
}

int ia_op_rnn(ia_kctx *ctx) { return run_recurrent(ctx, RNN_CELL_RNN); }
int ia_op_gru(ia_kctx *ctx) { return run_recurrent(ctx, RNN_CELL_GRU); }
int ia_op_lstm(ia_kctx *ctx) { return run_recurrent(ctx, RNN_CELL_LSTM); }
