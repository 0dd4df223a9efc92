/* Text tokenizers: Hugging Face tokenizer.json (BPE, WordPiece, Unigram, WordLevel with their
 * normalizers, pre-tokenizers, added tokens, post-processors and decoders), BERT vocab.txt. */
#ifndef IA_TOKENIZER_H
#define IA_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An immutable tokenizer; encode/decode may be called from several threads at once. */
typedef struct ia_tokenizer ia_tokenizer;

/* Loads a tokenizer from `path`:
 *  - a tokenizer.json file (a tokenizer_config.json next to it is read too, when present),
 *  - a model folder holding tokenizer.json (+ tokenizer_config.json) or BERT's vocab.txt,
 *  - a vocab.txt file (BERT uncased WordPiece unless tokenizer_config.json says otherwise),
 *  - a GGUF file (llama.cpp's format): its embedded vocabulary (see ia_tokenizer_load_gguf).
 * Encoding and decoding follow the JavaScript reference (@huggingface/tokenizers, the
 * implementation inside transformers.js). Errors: IA_ERR_IO, IA_ERR_PARSE (malformed file, with
 * the place named in ia_last_error()), IA_ERR_UNSUPPORTED (unknown component type). */
IA_API int ia_tokenizer_load(const char *path, ia_tokenizer **out);

/* Same from memory: `json` is tokenizer.json's text; `config` (may be NULL) tokenizer_config.json's. */
IA_API int ia_tokenizer_load_json(const char *json, size_t json_len, const char *config, size_t config_len,
                                  ia_tokenizer **out);

/* The vocabulary embedded in a GGUF file's metadata (tokenizer.ggml.*), tokenizing as llama.cpp does
 * without parse_special: tokenizer.ggml.model "llama" (SentencePiece BPE: highest-scored merge first,
 * byte fallback, add_space_prefix) and "gpt2" (byte-level BPE with merges, the pre-tokenizer regexes
 * llama.cpp uses for tokenizer.ggml.pre). User-defined tokens are matched in the text; control tokens
 * are not. BOS / EOS are added as add_bos_token / add_eos_token say. Other models or pre-tokenizers:
 * IA_ERR_UNSUPPORTED; a malformed file: IA_ERR_PARSE naming the place. */
IA_API int ia_tokenizer_load_gguf(const void *data, size_t len, ia_tokenizer **out);

IA_API void ia_tokenizer_destroy(ia_tokenizer *t);

/* The result of encoding: `ids` and `type_ids` (token type / segment ids) of `len` tokens, and
 * `attention_mask` (1 for tokens, 0 for padding). Free with ia_encoding_free. */
typedef struct ia_encoding {
    int32_t *ids;
    int32_t *type_ids;
    int32_t *attention_mask;
    size_t len;
} ia_encoding;

IA_API void ia_encoding_free(ia_encoding *e);

/* Options of ia_tokenizer_encode; zero-initialise. */
typedef struct ia_encode_opts {
    int no_special_tokens;  /* 1: do not add the post-processor's special tokens (BOS, [CLS] ...) */
    const char *pair;       /* optional second sequence (NUL-terminated unless pair_len is set) */
    size_t pair_len;
    size_t max_length;      /* truncation when > 0 (from the end, or the start when truncate_left) */
    int truncate_left;
    size_t pad_to;          /* pad to this length when > 0, with the tokenizer's pad token */
    int pad_left;
} ia_encode_opts;

/* Encodes `len` bytes of UTF-8 text (ill-formed bytes become U+FFFD, as a JavaScript TextDecoder
 * would make them). `opts` may be NULL. */
IA_API int ia_tokenizer_encode(const ia_tokenizer *t, const char *text, size_t len, const ia_encode_opts *opts,
                               ia_encoding *out);

/* Decodes ids into UTF-8 text (NUL-terminated, *out freed with ia_free). skip_special drops special
 * tokens. Ids outside the vocabulary decode as the unknown token (or nothing if there is none). */
IA_API int ia_tokenizer_decode(const ia_tokenizer *t, const int32_t *ids, size_t n, int skip_special, char **out,
                               size_t *out_len);

/* Vocabulary size including added tokens (largest id + 1). */
IA_API size_t ia_tokenizer_vocab_size(const ia_tokenizer *t);
/* Id of a token string, or -1. */
IA_API int32_t ia_tokenizer_token_to_id(const ia_tokenizer *t, const char *token);
/* Token string of an id (owned by the tokenizer), or NULL. */
IA_API const char *ia_tokenizer_id_to_token(const ia_tokenizer *t, int32_t id);
/* Pad token id from tokenizer_config.json, or -1; model_max_length (0 = unlimited). */
IA_API int32_t ia_tokenizer_pad_id(const ia_tokenizer *t);
IA_API size_t ia_tokenizer_model_max_length(const ia_tokenizer *t);

#ifdef __cplusplus
}
#endif
#endif
