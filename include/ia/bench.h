/* Benchmarking: statistics (summaries, bootstrap CI, Mann-Whitney U), parameter lists, the
 * runner (cartesian product, adaptive repetition), the DuckDB results database, reports, compare. */
#ifndef IA_BENCH_H
#define IA_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ia/hw.h"
#include "ia/status.h"
#include "ia/web.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- statistics ---------------------------------------------------------------------- */

/* Quantile q in [0,1] of `sorted` (ascending, n >= 1) by linear interpolation between order
 * statistics (numpy's default "linear" method). */
IA_API double ia_stats_quantile_sorted(const double *sorted, size_t n, double q);

/* The same quantile of unsorted samples (x is left as it is); 0 when n is 0 or memory runs out. */
IA_API double ia_stats_quantile(const double *x, size_t n, double q);

typedef struct ia_summary {
    size_t n;
    double min, max, mean, stdev; /* stdev: sample standard deviation (n - 1); 0 when n < 2 */
    double median, p90, p99, q1, q3, iqr;
    double mad;                   /* median absolute deviation from the median (unscaled) */
    double ci_low, ci_high;       /* bootstrap percentile CI of the median */
} ia_summary;

/* Summarizes n >= 1 samples (the input is not modified). The confidence interval of the median
 * comes from `n_boot` bootstrap resamples (0 = 2000) at level `ci_level` (0 = 0.95), drawn from
 * a splitmix64 generator seeded with `seed`, so results are reproducible (above
 * IA_STATS_BOOTSTRAP_MAX_N samples: the order-statistic interval described below). */
IA_API int ia_stats_summarize(const double *x, size_t n, double ci_level, int n_boot, uint64_t seed, ia_summary *out);

/* Bootstrap percentile CI of the median alone (same generator and method as above). Above
 * IA_STATS_BOOTSTRAP_MAX_N samples, where resampling costs seconds, the interval is the bootstrap's
 * large-sample limit instead: the distribution-free order-statistic interval, order statistics at
 * 0-based positions (n - 1) / 2 -+ z sqrt(n) / 2 (z the normal quantile of the level), linearly
 * interpolated; n_boot and seed are then unused. */
#define IA_STATS_BOOTSTRAP_MAX_N 20000
IA_API int ia_stats_bootstrap_median_ci(const double *x, size_t n, double ci_level, int n_boot, uint64_t seed,
                                        double *lo, double *hi);

/* Two-sided Mann-Whitney U test of samples a and b. `u` = U statistic of a (number of pairs
 * with a > b, ties counting one half). The p value is exact (full distribution of U) when
 * there are no ties and na * nb <= 400 and na + nb <= 40, otherwise the normal approximation
 * with tie correction and continuity correction. */
IA_API int ia_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u, double *p);

/* Moving-block bootstrap percentile CI of the median (Kunsch 1989), for samples that are not
 * independent: timings taken one after another share the machine's state (other processes, clock
 * frequency, caches), so the plain bootstrap, which treats them as independent, gives intervals too
 * narrow for comparing two runs. Each resample concatenates blocks of `block` consecutive samples
 * (0 = n / 16 rounded up; at least IA_STATS_MIN_BLOCK, at most n) starting anywhere, cut to n
 * samples; n_boot resamples (0 = 1000), splitmix64 seeded with `seed`, level 0 = 0.95. */
#define IA_STATS_MIN_BLOCK 10
IA_API int ia_stats_block_median_ci(const double *x, size_t n, size_t block, double level, int n_boot, uint64_t seed,
                                    double *lo, double *hi);

/* ---- parameter lists ----------------------------------------------------------------- */

/* Parses "1,4,16", "16-512*2" (geometric), "1-8+1" or "1-4" (arithmetic, step 1) and mixtures
 * ("1,8-32*2") into up to `cap` positive integers. Malformed lists fail with a clear message. */
IA_API int ia_bench_parse_int_list(const char *s, int64_t *out, size_t cap, size_t *n);

/* ---- runner -------------------------------------------------------------------------- */

