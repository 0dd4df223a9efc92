/* Encoder text tasks on a model folder (transformers.js layout): sequence classification, fill-mask
 * and token classification (NER) with the post-processing of transformers.js's pipelines. */
#ifndef IA_TEXT_TASKS_H
#define IA_TEXT_TASKS_H

#include <stddef.h>
#include <stdint.h>
#include "ia/session.h"
#include "ia/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the tasks take from config.json: id2label (labels[i] for class i; NULL where missing, shown
 * as LABEL_i) and problem_type (multi_label_classification: sigmoid scores instead of softmax). */
typedef struct ia_task_config {
    char **labels;
    size_t n_labels;
    int multi_label;
} ia_task_config;

/* Parses config.json's text into *c (ia_task_config_free). Malformed JSON or a non-object is
 * IA_ERR_PARSE; an id2label key that is not a number below 100000 is IA_ERR_PARSE naming it. */
IA_API int ia_task_config_parse(const char *json, size_t len, ia_task_config *c);
IA_API void ia_task_config_free(ia_task_config *c);

/* A model folder opened for a task: onnx/model.onnx (else model.onnx), tokenizer.json and
 * config.json. Inputs fed: input_ids, attention_mask (ones), token_type_ids (the tokenizer's type
 * ids); the output used is `logits` (else the first). Text is truncated to the tokenizer's
 * model_max_length, as transformers.js does. */
typedef struct ia_text_task ia_text_task;
IA_API int ia_text_task_open(const char *dir, const ia_session_options *opts, ia_text_task **out);
IA_API void ia_text_task_close(ia_text_task *t);
IA_API const ia_tokenizer *ia_text_task_tokenizer(const ia_text_task *t);
IA_API const ia_task_config *ia_text_task_config(const ia_text_task *t);
/* Label name of class i: id2label's entry, else "LABEL_i" written into buf. */
IA_API const char *ia_text_task_label(const ia_text_task *t, size_t i, char *buf, size_t cap);

/* One label and its score. */
typedef struct ia_label_score {
    size_t label;
    double score;
} ia_label_score;

/* Sequence classification of one text: softmax (sigmoid when multi-label) over the logits
 * [1, n_labels], the top_k best (all when top_k <= 0 or larger) in descending score order, ties by
 * lower id. out holds room for n_labels entries (ia_text_task_config(t)->n_labels or the logits'
 * width: pass cap); *n_out receives the count. */
IA_API int ia_text_classify(ia_text_task *t, const char *text, size_t len, int top_k, ia_label_score *out,
                            size_t cap, size_t *n_out);

/* One fill-mask candidate: token id, its softmax score at the mask, the token decoded alone, and the
 * input with the mask replaced, decoded (special tokens skipped when the input has one mask). */
typedef struct ia_mask_fill {
    int32_t token;
    double score;
    char *token_str;
    char *sequence;
} ia_mask_fill;

/* Fill-mask: for each mask token of the text (in order), its top_k candidates. *out
 * (ia_mask_fills_free) has n_masks * k entries, mask m's at [m*k, m*k+k). No mask: IA_ERR_INVALID_ARG. */
IA_API int ia_text_fill_mask(ia_text_task *t, const char *text, size_t len, int top_k, ia_mask_fill **out,
                             size_t *n_masks, size_t *k);
IA_API void ia_mask_fills_free(ia_mask_fill *f, size_t n);

/* Token classification aggregation strategies. NONE and SIMPLE are transformers.js's pipeline
 * (tokens whose label is ignored are dropped first; SIMPLE groups B-/I-/E-/S- tags). FIRST, AVERAGE
 * and MAX are Python transformers' word-level strategies (a token starting with "##" continues the
 * word; the word takes the first token's scores, the mean score vector, or the scores of its most
 * confident token), then its B-/I- grouping, then the ignored labels are dropped. */
enum { IA_AGG_NONE = 0, IA_AGG_SIMPLE, IA_AGG_FIRST, IA_AGG_AVERAGE, IA_AGG_MAX };
IA_API int ia_aggregation_from_name(const char *name); /* -1 when unknown */

/* An entity: `entity` is the label (NONE) or the group's tag (other strategies), `index` the token
 * position (NONE; -1 otherwise), `word` the decoded token(s) without special tokens. */
typedef struct ia_ner_entity {
    char *entity;
    double score;
    int64_t index;
    char *word;
} ia_ner_entity;

/* Token classification of one text. `ignore` lists labels to drop (NULL with n_ignore 0: none;
 * transformers' default is {"O"}). *out (ia_ner_free) receives *n entities. Tokens that decode to
 * nothing with special tokens skipped ([CLS], [SEP], [UNK] ...) are left out, as transformers.js does. */
IA_API int ia_text_ner(ia_text_task *t, const char *text, size_t len, int aggregation, const char *const *ignore,
                       size_t n_ignore, ia_ner_entity **out, size_t *n);
IA_API void ia_ner_free(ia_ner_entity *e, size_t n);

#ifdef __cplusplus
}
#endif
#endif
