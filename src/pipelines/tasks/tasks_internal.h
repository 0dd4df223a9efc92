/* Internals shared by the encoder text tasks (classify, fill-mask, ner): running the model on a text
 * and small numeric helpers. */
#ifndef IA_TASKS_INTERNAL_H
#define IA_TASKS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "ia/text_tasks.h"

/* Encodes `text` (special tokens added, truncated to model_max_length) into *enc and runs the model:
 * *logits (ia_free) of shape dims[0..rank) (rank 2 or 3, batch 1). */
int ia__text_task_logits(ia_text_task *t, const char *text, size_t len, ia_encoding *enc, float **logits,
                         int64_t dims[3], int *rank);

/* Softmax of x[0..n) into p (in double, max subtracted). */
void ia__softmax_d(const float *x, size_t n, double *p);

/* Indices of the k largest p (descending; ties by lower index) into idx; returns the count
 * (min(k, n); all when k <= 0); 0 when out of memory. */
size_t ia__topk_d(const double *p, size_t n, int k, size_t *idx);

#endif