/* IA_BENCH_GENERATE: decoder models (ia/generate.h); one iteration = one generation (greedy, or sampled: ia_bench_gen) of
 * gen_tokens new tokens after a seq-token prompt (batch prompts at once when batch > 1). */
enum { IA_BENCH_LATENCY = 0, IA_BENCH_THROUGHPUT = 1, IA_BENCH_GENERATE = 2 };
enum { IA_BENCH_OK = 0, IA_BENCH_UNAVAILABLE = 1, IA_BENCH_FAILED = 2 };

/* IA_BENCH_GENERATE: how to sample and what to prompt with (part of the configuration). */
typedef struct ia_bench_gen {
    int sample;                /* 1: sample with the filters below (ia_generate); 0: greedy */
    float temperature;         /* > 0; 1 = unchanged */
    int top_k;                 /* 0 = off */
    float top_p;               /* (0, 1]; 1 = off */
    uint64_t seed;             /* sampling seed: every iteration draws the same tokens */
    const int64_t *prompt;     /* token ids of a text prompt (the config's seq = n_prompt), or NULL for
                                * seq seeded random ids below the vocabulary */
    size_t n_prompt;
    const char *prompt_source; /* what the ids came from ("text", "file NAME"), recorded with the result */
} ia_bench_gen;

typedef struct ia_bench_config {
    const char *model;     /* path */
    const char *device;    /* cpu, vulkan, ... */
    const char *precision; /* fp32, ... */
    int64_t batch, seq;
    int threads;
    int mode;              /* IA_BENCH_LATENCY, IA_BENCH_THROUGHPUT or IA_BENCH_GENERATE */
    int gen_tokens;        /* IA_BENCH_GENERATE: new tokens per generation (0 = 32); part of the config id */
    const ia_bench_gen *gen; /* IA_BENCH_GENERATE: sampling and prompt (NULL: greedy, random ids); part of the config id */
    /* browser devices: run through a pool of `browsers` x `pages` (ia_web_pool, one request per page at
     * a time) instead of one session; 0 = one session. In IA_BENCH_THROUGHPUT mode an iteration sends
     * browsers x pages requests at once and throughput counts them all. Part of the config id. */
    int browsers, pages;
} ia_bench_config;

struct ia_bench_result;

typedef struct ia_bench_options {
    int warmup;         /* default 2 */
    int min_iters;      /* default 10 */
    int max_iters;      /* default 100000 */
    double min_time_s;  /* default 2 */
    double max_time_s;  /* default 60 per configuration */
    double target_rel_ci; /* stop when (ci_high - ci_low) / 2 <= target * median; default 0.02 */
    int interleave;     /* run configurations round-robin in slices (default 1) */
    double slice_s;     /* time per slice when interleaving (default 0.25 s) */
    uint64_t seed;      /* inputs and bootstrap seed (default fixed) */
    const char *const *dim_names; /* extra symbolic dim values NAME=N */
    const int64_t *dim_values;
    int n_dims;
    /* called after each configuration finishes (for durable per-configuration commits) */
    int (*on_result)(void *user, const struct ia_bench_config *cfg, const struct ia_bench_result *r);
    void *user;
    FILE *progress; /* progress lines, or NULL */
} ia_bench_options;

