/* GridSample (2-D: bilinear/nearest/bicubic, zeros/border/reflection padding, align_corners). */
#include <math.h>
#include <string.h>
#include "ops/kernel_util.h"
#include "ops/nn/nn_util.h"

enum { GS_BILINEAR, GS_NEAREST, GS_BICUBIC };
enum { GS_ZEROS, GS_BORDER, GS_REFLECTION };

typedef struct gs_job {
    int mode, pad, align;
    int64_t C, H, W, Ho, Wo;
    const float *x, *grid;
    float *y;
} gs_job;

static double unnormalize(double c, int64_t size, int align) {
    return align ? (c + 1) / 2 * (double)(size - 1) : ((c + 1) * (double)size - 1) / 2;
}

static double reflect(double v, double twice_low, double twice_high) {
    if (twice_low == twice_high) return 0;
    double mn = twice_low / 2, span = (twice_high - twice_low) / 2;
    v = fabs(v - mn);
    double extra = fmod(v, span);
    double flips = floor(v / span);
    return fmod(flips, 2) == 0 ? extra + mn : span - extra + mn;
}

static double clip(double v, int64_t size) { return v < 0 ? 0 : v > (double)(size - 1) ? (double)(size - 1) : v; }

/* Applies the padding mode to a source coordinate (bilinear / nearest). */
static double pad_coord(const gs_job *j, double v, int64_t size) {
    if (j->pad == GS_BORDER) return clip(v, size);
    if (j->pad == GS_REFLECTION) {
        v = j->align ? reflect(v, 0, 2 * (double)(size - 1)) : reflect(v, -1, 2 * (double)size - 1);
        return clip(v, size);
    }
    return v;
}

/* Pixel (yy, xx) of plane p, zero outside. */
static double pix(const float *p, int64_t H, int64_t W, int64_t yy, int64_t xx) {
    return yy >= 0 && yy < H && xx >= 0 && xx < W ? p[yy * W + xx] : 0.0;
}

/* Bicubic tap: the padding mode is applied to the integer tap position. */
static double pix_bounded(const gs_job *j, const float *p, int64_t yy, int64_t xx) {
    if (j->pad == GS_ZEROS) return pix(p, j->H, j->W, yy, xx);
    double fx = pad_coord(j, (double)xx, j->W), fy = pad_coord(j, (double)yy, j->H);
    return pix(p, j->H, j->W, (int64_t)fy, (int64_t)fx);
}

static void cubic_w(double t, double *w) {
    const double A = -0.75;
#define CC1(x) (((A + 2) * (x) - (A + 3)) * (x) * (x) + 1)
#define CC2(x) ((((A) * (x) - 5 * (A)) * (x) + 8 * (A)) * (x) - 4 * (A))
    w[0] = CC2(t + 1);
    w[1] = CC1(t);
    w[2] = CC1(1 - t);
    w[3] = CC2(2 - t);
#undef CC1
#undef CC2
}

static void gs_rows(void *arg, int64_t begin, int64_t end, int tid) {
    const gs_job *j = arg;
    (void)tid;
    for (int64_t r = begin; r < end; r++) { /* r = n * Ho + oh */
        int64_t n = r / j->Ho;
        for (int64_t ow = 0; ow < j->Wo; ow++) {
            const float *g = j->grid + (r * j->Wo + ow) * 2;
            double gx = g[0], gy = g[1];
            double x = unnormalize(gx, j->W, j->align), y = unnormalize(gy, j->H, j->align);
            if (j->mode != GS_BICUBIC) {
                x = pad_coord(j, x, j->W);
                y = pad_coord(j, y, j->H);
            }
            for (int64_t c = 0; c < j->C; c++) {
                const float *p = j->x + (n * j->C + c) * j->H * j->W;
                double v;
                if (!isfinite(x) || !isfinite(y)) v = 0;
                else if (j->mode == GS_NEAREST) {
                    v = pix(p, j->H, j->W, (int64_t)nearbyint(y), (int64_t)nearbyint(x));
                } else if (j->mode == GS_BILINEAR) {
                    double x0 = floor(x), y0 = floor(y), tx = x - x0, ty = y - y0;
                    int64_t ix = (int64_t)x0, iy = (int64_t)y0;
                    v = (1 - ty) * ((1 - tx) * pix(p, j->H, j->W, iy, ix) + tx * pix(p, j->H, j->W, iy, ix + 1)) +
                        ty * ((1 - tx) * pix(p, j->H, j->W, iy + 1, ix) + tx * pix(p, j->H, j->W, iy + 1, ix + 1));
                } else {
                    double x0 = floor(x), y0 = floor(y), wx[4], wy[4];
                    cubic_w(x - x0, wx);
                    cubic_w(y - y0, wy);
                    int64_t ix = (int64_t)x0 - 1, iy = (int64_t)y0 - 1;
                    v = 0;
                    for (int a = 0; a < 4; a++) {
                        double row = 0;
                        for (int b = 0; b < 4; b++) row += wx[b] * pix_bounded(j, p, iy + a, ix + b);
                        v += wy[a] * row;
                    }
                }
                j->y[((n * j->C + c) * j->Ho + r % j->Ho) * j->Wo + ow] = (float)v;
            }
        }
    }
}

