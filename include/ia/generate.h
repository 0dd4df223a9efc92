/* Text generation with decoder-only ONNX models (LLaMA / Qwen2 exports, plain decoder with
 * past_key_values or the merged use_cache_branch form): KV-cache loop, sampling; and pooled embeddings. */
#ifndef IA_GENERATE_H
#define IA_GENERATE_H

#include <stddef.h>
#include <stdint.h>
#include "ia/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sampling and stopping parameters. ia_gen_params_init sets greedy decoding, 32 new tokens,
 * the KV cache on, and every filter off. */
typedef struct ia_gen_params {
    int max_new_tokens;
    int greedy;                /* 1: argmax (the filters below are ignored) */
    float temperature;         /* > 0; 1 = unchanged */
    int top_k;                 /* keep the k most probable tokens; 0 = off */
    float top_p;               /* keep the smallest set with probability mass >= top_p; 1 = off */
    float min_p;               /* drop tokens with p < min_p * max p; 0 = off */
    float repetition_penalty;  /* > 0; 1 = off; applied to tokens already in the sequence */
    uint64_t seed;             /* RNG seed for sampling (same seed, same tokens) */
    const int64_t *stop_ids;   /* generation ends after producing one of these */
    size_t n_stop_ids;
    int no_cache;              /* 1: re-run the whole sequence each step without past (checks) */
} ia_gen_params;

IA_API void ia_gen_params_init(ia_gen_params *p);

/* Timing of one ia_generate call. */
typedef struct ia_gen_stats {
    double ttft_ms;            /* prompt start to first new token (prefill + first sampling) */
    double decode_ms;          /* time of the remaining steps */
    size_t new_tokens;
    double decode_tokens_per_s; /* (new_tokens - 1) / decode time; 0 when fewer than 2 tokens */
    int stopped_by_stop_id;
} ia_gen_stats;

typedef struct ia_generator ia_generator;

/* Opens a decoder model: an ONNX file, or a model folder whose first of onnx/decoder_model_merged.onnx,
 * onnx/model.onnx, onnx/decoder_model.onnx, decoder_model_merged.onnx, model.onnx, decoder_model.onnx
 * is used; by path or by CID (include/ia/model_dir.h). It must have inputs input_ids and attention_mask, optionally
 * position_ids, past_key_values.N.key/value (rank 4: batch, kv_heads, past, head_dim, with
 * static kv_heads and head_dim) and use_cache_branch; outputs logits [batch, seq, vocab] and
 * present.N.key/value. Anything else is an IA_ERR_UNSUPPORTED with the reason. */
IA_API int ia_generator_create(const char *onnx_path, const ia_session_options *opts, ia_generator **out);
IA_API void ia_generator_destroy(ia_generator *g);
IA_API int ia_generator_vocab_size(const ia_generator *g); /* -1 when unknown before a run */
IA_API int ia_generator_is_merged(const ia_generator *g);

/* Called with each new token as soon as it is chosen; return non-zero to stop. */
typedef int (*ia_token_cb)(void *ctx, int64_t token);

/* Generates up to p->max_new_tokens tokens after `prompt` (batch 1). The new tokens (not the
 * prompt) are returned in *out_ids (ia_free) and *n_out; `cb` and `stats` may be NULL. */
IA_API int ia_generate(ia_generator *g, const int64_t *prompt, size_t n_prompt, const ia_gen_params *p,
                       ia_token_cb cb, void *cb_ctx, int64_t **out_ids, size_t *n_out, ia_gen_stats *stats);

/* Generates for `batch` prompts at once, left-padded with pad_id (attention_mask 0, position
 * ids counting from 0 after the padding). out_ids[b] (ia_free) and n_out[b] receive row b's new
 * tokens; a row ends at a stop id (it keeps running on its last token until every row has ended or
 * max_new_tokens is reached). stats->new_tokens counts all rows; decode tokens/s counts the tokens
 * after each row's first. Results per row equal those of ia_generate on that prompt alone up to
 * floating-point differences of padded attention (greedy ids are checked equal in oracle_generate). */
IA_API int ia_generate_batch(ia_generator *g, const int64_t *const *prompts, const size_t *n_prompts, size_t batch,
                             int64_t pad_id, const ia_gen_params *p, int64_t **out_ids, size_t *n_out,
                             ia_gen_stats *stats);

/* --- sampling building blocks (exposed for tests) --- */

/* Writes into probs[0..n) the distribution that sampling draws from after repetition penalty
 * (over `history`), temperature, top-k, top-p and min-p, in that order; excluded ids get 0.
 * With p->greedy, a one-hot on the argmax (lowest id on ties). */
IA_API int ia_sampling_distribution(const float *logits, size_t n, const ia_gen_params *p, const int64_t *history,
                                    size_t n_history, double *probs);

/* A small seeded PRNG (xoshiro256**, seeded through splitmix64). */
typedef struct ia_rng { uint64_t s[4]; } ia_rng;
IA_API void ia_rng_seed(ia_rng *r, uint64_t seed);
IA_API uint64_t ia_rng_next(ia_rng *r);
IA_API double ia_rng_uniform(ia_rng *r); /* [0, 1) with 53 random bits */

/* Draws an id from probs[0..n) (need not be normalised; non-negative, not all zero). */
IA_API size_t ia_sample_from(const double *probs, size_t n, ia_rng *r);

/* --- sentence embeddings with encoder models (BERT family; src/pipelines/tasks/embed.c) --- */

enum { IA_POOL_MEAN = 0, IA_POOL_CLS = 1 };

/* Pools hidden states [batch, seq, dim] into out [batch, dim]: IA_POOL_MEAN averages the
 * positions whose mask is non-zero (mask [batch, seq]; NULL = all), IA_POOL_CLS takes position
 * 0; with `normalize`, each row is divided by its L2 norm (at least 1e-12). */
IA_API int ia_embed_pool(const float *hidden, int64_t batch, int64_t seq, int64_t dim, const int64_t *mask,
                         int pooling, int normalize, float *out);

/* Runs an encoder session on ids/mask [batch, seq] (token_type_ids, when the model has that
 * input, all 0) and pools its first output (or last_hidden_state) into *out [batch, *dim]
 * (ia_free). Int32 or int64 inputs are accepted. */
IA_API int ia_embed_run(ia_session *s, const int64_t *ids, const int64_t *mask, int64_t batch, int64_t seq,
                        int pooling, int normalize, float **out, int64_t *dim);

/* --- model folder settings (src/pipelines/generate/gen_config.c) --- */

/* What generation takes from a model folder: eos_token_id (number or list) of
 * generation_config.json, else of config.json, and the context length (max_position_embeddings,
 * else n_positions, else 0 = unknown) of config.json. */
typedef struct ia_gen_config {
    int64_t eos_ids[16];
    size_t n_eos;
    int64_t max_context;
} ia_gen_config;

/* Reads the fields above from one JSON document into *c (fields it lacks are left as they are).
 * Malformed JSON is IA_ERR_PARSE; wrong field types are ignored. */
IA_API int ia_gen_config_parse(const char *json, size_t len, ia_gen_config *c);
/* Zeroes *c, then reads DIR/config.json and DIR/generation_config.json when present (the latter
 * wins for eos_token_id). Missing files are not an error; malformed ones are. */
IA_API int ia_gen_config_load_dir(const char *dir, ia_gen_config *c);

#ifdef __cplusplus
}
#endif
#endif
