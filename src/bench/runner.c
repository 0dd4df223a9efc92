/* The benchmark runner: per configuration, load time, first inference, warm-up, then timed
 * iterations in slices (interleaved round-robin across configurations) until minimum iterations
 * and time are met and the bootstrap CI of the median is narrow enough, or max time is reached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"


void ia_bench_options_init(ia_bench_options *o) {
    memset(o, 0, sizeof *o);
    o->warmup = 2;
    o->min_iters = 10;
    o->max_iters = 100000;
    o->min_time_s = 2;
    o->max_time_s = 60;
    o->target_rel_ci = 0.02;
    o->interleave = 1;
    o->slice_s = 0.25;
    o->seed = 0x1234abcd;
}

void ia_bench_result_free(ia_bench_result *r) {
    if (!r) return;
    ia_free(r->samples);
    r->samples = NULL;
    r->n_samples = 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* Resets the kernel's peak-RSS mark (Linux clear_refs "5"); harmless when not permitted. */
static void reset_hwm(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) { fputs("5", f); fclose(f); }
}

static uint64_t read_hwm(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %llu kB", &kb) == 1) break;
    fclose(f);
    return kb * 1024ull;
}

typedef struct slot {
    ia_session *s;
    /* browser devices: the shared session (borrowed from the cache) and page-side times */
    ia__web_entry *we;
    ia_web_session *ws;
    double *page;
    /* browser pool: the pool (borrowed), input names, requests per iteration, last error */
    ia_web_pool *pool;
    char **in_names;
    int conc;
    char pool_err[320];
    /* IA_BENCH_GENERATE */
    ia_generator *gen;
    int64_t *prompt;       /* seq ids */
    const int64_t **prompts; /* batch pointers to prompt */
    size_t *gen_n;         /* batch */
    int64_t batch, seq;
    ia_gen_params gp;
    double last_ttft, last_dtps;
    double *ttft, *dtps;   /* per iteration, same count as samples */
    size_t gen_new;
    ia_value **in, **out;
    size_t n_in, n_out;
    double *samples;
    size_t n, cap;
    size_t next_check;  /* sample count at which the next costly stop check runs */
    double elapsed_ms, cpu_ms;
    int active;
} slot;

static void slot_free(slot *sl) {
    if (sl->in) for (size_t k = 0; k < sl->n_in; k++) ia_value_destroy(sl->in[k]);
    if (sl->out) for (size_t k = 0; k < sl->n_out; k++) ia_value_destroy(sl->out[k]);
    ia_free(sl->in);
    ia_free(sl->out);
    ia_session_destroy(sl->s);
    sl->s = NULL;
    ia__web_release(sl->we);
    sl->we = NULL;
    sl->ws = NULL;
    sl->pool = NULL;
    if (sl->in_names) for (size_t k = 0; k < sl->n_in; k++) ia_free(sl->in_names[k]);
    ia_free(sl->in_names);
    sl->in_names = NULL;
    ia_free(sl->page);
    sl->page = NULL;
    ia_generator_destroy(sl->gen);
    sl->gen = NULL;
    ia_free(sl->prompt);
    ia_free(sl->prompts);
    ia_free(sl->gen_n);
    ia_free(sl->ttft);
    ia_free(sl->dtps);
    sl->prompt = NULL;
    sl->prompts = NULL;
    sl->gen_n = NULL;
    sl->ttft = sl->dtps = NULL;
    sl->in = sl->out = NULL;
    sl->active = 0;
}

