/* Per-session pool of tensor storage: buffers of intermediates return here when their last
 * reader is done and are reused by later nodes and later runs, so a run with the same input
 * shapes as the previous one allocates nothing; buffers left unused by a run are trimmed. */
#ifndef IA_BUFPOOL_H
#define IA_BUFPOOL_H

#include <stdint.h>
#include "ia/tensor.h"

typedef struct ia_bufpool ia_bufpool;

int ia__bufpool_create(ia_bufpool **out);
/* Drops the session's reference; the pool lives on while tensors from it are alive. */
void ia__bufpool_release(ia_bufpool *p);
/* A tensor whose storage comes from the pool (strings are not pooled), zero-filled when `zero`
 * (its contents are otherwise undefined). */
int ia__bufpool_tensor(ia_bufpool *p, int dtype, int rank, const int64_t *dims, int zero, ia_tensor **out);
/* Marks the start / end of a run; the end frees cached buffers this run did not reuse. */
void ia__bufpool_run_begin(ia_bufpool *p);
void ia__bufpool_run_end(ia_bufpool *p);

typedef struct ia_bufpool_stats {
    uint64_t mallocs;       /* blocks obtained from the system allocator, total */
    uint64_t reuses;        /* blocks handed out from the cache, total */
    uint64_t cached_bytes;  /* bytes currently idle in the cache */
} ia_bufpool_stats;
void ia__bufpool_stats(ia_bufpool *p, ia_bufpool_stats *st);

#endif
