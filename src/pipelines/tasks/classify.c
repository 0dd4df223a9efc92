/* `text classify`: sequence classification (softmax, or sigmoid for multi-label models; top-k). */
#include <math.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "tasks_internal.h"

int ia_text_classify(ia_text_task *t, const char *text, size_t len, int top_k, ia_label_score *out, size_t cap,
                     size_t *n_out) {
    *n_out = 0;
    if (!t || !text || !out) return ia_set_error(IA_ERR_INVALID_ARG, "classify: no model or text");
    ia_encoding enc;
    float *lg;
    int64_t dims[3];
    int rank;
    int rc = ia__text_task_logits(t, text, len, &enc, &lg, dims, &rank);
    if (rc) return rc;
    ia_encoding_free(&enc);
    if (rank != 2) {
        ia_free(lg);
        return ia_set_error(IA_ERR_SHAPE, "classify: logits must be [1, labels] (a sequence classification model)");
    }
    size_t n = (size_t)dims[1];
    double *p = ia_malloc(n * sizeof *p);
    size_t *idx = ia_malloc(n * sizeof *idx);
    if (!p || !idx) { rc = ia_set_error(IA_ERR_NOMEM, "classify: out of memory"); goto done; }
    if (ia_text_task_config(t)->multi_label)
        for (size_t i = 0; i < n; i++) p[i] = 1.0 / (1.0 + exp(-(double)lg[i]));
    else ia__softmax_d(lg, n, p);
    size_t k = ia__topk_d(p, n, top_k, idx);
    if (!k) { rc = ia_set_error(IA_ERR_NOMEM, "classify: out of memory"); goto done; }
    if (k > cap) k = cap;
    for (size_t j = 0; j < k; j++) { out[j].label = idx[j]; out[j].score = p[idx[j]]; }
    *n_out = k;
done:
    ia_free(p);
    ia_free(idx);
    ia_free(lg);
    return rc;
}