/* one greedy generation (batch prompts); keeps the time to first token and decode tokens/s */
static int gen_once(slot *sl) {
    ia_gen_stats st;
    int rc;
    if (sl->batch == 1) {
        int64_t *ids = NULL;
        size_t n = 0;
        rc = ia_generate(sl->gen, sl->prompt, (size_t)sl->seq, &sl->gp, NULL, NULL, &ids, &n, &st);
        ia_free(ids);
    } else {
        int64_t **ids = ia_calloc((size_t)sl->batch, sizeof *ids);
        if (!ids) return ia_set_error(IA_ERR_NOMEM, "out of memory");
        size_t *np = ia_calloc((size_t)sl->batch, sizeof *np);
        for (int64_t b = 0; b < sl->batch; b++) np[b] = (size_t)sl->seq;
        rc = np ? ia_generate_batch(sl->gen, sl->prompts, np, (size_t)sl->batch, 0, &sl->gp, ids, sl->gen_n, &st)
                : ia_set_error(IA_ERR_NOMEM, "out of memory");
        for (int64_t b = 0; b < sl->batch; b++) ia_free(ids[b]);
        ia_free(ids);
        ia_free(np);
    }
    if (rc) return rc;
    sl->last_ttft = st.ttft_ms;
    sl->last_dtps = st.decode_tokens_per_s;
    sl->gen_new = st.new_tokens;
    return IA_OK;
}

static int run_once(slot *sl) {
    if (sl->gen) return gen_once(sl);
    if (sl->pool)
        return ia__web_pool_iteration(sl->pool, sl->we->model, (const char *const *)sl->in_names, sl->in, sl->n_in, sl->n_out, sl->conc,
                                      sl->pool_err, sizeof sl->pool_err);
    for (size_t k = 0; k < sl->n_out; k++) { ia_value_destroy(sl->out[k]); sl->out[k] = NULL; }
    if (sl->ws) return ia_web_session_run(sl->ws, sl->in, sl->n_in, sl->out, sl->n_out);
    return ia_session_run(sl->s, sl->in, sl->n_in, sl->out, sl->n_out);
}

static void fail(ia_bench_result *r, const char *what, const char *msg) {
    r->status = IA_BENCH_FAILED;
    snprintf(r->reason, sizeof r->reason, "%s: %s", what, msg);
}

static const char *run_error(const slot *sl) {
    return sl->gen ? ia_last_error() : sl->pool ? sl->pool_err : sl->ws ? ia_web_session_errmsg(sl->ws) : ia_session_errmsg(sl->s);
}

/* page-side session.run time of the last browser run */
static double page_ms(const slot *sl) {
    ia_web_run_stats st;
    ia_web_session_last_stats(sl->ws, &st);
    return st.page_ms;
}

/* browser device: the shared session (launched on first use), the CPU path's inputs, first
 * inference, warm-up; an unavailable device leaves r unavailable with the browser's reason */
static void prepare_web(const ia_bench_config *c, const ia_bench_options *o, ia__web_cache *wc, slot *sl, ia_bench_result *r) {
    reset_hwm();
    sl->we = ia__web_acquire(wc, c, r);
    if (!sl->we) return; /* unavailable or failed: r says why */
    if (sl->we->pool) { /* browsers x pages: inputs by name, first request loads the model in a page */
        sl->pool = sl->we->pool;
        sl->conc = c->mode == IA_BENCH_THROUGHPUT ? sl->we->browsers * sl->we->pages : 1;
        if (ia__web_pool_inputs(c, o, &sl->in_names, &sl->in, &sl->n_in, &sl->n_out)) { fail(r, "inputs", ia_last_error()); slot_free(sl); return; }
        double t0 = now_ms();
        int rc = run_once(sl);
        if (rc) {
            /* the device itself missing (a WebNN context, a WebGPU adapter) is the browser's answer */
            if (rc == IA_ERR_UNAVAILABLE) { r->status = IA_BENCH_UNAVAILABLE; snprintf(r->reason, sizeof r->reason, "%s", sl->pool_err); }
            else fail(r, "first inference", sl->pool_err);
            slot_free(sl);
            return;
        }
        r->first_ms = now_ms() - t0;
        for (int w = 0; w < o->warmup; w++)
            if (run_once(sl)) { fail(r, "warm-up", sl->pool_err); slot_free(sl); return; }
        r->peak_rss_bytes = read_hwm();
        sl->active = 1;
        return;
    }
    sl->ws = sl->we->ws;
    sl->n_in = ia_web_session_input_count(sl->ws);
    sl->n_out = ia_web_session_output_count(sl->ws);
    sl->in = ia_calloc(sl->n_in + 1, sizeof *sl->in);
    sl->out = ia_calloc(sl->n_out + 1, sizeof *sl->out);
    if (!sl->in || !sl->out) { fail(r, "inputs", "out of memory"); slot_free(sl); return; }
    if (ia__web_make_inputs(sl->ws, c, o, sl->in, sl->n_in)) { fail(r, "inputs", ia_last_error()); slot_free(sl); return; }
    double t0 = now_ms();
    if (run_once(sl)) { fail(r, "first inference", ia_web_session_errmsg(sl->ws)); slot_free(sl); return; }
    r->first_ms = now_ms() - t0;
    r->page_first_ms = page_ms(sl);
    for (int w = 0; w < o->warmup; w++)
        if (run_once(sl)) { fail(r, "warm-up", ia_web_session_errmsg(sl->ws)); slot_free(sl); return; }
    r->peak_rss_bytes = read_hwm();
    sl->active = 1;
}

