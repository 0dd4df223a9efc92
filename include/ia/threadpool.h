/* A fixed-size worker pool with a blocking parallel-for, used by kernels for intra-op threads. */
#ifndef IA_THREADPOOL_H
#define IA_THREADPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "ia/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ia_threadpool ia_threadpool;

/* Work item: process indices [begin, end). `thread_index` is in [0, threads). */
typedef void (*ia_parallel_fn)(void *ctx, int64_t begin, int64_t end, int thread_index);

/* Creates a pool that runs work on `threads` threads in total (the caller counts as one).
 * threads <= 0 picks the number of online CPUs. Idle workers spin for up to 100 microseconds
 * before sleeping, so the back-to-back parallel loops of one inference do not pay a wake-up
 * each; the environment variable IA_POOL_SPIN_US (read at creation) sets another limit, 0
 * never spins. */
IA_API int ia_threadpool_create(int threads, ia_threadpool **out);
IA_API void ia_threadpool_destroy(ia_threadpool *pool);
IA_API int ia_threadpool_size(const ia_threadpool *pool); /* 1 for a NULL pool */

/* Splits [0, n) into contiguous chunks of at least `min_grain` items and runs them on the
 * pool; returns when all are done. A NULL pool, or a nested call from inside a worker,
 * runs serially on the calling thread (no oversubscription). */
IA_API void ia_parallel_for(ia_threadpool *pool, int64_t n, int64_t min_grain, ia_parallel_fn fn,
                            void *ctx);

#ifdef __cplusplus
}
#endif
#endif
