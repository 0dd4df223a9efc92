/* Encoder-decoder generation: the encoder once, the decoder step by step with its past values
 * (merged or decoder + decoder_with_past forms), greedy search and beam search following
 * transformers' BeamSearchScorer / BeamHypotheses. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/model_dir.h"
#include "ia/seq2seq.h"
#include "ia/status.h"
#include "ia/tensor.h"

#define MAX_PAST 512

struct ia_seq2seq {
    ia_session *enc, *first, *later; /* later may equal first */
    int64_t start, eos;
};

void ia_seq2seq_params_init(ia_seq2seq_params *p) {
    memset(p, 0, sizeof *p);
    p->max_new_tokens = 20;
    p->num_beams = 1;
    p->length_penalty = 1.0;
    p->early_stopping = IA_EARLY_STOP_FALSE;
}

static int as_id(const cJSON *v, int64_t *out) {
    if (cJSON_IsArray(v)) v = cJSON_GetArrayItem(v, 0);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 2147483648.0) || floor(v->valuedouble) != v->valuedouble)
        return 0;
    *out = (int64_t)v->valuedouble;
    return 1;
}

int ia_seq2seq_config_parse(const char *json, size_t len, int64_t *start, int64_t *eos) {
    if (!json) return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq config: no input");
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return ia_set_error(IA_ERR_PARSE, "seq2seq config: malformed JSON");
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ia_set_error(IA_ERR_PARSE, "seq2seq config: not a JSON object");
    }
    as_id(cJSON_GetObjectItemCaseSensitive(root, "decoder_start_token_id"), start);
    as_id(cJSON_GetObjectItemCaseSensitive(root, "eos_token_id"), eos);
    cJSON_Delete(root);
    return IA_OK;
}

static int read_config(ia_model_dir *d, const char *name, int64_t *start, int64_t *eos) {
    int h = ia_model_dir_has(d, name);
    if (h <= 0) return h;
    char *b;
    size_t n;
    int rc = ia_model_dir_read(d, name, (1 << 20) - 1, &b, &n);
    if (rc == IA_ERR_LIMIT) return ia_set_error(rc, "%s/%s: larger than 1 MiB", ia_model_dir_name(d), name);
    if (rc) return rc;
    rc = ia_seq2seq_config_parse(b, n, start, eos);
    ia_free(b);
    if (rc) {
        char msg[1024]; /* a copy: ia_set_error writes the buffer ia_last_error reads */
        snprintf(msg, sizeof msg, "%s", ia_last_error());
        rc = ia_set_error(rc, "%s/%s: %s", ia_model_dir_name(d), name, msg);
    }
    return rc;
}

/* 1 when the folder has `rel` as a file; a store error is kept in *err. */
static int has(ia_model_dir *d, const char *rel, int *err) {
    int h = ia_model_dir_has(d, rel);
    if (h < 0 && !*err) *err = h;
    return h > 0;
}

int ia_seq2seq_open(const char *dir, const ia_session_options *opts, int form, ia_seq2seq **out) {
    *out = NULL;
    if (!dir) return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq: no model folder");
    ia_seq2seq *s = ia_calloc(1, sizeof *s);
    if (!s) return ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory");
    s->start = 0;
    s->eos = 1;
    static const char *const m = "onnx/decoder_model_merged.onnx", *const p = "onnx/decoder_model.onnx",
                             *const q = "onnx/decoder_with_past_model.onnx";
    ia_model_dir *d = NULL;
    int rc, err = 0;
    if ((rc = ia_model_dir_open(dir, &d))) goto fail;
    if ((rc = read_config(d, "config.json", &s->start, &s->eos))) goto fail;
    if ((rc = read_config(d, "generation_config.json", &s->start, &s->eos))) goto fail;
    if (!has(d, "onnx/encoder_model.onnx", &err)) { rc = err ? err : ia_set_error(IA_ERR_NOT_FOUND, "%s: no onnx/encoder_model.onnx", dir); goto fail; }
    if ((rc = ia_model_dir_session(d, "onnx/encoder_model.onnx", opts, &s->enc))) goto fail;
    if (form == IA_S2S_MERGED || (form == IA_S2S_AUTO && has(d, m, &err))) {
        if (err) { rc = err; goto fail; }
        if (!has(d, m, &err)) { rc = err ? err : ia_set_error(IA_ERR_NOT_FOUND, "%s: no %s", dir, m); goto fail; }
        if ((rc = ia_model_dir_session(d, m, opts, &s->first))) goto fail;
        s->later = s->first;
    } else {
        if (err) { rc = err; goto fail; }
        if (!has(d, p, &err)) { rc = err ? err : ia_set_error(IA_ERR_NOT_FOUND, "%s: no %s", dir, p); goto fail; }
        if ((rc = ia_model_dir_session(d, p, opts, &s->first))) goto fail;
        if (form == IA_S2S_WITH_PAST || has(d, q, &err)) {
            if (err) { rc = err; goto fail; }
            if (!has(d, q, &err)) { rc = err ? err : ia_set_error(IA_ERR_NOT_FOUND, "%s: no %s", dir, q); goto fail; }
            if ((rc = ia_model_dir_session(d, q, opts, &s->later))) goto fail;
        } else if (err) { rc = err; goto fail; }
        else s->later = s->first;
    }
    ia_model_dir_close(d);
    *out = s;
    return IA_OK;
fail:
    ia_model_dir_close(d);
    ia_seq2seq_close(s);
    return rc;
}