/* generate mode: generator, the prompt (a tokenized text, or seeded ids below the vocabulary), greedy or
 * sampled generation, first generation, warm-up */
static void prepare_gen(const ia_bench_config *c, const ia_bench_options *o, slot *sl, ia_bench_result *r) {
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = c->threads;
    reset_hwm();
    double t0 = now_ms();
    if (ia_generator_create(c->model, &so, &sl->gen)) { fail(r, "load", ia_last_error()); return; }
    r->load_ms = now_ms() - t0;
    sl->batch = c->batch;
    sl->seq = c->seq;
    ia_gen_params_init(&sl->gp);
    sl->gp.greedy = 1;
    sl->gp.max_new_tokens = c->gen_tokens > 0 ? c->gen_tokens : 32;
    if (c->gen && c->gen->sample) { /* sampling: the same seed every iteration, so the same tokens and work */
        sl->gp.greedy = 0;
        sl->gp.temperature = c->gen->temperature;
        sl->gp.top_k = c->gen->top_k;
        sl->gp.top_p = c->gen->top_p;
        sl->gp.seed = c->gen->seed;
    }
    if (c->gen && c->gen->prompt && (size_t)c->seq != c->gen->n_prompt) {
        fail(r, "inputs", "the sequence length must be the text prompt's token count");
        slot_free(sl);
        return;
    }
    sl->prompt = ia_calloc((size_t)c->seq + 1, sizeof *sl->prompt);
    sl->prompts = ia_calloc((size_t)c->batch + 1, sizeof *sl->prompts);
    sl->gen_n = ia_calloc((size_t)c->batch + 1, sizeof *sl->gen_n);
    if (!sl->prompt || !sl->prompts || !sl->gen_n) { fail(r, "inputs", "out of memory"); slot_free(sl); return; }
    for (int64_t b = 0; b < c->batch; b++) sl->prompts[b] = sl->prompt;
    /* the vocabulary size is known after a run: the first generation uses id 0 throughout */
    t0 = now_ms();
    if (run_once(sl)) { fail(r, "first inference", ia_last_error()); slot_free(sl); return; }
    r->first_ms = now_ms() - t0;
    int vocab = ia_generator_vocab_size(sl->gen);
    if (c->gen && c->gen->prompt) { /* a tokenized text: its ids must index the model's embedding */
        for (size_t i = 0; i < c->gen->n_prompt; i++) {
            if (c->gen->prompt[i] < 0 || (vocab > 0 && c->gen->prompt[i] >= vocab)) {
                char msg[200];
                snprintf(msg, sizeof msg, "prompt token %zu has id %lld, outside the model's vocabulary of %d", i,
                         (long long)c->gen->prompt[i], vocab);
                fail(r, "inputs", msg);
                slot_free(sl);
                return;
            }
            sl->prompt[i] = c->gen->prompt[i];
        }
    }
    uint64_t st = o->seed;
    for (int64_t i = 0; i < c->seq && !(c->gen && c->gen->prompt); i++) {
        uint64_t z = (st += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        sl->prompt[i] = vocab > 0 ? (int64_t)((z ^ (z >> 31)) % (uint64_t)vocab) : 0;
    }
    for (int w = 0; w < o->warmup; w++)
        if (run_once(sl)) { fail(r, "warm-up", ia_last_error()); slot_free(sl); return; }
    r->peak_rss_bytes = read_hwm();
    sl->active = 1;
}

/* load, inputs, first inference, warm-up; leaves sl active or r failed */
static void prepare(const ia_bench_config *c, const ia_bench_options *o, ia__web_cache *wc, slot *sl, ia_bench_result *r) {
    if (ia__bench_is_web_device(c->device)) {
        if (c->mode == IA_BENCH_GENERATE) {
            r->status = IA_BENCH_UNAVAILABLE;
            snprintf(r->reason, sizeof r->reason, "--mode generate runs on the CPU engine only; %s runs one forward pass per iteration", c->device);
            ia__web_release(ia__web_find(wc, c));
            return;
        }
        prepare_web(c, o, wc, sl, r);
        return;
    }
    if (c->mode == IA_BENCH_GENERATE) { prepare_gen(c, o, sl, r); return; }
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = c->threads;
    reset_hwm();
    double t0 = now_ms();
    if (ia_session_create(c->model, &so, &sl->s)) { fail(r, "load", ia_last_error()); return; }
    r->load_ms = now_ms() - t0;
    sl->n_in = ia_session_input_count(sl->s);
    sl->n_out = ia_session_output_count(sl->s);
    sl->in = ia_calloc(sl->n_in + 1, sizeof *sl->in);
    sl->out = ia_calloc(sl->n_out + 1, sizeof *sl->out);
    if (!sl->in || !sl->out) { fail(r, "inputs", "out of memory"); slot_free(sl); return; }
    if (ia__bench_make_inputs(sl->s, c, o, sl->in, sl->n_in)) { fail(r, "inputs", ia_last_error()); slot_free(sl); return; }
    t0 = now_ms();
    if (run_once(sl)) { fail(r, "first inference", ia_session_errmsg(sl->s)); slot_free(sl); return; }
    r->first_ms = now_ms() - t0;
    for (int w = 0; w < o->warmup; w++)
        if (run_once(sl)) { fail(r, "warm-up", ia_session_errmsg(sl->s)); slot_free(sl); return; }
    r->peak_rss_bytes = read_hwm();
    sl->active = 1;
}

/* one slice of timed iterations; returns 0, or -1 when an iteration failed */
static int run_slice(slot *sl, double slice_ms, const ia_bench_options *o, ia_bench_result *r) {
    reset_hwm();
    double c0 = cpu_ms(), start = now_ms(), t1;
    do {
        if (sl->n == sl->cap) {
            size_t nc = sl->cap ? sl->cap * 2 : 256;
            double *ns = ia_realloc(sl->samples, nc * sizeof *ns);
            if (!ns) { fail(r, "samples", "out of memory"); return -1; }
            sl->samples = ns;
            if (sl->gen) {
                double *a = ia_realloc(sl->ttft, nc * sizeof *a);
                if (a) sl->ttft = a;
                double *b = a ? ia_realloc(sl->dtps, nc * sizeof *b) : NULL;
                if (b) sl->dtps = b;
                if (!a || !b) { fail(r, "samples", "out of memory"); return -1; }
            }
            if (sl->ws) {
                double *pg = ia_realloc(sl->page, nc * sizeof *pg);
                if (!pg) { fail(r, "samples", "out of memory"); return -1; }
                sl->page = pg;
            }
            sl->cap = nc;
        }
        double t0 = now_ms();
        int rc = run_once(sl);
        t1 = now_ms();
        if (rc) {
            char msg[480];
            snprintf(msg, sizeof msg, "iteration %zu: %s", sl->n + 1, run_error(sl));
            fail(r, "run", msg);
            return -1;
        }
        if (sl->gen) { sl->ttft[sl->n] = sl->last_ttft; sl->dtps[sl->n] = sl->last_dtps; }
        if (sl->ws) sl->page[sl->n] = page_ms(sl);
        sl->samples[sl->n++] = t1 - t0;
        sl->elapsed_ms += t1 - t0;
    } while (t1 - start < slice_ms && sl->n < (size_t)o->max_iters); /* t1: no third clock read per iteration */
    sl->cpu_ms += cpu_ms() - c0;
    uint64_t hwm = read_hwm();
    if (hwm > r->peak_rss_bytes) r->peak_rss_bytes = hwm;
    return 0;
}

/* bootstrap resamples, bounded so that a check costs about the same for any sample count (above
 * IA_STATS_BOOTSTRAP_MAX_N samples the CI is an order-statistic interval and costs O(n)) */
static int boot_count(size_t n, int want, size_t budget) {
    size_t b = budget / (n ? n : 1);
    if (b > (size_t)want) b = (size_t)want;
    if (b < 200) b = 200;
    return (int)b;
}

static int finished(slot *sl, const ia_bench_options *o, ia_bench_result *r) {
    if (sl->n >= (size_t)o->max_iters || sl->elapsed_ms >= o->max_time_s * 1e3) {
        r->hit_max_time = 1;
        return 1;
    }
    if (sl->n < (size_t)o->min_iters || sl->elapsed_ms < o->min_time_s * 1e3) return 0;
    /* the check costs up to ~4e6 resampled values or a sort of the samples; above 2000 samples it
     * runs only after the sample count grew by a quarter, so its total cost stays a bounded
     * fraction of the timed iterations however short they are */
    if (sl->n > 2000 && sl->n < sl->next_check) return 0;
    sl->next_check = sl->n + sl->n / 4;
    /* only the median and its CI: selections, no sort */
    double med = ia__stats_median(sl->samples, sl->n), lo, hi;
    if (med != med || ia_stats_bootstrap_median_ci(sl->samples, sl->n, 0.95, boot_count(sl->n, 500, 4000000), o->seed, &lo, &hi)) return 1;
    return (hi - lo) / 2 <= o->target_rel_ci * med;
}

static double median_of(const double *x, size_t n) { return ia_stats_quantile(x, n, 0.5); }

static int complete(const ia_bench_config *c, const ia_bench_options *o, slot *sl, ia_bench_result *r) {
    if (r->status == IA_BENCH_OK) {
        if (ia_stats_summarize(sl->samples, sl->n, 0.95, boot_count(sl->n, 2000, 20000000), o->seed, &r->s)) {
            fail(r, "statistics", ia_last_error());
        } else {
            r->throughput = r->s.median > 0 ? (double)c->batch * (sl->conc > 1 ? sl->conc : 1) * 1e3 / r->s.median : 0;
            r->cpu_ms = sl->n ? sl->cpu_ms / (double)sl->n : 0;
            if (sl->gen) {
                /* medians over iterations; throughput = new tokens (all rows) per second end to end */
                r->ttft_ms = median_of(sl->ttft, sl->n);
                r->decode_tokens_per_s = median_of(sl->dtps, sl->n);
                r->prefill_tokens_per_s = r->ttft_ms > 0 ? (double)(c->batch * c->seq) * 1e3 / r->ttft_ms : 0;
                r->new_tokens = sl->gen_new;
                r->throughput = r->s.median > 0 ? (double)sl->gen_new * 1e3 / r->s.median : 0;
            } else if (sl->pool) {
                ia_web_pool_stats ps;
                ia_web_pool_get_stats(sl->pool, &ps);
                snprintf(r->reason, sizeof r->reason,
                         "browser pool %dx%d, %d request%s per iteration; pool totals so far: %llu requests, %llu failed, %llu retried, %llu browser restarts, "
                         "%llu model loads",
                         sl->we->browsers, sl->we->pages, sl->conc, sl->conc == 1 ? "" : "s", (unsigned long long)ps.requests,
                         (unsigned long long)ps.failed, (unsigned long long)ps.retried, (unsigned long long)ps.restarts,
                         (unsigned long long)ps.loads);
            } else if (sl->ws) {
                r->page_median_ms = median_of(sl->page, sl->n);
            } else {
                ia_run_stats st;
                ia_session_last_stats(sl->s, &st);
                r->engine_peak_bytes = st.peak_bytes;
            }
            r->samples = sl->samples;
            r->n_samples = sl->n;
            sl->samples = NULL;
            if (r->hit_max_time && r->reason[0]) {
                size_t l = strlen(r->reason);
                snprintf(r->reason + l, sizeof r->reason - l, "; stopped at the time/iteration cap before the CI of the median reached +/-%.1f%%",
                         o->target_rel_ci * 100);
            } else if (r->hit_max_time)
                snprintf(r->reason, sizeof r->reason, "stopped at the time/iteration cap before the CI of the median reached +/-%.1f%%",
                         o->target_rel_ci * 100);
        }
    }
    if (r->status != IA_BENCH_OK) {
        memset(&r->s, 0, sizeof r->s);
        r->throughput = 0;
    }
    ia_free(sl->samples);
    sl->samples = NULL;
    slot_free(sl);
    if (o->progress)
        fprintf(o->progress, "bench: %s %s b%lld s%lld t%d: %s%s%s\n", c->model, c->device, (long long)c->batch, (long long)c->seq,
                c->threads, r->status == IA_BENCH_OK ? "ok" : r->status == IA_BENCH_FAILED ? "failed" : "unavailable",
                r->status == IA_BENCH_OK ? "" : ": ", r->status == IA_BENCH_OK ? "" : r->reason);
    return o->on_result ? o->on_result(o->user, c, r) : 0;
}

int ia_bench_run(const ia_hw_info *hw, const ia_bench_config *cfgs, size_t n, const ia_bench_options *opt, ia_bench_result *res) {
    ia_bench_options dflt;
    if (!opt) { ia_bench_options_init(&dflt); opt = &dflt; }
    slot *sl = ia_calloc(n ? n : 1, sizeof *sl);
    if (!sl) return ia_set_error(IA_ERR_NOMEM, "bench: out of memory");
    ia__web_cache wc;
    if (ia__web_cache_init(&wc, cfgs, n)) { ia_free(sl); return IA_ERR_NOMEM; }
    int rc = IA_OK;
    for (size_t i = 0; i < n; i++) memset(&res[i], 0, sizeof res[i]);
    /* prepare (all at once when interleaving, else one at a time) */
    for (size_t i = 0; i < n && rc == IA_OK; i++) {
        ia_bench_result *r = &res[i];
        int avail = ia_hw_device_status(hw, cfgs[i].device, cfgs[i].precision, r->reason, sizeof r->reason);
        if (avail < 0) { r->status = IA_BENCH_FAILED; snprintf(r->reason, sizeof r->reason, "%s", ia_last_error()); }
        else if (!avail) r->status = IA_BENCH_UNAVAILABLE;
        if (r->status != IA_BENCH_OK) {
            if (complete(&cfgs[i], opt, &sl[i], r)) rc = IA_ERR_IO;
            continue;
        }
        if (opt->interleave) {
            prepare(&cfgs[i], opt, &wc, &sl[i], r);
            if (r->status != IA_BENCH_OK && complete(&cfgs[i], opt, &sl[i], r)) rc = IA_ERR_IO;
            continue;
        }
        prepare(&cfgs[i], opt, &wc, &sl[i], r);
        while (sl[i].active && r->status == IA_BENCH_OK) {
            if (run_slice(&sl[i], opt->slice_s * 1e3, opt, r) || finished(&sl[i], opt, r)) break;
        }
        if (complete(&cfgs[i], opt, &sl[i], r)) rc = IA_ERR_IO;
    }
    /* interleaved rounds: each active configuration gets one slice per round */
    for (int any = 1; any && rc == IA_OK && opt->interleave;) {
        any = 0;
        for (size_t i = 0; i < n && rc == IA_OK; i++) {
            if (!sl[i].active) continue;
            any = 1;
            if (run_slice(&sl[i], opt->slice_s * 1e3, opt, &res[i]) || finished(&sl[i], opt, &res[i]))
                if (complete(&cfgs[i], opt, &sl[i], &res[i])) rc = IA_ERR_IO;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (sl[i].active) { ia_free(sl[i].samples); slot_free(&sl[i]); }
    ia__web_cache_free(&wc);
    ia_free(sl);
    return rc;
}
