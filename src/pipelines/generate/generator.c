/* The generation loop for decoder-only models: prefill, then one token per step with the KV
 * cache (present.* outputs handed back as past_key_values.* inputs, no copy), or without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ia/alloc.h"
#include "ia/generate.h"
#include "ia/model_dir.h"
#include "ia/status.h"

enum { ROLE_OTHER, ROLE_IDS, ROLE_MASK, ROLE_POS, ROLE_PAST, ROLE_BRANCH };

struct ia_generator {
    ia_session *s;
    size_t n_in, n_out;
    int *in_role;        /* ROLE_* per input */
    int *in_dtype;
    int64_t (*past_dims)[4]; /* per input (ROLE_PAST): declared dims */
    int *past_src;       /* per input (ROLE_PAST): output index of the matching present.* */
    int logits_out;
    int merged;
    int vocab;
    float *row;          /* the last position's logits of the latest run */
    size_t row_cap;
};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void ia_generator_destroy(ia_generator *g) {
    if (!g) return;
    ia_session_destroy(g->s);
    ia_free(g->in_role);
    ia_free(g->in_dtype);
    ia_free(g->past_dims);
    ia_free(g->past_src);
    ia_free(g->row);
    ia_free(g);
}

int ia_generator_vocab_size(const ia_generator *g) { return g ? g->vocab : -1; }
int ia_generator_is_merged(const ia_generator *g) { return g ? g->merged : 0; }

static int find_output(const ia_session *s, const char *name) {
    for (size_t i = 0; i < ia_session_output_count(s); i++)
        if (!strcmp(ia_session_output_name(s, i), name)) return (int)i;
    return -1;
}

int ia_generator_create(const char *onnx_path, const ia_session_options *opts, ia_generator **out) {
    *out = NULL;
    ia_generator *g = ia_calloc(1, sizeof *g);
    if (!g) return ia_set_error(IA_ERR_NOMEM, "generate: out of memory");
    static const char *const decoder_files[] = {"onnx/decoder_model_merged.onnx", "onnx/model.onnx", "onnx/decoder_model.onnx",
                                                "decoder_model_merged.onnx", "model.onnx", "decoder_model.onnx"};
    char path[4096];
    int rc = ia_model_file_resolve(onnx_path, decoder_files, sizeof decoder_files / sizeof *decoder_files, path, sizeof path, NULL);
    if (!rc) rc = ia_model_session_create(path, opts, &g->s); /* a path or a CID */
    if (rc) { ia_free(g); return rc; }
    g->n_in = ia_session_input_count(g->s);
    g->n_out = ia_session_output_count(g->s);
    g->in_role = ia_calloc(g->n_in + 1, sizeof *g->in_role);
    g->in_dtype = ia_calloc(g->n_in + 1, sizeof *g->in_dtype);
    g->past_dims = ia_calloc(g->n_in + 1, sizeof *g->past_dims);
    g->past_src = ia_calloc(g->n_in + 1, sizeof *g->past_src);
    if (!g->in_role || !g->in_dtype || !g->past_dims || !g->past_src) {
        rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory");
        ia_generator_destroy(g);
        return rc;
    }
    int have_ids = 0, have_mask = 0;
    for (size_t i = 0; i < g->n_in; i++) {
        const char *nm = ia_session_input_name(g->s, i);
        int kind, dtype, rank;
        int64_t dims[IA_MAX_DIMS];
        ia_session_input_type(g->s, i, &kind, &dtype, &rank, dims);
        g->in_dtype[i] = dtype;
        int is_int = dtype == IA_DTYPE_INT64 || dtype == IA_DTYPE_INT32;
        if (!strcmp(nm, "input_ids") && is_int) { g->in_role[i] = ROLE_IDS; have_ids = 1; }
        else if (!strcmp(nm, "attention_mask") && is_int) { g->in_role[i] = ROLE_MASK; have_mask = 1; }
        else if (!strcmp(nm, "position_ids") && is_int) g->in_role[i] = ROLE_POS;
        else if (!strcmp(nm, "use_cache_branch") && dtype == IA_DTYPE_BOOL) { g->in_role[i] = ROLE_BRANCH; g->merged = 1; }
        else if (!strncmp(nm, "past_key_values.", 16)) {
            if (rank != 4 || dims[1] < 0 || dims[3] < 0) {
                rc = ia_set_error(IA_ERR_UNSUPPORTED, "generate: input %s must be [batch, kv_heads, past, head_dim] "
                                                        "with static kv_heads and head_dim", nm);
                ia_generator_destroy(g);
                return rc;
            }
            char want[512];
            snprintf(want, sizeof want, "present.%s", nm + 16);
            int o = find_output(g->s, want);
            if (o < 0) {
                rc = ia_set_error(IA_ERR_UNSUPPORTED, "generate: input %s has no matching output %s", nm, want);
                ia_generator_destroy(g);
                return rc;
            }
            g->in_role[i] = ROLE_PAST;
            g->past_src[i] = o;
            memcpy(g->past_dims[i], dims, sizeof g->past_dims[i]);
        } else {
            rc = ia_set_error(IA_ERR_UNSUPPORTED, "generate: the decoder has an input '%s' the generation loop "
                                                    "does not know how to feed", nm);
            ia_generator_destroy(g);
            return rc;
        }
    }
    g->logits_out = find_output(g->s, "logits");
    if (!have_ids || !have_mask || g->logits_out < 0) {
        rc = ia_set_error(IA_ERR_UNSUPPORTED, "generate: not a decoder: needs inputs input_ids and attention_mask "
                                                "(int64/int32) and an output logits");
        ia_generator_destroy(g);
        return rc;
    }
    int kind, dtype, rank;
    int64_t dims[IA_MAX_DIMS];
    ia_session_output_type(g->s, (size_t)g->logits_out, &kind, &dtype, &rank, dims);
    g->vocab = rank == 3 && dims[2] > 0 ? (int)dims[2] : -1;
    *out = g;
    return IA_OK;
}