typedef struct ia_bench_result {
    int status;          /* IA_BENCH_OK, IA_BENCH_UNAVAILABLE, IA_BENCH_FAILED */
    char reason[512];    /* why unavailable or failed; stop reason note when ok */
    double load_ms, first_ms; /* session creation; first inference */
    ia_summary s;        /* steady-state latency in ms */
    double throughput;   /* samples/s = batch * 1000 / median_ms */
    uint64_t peak_rss_bytes; /* process peak RSS while this configuration ran (VmHWM, reset per slice) */
    uint64_t engine_peak_bytes; /* engine's peak of live intermediate tensor bytes */
    double cpu_ms;       /* process CPU time per iteration (user + system) */
    int hit_max_time;    /* stopped by --max-time or max_iters before the CI target */
    /* IA_BENCH_GENERATE (medians over the iterations): time to first token (prefill + first
     * choice), prompt tokens (batch x seq) / ttft, decode tokens/s after the first token (all rows) */
    double ttft_ms, prefill_tokens_per_s, decode_tokens_per_s;
    size_t new_tokens;   /* new tokens of one iteration, all rows */
    double *samples;     /* per-iteration latency in ms, n = s.n (owned by the result) */
    size_t n_samples;
    /* browser devices (wasm, webgpu, webnn; has_web = 1 when a page ran the model): what ran
     * (browser, version, bundle, EP actually used, adapter, software adapter), the load split
     * measured in the page (web.download_ms, web.create_ms), and the page-side session.run time
     * (median over the timed iterations and of the first inference) next to the C-side samples. */
    int has_web;
    ia_web_info web;
    double page_median_ms, page_first_ms;
} ia_bench_result;

IA_API void ia_bench_options_init(ia_bench_options *o);

/* Runs every configuration (unavailable ones are only recorded), filling results[i] for cfgs[i].
 * Returns IA_OK when all configurations were attempted (individual failures are in results). */
IA_API int ia_bench_run(const ia_hw_info *hw, const ia_bench_config *cfgs, size_t n, const ia_bench_options *o,
                        ia_bench_result *results);
IA_API void ia_bench_result_free(ia_bench_result *r);

/* ---- results database (DuckDB, loaded at run time) ------------------------------------- */

#define IA_BENCH_SCHEMA_VERSION 3 /* 2: generation_results; 3: generation_settings */

typedef struct ia_bench_db ia_bench_db;

/* Opens (creating when absent) a results database. Refuses files that are not DuckDB databases
 * and databases of a newer schema. Every writing call takes an exclusive lock on FILE.lock
 * (flock), so several processes may write to one file; the database is opened only for the
 * duration of each call. */
IA_API int ia_bench_db_open(const char *path, ia_bench_db **out);
IA_API void ia_bench_db_close(ia_bench_db *db);
/* Why DuckDB cannot be used (library not found, version), or "" when it can. */
IA_API const char *ia_bench_db_unavailable_reason(void);

/* Records a run (environment as JSON text, hardware probe) and returns its id in run_id. */
IA_API int ia_bench_db_begin_run(ia_bench_db *db, const ia_hw_info *hw, const char *args, char *run_id, size_t len);
/* Writes one configuration's model, config, result and samples in one transaction. */
IA_API int ia_bench_db_add_result(ia_bench_db *db, const char *run_id, const ia_bench_config *cfg,
                                  const ia_bench_result *r);
/* Records what hw --probe-browsers found (ia_hw_probe_browsers) in web_platform_results: per
 * probed browser one row per platform webgpu, webnn-cpu, webnn-gpu, webnn-npu and wasm. `adapter`
 * holds the WebGPU adapter ("vendor=... fallback_adapter=true|false"), "available", or
 * "unavailable: " and the browser's exact error; `features` the WebGPU features and limits or the
 * WASM SIMD/threads flags; session/shader times stay NULL (the probe creates no session). */
IA_API int ia_bench_db_add_web_probe(ia_bench_db *db, const char *run_id, const ia_hw_info *hw);
/* Runs SQL and prints the result as table, csv or json. */
IA_API int ia_bench_db_query(ia_bench_db *db, const char *sql, const char *format, FILE *out);

/* Writes every table (runs, hardware, models, configs, results, samples, web_platform_results,
 * schema_version) to DIR/TABLE.parquet or DIR/TABLE.csv (format "parquet" or "csv", DuckDB's COPY;
 * DIR is created when absent). One line per file goes to `log` (may be NULL). */
IA_API int ia_bench_db_export(ia_bench_db *db, const char *dir, const char *format, FILE *log);
/* Merges exported files (TABLE.parquet / TABLE.csv, or directories holding them) into the database
 * in one transaction. Rows are identified by their keys (run_id; model_id; config_id; config_id +
 * run_id; config_id + run_id + iter; the whole row for web_platform_results): rows already stored
 * are skipped, so importing twice adds nothing; a key stored with other content (models excepted)
 * or a newer exported schema refuses the whole import. */