void ia_seq2seq_close(ia_seq2seq *s) {
    if (!s) return;
    if (s->later != s->first) ia_session_destroy(s->later);
    ia_session_destroy(s->first);
    ia_session_destroy(s->enc);
    ia_free(s);
}

int64_t ia_seq2seq_eos(const ia_seq2seq *s) { return s ? s->eos : -1; }
int64_t ia_seq2seq_decoder_start(const ia_seq2seq *s) { return s ? s->start : -1; }

/* --- values --- */

static int int_value(int dtype, const int64_t *v, int64_t rows, int64_t cols, ia_value **out) {
    int64_t dims[2] = {rows, cols};
    ia_tensor *t;
    int rc = ia_tensor_create(dtype, 2, dims, &t);
    if (rc) return rc;
    for (int64_t i = 0; i < rows * cols; i++) {
        int64_t x = v ? v[i] : 1;
        if (dtype == IA_DTYPE_INT64) ((int64_t *)t->data)[i] = x;
        else ((int32_t *)t->data)[i] = (int32_t)x;
    }
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

static int run_error(ia_session *sess, int rc, const char *what) {
    const char *m = ia_session_errmsg(sess);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", m && *m ? m : ia_last_error());
    return ia_set_error(rc, "seq2seq: %s failed: %s", what, msg);
}

/* The past values: names past_key_values.X and the value of the last present.X. */
typedef struct past_set {
    char *name[MAX_PAST];
    ia_value *val[MAX_PAST];
    size_t n;
} past_set;

static void past_clear(past_set *ps) {
    for (size_t i = 0; i < ps->n; i++) { ia_free(ps->name[i]); ia_value_destroy(ps->val[i]); }
    ps->n = 0;
}

static ia_value *past_get(const past_set *ps, const char *name) {
    for (size_t i = 0; i < ps->n; i++) if (!strcmp(ps->name[i], name)) return ps->val[i];
    return NULL;
}

/* Takes ownership of v. */
static int past_put(past_set *ps, const char *present, ia_value *v) {
    char nm[512];
    snprintf(nm, sizeof nm, "past_key_values.%s", present + strlen("present."));
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->name[i], nm)) { ia_value_destroy(ps->val[i]); ps->val[i] = v; return IA_OK; }
    if (ps->n == MAX_PAST) { ia_value_destroy(v); return ia_set_error(IA_ERR_LIMIT, "seq2seq: more than %d past values", MAX_PAST); }
    if (!(ps->name[ps->n] = ia_strdup(nm))) { ia_value_destroy(v); return ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); }
    ps->val[ps->n++] = v;
    return IA_OK;
}

/* Rows of every past value reordered: row b takes old row src[b] (beam search). */
static int past_reorder(past_set *ps, const size_t *src, size_t B) {
    for (size_t i = 0; i < ps->n; i++) {
        ia_tensor *t = ps->val[i]->tensor, *u;
        if (t->rank < 1 || t->dims[0] != (int64_t)B) return ia_set_error(IA_ERR_SHAPE, "seq2seq: %s is not [beams, ...]", ps->name[i]);
        int rc = ia_tensor_create(t->dtype, t->rank, t->dims, &u);
        if (rc) return rc;
        size_t row = ia_dtype_bytes(t->dtype, ia_shape_numel(t->rank, t->dims)) / B;
        for (size_t b = 0; b < B; b++) memcpy((char *)u->data + b * row, (const char *)t->data + src[b] * row, row);
        ia_value *v;
        rc = ia_value_from_tensor(u, &v);
        ia_tensor_release(u);
        if (rc) return rc;
        ia_value_destroy(ps->val[i]);
        ps->val[i] = v;
    }
    return IA_OK;
}

