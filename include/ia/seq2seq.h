/* Encoder-decoder generation (T5 exports in Hugging Face Optimum's layout): the encoder once, the
 * decoder step by step with its past (merged decoder, or decoder + decoder_with_past), greedy and
 * beam search as transformers' generate does them. */
#ifndef IA_SEQ2SEQ_H
#define IA_SEQ2SEQ_H

#include <stddef.h>
#include <stdint.h>
#include "ia/session.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { IA_EARLY_STOP_FALSE = 0, IA_EARLY_STOP_TRUE = 1, IA_EARLY_STOP_NEVER = 2 };

/* Search parameters; ia_seq2seq_params_init sets greedy, 20 new tokens, length_penalty 1,
 * early_stopping false, the cache on. */
typedef struct ia_seq2seq_params {
    int max_new_tokens;    /* decoder tokens after the start token (the eos counts) */
    int num_beams;         /* 1: greedy */
    double length_penalty; /* finished hypotheses score sum(log p) / generated_len^length_penalty */
    int early_stopping;    /* IA_EARLY_STOP_*: stop once num_beams hypotheses are finished (TRUE), when
                              no open beam can beat the worst of them (FALSE: at the current length;
                              NEVER: at max length when length_penalty > 0) */
    int no_cache;          /* 1: run the first decoder over the whole sequence each step (a check) */
} ia_seq2seq_params;
IA_API void ia_seq2seq_params_init(ia_seq2seq_params *p);

/* Decoder forms of a model folder. AUTO takes onnx/decoder_model_merged.onnx when present, else
 * onnx/decoder_model.onnx with onnx/decoder_with_past_model.onnx when both are present, else
 * onnx/decoder_model.onnx alone (fed its own present.* back when it has past inputs, else run
 * over the whole sequence each step). */
enum { IA_S2S_AUTO = 0, IA_S2S_MERGED, IA_S2S_WITH_PAST };

typedef struct ia_seq2seq ia_seq2seq;

/* Opens DIR (onnx/encoder_model.onnx and the decoder files above). decoder_start_token_id and
 * eos_token_id come from generation_config.json, else config.json (defaults 0 and 1). Decoder
 * inputs understood: input_ids, encoder_attention_mask, encoder_hidden_states, use_cache_branch,
 * past_key_values.* (rank 4 [batch, heads, length, head_dim], static heads and head_dim; fed the
 * previous step's present.* of the same name, or empty at the first step); anything else is
 * IA_ERR_UNSUPPORTED naming it. */
IA_API int ia_seq2seq_open(const char *dir, const ia_session_options *opts, int form, ia_seq2seq **out);
IA_API void ia_seq2seq_close(ia_seq2seq *s);

/* Reads decoder_start_token_id and eos_token_id (a number, or a list: its first) from one
 * config.json / generation_config.json text into *start / *eos (left as they are when absent or
 * not a non-negative integer). Malformed JSON or a non-object: IA_ERR_PARSE. */
IA_API int ia_seq2seq_config_parse(const char *json, size_t len, int64_t *start, int64_t *eos);
IA_API int64_t ia_seq2seq_eos(const ia_seq2seq *s);
IA_API int64_t ia_seq2seq_decoder_start(const ia_seq2seq *s);

/* Generates for one input (encoder ids, attention mask all ones). *out (ia_free) receives the
 * decoder tokens after the start token, ending with eos when the best hypothesis finished. */
IA_API int ia_seq2seq_generate(ia_seq2seq *s, const int64_t *ids, size_t n, const ia_seq2seq_params *p,
                               int64_t **out, size_t *n_out);

#ifdef __cplusplus
}
#endif
#endif
