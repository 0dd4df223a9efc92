/* `text embed`: sentence embeddings from an encoder's hidden states (mean pooling with the
 * attention mask, or CLS pooling; optional L2 normalisation). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/generate.h"
#include "ia/status.h"

int ia_embed_pool(const float *hidden, int64_t batch, int64_t seq, int64_t dim, const int64_t *mask, int pooling,
                  int normalize, float *out) {
    if (!hidden || !out || batch <= 0 || seq <= 0 || dim <= 0)
        return ia_set_error(IA_ERR_INVALID_ARG, "embed: empty hidden states");
    if (pooling != IA_POOL_MEAN && pooling != IA_POOL_CLS) return ia_set_error(IA_ERR_INVALID_ARG, "embed: unknown pooling");
    double *acc = ia_malloc((size_t)dim * sizeof *acc);
    if (!acc) return ia_set_error(IA_ERR_NOMEM, "embed: out of memory");
    for (int64_t b = 0; b < batch; b++) {
        const float *h = hidden + (size_t)(b * seq * dim);
        memset(acc, 0, (size_t)dim * sizeof *acc);
        if (pooling == IA_POOL_CLS) {
            for (int64_t d = 0; d < dim; d++) acc[d] = h[d];
        } else {
            double cnt = 0;
            for (int64_t t = 0; t < seq; t++) {
                if (mask && !mask[b * seq + t]) continue;
                double w = mask ? (double)mask[b * seq + t] : 1.0;
                cnt += w;
                for (int64_t d = 0; d < dim; d++) acc[d] += w * h[t * dim + d];
            }
            if (cnt < 1e-9) cnt = 1e-9; /* sentence-transformers' clamp */
            for (int64_t d = 0; d < dim; d++) acc[d] /= cnt;
        }
        if (normalize) {
            double n2 = 0;
            for (int64_t d = 0; d < dim; d++) n2 += acc[d] * acc[d];
            double n = sqrt(n2);
            if (n < 1e-12) n = 1e-12;
            for (int64_t d = 0; d < dim; d++) acc[d] /= n;
        }
        for (int64_t d = 0; d < dim; d++) out[b * dim + d] = (float)acc[d];
    }
    ia_free(acc);
    return IA_OK;
}

static int int_tensor(int dtype, const int64_t *v, int64_t batch, int64_t seq, ia_value **out) {
    int64_t dims[2] = {batch, seq};
    ia_tensor *t;
    int rc = ia_tensor_create(dtype, 2, dims, &t);
    if (rc) return rc;
    for (int64_t i = 0; i < batch * seq; i++) {
        int64_t x = v ? v[i] : 0;
        if (dtype == IA_DTYPE_INT64) ((int64_t *)t->data)[i] = x;
        else ((int32_t *)t->data)[i] = (int32_t)x;
    }
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

int ia_embed_run(ia_session *s, const int64_t *ids, const int64_t *mask, int64_t batch, int64_t seq, int pooling,
                 int normalize, float **out, int64_t *dim) {
    *out = NULL;
    *dim = 0;
    if (!s || !ids || batch <= 0 || seq <= 0) return ia_set_error(IA_ERR_INVALID_ARG, "embed: no input ids");
    size_t nin = ia_session_input_count(s), nout = ia_session_output_count(s);
    ia_value **ins = ia_calloc(nin + 1, sizeof *ins), **outs = ia_calloc(nout + 1, sizeof *outs);
    int rc = IA_OK;
    if (!ins || !outs) { rc = ia_set_error(IA_ERR_NOMEM, "embed: out of memory"); goto done; }
    for (size_t i = 0; i < nin && !rc; i++) {
        const char *nm = ia_session_input_name(s, i);
        int kind, dtype, rank;
        ia_session_input_type(s, i, &kind, &dtype, &rank, NULL);
        if (dtype != IA_DTYPE_INT64 && dtype != IA_DTYPE_INT32) {
            rc = ia_set_error(IA_ERR_UNSUPPORTED, "embed: input %s is %s, expected int64 or int32", nm, ia_dtype_name(dtype));
            break;
        }
        if (!strcmp(nm, "input_ids")) rc = int_tensor(dtype, ids, batch, seq, &ins[i]);
        else if (!strcmp(nm, "attention_mask")) {
            if (mask) rc = int_tensor(dtype, mask, batch, seq, &ins[i]);
            else {
                int64_t *ones = ia_malloc((size_t)(batch * seq) * sizeof *ones);
                if (!ones) { rc = ia_set_error(IA_ERR_NOMEM, "embed: out of memory"); break; }
                for (int64_t k = 0; k < batch * seq; k++) ones[k] = 1;
                rc = int_tensor(dtype, ones, batch, seq, &ins[i]);
                ia_free(ones);
            }
        } else if (!strcmp(nm, "token_type_ids")) rc = int_tensor(dtype, NULL, batch, seq, &ins[i]);
        else rc = ia_set_error(IA_ERR_UNSUPPORTED, "embed: the encoder has an input '%s' that embedding does not feed", nm);
    }
    if (rc) goto done;
    rc = ia_session_run(s, ins, nin, outs, nout);
    if (rc) {
        const char *m = ia_session_errmsg(s);
        char msg[1024]; /* copied: ia_last_error's buffer is the one being written */
        snprintf(msg, sizeof msg, "%s", m && *m ? m : ia_last_error());
        rc = ia_set_error(rc, "embed: model run failed: %s", msg);
        goto done;
    }
    {
        size_t which = 0;
        for (size_t i = 0; i < nout; i++)
            if (!strcmp(ia_session_output_name(s, i), "last_hidden_state")) which = i;
        ia_tensor *h = outs[which] && outs[which]->kind == IA_VALUE_TENSOR ? outs[which]->tensor : NULL;
        if (!h || h->dtype != IA_DTYPE_FLOAT || h->rank != 3 || h->dims[0] != batch || h->dims[1] != seq || h->dims[2] <= 0) {
            rc = ia_set_error(IA_ERR_SHAPE, "embed: output %s must be float32 [%lld, %lld, hidden]",
                              ia_session_output_name(s, which), (long long)batch, (long long)seq);
            goto done;
        }
        float *res = ia_malloc((size_t)(batch * h->dims[2]) * sizeof *res);
        if (!res) { rc = ia_set_error(IA_ERR_NOMEM, "embed: out of memory"); goto done; }
        rc = ia_embed_pool(h->data, batch, seq, h->dims[2], mask, pooling, normalize, res);
        if (rc) { ia_free(res); goto done; }
        *out = res;
        *dim = h->dims[2];
    }
done:
    if (ins)
        for (size_t i = 0; i < nin; i++) ia_value_destroy(ins[i]);
    if (outs)
        for (size_t i = 0; i < nout; i++) ia_value_destroy(outs[i]);
    ia_free(ins);
    ia_free(outs);
    return rc;
}