/* One decoder step over `L` positions of each of the B rows (seqs: B rows of `len` ids); writes the
 * log-softmax of the last position into lp [B, V] (allocated on the first call, *V set). */
typedef struct step_ctx {
    ia_seq2seq *s;
    size_t B;
    ia_value *enc_states, *enc_mask_i64, *enc_mask_i32;
    past_set past;
    int use_past;
} step_ctx;

static int decoder_step(step_ctx *c, ia_session *sess, const int64_t *seqs, size_t len, size_t L, int cache_branch,
                        double **lp, size_t *V) {
    size_t nin = ia_session_input_count(sess), nout = ia_session_output_count(sess), B = c->B;
    ia_value **ins = ia_calloc(nin + 1, sizeof *ins), **outs = ia_calloc(nout + 1, sizeof *outs);
    int64_t *last = ia_malloc(B * L * sizeof *last);
    char *owned = ia_calloc(nin + 1, 1);
    int rc = IA_OK;
    if (!ins || !outs || !last || !owned) { rc = ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); goto done; }
    for (size_t b = 0; b < B; b++) memcpy(last + b * L, seqs + b * len + (len - L), L * sizeof *last);
    for (size_t i = 0; i < nin && !rc; i++) {
        const char *nm = ia_session_input_name(sess, i);
        int kind, dtype, rank;
        int64_t dims[8] = {0};
        ia_session_input_type(sess, i, &kind, &dtype, &rank, dims);
        owned[i] = 1;
        if (!strcmp(nm, "input_ids")) {
            if (dtype != IA_DTYPE_INT64 && dtype != IA_DTYPE_INT32) rc = ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: input_ids is %s", ia_dtype_name(dtype));
            else rc = int_value(dtype, last, (int64_t)B, (int64_t)L, &ins[i]);
        } else if (!strcmp(nm, "encoder_attention_mask")) {
            owned[i] = 0;
            ins[i] = dtype == IA_DTYPE_INT32 ? c->enc_mask_i32 : c->enc_mask_i64;
        } else if (!strcmp(nm, "encoder_hidden_states")) {
            owned[i] = 0;
            ins[i] = c->enc_states;
        } else if (!strcmp(nm, "use_cache_branch")) {
            int64_t d1[1] = {1};
            ia_tensor *t;
            if (!(rc = ia_tensor_create(IA_DTYPE_BOOL, 1, d1, &t))) {
                ((uint8_t *)t->data)[0] = (uint8_t)(cache_branch != 0);
                rc = ia_value_from_tensor(t, &ins[i]);
                ia_tensor_release(t);
            }
        } else if (!strncmp(nm, "past_key_values.", 16)) {
            ia_value *v = c->use_past ? past_get(&c->past, nm) : NULL;
            if (v) { owned[i] = 0; ins[i] = v; continue; }
            if (rank != 4 || dims[1] <= 0 || dims[3] <= 0) {
                rc = ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: %s must be [batch, heads, length, head_dim] with static heads and head_dim", nm);
                break;
            }
            int64_t ed[4] = {(int64_t)B, dims[1], 0, dims[3]};
            ia_tensor *t;
            if (!(rc = ia_tensor_create(dtype, 4, ed, &t))) {
                rc = ia_value_from_tensor(t, &ins[i]);
                ia_tensor_release(t);
            }
        } else rc = ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: the decoder has an input '%s' that generation does not feed", nm);
    }
    if (rc) goto done;
    if ((rc = ia_session_run(sess, ins, nin, outs, nout))) { rc = run_error(sess, rc, "decoder run"); goto done; }
    size_t which = nout;
    for (size_t i = 0; i < nout; i++) if (!strcmp(ia_session_output_name(sess, i), "logits")) which = i;
    ia_tensor *y = which < nout && outs[which] && outs[which]->kind == IA_VALUE_TENSOR ? outs[which]->tensor : NULL;
    if (!y || y->dtype != IA_DTYPE_FLOAT || y->rank != 3 || y->dims[0] != (int64_t)B || y->dims[1] != (int64_t)L || y->dims[2] <= 0) {
        rc = ia_set_error(IA_ERR_SHAPE, "seq2seq: the decoder output logits must be float32 [%zu, %zu, vocab]", B, L);
        goto done;
    }
    if (!*lp) {
        *V = (size_t)y->dims[2];
        if (!(*lp = ia_malloc(B * *V * sizeof **lp))) { rc = ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); goto done; }
    } else if (*V != (size_t)y->dims[2]) { rc = ia_set_error(IA_ERR_SHAPE, "seq2seq: the vocabulary size changed between steps"); goto done; }
    for (size_t b = 0; b < B; b++) {
        const float *row = (const float *)y->data + (b * L + L - 1) * *V;
        double m = -INFINITY, sum = 0;
        for (size_t v = 0; v < *V; v++) if (row[v] > m) m = row[v];
        for (size_t v = 0; v < *V; v++) sum += exp((double)row[v] - m);
        double lse = m + log(sum);
        for (size_t v = 0; v < *V; v++) (*lp)[b * *V + v] = (double)row[v] - lse;
    }
    if (c->use_past)
        for (size_t i = 0; i < nout && !rc; i++) {
            const char *nm = ia_session_output_name(sess, i);
            if (strncmp(nm, "present.", 8) || !outs[i] || outs[i]->kind != IA_VALUE_TENSOR) continue;
            rc = past_put(&c->past, nm, outs[i]);
            outs[i] = NULL;
        }
