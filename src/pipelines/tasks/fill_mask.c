#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "tasks_internal.h"

void ia_mask_fills_free(ia_mask_fill *f, size_t n) {
    if (!f) return;
    for (size_t i = 0; i < n; i++) { ia_free(f[i].token_str); ia_free(f[i].sequence); }
    ia_free(f);
}

int ia_text_fill_mask(ia_text_task *t, const char *text, size_t len, int top_k, ia_mask_fill **out, size_t *n_masks,
                      size_t *k_out) {
    *out = NULL;
    *n_masks = *k_out = 0;
    if (!t || !text) return ia_set_error(IA_ERR_INVALID_ARG, "fill-mask: no model or text");
    const ia_tokenizer *tok = ia_text_task_tokenizer(t);
    int32_t mask = ia_tokenizer_token_to_id(tok, "[MASK]");
    if (mask < 0) mask = ia_tokenizer_token_to_id(tok, "<mask>");
    if (mask < 0) return ia_set_error(IA_ERR_UNSUPPORTED, "fill-mask: the tokenizer has no [MASK] or <mask> token");
    ia_encoding enc;
    float *lg;
    int64_t dims[3];
    int rank;
    int rc = ia__text_task_logits(t, text, len, &enc, &lg, dims, &rank);
    if (rc) return rc;
    size_t nm = 0, V = (size_t)dims[rank - 1];
    double *p = NULL;
    size_t *idx = NULL;
    int32_t *seq = NULL;
    ia_mask_fill *res = NULL;
    size_t k = 0;
    for (size_t i = 0; i < enc.len; i++) nm += enc.ids[i] == mask;
    if (rank != 3) { rc = ia_set_error(IA_ERR_SHAPE, "fill-mask: logits must be [1, seq, vocab] (a masked LM)"); goto done; }
    if (!nm) { rc = ia_set_error(IA_ERR_INVALID_ARG, "fill-mask: no mask token in the text"); goto done; }
    p = ia_malloc(V * sizeof *p);
    idx = ia_malloc(V * sizeof *idx);
    seq = ia_malloc(enc.len * sizeof *seq);
    k = (top_k <= 0 || (size_t)top_k > V) ? V : (size_t)top_k;
    res = ia_calloc(nm * k, sizeof *res);
    if (!p || !idx || !seq || !res) { rc = ia_set_error(IA_ERR_NOMEM, "fill-mask: out of memory"); goto done; }
    for (size_t i = 0, m = 0; i < enc.len; i++) {
        if (enc.ids[i] != mask) continue;
        ia__softmax_d(lg + i * V, V, p);
        if (ia__topk_d(p, V, (int)k, idx) != k) { rc = ia_set_error(IA_ERR_NOMEM, "fill-mask: out of memory"); goto done; }
        for (size_t j = 0; j < k; j++) {
            ia_mask_fill *f = &res[m * k + j];
            size_t tl;
            f->token = (int32_t)idx[j];
            f->score = p[idx[j]];
            memcpy(seq, enc.ids, enc.len * sizeof *seq);
            seq[i] = f->token;
            if ((rc = ia_tokenizer_decode(tok, &f->token, 1, 0, &f->token_str, &tl)) ||
                (rc = ia_tokenizer_decode(tok, seq, enc.len, nm == 1, &f->sequence, &tl)))
                goto done;
        }
        m++;
    }
done:
    if (rc) ia_mask_fills_free(res, nm * k);
    else { *out = res; *n_masks = nm; *k_out = k; }
    ia_free(p);
    ia_free(idx);
    ia_free(seq);
    ia_free(lg);
    ia_encoding_free(&enc);
    return rc;
}
