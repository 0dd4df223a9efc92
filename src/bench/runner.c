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

int ia__bench_make_inputs(ia_session *s, const ia_bench_config *c, const ia_bench_options *o, ia_value **in, size_t n_in);

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
    sl->in = sl->out = NULL;
    sl->active = 0;
}

static int run_once(slot *sl) {
    for (size_t k = 0; k < sl->n_out; k++) { ia_value_destroy(sl->out[k]); sl->out[k] = NULL; }
    return ia_session_run(sl->s, sl->in, sl->n_in, sl->out, sl->n_out);
}

static void fail(ia_bench_result *r, const char *what, const char *msg) {
    r->status = IA_BENCH_FAILED;
    snprintf(r->reason, sizeof r->reason, "%s: %s", what, msg);
}

/* load, inputs, first inference, warm-up; leaves sl active or r failed */
static void prepare(const ia_bench_config *c, const ia_bench_options *o, slot *sl, ia_bench_result *r) {
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
            sl->cap = nc;
        }
        double t0 = now_ms();
        int rc = run_once(sl);
        t1 = now_ms();
        if (rc) {
            char msg[400];
            snprintf(msg, sizeof msg, "iteration %zu: %s", sl->n + 1, ia_session_errmsg(sl->s));
            fail(r, "run", msg);
            return -1;
        }
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
    ia_summary s;
    if (ia_stats_summarize(sl->samples, sl->n, 0.95, boot_count(sl->n, 500, 4000000), o->seed, &s)) return 1;
    return (s.ci_high - s.ci_low) / 2 <= o->target_rel_ci * s.median;
}

static int complete(const ia_bench_config *c, const ia_bench_options *o, slot *sl, ia_bench_result *r) {
    if (r->status == IA_BENCH_OK) {
        if (ia_stats_summarize(sl->samples, sl->n, 0.95, boot_count(sl->n, 2000, 20000000), o->seed, &r->s)) {
            fail(r, "statistics", ia_last_error());
        } else {
            r->throughput = r->s.median > 0 ? (double)c->batch * 1e3 / r->s.median : 0;
            r->cpu_ms = sl->n ? sl->cpu_ms / (double)sl->n : 0;
            ia_run_stats st;
            ia_session_last_stats(sl->s, &st);
            r->engine_peak_bytes = st.peak_bytes;
            r->samples = sl->samples;
            r->n_samples = sl->n;
            sl->samples = NULL;
            if (r->hit_max_time)
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
            prepare(&cfgs[i], opt, &sl[i], r);
            if (r->status != IA_BENCH_OK && complete(&cfgs[i], opt, &sl[i], r)) rc = IA_ERR_IO;
            continue;
        }
        prepare(&cfgs[i], opt, &sl[i], r);
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
    ia_free(sl);
    return rc;
}
