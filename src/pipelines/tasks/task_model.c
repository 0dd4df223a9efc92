/* A model folder opened for an encoder text task: config.json (id2label, problem_type), the
 * tokenizer and the ONNX session; running it on one text to logits. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/model_dir.h"
#include "ia/status.h"
#include "ia/tensor.h"
#include "tasks_internal.h"

struct ia_text_task {
    ia_session *s;
    ia_tokenizer *tok;
    ia_task_config cfg;
};

void ia_task_config_free(ia_task_config *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n_labels; i++) ia_free(c->labels[i]);
    ia_free(c->labels);
    memset(c, 0, sizeof *c);
}

int ia_task_config_parse(const char *json, size_t len, ia_task_config *c) {
    if (!json || !c) return ia_set_error(IA_ERR_INVALID_ARG, "config.json: no input");
    memset(c, 0, sizeof *c);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return ia_set_error(IA_ERR_PARSE, "config.json: malformed JSON");
    int rc = IA_OK;
    if (!cJSON_IsObject(root)) { rc = ia_set_error(IA_ERR_PARSE, "config.json: not a JSON object"); goto done; }
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(root, "problem_type");
    c->multi_label = cJSON_IsString(pt) && !strcmp(pt->valuestring, "multi_label_classification");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "id2label"), *it;
    if (!cJSON_IsObject(map)) goto done;
    size_t n = 0;
    cJSON_ArrayForEach(it, map) {
        char *end;
        long v = strtol(it->string, &end, 10);
        if (!*it->string || *end || v < 0 || v >= 100000) {
            rc = ia_set_error(IA_ERR_PARSE, "config.json: id2label key \"%.40s\" is not a class id", it->string);
            goto done;
        }
        if (!cJSON_IsString(it)) { rc = ia_set_error(IA_ERR_PARSE, "config.json: id2label[%ld] is not a string", v); goto done; }
        if ((size_t)v + 1 > n) n = (size_t)v + 1;
    }
    if (!n) goto done;
    c->labels = ia_calloc(n, sizeof *c->labels);
    if (!c->labels) { rc = ia_set_error(IA_ERR_NOMEM, "config.json: out of memory"); goto done; }
    c->n_labels = n;
    cJSON_ArrayForEach(it, map) {
        size_t k = (size_t)strtol(it->string, NULL, 10);
        ia_free(c->labels[k]);
        c->labels[k] = ia_strdup(it->valuestring);
        if (!c->labels[k]) { rc = ia_set_error(IA_ERR_NOMEM, "config.json: out of memory"); goto done; }
    }
done:
    cJSON_Delete(root);
    if (rc) ia_task_config_free(c);
    return rc;
}

int ia_text_task_open(const char *dir, const ia_session_options *opts, ia_text_task **out) {
    *out = NULL;
    if (!dir) return ia_set_error(IA_ERR_INVALID_ARG, "text task: no model folder");
    ia_text_task *t = ia_calloc(1, sizeof *t);
    if (!t) return ia_set_error(IA_ERR_NOMEM, "text task: out of memory");
    ia_model_dir *d = NULL;
    int rc = ia_model_dir_open(dir, &d);
    if (rc) goto fail;
    int h = ia_model_dir_has(d, "config.json");
    if (h < 0) { rc = h; goto fail; }
    if (h) {
        char *js = NULL;
        size_t n = 0;
        if ((rc = ia_model_dir_read(d, "config.json", (size_t)1 << 30, &js, &n))) goto fail;
        rc = ia_task_config_parse(js, n, &t->cfg);
        ia_free(js);
        if (rc) goto fail;
    }
    if ((rc = ia_tokenizer_load(dir, &t->tok))) goto fail;
    static const char *const cands[] = {"onnx/model.onnx", "model.onnx"};
    const char *onnx;
    rc = ia_model_dir_find(d, cands, 2, &onnx);
    if (rc == IA_ERR_NOT_FOUND) rc = ia_set_error(rc, "%s: no onnx/model.onnx or model.onnx", dir);
    if (rc) goto fail;
    if ((rc = ia_model_dir_session(d, onnx, opts, &t->s))) goto fail;
    ia_model_dir_close(d);
    *out = t;
    return IA_OK;
fail:
    ia_model_dir_close(d);
    ia_text_task_close(t);
    return rc;
}

void ia_text_task_close(ia_text_task *t) {
    if (!t) return;
    ia_session_destroy(t->s);
    ia_tokenizer_destroy(t->tok);
    ia_task_config_free(&t->cfg);
    ia_free(t);
}

const ia_tokenizer *ia_text_task_tokenizer(const ia_text_task *t) { return t ? t->tok : NULL; }
const ia_task_config *ia_text_task_config(const ia_text_task *t) { return t ? &t->cfg : NULL; }

const char *ia_text_task_label(const ia_text_task *t, size_t i, char *buf, size_t cap) {
    if (t && i < t->cfg.n_labels && t->cfg.labels[i]) return t->cfg.labels[i];
    snprintf(buf, cap, "LABEL_%zu", i);
    return buf;
}

void ia__softmax_d(const float *x, size_t n, double *p) {
    double m = -INFINITY, s = 0;
    for (size_t i = 0; i < n; i++) if (x[i] > m) m = x[i];
    for (size_t i = 0; i < n; i++) s += (p[i] = exp((double)x[i] - m));
    for (size_t i = 0; i < n; i++) p[i] /= s;
}

typedef struct { double p; size_t i; } scored;

static int by_score(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

size_t ia__topk_d(const double *p, size_t n, int k, size_t *idx) {
    size_t want = (k <= 0 || (size_t)k > n) ? n : (size_t)k;
    scored *v = ia_malloc(n * sizeof *v);
    if (!v) return 0;
    for (size_t i = 0; i < n; i++) { v[i].p = p[i]; v[i].i = i; }
    qsort(v, n, sizeof *v, by_score);
    for (size_t j = 0; j < want; j++) idx[j] = v[j].i;
    ia_free(v);
    return want;
}

static int int_input(int dtype, const int32_t *v, int64_t seq, ia_value **out) {
    int64_t dims[2] = {1, seq};
    ia_tensor *x;
    int rc = ia_tensor_create(dtype, 2, dims, &x);
    if (rc) return rc;
    for (int64_t i = 0; i < seq; i++) {
        if (dtype == IA_DTYPE_INT64) ((int64_t *)x->data)[i] = v[i];
        else ((int32_t *)x->data)[i] = v[i];
    }
    rc = ia_value_from_tensor(x, out);
    ia_tensor_release(x);
    return rc;
}

int ia__text_task_logits(ia_text_task *t, const char *text, size_t len, ia_encoding *enc, float **logits,
                         int64_t dims[3], int *rank) {
    *logits = NULL;
    memset(enc, 0, sizeof *enc);
    ia_encode_opts eo = {0};
    eo.max_length = ia_tokenizer_model_max_length(t->tok);
    int rc = ia_tokenizer_encode(t->tok, text, len, &eo, enc);
    if (rc) return rc;
    if (!enc->len) return ia_set_error(IA_ERR_INVALID_ARG, "text task: the text has no tokens");
    size_t nin = ia_session_input_count(t->s), nout = ia_session_output_count(t->s);
    ia_value **ins = ia_calloc(nin + 1, sizeof *ins), **outs = ia_calloc(nout + 1, sizeof *outs);
    if (!ins || !outs) { rc = ia_set_error(IA_ERR_NOMEM, "text task: out of memory"); goto done; }
    for (size_t i = 0; i < nin && !rc; i++) {
        const char *nm = ia_session_input_name(t->s, i);
        int kind, dtype, r;
        ia_session_input_type(t->s, i, &kind, &dtype, &r, NULL);
        if (dtype != IA_DTYPE_INT64 && dtype != IA_DTYPE_INT32)
            rc = ia_set_error(IA_ERR_UNSUPPORTED, "text task: input %s is %s, expected int64 or int32", nm, ia_dtype_name(dtype));
        else if (!strcmp(nm, "input_ids")) rc = int_input(dtype, enc->ids, (int64_t)enc->len, &ins[i]);
        else if (!strcmp(nm, "attention_mask")) rc = int_input(dtype, enc->attention_mask, (int64_t)enc->len, &ins[i]);
        else if (!strcmp(nm, "token_type_ids")) rc = int_input(dtype, enc->type_ids, (int64_t)enc->len, &ins[i]);
        else rc = ia_set_error(IA_ERR_UNSUPPORTED, "text task: the model has an input '%s' that this task does not feed", nm);
    }
    if (rc) goto done;
    rc = ia_session_run(t->s, ins, nin, outs, nout);
    if (rc) {
        const char *m = ia_session_errmsg(t->s);
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", m && *m ? m : ia_last_error());
        rc = ia_set_error(rc, "text task: model run failed: %s", msg);
        goto done;
    }
    size_t which = 0;
    for (size_t i = 0; i < nout; i++)
        if (!strcmp(ia_session_output_name(t->s, i), "logits")) which = i;
    ia_tensor *y = outs[which] && outs[which]->kind == IA_VALUE_TENSOR ? outs[which]->tensor : NULL;
    if (!y || y->dtype != IA_DTYPE_FLOAT || y->rank < 2 || y->rank > 3 || y->dims[0] != 1 ||
        (y->rank == 3 && y->dims[1] != (int64_t)enc->len) || y->dims[y->rank - 1] <= 0) {
        rc = ia_set_error(IA_ERR_SHAPE, "text task: output %s must be float32 [1, labels] or [1, %zu, labels]",
                          ia_session_output_name(t->s, which), enc->len);
        goto done;
    }
    size_t numel = 1;
    for (int d = 0; d < y->rank; d++) { dims[d] = y->dims[d]; numel *= (size_t)y->dims[d]; }
    *rank = y->rank;
    *logits = ia_malloc(numel * sizeof(float));
    if (!*logits) { rc = ia_set_error(IA_ERR_NOMEM, "text task: out of memory"); goto done; }
    memcpy(*logits, y->data, numel * sizeof(float));
done:
    if (ins) for (size_t i = 0; i < nin; i++) ia_value_destroy(ins[i]);
    if (outs) for (size_t i = 0; i < nout; i++) ia_value_destroy(outs[i]);
    ia_free(ins);
    ia_free(outs);
    if (rc) ia_encoding_free(enc);
    return rc;
}
