/* NonMaxSuppression: greedy per-batch, per-class box selection by score with an IoU threshold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops/kernel_util.h"

typedef struct {
    float score;
    int64_t index;
} cand;

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Box as (ymin, xmin, ymax, xmax). */
static void corners(const float *b, int center, float *o) {
    if (center) {
        float xc = b[0], yc = b[1], w = b[2], h = b[3];
        o[0] = yc - h / 2, o[1] = xc - w / 2, o[2] = yc + h / 2, o[3] = xc + w / 2;
    } else {
        o[0] = fminf(b[0], b[2]), o[1] = fminf(b[1], b[3]), o[2] = fmaxf(b[0], b[2]), o[3] = fmaxf(b[1], b[3]);
    }
}

static float iou(const float *a, const float *b) {
    float ih = fminf(a[2], b[2]) - fmaxf(a[0], b[0]), iw = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (ih <= 0 || iw <= 0) return 0;
    float inter = ih * iw, uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    return uni > 0 ? inter / uni : 0;
}

static int scalar_input(ia_kctx *ctx, int i, const char *name, int want_int, double *v, int *present) {
    *present = 0;
    if (!ia_kctx_input_value(ctx, i)) return IA_OK;
    const ia_tensor *t = ia_kctx_input(ctx, i);
    if (!t) IA_KFAIL(ctx, IA_ERR_TYPE, "NonMaxSuppression: %s must be a tensor", name);
    if (t->numel == 0) return IA_OK;
    if (t->numel != 1) IA_KFAIL(ctx, IA_ERR_SHAPE, "NonMaxSuppression: %s must hold one value", name);
    if (want_int ? t->dtype != IA_DTYPE_INT64 : t->dtype != IA_DTYPE_FLOAT)
        IA_KFAIL(ctx, IA_ERR_TYPE, "NonMaxSuppression: %s must be %s", name, want_int ? "int64" : "float");
    if (!t->data) return IA_ERR_NEED_VALUE;
    *v = want_int ? (double)((const int64_t *)t->data)[0] : (double)((const float *)t->data)[0];
    if (want_int && ((const int64_t *)t->data)[0] > (int64_t)1 << 40) *v = (double)((int64_t)1 << 40);
    *present = 1;
    return IA_OK;
}

int ia_op_non_max_suppression(ia_kctx *ctx) {
    const ia_tensor *boxes = ia_kctx_input(ctx, 0), *scores = ia_kctx_input(ctx, 1);
    if (!boxes || !scores) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "NonMaxSuppression: boxes and scores are required tensors");
    if (boxes->dtype != IA_DTYPE_FLOAT || scores->dtype != IA_DTYPE_FLOAT)
        IA_KFAIL(ctx, IA_ERR_TYPE, "NonMaxSuppression: boxes and scores must be float");
    if (boxes->rank != 3 || boxes->dims[2] != 4) IA_KFAIL(ctx, IA_ERR_SHAPE, "NonMaxSuppression: boxes must have shape [B, S, 4]");
    if (scores->rank != 3 || scores->dims[0] != boxes->dims[0] || scores->dims[2] != boxes->dims[1])
        IA_KFAIL(ctx, IA_ERR_SHAPE, "NonMaxSuppression: scores must have shape [B, C, S] matching boxes");
    int64_t center = ia_kctx_attr_int(ctx, "center_point_box", 0);
    if (center != 0 && center != 1) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "NonMaxSuppression: center_point_box must be 0 or 1");
    double maxo = 0, iou_th = 0, score_th = 0;
    int has_max, has_iou, has_score;
    IA_KTRY(scalar_input(ctx, 2, "max_output_boxes_per_class", 1, &maxo, &has_max));
    IA_KTRY(scalar_input(ctx, 3, "iou_threshold", 0, &iou_th, &has_iou));
    IA_KTRY(scalar_input(ctx, 4, "score_threshold", 0, &score_th, &has_score));
    if (has_iou && (iou_th < 0 || iou_th > 1)) IA_KFAIL(ctx, IA_ERR_INVALID_ARG, "NonMaxSuppression: iou_threshold must be in [0, 1]");
    int64_t B = boxes->dims[0], C = scores->dims[1], S = boxes->dims[1];
    int64_t max_out = maxo < 0 ? 0 : (int64_t)maxo;
    if ((boxes->numel && !boxes->data) || (scores->numel && !scores->data)) return IA_ERR_NEED_VALUE;
    /* worst case: every (batch, class) keeps min(S, max_out) boxes */
    int64_t keep = max_out < S ? max_out : S;
    if (B && C && keep > INT64_MAX / 3 / B / C) IA_KFAIL(ctx, IA_ERR_LIMIT, "NonMaxSuppression: too many boxes");
    int64_t *sel = ia_kctx_scratch(ctx, (size_t)(B * C * keep * 3 + 1) * sizeof *sel);
    cand *cands = ia_kctx_scratch(ctx, (size_t)(S + 1) * sizeof *cands);
    int64_t *picked = ia_kctx_scratch(ctx, (size_t)(keep + 1) * sizeof *picked);
    float *box = ia_kctx_scratch(ctx, (size_t)(S * 4 + 1) * sizeof *box);
    if (!sel || !cands || !picked || !box) IA_KFAIL(ctx, IA_ERR_NOMEM, "NonMaxSuppression: out of memory");
    int64_t nsel = 0;
    for (int64_t b = 0; b < B && keep; b++) {
        const float *bx = (const float *)boxes->data + b * S * 4;
        for (int64_t s = 0; s < S; s++) corners(bx + s * 4, (int)center, box + s * 4);
        for (int64_t c = 0; c < C; c++) {
            const float *sc = (const float *)scores->data + (b * C + c) * S;
            int64_t n = 0;
            for (int64_t s = 0; s < S; s++)
                if (!has_score || sc[s] > (float)score_th) cands[n++] = (cand){sc[s], s};
            qsort(cands, (size_t)n, sizeof *cands, cmp_cand);
            int64_t np = 0;
            for (int64_t k = 0; k < n && np < keep; k++) {
                const float *cb = box + cands[k].index * 4;
                int ok = 1;
                for (int64_t p = 0; p < np && ok; p++) ok = !(iou(cb, box + picked[p] * 4) > (float)iou_th);
                if (!ok) continue;
                picked[np++] = cands[k].index;
                sel[nsel * 3] = b, sel[nsel * 3 + 1] = c, sel[nsel * 3 + 2] = cands[k].index;
                nsel++;
            }
        }
    }
    int64_t dims[2] = {nsel, 3};
    ia_tensor *y;
    IA_KTRY(ia_kctx_output(ctx, 0, IA_DTYPE_INT64, 2, dims, &y));
    if (y->data && nsel) memcpy(y->data, sel, (size_t)nsel * 3 * sizeof *sel);
    return IA_OK;
}