IA_API int ia_bench_db_import(ia_bench_db *db, const char *const *paths, size_t n, FILE *log);

/* ---- reports and comparisons ------------------------------------------------------- */

/* Writes a report of run `run_id` (NULL = latest, "all" = every run) as "md" or "html". */
IA_API int ia_bench_report(ia_bench_db *db, const char *run_id, const char *format, FILE *out);

typedef struct ia_compare_options {
    double threshold; /* relative change that matters, e.g. 0.05 */
    double alpha;     /* significance level for Mann-Whitney U, e.g. 0.01 */
    /* configuration fields matched loosely, comma-separated from model, device, precision, batch,
     * seq, threads (NULL: configurations are matched by id). "batch" pairs each base configuration
     * with the candidate's configuration that equals it in everything but the batch size (a base
     * configuration matching several is an error). */
    const char *ignore;
    size_t block;     /* samples per block of the block bootstrap (ia_stats_block_median_ci); 0 = n / 16 */
} ia_compare_options;

/* Compares matching configurations of two runs and prints a table; *n_regressions receives the
 * count of regressions. A configuration is a REGRESSION only when all of these hold: the candidate's
 * median is slower by more than the threshold; the two-sided Mann-Whitney U test on the raw samples
 * gives p < alpha; and the two runs' 95% CIs of the median, recomputed by moving-block bootstrap
 * (ia_stats_block_median_ci, so that slow drifts of the machine during a run widen them) do not
 * overlap, the candidate's above; and the 10th percentile is slower by more than the threshold too.
 * Other work on a shared machine only adds time and mostly to some iterations, so it moves the
 * median but hardly the fastest iterations, while slower code moves the whole distribution (Chen and
 * Revels, "Robust benchmarking in noisy environments", 2016). An improvement is the mirror image. */
IA_API int ia_bench_compare(ia_bench_db *db, const char *base_run, const char *cand_run, const ia_compare_options *o,
                            FILE *out, int *n_regressions);

/* ---- performance model: roofline estimate corrected by a fit on stored results (predict.c) ---- */

/* Least squares: beta (p) minimizing |X beta - y|^2 for X (n x p, row-major), n >= p, solved by
 * Householder QR. Fails with IA_ERR_INVALID_ARG when X is rank deficient. */
IA_API int ia_lsq_solve(const double *X, const double *y, size_t n, size_t p, double *beta);

/* What the model costs, read from the ONNX graph as stored (before engine optimizations). */
typedef struct ia_model_cost {
    double param_bytes;      /* bytes of every initializer */
    double param_elems;      /* elements of every initializer (weight bytes at another precision) */
    double flops_per_row;    /* 2 x weight elements of MatMul/Gemm with a constant weight (per row of
                              * the activation) + 2 x weight elements of Conv (per output position,
                              * spatial size not known: see docs/BENCHMARKS.md) */
    double n_weight_ops;     /* MatMul/Gemm/Conv nodes counted */
    double n_unweighted_mm;  /* MatMul between two activations (attention scores): not counted */
    int has_seq;             /* an input has a symbolic dim after dim 0 (bound to --seq) */
} ia_model_cost;

IA_API int ia_model_cost_read(const char *path, ia_model_cost *out);
/* FLOPs of one inference: flops_per_row x batch (x seq when has_seq). */
IA_API double ia_model_cost_flops(const ia_model_cost *c, int64_t batch, int64_t seq);
/* Roofline time in ms: max(FLOPs / calibrated fp32 peak at `threads`, parameter bytes / memory
 * bandwidth). threads <= 0 means every CPU. Needs hw->calibrated. */
