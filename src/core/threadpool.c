/* Thread pool: persistent workers that take contiguous chunks of a parallel-for. Workers spin
 * briefly for new work, then sleep on a condition variable; the caller spins briefly for the
 * workers to finish, then sleeps. Nested calls run serially. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "ia/alloc.h"
#include "ia/threadpool.h"

struct ia_threadpool {
    int nthreads; /* including the caller */
    pthread_t *workers;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* current job */
    ia_parallel_fn fn;
    void *ctx;
    int64_t n, chunk, nchunks;
    int64_t next_chunk; /* atomic */
    int pending;        /* workers still inside the current job (atomic; changed under mu) */
    unsigned generation; /* atomic; changed under mu */
    int stop;            /* atomic; changed under mu */
    int64_t spin_ns;     /* how long a thread spins before sleeping */
    pthread_mutex_t call_mu; /* serialises parallel_for callers */
};

static _Thread_local int in_worker;

/* Between the operators of one inference the workers would otherwise sleep and be woken (a
 * futex round trip, tens of microseconds in a VM) hundreds of times per run: they spin this long
 * first (IA_POOL_SPIN_US overrides; 0 never spins). */
#define DEFAULT_SPIN_NS 100000

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

typedef struct spin_on {
    const unsigned *generation; /* ready when it differs from seen (or the pool stops) */
    unsigned seen;
    const int *pending;         /* or: ready when it is 0 */
} spin_on;

static int spin_ready(const ia_threadpool *p, const spin_on *w) {
    if (w->pending) return __atomic_load_n(w->pending, __ATOMIC_ACQUIRE) == 0;
    return __atomic_load_n(w->generation, __ATOMIC_ACQUIRE) != w->seen || __atomic_load_n(&p->stop, __ATOMIC_RELAXED);
}

/* Spins until w is ready, for at most spin_ns (the clock read every 64 pauses); returns whether it was. */
static int spin_until(const ia_threadpool *p, spin_on w) {
    if (p->spin_ns <= 0) return 0;
    int64_t end = 0;
    for (unsigned i = 0;; i++) {
        if (spin_ready(p, &w)) return 1;
        if ((i & 63) == 0) {
            int64_t t = now_ns();
            if (!end) end = t + p->spin_ns;
            else if (t >= end) return 0;
        }
        cpu_relax();
    }
}

static void run_chunks(ia_threadpool *p, int tid) {
    for (;;) {
        int64_t c = __atomic_fetch_add(&p->next_chunk, 1, __ATOMIC_RELAXED);
        if (c >= p->nchunks) break;
        int64_t b = c * p->chunk, e = b + p->chunk;
        if (e > p->n) e = p->n;
        p->fn(p->ctx, b, e, tid);
    }
}

static void *worker_main(void *arg) {
    ia_threadpool *p = arg;
    in_worker = 1;
    pthread_mutex_lock(&p->mu);
    int tid = 0;
    for (int i = 0; i < p->nthreads - 1; i++)
        if (pthread_equal(p->workers[i], pthread_self())) tid = i + 1;
    unsigned seen = 0; /* generation 0 = no job yet; a late-starting worker must still join job 1 */
    for (;;) {
        if (!p->stop && p->generation == seen) {
            pthread_mutex_unlock(&p->mu);
            spin_until(p, (spin_on){&p->generation, seen, NULL});
            pthread_mutex_lock(&p->mu);
        }
        while (!p->stop && p->generation == seen) pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stop) break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        run_chunks(p, tid);
        pthread_mutex_lock(&p->mu);
        if (__atomic_sub_fetch(&p->pending, 1, __ATOMIC_RELEASE) == 0) pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int ia_threadpool_create(int threads, ia_threadpool **out) {
    *out = NULL;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > 256) threads = 256;
    ia_threadpool *p = ia_calloc(1, sizeof *p);
    if (!p) return IA_ERR_NOMEM;
    p->nthreads = threads;
    const char *spin = getenv("IA_POOL_SPIN_US");
    p->spin_ns = spin && *spin ? (int64_t)strtol(spin, NULL, 10) * 1000 : DEFAULT_SPIN_NS;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->call_mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    if (threads > 1) {
        p->workers = ia_calloc((size_t)threads - 1, sizeof *p->workers);
        if (!p->workers) {
            ia_threadpool_destroy(p);
            return IA_ERR_NOMEM;
        }
        pthread_mutex_lock(&p->mu); /* workers read their index after we publish all ids */
        for (int i = 0; i < threads - 1; i++) {
            if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0) {
                p->nthreads = i + 1;
                break;
            }
        }
        pthread_mutex_unlock(&p->mu);
    }
    *out = p;
    return IA_OK;
}

void ia_threadpool_destroy(ia_threadpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; p->workers && i < p->nthreads - 1; i++) pthread_join(p->workers[i], NULL);
    ia_free(p->workers);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->call_mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    ia_free(p);
}

int ia_threadpool_size(const ia_threadpool *p) { return p ? p->nthreads : 1; }

void ia_parallel_for(ia_threadpool *p, int64_t n, int64_t min_grain, ia_parallel_fn fn, void *ctx) {
    if (n <= 0) return;
    if (min_grain < 1) min_grain = 1;
    if (!p || p->nthreads <= 1 || in_worker || n <= min_grain) {
        fn(ctx, 0, n, 0);
        return;
    }
    pthread_mutex_lock(&p->call_mu);
    int64_t nchunks = p->nthreads * 4;
    int64_t chunk = (n + nchunks - 1) / nchunks;
    if (chunk < min_grain) chunk = min_grain;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->chunk = chunk;
    p->nchunks = (n + chunk - 1) / chunk;
    p->next_chunk = 0;
    p->pending = p->nthreads - 1;
    __atomic_store_n(&p->generation, p->generation + 1, __ATOMIC_RELEASE); /* spinning workers see the job */
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    in_worker = 1;
    run_chunks(p, 0);
    in_worker = 0;
    spin_until(p, (spin_on){NULL, 0, &p->pending});
    pthread_mutex_lock(&p->mu);
    while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) > 0) pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    pthread_mutex_unlock(&p->call_mu);
}