done:
    if (ins) for (size_t i = 0; i < nin; i++) if (owned && owned[i]) ia_value_destroy(ins[i]);
    if (outs) for (size_t i = 0; i < nout; i++) ia_value_destroy(outs[i]);
    ia_free(ins);
    ia_free(outs);
    ia_free(owned);
    ia_free(last);
    return rc;
}

/* --- beam hypotheses (transformers' BeamHypotheses) --- */

typedef struct hyp {
    double score;
    int64_t *ids;
    size_t len;
} hyp;

typedef struct hyps {
    hyp *h;
    size_t n, cap, beams;
    double worst;
    double lp;
} hyps;

static int hyps_add(hyps *H, const int64_t *ids, size_t len, double sum_logprobs, size_t gen_len) {
    double score = sum_logprobs / pow((double)(gen_len ? gen_len : 1), H->lp);
    if (!(H->n < H->beams || score > H->worst)) return IA_OK;
    int64_t *cp = ia_malloc((len + 1) * sizeof *cp);
    if (!cp) return ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory");
    memcpy(cp, ids, len * sizeof *cp);
    H->h[H->n++] = (hyp){score, cp, len};
    if (H->n > H->beams) {
        /* drop the lowest (first on ties); the new worst is the second lowest */
        size_t lo = 0, lo2 = (size_t)-1;
        for (size_t i = 1; i < H->n; i++) if (H->h[i].score < H->h[lo].score) lo = i;
        for (size_t i = 0; i < H->n; i++)
            if (i != lo && (lo2 == (size_t)-1 || H->h[i].score < H->h[lo2].score)) lo2 = i;
        H->worst = H->h[lo2].score;
        ia_free(H->h[lo].ids);
        memmove(H->h + lo, H->h + lo + 1, (H->n - lo - 1) * sizeof *H->h);
        H->n--;
    } else if (score < H->worst) H->worst = score;
    return IA_OK;
}

static int hyps_done(const hyps *H, size_t beams, int early, double best, size_t cur_len, size_t max_len) {
    if (H->n < beams) return 0;
    if (early == IA_EARLY_STOP_TRUE) return 1;
    double high;
    if (early == IA_EARLY_STOP_FALSE || H->lp <= 0) high = best / pow((double)(cur_len - 1), H->lp);
    else high = best / pow((double)(max_len - 1), H->lp);
    return H->worst >= high;
}

/* --- the loop --- */

typedef struct cand {
    double score;
    size_t flat;
} cand;