/* an integer tensor [batch, n] of dtype int64 or int32 from values */
static int int_input(int dtype, const int64_t *v, size_t batch, size_t n, ia_value **out) {
    int64_t dims[2] = {(int64_t)batch, (int64_t)n};
    ia_tensor *t;
    int rc = ia_tensor_create(dtype, 2, dims, &t);
    if (rc) return rc;
    for (size_t i = 0; i < batch * n; i++) {
        if (dtype == IA_DTYPE_INT64) ((int64_t *)t->data)[i] = v[i];
        else ((int32_t *)t->data)[i] = (int32_t)v[i];
    }
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

static int empty_past(const ia_generator *g, size_t i, size_t batch, ia_value **out) {
    int64_t dims[4] = {(int64_t)batch, g->past_dims[i][1], 0, g->past_dims[i][3]};
    ia_tensor *t;
    int rc = ia_tensor_create(g->in_dtype[i], 4, dims, &t);
    if (rc) return rc;
    rc = ia_value_from_tensor(t, out);
    ia_tensor_release(t);
    return rc;
}

/* The batch being generated: rows of `cap` tokens, row b left-padded by pad[b] positions. */
typedef struct gen_batch {
    size_t batch, cap, len; /* positions [0, len) are filled in every row */
    int64_t *seq;           /* [batch, cap] */
    size_t *pad;
} gen_batch;

/* One model run over positions [start, len) with `past` (NULL entries = empty past) as the
 * cache of positions [0, start). On success each row's last logits are copied to
 * g->row[b * vocab ...] and *outs holds the outputs (caller destroys them). Padding positions
 * have attention_mask 0 and position id 1; real ones count from 0 after the padding. */
static int run_step(ia_generator *g, const gen_batch *gb, size_t start, ia_value **past, ia_value **outs) {
    size_t B = gb->batch, len = gb->len, n = len - start;
    ia_value **ins = ia_calloc(g->n_in + 1, sizeof *ins);
    int64_t *buf = ia_malloc((B * len + 1) * sizeof *buf);
    int rc = IA_OK;
    if (!ins || !buf) { rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory"); goto done; }
    for (size_t i = 0; i < g->n_in && !rc; i++) {
        switch (g->in_role[i]) {
        case ROLE_IDS:
            for (size_t b = 0; b < B; b++) memcpy(buf + b * n, gb->seq + b * gb->cap + start, n * sizeof *buf);
            rc = int_input(g->in_dtype[i], buf, B, n, &ins[i]);
            break;
        case ROLE_MASK:
            for (size_t b = 0; b < B; b++)
                for (size_t k = 0; k < len; k++) buf[b * len + k] = k >= gb->pad[b];
            rc = int_input(g->in_dtype[i], buf, B, len, &ins[i]);
            break;
        case ROLE_POS:
            for (size_t b = 0; b < B; b++)
                for (size_t k = start; k < len; k++)
                    buf[b * n + k - start] = k >= gb->pad[b] ? (int64_t)(k - gb->pad[b]) : 1;
            rc = int_input(g->in_dtype[i], buf, B, n, &ins[i]);
            break;
        case ROLE_PAST:
            if (past && past[i]) rc = ia_value_clone(past[i], &ins[i]); /* shares the tensor */
            else rc = empty_past(g, i, B, &ins[i]);
            break;
        case ROLE_BRANCH: {
            int64_t d1[1] = {1};
            ia_tensor *t;
            rc = ia_tensor_create(IA_DTYPE_BOOL, 1, d1, &t);
            if (rc) break;
            ((uint8_t *)t->data)[0] = start > 0;
            rc = ia_value_from_tensor(t, &ins[i]);
            ia_tensor_release(t);
            break;
        }
        default: rc = ia_set_error(IA_ERR_UNSUPPORTED, "generate: unfed input"); break;
        }
    }
    if (rc) goto done;
    rc = ia_session_run(g->s, ins, g->n_in, outs, g->n_out);
    if (rc) {
        const char *m = ia_session_errmsg(g->s);
        char msg[1024]; /* copied: ia_last_error's buffer is the one being written */
        snprintf(msg, sizeof msg, "%s", m && *m ? m : ia_last_error());
        rc = ia_set_error(rc, "generate: model run failed: %s", msg);
        goto done;
    }
    {
        ia_value *lv = outs[g->logits_out];
        ia_tensor *lt = lv && lv->kind == IA_VALUE_TENSOR ? lv->tensor : NULL;
        if (!lt || lt->dtype != IA_DTYPE_FLOAT || lt->rank != 3 || lt->dims[0] != (int64_t)B ||
            lt->dims[1] != (int64_t)n || lt->dims[2] <= 0 || (g->vocab > 0 && lt->dims[2] != g->vocab)) {
            rc = ia_set_error(IA_ERR_SHAPE, "generate: logits must be float32 [%zu, %zu, vocab]", B, n);
            goto done;
        }
        g->vocab = (int)lt->dims[2];
        size_t V = (size_t)g->vocab;
        if (g->row_cap < B * V) {
            float *r = ia_realloc(g->row, B * V * sizeof *r);
            if (!r) { rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory"); goto done; }
            g->row = r;
            g->row_cap = B * V;
        }
        for (size_t b = 0; b < B; b++)
            memcpy(g->row + b * V, (const float *)lt->data + (b * n + n - 1) * V, V * sizeof(float));
    }
done:
    if (ins)
        for (size_t i = 0; i < g->n_in; i++) ia_value_destroy(ins[i]);
    ia_free(ins);
    ia_free(buf);
    if (rc)
        for (size_t i = 0; i < g->n_out; i++) { ia_value_destroy(outs[i]); outs[i] = NULL; }
    return rc;
}

static int generate_core(ia_generator *g, const int64_t *const *prompts, const size_t *n_prompts, size_t B,
                         int64_t pad_id, const ia_gen_params *p, ia_token_cb cb, void *cb_ctx, int64_t **out_ids,
                         size_t *n_out, ia_gen_stats *stats) {
    for (size_t b = 0; b < B; b++) { out_ids[b] = NULL; n_out[b] = 0; }
    if (stats) memset(stats, 0, sizeof *stats);
    if (!g || !p || B == 0) return ia_set_error(IA_ERR_INVALID_ARG, "generate: no prompts");
    if (p->max_new_tokens < 0) return ia_set_error(IA_ERR_INVALID_ARG, "generate: max_new_tokens < 0");
    size_t maxp = 0;
    for (size_t b = 0; b < B; b++) {
        if (!prompts[b] || n_prompts[b] == 0) return ia_set_error(IA_ERR_INVALID_ARG, "generate: empty prompt");
        if (n_prompts[b] > maxp) maxp = n_prompts[b];
        for (size_t i = 0; i < n_prompts[b]; i++)
            if (prompts[b][i] < 0 || (g->vocab > 0 && prompts[b][i] >= g->vocab))
                return ia_set_error(IA_ERR_INVALID_ARG, "generate: prompt token %lld is outside the vocabulary (%d)",
                                    (long long)prompts[b][i], g->vocab);
    }
    if (pad_id < 0 || (g->vocab > 0 && pad_id >= g->vocab)) pad_id = 0;
    gen_batch gb = {.batch = B, .cap = maxp + (size_t)p->max_new_tokens, .len = maxp};
    gb.seq = ia_malloc((B * gb.cap + 1) * sizeof *gb.seq);
    gb.pad = ia_calloc(B, sizeof *gb.pad);
    uint8_t *done_row = ia_calloc(B, 1);
    ia_value **past = ia_calloc(g->n_in + 1, sizeof *past);
    ia_value **outs = ia_calloc(g->n_out + 1, sizeof *outs);
    size_t *nnew = ia_calloc(B, sizeof *nnew);
    double *probs = NULL;
    int rc = IA_OK;
    if (!gb.seq || !gb.pad || !done_row || !past || !outs || !nnew) {
        rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory");
        goto done;
    }
    for (size_t b = 0; b < B; b++) {
        gb.pad[b] = maxp - n_prompts[b];
        for (size_t k = 0; k < gb.pad[b]; k++) gb.seq[b * gb.cap + k] = pad_id;
        memcpy(gb.seq + b * gb.cap + gb.pad[b], prompts[b], n_prompts[b] * sizeof *gb.seq);
    }
    size_t cached = 0, total_new = 0, n_done = 0;
    ia_rng rng;
    ia_rng_seed(&rng, p->seed);
    double t0 = now_ms(), t_first = t0;
    for (int step = 0; step < p->max_new_tokens && n_done < B; step++) {
        rc = run_step(g, &gb, p->no_cache ? 0 : cached, p->no_cache ? NULL : past, outs);
        if (rc) goto done;
        if (!probs && !(probs = ia_malloc((size_t)g->vocab * sizeof *probs))) {
            rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory");
            goto done;
        }
        if (!p->no_cache) {
            /* present.* become the next step's past: ownership moves, no tensor copy */
            for (size_t i = 0; i < g->n_in; i++) {
                if (g->in_role[i] != ROLE_PAST) continue;
                ia_value_destroy(past[i]);
                past[i] = outs[g->past_src[i]];
                outs[g->past_src[i]] = NULL;
                ia_tensor *pt = past[i] && past[i]->kind == IA_VALUE_TENSOR ? past[i]->tensor : NULL;
                if (!pt || pt->rank != 4 || pt->dims[0] != (int64_t)B || pt->dims[2] != (int64_t)gb.len) {
                    rc = ia_set_error(IA_ERR_SHAPE, "generate: present output for %s does not cover %zu positions",
                                      ia_session_input_name(g->s, i), gb.len);
                    goto done;
                }
            }
            cached = gb.len;
        }
        for (size_t i = 0; i < g->n_out; i++) { ia_value_destroy(outs[i]); outs[i] = NULL; }
        for (size_t b = 0; b < B; b++) {
            int64_t *row = gb.seq + b * gb.cap;
            if (done_row[b]) { /* finished rows keep running on their last token; nothing is kept */
                row[gb.len] = row[gb.len - 1];
                continue;
            }
            rc = ia_sampling_distribution(g->row + b * (size_t)g->vocab, (size_t)g->vocab, p, row + gb.pad[b],
                                          gb.len - gb.pad[b], probs);
            if (rc) goto done;
            int64_t tok = (int64_t)ia_sample_from(probs, (size_t)g->vocab, &rng);
            row[gb.len] = tok;
            nnew[b]++;
            total_new++;
            int stop = 0;
            for (size_t k = 0; k < p->n_stop_ids; k++)
                if (p->stop_ids[k] == tok) stop = 1;
            if (cb && cb(cb_ctx, tok)) stop = 2;
            if (stop) {
                done_row[b] = 1;
                n_done++;
                if (stats && stop == 1) stats->stopped_by_stop_id = 1;
            }
        }
        gb.len++;
        if (step == 0) t_first = now_ms();
    }
    {
        double t_end = now_ms();
        if (stats) {
            stats->new_tokens = total_new;
            stats->ttft_ms = total_new ? t_first - t0 : 0;
            stats->decode_ms = total_new ? t_end - t_first : 0;
            size_t later = total_new > B ? total_new - B : 0; /* tokens after each row's first */
            stats->decode_tokens_per_s = later && t_end > t_first ? (double)later * 1e3 / (t_end - t_first) : 0;
        }
        for (size_t b = 0; b < B; b++) {
            int64_t *res = ia_malloc((nnew[b] + 1) * sizeof *res);
            if (!res) { rc = ia_set_error(IA_ERR_NOMEM, "generate: out of memory"); goto done; }
            memcpy(res, gb.seq + b * gb.cap + maxp, nnew[b] * sizeof *res);
            out_ids[b] = res;
            n_out[b] = nnew[b];
        }
    }
done:
    if (rc)
        for (size_t b = 0; b < B; b++) { ia_free(out_ids[b]); out_ids[b] = NULL; n_out[b] = 0; }
    if (past)
        for (size_t i = 0; i < g->n_in; i++) ia_value_destroy(past[i]);
    if (outs)
        for (size_t i = 0; i < g->n_out; i++) ia_value_destroy(outs[i]);
    ia_free(past);
    ia_free(outs);
    ia_free(gb.seq);
    ia_free(gb.pad);
    ia_free(done_row);
    ia_free(nnew);
    ia_free(probs);
    return rc;
}

int ia_generate(ia_generator *g, const int64_t *prompt, size_t n_prompt, const ia_gen_params *p, ia_token_cb cb,
                void *cb_ctx, int64_t **out_ids, size_t *n_out, ia_gen_stats *stats) {
    return generate_core(g, &prompt, &n_prompt, 1, 0, p, cb, cb_ctx, out_ids, n_out, stats);
}

int ia_generate_batch(ia_generator *g, const int64_t *const *prompts, const size_t *n_prompts, size_t batch,
                      int64_t pad_id, const ia_gen_params *p, int64_t **out_ids, size_t *n_out, ia_gen_stats *stats) {
    if (!prompts || !n_prompts || !out_ids || !n_out || batch == 0)
        return ia_set_error(IA_ERR_INVALID_ARG, "generate: no prompts");
    return generate_core(g, prompts, n_prompts, batch, pad_id, p, NULL, NULL, out_ids, n_out, stats);
}