IA_API double ia_roofline_ms(const ia_model_cost *c, const ia_hw_info *hw, int threads, int64_t batch, int64_t seq);
/* The roofline at a precision: "fp32" (or NULL) as above; "int8" with the calibrated int8
 * multiply-add peak (hw->calib_gops_int8 at the same thread count) and weights of one byte per
 * element (param_elems); 0 (no estimate) for fp16 and int4, which have no calibrated peak, and for
 * int8 on a CPU without int8 dot-product instructions. */
IA_API double ia_roofline_ms_at(const ia_model_cost *c, const ia_hw_info *hw, const char *precision, int threads, int64_t batch,
                                int64_t seq);

/* One configuration of one model: measured (measured_ms > 0) or a query. */
typedef struct ia_perf_point {
    char device[16], precision[16];
    int threads;
    int64_t batch, seq;
    double roof_ms;     /* roofline estimate (ia_roofline_ms) */
    double measured_ms; /* median latency, <= 0 when not measured */
} ia_perf_point;

typedef struct ia_perf_estimate {
    double predicted_ms;  /* roof_ms x fitted factor; <= 0 when nothing to fit from */
    double factor;        /* fitted measured/roofline ratio (1 / efficiency) */
    int level;            /* 0: fit on the same (device, precision, threads); 1: same (device,
                           * precision), other thread counts; 2: any measured configuration */
    int n_fit;            /* measured points the factor came from */
    int extrapolation;    /* level > 0, or batch x seq outside [0.5 x min, 2 x max] of the points */
    double log_sd;        /* residual standard deviation of log(measured / roof) in the group (n_fit >= 2) */
    double pi_low_ms, pi_high_ms; /* 95% prediction interval, predicted x exp(-+ t(n_fit-1) x log_sd x
                                   * sqrt(1 + 1/n_fit)) (log-normal residuals assumed); 0 when n_fit < 2 */
} ia_perf_estimate;

/* Predicts q from the measured points pts[0..n) except index `skip` (SIZE_MAX = none): log(measured
 * / roof) is fitted by least squares with one constant per group, the narrowest group that has
 * points (see level). */
IA_API int ia_perf_predict(const ia_perf_point *pts, size_t n, size_t skip, const ia_perf_point *q, ia_perf_estimate *out);

/* Leave-one-out over the measured points: each is predicted from the others; relative error
 * |predicted - measured| / measured. n_eval points could be predicted, n_unpredictable could not. */
typedef struct ia_perf_loo {
    size_t n_eval, n_unpredictable, n_extrapolated;
    double median_rel_err, max_rel_err;
} ia_perf_loo;
IA_API int ia_perf_loo_run(const ia_perf_point *pts, size_t n, ia_perf_loo *out);

/* Loads the measured points of the model at `model_path` (matched by the file's sha256) from the
 * database: status ok, median of the stored medians per configuration, roof_ms filled from hw.
 * *pts is allocated (ia_free). */
IA_API int ia_perf_load_points(ia_bench_db *db, const char *model_path, const ia_model_cost *cost, const ia_hw_info *hw,
                               ia_perf_point **pts, size_t *n);

/* ---- recommend (recommend.c) ----------------------------------------------------------- */

typedef struct ia_recommend_options {
    int goal_throughput;     /* 0: lowest latency first; 1: highest samples/s first */
    double max_latency_ms;   /* 0 = no limit */
    const int64_t *batches; size_t n_batches;  /* candidates (NULL: measured ones and 1) */
    const int64_t *threads; size_t n_threads;  /* candidates (NULL: measured ones, 1, 2, 4... CPUs) */
    int64_t seq;             /* 0: the most often measured seq */
    int top;                 /* rows printed (0 = 10) */
} ia_recommend_options;

/* Ranks device x precision x threads x batch for the model: measured results where they exist,
 * predictions otherwise (marked), never a device/precision ia_hw_device_status says unavailable
 * (those are listed with the reason). Prints a Markdown table. */
IA_API int ia_recommend(const ia_hw_info *hw, const ia_model_cost *cost, const ia_perf_point *pts, size_t n,
                        const ia_recommend_options *o, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