int ia_seq2seq_generate(ia_seq2seq *s, const int64_t *ids, size_t n, const ia_seq2seq_params *p, int64_t **out,
                        size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (!s || !ids || !n || !p) return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq: empty input");
    if (p->max_new_tokens < 1 || p->max_new_tokens > 100000) return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq: max_new_tokens must be 1..100000");
    if (p->num_beams < 1 || p->num_beams > 256) return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq: num_beams must be 1..256");
    if (p->early_stopping < IA_EARLY_STOP_FALSE || p->early_stopping > IA_EARLY_STOP_NEVER || !isfinite(p->length_penalty))
        return ia_set_error(IA_ERR_INVALID_ARG, "seq2seq: bad early_stopping or length_penalty");
    const size_t B = (size_t)p->num_beams, max_len = 1 + (size_t)p->max_new_tokens, S = n;
    step_ctx c = {.s = s, .B = B, .use_past = !p->no_cache};
    ia_value *enc_in[8] = {0}, *enc_out[8] = {0};
    int64_t *seqs = NULL, *nseqs = NULL;
    double *lp = NULL, *scores = NULL, *nscores = NULL;
    size_t *src = NULL, V = 0, len = 1;
    cand *top = NULL;
    hyps H = {0};
    int rc = IA_OK;
    /* the encoder, once */
    size_t enin = ia_session_input_count(s->enc), enout = ia_session_output_count(s->enc);
    if (enin > 8 || enout > 8) return ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: the encoder has too many inputs or outputs");
    for (size_t i = 0; i < enin && !rc; i++) {
        const char *nm = ia_session_input_name(s->enc, i);
        int kind, dtype, rank;
        ia_session_input_type(s->enc, i, &kind, &dtype, &rank, NULL);
        if (dtype != IA_DTYPE_INT64 && dtype != IA_DTYPE_INT32) rc = ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: encoder input %s is %s", nm, ia_dtype_name(dtype));
        else if (!strcmp(nm, "input_ids")) rc = int_value(dtype, ids, 1, (int64_t)S, &enc_in[i]);
        else if (!strcmp(nm, "attention_mask")) rc = int_value(dtype, NULL, 1, (int64_t)S, &enc_in[i]);
        else rc = ia_set_error(IA_ERR_UNSUPPORTED, "seq2seq: the encoder has an input '%s' that generation does not feed", nm);
    }
    if (rc) goto done;
    if ((rc = ia_session_run(s->enc, enc_in, enin, enc_out, enout))) { rc = run_error(s->enc, rc, "encoder run"); goto done; }
    {
        size_t which = 0;
        for (size_t i = 0; i < enout; i++) if (!strcmp(ia_session_output_name(s->enc, i), "last_hidden_state")) which = i;
        ia_tensor *h = enc_out[which] && enc_out[which]->kind == IA_VALUE_TENSOR ? enc_out[which]->tensor : NULL;
        if (!h || h->dtype != IA_DTYPE_FLOAT || h->rank != 3 || h->dims[0] != 1 || h->dims[1] != (int64_t)S || h->dims[2] <= 0) {
            rc = ia_set_error(IA_ERR_SHAPE, "seq2seq: the encoder output must be float32 [1, %zu, hidden]", S);
            goto done;
        }
        int64_t d3[3] = {(int64_t)B, (int64_t)S, h->dims[2]};
        ia_tensor *e;
        if ((rc = ia_tensor_create(IA_DTYPE_FLOAT, 3, d3, &e))) goto done;
        size_t row = S * (size_t)h->dims[2];
        for (size_t b = 0; b < B; b++) memcpy((float *)e->data + b * row, h->data, row * sizeof(float));
        rc = ia_value_from_tensor(e, &c.enc_states);
        ia_tensor_release(e);
        if (rc || (rc = int_value(IA_DTYPE_INT64, NULL, (int64_t)B, (int64_t)S, &c.enc_mask_i64)) ||
            (rc = int_value(IA_DTYPE_INT32, NULL, (int64_t)B, (int64_t)S, &c.enc_mask_i32)))
            goto done;
    }
    seqs = ia_malloc(B * max_len * sizeof *seqs);
    nseqs = ia_malloc(B * max_len * sizeof *nseqs);
    scores = ia_malloc(B * sizeof *scores);
    nscores = ia_malloc(B * sizeof *nscores);
    src = ia_malloc(B * sizeof *src);
    top = ia_malloc(2 * B * sizeof *top);
    H.cap = B + 2;
    H.beams = B;
    H.h = ia_calloc(H.cap, sizeof *H.h);
    H.worst = 1e9;
    H.lp = p->length_penalty;
    if (!seqs || !nseqs || !scores || !nscores || !src || !top || !H.h) { rc = ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); goto done; }
    for (size_t b = 0; b < B; b++) { seqs[b * 1] = s->start; scores[b] = b ? -1e9 : 0; }
    int done_flag = 0;
    for (size_t t = 0; t < (size_t)p->max_new_tokens && !done_flag; t++) {
        /* rows are stored with stride len; step with the full sequence without the cache */
        ia_session *sess = (t == 0 || p->no_cache) ? s->first : s->later;
        size_t L = p->no_cache ? len : 1;
        if ((rc = decoder_step(&c, sess, seqs, len, L, t > 0 && !p->no_cache, &lp, &V))) goto done;
        if (B == 1) {
            size_t k = 0;
            for (size_t v = 1; v < V; v++) if (lp[v] > lp[k]) k = v;
            seqs[len++] = (int64_t)k;
            if ((int64_t)k == s->eos) break;
            continue;
        }
        /* the 2B best (score, flat index) over beams x vocabulary; ties by lower index */
        size_t nt = 0, want = 2 * B;
        for (size_t b = 0; b < B; b++)
            for (size_t v = 0; v < V; v++) {
                double sc = lp[b * V + v] + scores[b];
                size_t flat = b * V + v;
                if (nt == want && !(sc > top[nt - 1].score)) continue;
                size_t j = nt < want ? nt++ : nt - 1;
                while (j > 0 && sc > top[j - 1].score) { top[j] = top[j - 1]; j--; }
                top[j] = (cand){sc, flat};
            }
        size_t cur_len = len + 1, nb = 0;
        for (size_t r = 0; r < nt && nb < B; r++) {
            size_t b = top[r].flat / V;
            int64_t tok = (int64_t)(top[r].flat % V);
            if (tok == s->eos) {
                if (r >= B) continue;
                if ((rc = hyps_add(&H, seqs + b * len, len, top[r].score, cur_len - 1))) goto done;
            } else {
                memcpy(nseqs + nb * (len + 1), seqs + b * len, len * sizeof *seqs);
                nseqs[nb * (len + 1) + len] = tok;
                nscores[nb] = top[r].score;
                src[nb] = b;
                nb++;
            }
        }
        if (nb < B) { rc = ia_set_error(IA_ERR_RUNTIME, "seq2seq: fewer than num_beams continuations (vocabulary too small)"); goto done; }
        done_flag = hyps_done(&H, B, p->early_stopping, top[0].score, cur_len, max_len);
        int64_t *sw = seqs; seqs = nseqs; nseqs = sw;
        double *sd = scores; scores = nscores; nscores = sd;
        len++;
        if (!p->no_cache && (rc = past_reorder(&c.past, src, B))) goto done;
    }
    if (B == 1) {
        *n_out = len - 1;
        if (!(*out = ia_malloc((len) * sizeof **out))) { rc = ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); goto done; }
        memcpy(*out, seqs + 1, (len - 1) * sizeof **out);
        goto done;
    }
    if (!done_flag)
        for (size_t b = 0; b < B; b++)
            if ((rc = hyps_add(&H, seqs + b * len, len, scores[b], len - 1))) goto done;
    {
        size_t best = 0;
        for (size_t i = 1; i < H.n; i++) if (H.h[i].score >= H.h[best].score) best = i; /* ties: the later one */
        hyp *h = &H.h[best];
        size_t k = h->len - 1 + (h->len < max_len);
        if (!(*out = ia_malloc((k + 1) * sizeof **out))) { rc = ia_set_error(IA_ERR_NOMEM, "seq2seq: out of memory"); goto done; }
        memcpy(*out, h->ids + 1, (h->len - 1) * sizeof **out);
        if (h->len < max_len) (*out)[h->len - 1] = s->eos;
        *n_out = k;
    }
done:
    for (size_t i = 0; i < 8; i++) { ia_value_destroy(enc_in[i]); ia_value_destroy(enc_out[i]); }
    ia_value_destroy(c.enc_states);
    ia_value_destroy(c.enc_mask_i64);
    ia_value_destroy(c.enc_mask_i32);
    past_clear(&c.past);
    for (size_t i = 0; i < H.n; i++) ia_free(H.h[i].ids);
    ia_free(H.h);
    ia_free(seqs);
    ia_free(nseqs);
    ia_free(lp);
    ia_free(scores);
    ia_free(nscores);
    ia_free(src);
    ia_free(top);
    return rc;
}