int ia_op_grid_sample(ia_kctx *ctx) {
    const ia_tensor *X = ia_kctx_input(ctx, 0), *G = ia_kctx_input(ctx, 1);
    if (!X || !G) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GridSample needs inputs X and grid");
    if (!ia_nn_is_float(X->dtype) || !ia_nn_is_float(G->dtype)) IA_KFAIL(ctx, IA_ERR_TYPE, "GridSample needs float inputs");
    if (X->rank != 4 || G->rank != 4 || G->dims[0] != X->dims[0] || G->dims[3] != 2)
        IA_KFAIL(ctx, IA_ERR_SHAPE, "GridSample: X must be [N,C,H,W] and grid [N,Ho,Wo,2]");
    gs_job j;
    memset(&j, 0, sizeof j);
    const char *m = ia_kctx_attr_string(ctx, "mode", "bilinear");
    if (!strcmp(m, "bilinear") || !strcmp(m, "linear")) j.mode = GS_BILINEAR;
    else if (!strcmp(m, "nearest")) j.mode = GS_NEAREST;
    else if (!strcmp(m, "bicubic") || !strcmp(m, "cubic")) j.mode = GS_BICUBIC;
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GridSample: unknown mode '%s'", m);
    const char *pm = ia_kctx_attr_string(ctx, "padding_mode", "zeros");
    if (!strcmp(pm, "zeros")) j.pad = GS_ZEROS;
    else if (!strcmp(pm, "border")) j.pad = GS_BORDER;
    else if (!strcmp(pm, "reflection")) j.pad = GS_REFLECTION;
    else IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "GridSample: unknown padding_mode '%s'", pm);
    j.align = ia_kctx_attr_int(ctx, "align_corners", 0) != 0;
    j.C = X->dims[1];
    j.H = X->dims[2];
    j.W = X->dims[3];
    j.Ho = G->dims[1];
    j.Wo = G->dims[2];
    int64_t odims[4] = {X->dims[0], j.C, j.Ho, j.Wo};
    ia_tensor *Y;
    IA_KTRY(ia_kctx_output(ctx, 0, X->dtype, 4, odims, &Y));
    if (ia_kctx_shape_only(ctx) || Y->numel == 0) return IA_OK;
    if (j.H == 0 || j.W == 0) return IA_OK; /* nothing to sample: zeros */
    float *t = ia_kctx_scratch(ctx, sizeof(float) * (size_t)(X->numel + G->numel + Y->numel));
    if (!t) return IA_ERR_NOMEM;
    ia_nn_load_f32(X->data, X->dtype, X->numel, t);
    ia_nn_load_f32(G->data, G->dtype, G->numel, t + X->numel);
    j.x = t;
    j.grid = t + X->numel;
    j.y = t + X->numel + G->numel;
    ia_parallel_for(ia_kctx_pool(ctx), X->dims[0] * j.Ho, 1 + 4096 / (j.Wo * j.C + 1), gs_rows, &j);
    ia_nn_store_f32(Y->data, X->dtype, Y->numel, j.y);
    return IA_OK;
}
