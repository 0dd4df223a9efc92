/* The results database: DuckDB file with a flat schema (runs, hardware, models, configs,
 * results, samples, views), a schema version table, and an flock on FILE.lock around every
 * open, so several bench processes can write to one file without losing rows. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench/bench_internal.h"
#include "bench/duckdb_api.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"

struct ia_bench_db {
    char *path;
    int lock_fd;
#ifdef IA_HAVE_DUCKDB_H
    duckdb_database ddb;
    duckdb_connection con;
#endif
    int is_open;
};

#ifdef IA_HAVE_DUCKDB_H
static const char *SCHEMA =
    "CREATE TABLE IF NOT EXISTS runs(run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, hostname VARCHAR, git_commit VARCHAR,"
    " git_dirty BOOLEAN, compiler VARCHAR, build_type VARCHAR, duckdb_version VARCHAR, kernel VARCHAR, cpu_model VARCHAR,"
    " governor VARCHAR, mhz DOUBLE, load_avg DOUBLE, args VARCHAR);"
    "CREATE TABLE IF NOT EXISTS hardware(run_id VARCHAR, cpu_model VARCHAR, cores INTEGER, threads INTEGER, features VARCHAR,"
    " mem_total_bytes BIGINT, peak_gflops_fp32 DOUBLE, mem_bw_gbs DOUBLE, probe_json VARCHAR);"
    "CREATE TABLE IF NOT EXISTS models(model_id VARCHAR PRIMARY KEY, name VARCHAR, path VARCHAR, file_bytes BIGINT);"
    "CREATE TABLE IF NOT EXISTS configs(config_id VARCHAR PRIMARY KEY, model_id VARCHAR, device VARCHAR, batch BIGINT, seq BIGINT,"
    " precision VARCHAR, threads INTEGER, mode VARCHAR);"
    "CREATE TABLE IF NOT EXISTS results(config_id VARCHAR, run_id VARCHAR, status VARCHAR, reason VARCHAR, median_ms DOUBLE,"
    " p90_ms DOUBLE, p99_ms DOUBLE, mean_ms DOUBLE, stdev_ms DOUBLE, ci_low_ms DOUBLE, ci_high_ms DOUBLE, iqr_ms DOUBLE,"
    " mad_ms DOUBLE, min_ms DOUBLE, n_iters BIGINT, throughput DOUBLE, peak_rss_bytes BIGINT, engine_peak_bytes BIGINT,"
    " load_ms DOUBLE, first_ms DOUBLE, cpu_ms DOUBLE, hit_max_time BOOLEAN, finished_at TIMESTAMP);"
    "CREATE TABLE IF NOT EXISTS samples(config_id VARCHAR, run_id VARCHAR, iter BIGINT, latency_ms DOUBLE);"
    "CREATE TABLE IF NOT EXISTS web_platform_results(run_id VARCHAR, config_id VARCHAR, browser VARCHAR, browser_version VARCHAR,"
    " platform VARCHAR, adapter VARCHAR, features VARCHAR, session_create_ms DOUBLE, shader_compile_ms DOUBLE);"
    "CREATE TABLE IF NOT EXISTS generation_results(config_id VARCHAR, run_id VARCHAR, prompt_tokens BIGINT, new_tokens BIGINT,"
    " ttft_ms DOUBLE, prefill_tokens_per_s DOUBLE, decode_tokens_per_s DOUBLE);"
    "CREATE TABLE IF NOT EXISTS generation_settings(config_id VARCHAR PRIMARY KEY, sampling VARCHAR, temperature DOUBLE,"
    " top_k INTEGER, top_p DOUBLE, seed UBIGINT, prompt VARCHAR, prompt_tokens BIGINT);"
    "CREATE OR REPLACE VIEW performance_summary AS SELECT r.run_id, m.name AS model, c.device, c.batch, c.seq, c.precision,"
    " c.threads, c.mode, r.status, r.reason, r.median_ms, r.p90_ms, r.ci_low_ms, r.ci_high_ms, r.throughput, r.peak_rss_bytes,"
    " r.load_ms, r.first_ms, r.n_iters, r.config_id FROM results r JOIN configs c USING (config_id) JOIN models m USING (model_id);"
    "CREATE OR REPLACE VIEW speedup_vs_cpu AS SELECT p.*, b.cpu_median_ms, b.cpu_median_ms / p.median_ms AS speedup"
    " FROM performance_summary p JOIN (SELECT run_id, model, batch, seq, precision, min(median_ms) AS cpu_median_ms"
    " FROM performance_summary WHERE device = 'cpu' AND status = 'ok' GROUP BY ALL) b USING (run_id, model, batch, seq, precision)"
    " WHERE p.status = 'ok';"
    "CREATE OR REPLACE VIEW cross_platform_performance AS SELECT model, device, precision, batch, seq, count(*) AS runs,"
    " median(median_ms) AS median_ms, median(throughput) AS throughput FROM performance_summary WHERE status = 'ok' GROUP BY ALL;";

static int db_err(ia_bench_db *db, duckdb_result *res, const char *what) {
    const char *m = res ? ia__ddb.duckdb_result_error(res) : NULL;
    int rc = ia_set_error(IA_ERR_IO, "results database %s: %s%s%s", db->path, what, m ? ": " : "", m ? m : "");
    if (res) ia__ddb.duckdb_destroy_result(res);
    return rc;
}

static int exec(ia_bench_db *db, const char *sql) {
    duckdb_result res;
    if (ia__ddb.duckdb_query(db->con, sql, &res) == DuckDBError) return db_err(db, &res, "query failed");
    ia__ddb.duckdb_destroy_result(&res);
    return IA_OK;
}

/* SQL string literal (NULL -> NULL) */
static void lit(FILE *o, const char *s) {
    if (!s) { fputs("NULL", o); return; }
    fputc('\'', o);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', o);
        fputc(*s, o);
    }
    fputc('\'', o);
}

static void num(FILE *o, double v) {
    if (v != v || v > 1e300 || v < -1e300) fputs("NULL", o);
    else fprintf(o, "%.17g", v);
}

static void unlock_db(ia_bench_db *db) {
    if (db->is_open) {
        ia__ddb.duckdb_disconnect(&db->con);
        ia__ddb.duckdb_close(&db->ddb);
        db->is_open = 0;
    }
    if (db->lock_fd >= 0) { flock(db->lock_fd, LOCK_UN); close(db->lock_fd); db->lock_fd = -1; }
}

/* exclusive lock, then open and check the schema */
static int lock_db(ia_bench_db *db) {
    char lp[4200];
    snprintf(lp, sizeof lp, "%s.lock", db->path);
    db->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (db->lock_fd < 0) return ia_set_error(IA_ERR_IO, "results database %s: cannot create lock file %s: %s", db->path, lp, strerror(errno));
    while (flock(db->lock_fd, LOCK_EX) != 0)
        if (errno != EINTR) { unlock_db(db); return ia_set_error(IA_ERR_IO, "results database %s: cannot lock: %s", db->path, strerror(errno)); }
    struct stat st;
    if (stat(db->path, &st) == 0 && st.st_size > 0) {
        unsigned char head[16] = {0};
        FILE *f = fopen(db->path, "rb");
        size_t got = f ? fread(head, 1, sizeof head, f) : 0;
        if (f) fclose(f);
        if (got < 12 || memcmp(head + 8, "DUCK", 4)) {
            unlock_db(db);
            return ia_set_error(IA_ERR_PARSE, "%s is not a DuckDB database (no DUCK magic at offset 8); refusing to touch it", db->path);
        }
    }
    duckdb_config cfg;
    char *err = NULL;
    ia__ddb.duckdb_create_config(&cfg);
    if (ia__ddb.duckdb_open_ext(db->path, &db->ddb, cfg, &err) == DuckDBError) {
        int rc = ia_set_error(IA_ERR_IO, "results database %s: cannot open: %s", db->path, err ? err : "unknown error");
        if (err) ia__ddb.duckdb_free(err);
        ia__ddb.duckdb_destroy_config(&cfg);
        unlock_db(db);
        return rc;
    }
    ia__ddb.duckdb_destroy_config(&cfg);
    if (ia__ddb.duckdb_connect(db->ddb, &db->con) == DuckDBError) {
        ia__ddb.duckdb_close(&db->ddb);
        unlock_db(db);
        return ia_set_error(IA_ERR_IO, "results database %s: cannot connect", db->path);
    }
    db->is_open = 1;
    duckdb_result res;
    if (exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER)") ||
        ia__ddb.duckdb_query(db->con, "SELECT max(version) FROM schema_version", &res) == DuckDBError) {
        unlock_db(db);
        return IA_ERR_IO;
    }
    int have = ia__ddb.duckdb_value_is_null(&res, 0, 0) ? 0 : (int)ia__ddb.duckdb_value_double(&res, 0, 0);
    ia__ddb.duckdb_destroy_result(&res);
    if (have > IA_BENCH_SCHEMA_VERSION) {
        unlock_db(db);
        return ia_set_error(IA_ERR_UNSUPPORTED, "results database %s has schema version %d, newer than this build's %d; use a newer ipfs-accelerate",
                            db->path, have, IA_BENCH_SCHEMA_VERSION);
    }
    if (have < IA_BENCH_SCHEMA_VERSION) {
        char v[64];
        snprintf(v, sizeof v, "INSERT INTO schema_version VALUES (%d)", IA_BENCH_SCHEMA_VERSION);
        if (exec(db, "BEGIN") || exec(db, SCHEMA) || exec(db, v) || exec(db, "COMMIT")) { unlock_db(db); return IA_ERR_IO; }
    }
    return IA_OK;
}
#endif

int ia_bench_db_open(const char *path, ia_bench_db **out) {
    *out = NULL;
    const char *why = ia__duckdb_load();
    if (why[0]) return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", why);
#ifdef IA_HAVE_DUCKDB_H
    ia_bench_db *db = ia_calloc(1, sizeof *db);
    if (!db) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    db->path = ia_strdup(path);
    db->lock_fd = -1;
    int rc = lock_db(db); /* creates or checks the schema now, so bad files fail early */
    unlock_db(db);
    if (rc) { ia_bench_db_close(db); return rc; }
    *out = db;
    return IA_OK;
#else
    (void)path;
    return IA_ERR_UNAVAILABLE;
#endif
}

void ia_bench_db_close(ia_bench_db *db) {
    if (!db) return;
    ia_free(db->path);
    ia_free(db);
}

#ifdef IA_HAVE_DUCKDB_H
static void git_info(char *commit, size_t n, int *dirty) {
    commit[0] = 0;
    *dirty = -1;
#ifdef IA_SOURCE_DIR
    const char *src = IA_SOURCE_DIR;
#else
    const char *src = ".";
#endif
    char cmd[600];
    snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse HEAD 2>/dev/null", src);
    FILE *p = popen(cmd, "r");
    if (p) { if (fgets(commit, (int)n, p)) commit[strcspn(commit, "\n")] = 0; pclose(p); }
    snprintf(cmd, sizeof cmd, "git -C '%s' status --porcelain --untracked-files=no 2>/dev/null | head -1", src);
    p = popen(cmd, "r");
    if (p && commit[0]) { char b[8]; *dirty = fgets(b, sizeof b, p) != NULL; }
    if (p) pclose(p);
}

int ia_bench_db_begin_run(ia_bench_db *db, const ia_hw_info *hw, const char *args, char *run_id, size_t len) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(run_id, len, "%04d%02d%02dT%02d%02d%02dZ-%d-%04lx", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)getpid(), (unsigned long)(ts.tv_nsec / 1000) & 0xffff);
    char commit[64], host[256] = "";
    int dirty;
    git_info(commit, sizeof commit, &dirty);
    gethostname(host, sizeof host - 1);
    double load = 0;
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) { if (fscanf(lf, "%lf", &load) != 1) load = 0; fclose(lf); }
    char *sql = NULL;
    size_t sl = 0;
    FILE *o = open_memstream(&sql, &sl);
    fputs("INSERT INTO runs VALUES (", o);
    lit(o, run_id);
    fputs(", now()::TIMESTAMP, ", o);
    lit(o, host); fputs(", ", o);
    lit(o, commit[0] ? commit : NULL);
    fprintf(o, ", %s, ", dirty < 0 ? "NULL" : dirty ? "true" : "false");
#if defined(__clang__)
    lit(o, "clang " __clang_version__);
#elif defined(__GNUC__)
    lit(o, "gcc " __VERSION__);
#else
    lit(o, "unknown");
#endif
    fputs(", ", o);
#ifdef NDEBUG
    lit(o, "release");
#else
    lit(o, "debug");
#endif
    fputs(", ", o);
    lit(o, ia__ddb.duckdb_library_version()); fputs(", ", o);
    lit(o, hw->cpu.kernel); fputs(", ", o);
    lit(o, hw->cpu.model); fputs(", ", o);
    lit(o, hw->cpu.governor[0] ? hw->cpu.governor : NULL); fputs(", ", o);
    num(o, hw->cpu.mhz_cur); fputs(", ", o);
    num(o, load); fputs(", ", o);
    lit(o, args);
    fputs(");\nINSERT INTO hardware VALUES (", o);
    lit(o, run_id); fputs(", ", o);
    lit(o, hw->cpu.model);
    fprintf(o, ", %d, %d, ", hw->cpu.cores, hw->cpu.threads);
    lit(o, hw->cpu.features);
    fprintf(o, ", %llu, ", (unsigned long long)hw->cpu.mem_total_bytes);
    num(o, hw->calibrated ? hw->calib_gflops_fp32[hw->n_calib - 1] : 0.0 / 0.0); fputs(", ", o);
    num(o, hw->calibrated ? hw->mem_bw_gbs : 0.0 / 0.0); fputs(", ", o);
    char *js = NULL;
    size_t jl = 0;
    FILE *jo = open_memstream(&js, &jl);
    ia_hw_print(hw, jo, 1);
    fclose(jo);
    lit(o, js);
    free(js);
    fputs(");", o);
    fclose(o);
    int rc = lock_db(db);
    if (!rc) rc = exec(db, sql);
    unlock_db(db);
    free(sql);
    return rc;
}

static int file_sha256(const char *path, char hex[65], uint64_t *bytes) {
    FILE *f = fopen(path, "rb");
    if (!f) return ia_set_error(IA_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    unsigned char buf[65536], md[32];
    size_t n;
    *bytes = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) { EVP_DigestUpdate(c, buf, n); *bytes += n; }
    fclose(f);
    unsigned mdl;
    EVP_DigestFinal_ex(c, md, &mdl);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", md[i]);
    return IA_OK;
}

static const char *status_name(int s) { return s == IA_BENCH_OK ? "ok" : s == IA_BENCH_UNAVAILABLE ? "unavailable" : "failed"; }

/* What ran a browser configuration (web_platform_results with its config_id): browser, version,
 * device as run (platform), the WebGPU adapter with fallback_adapter=true|false, and in features
 * the bundle, onnxruntime-web version, execution providers actually used (with ep_verified), the
 * load split measured in the page and the page-side median next to the C side's. */
static void web_row(FILE *o, const char *run_id, const char *config_id, const ia_bench_config *c, const ia_bench_result *r) {
    const ia_web_info *w = &r->web;
    char ad[600], ft[1400];
    if (w->software_adapter >= 0)
        snprintf(ad, sizeof ad, "vendor=%s architecture=%s description=%s fallback_adapter=%s", w->adapter_vendor, w->adapter_architecture,
                 w->adapter_description, w->software_adapter ? "true" : "false");
    snprintf(ft, sizeof ft,
             "bundle=%s ort=%s ep=%s ep_verified=%s wasm_threads=%d cross_origin_isolated=%s model_bytes=%llu bundle_ms=%.3f"
             " download_ms=%.3f create_ms=%.3f launch_load_ms=%.3f first_ms=%.4f page_first_ms=%.4f c_median_ms=%.4f"
             " page_median_ms=%.4f user_agent=%s",
             w->bundle, w->ort_version, w->ep, w->ep_verified ? "true" : "false", w->wasm_threads, w->cross_origin_isolated ? "true" : "false",
             (unsigned long long)w->model_bytes, w->bundle_ms, w->download_ms, w->create_ms, r->load_ms, r->first_ms, r->page_first_ms,
             r->status == IA_BENCH_OK ? r->s.median : 0.0, r->page_median_ms, w->user_agent);
    fputs("\nINSERT INTO web_platform_results (run_id, config_id, browser, browser_version, platform, adapter, features,"
          " session_create_ms, shader_compile_ms) VALUES (", o);
    lit(o, run_id); fputs(", ", o);
    lit(o, config_id); fputs(", ", o);
    lit(o, w->browser); fputs(", ", o);
    lit(o, w->browser_version[0] ? w->browser_version : NULL); fputs(", ", o);
    lit(o, w->device[0] ? w->device : c->device); fputs(", ", o);
    lit(o, w->software_adapter >= 0 ? ad : NULL); fputs(", ", o);
    lit(o, ft); fputs(", ", o);
    num(o, w->create_ms);
    fputs(", NULL);", o); /* onnxruntime-web does not report shader compilation apart from session creation */
}

int ia_bench_db_add_result(ia_bench_db *db, const char *run_id, const ia_bench_config *c, const ia_bench_result *r) {
    char model_id[65] = "", config_id[80];
    uint64_t bytes = 0;
    char variant[4096]; /* a model folder (browser devices) is identified by the variant that ran */
    const char *prec = c->precision ? c->precision : "fp32";
    const char *want = !strcmp(prec, "int8") ? "q8" : !strcmp(prec, "int4") ? "q4" : prec;
    if (ia_web_model_variant(c->model, want, variant, sizeof variant))
        if (ia_web_model_variant(c->model, "fp32", variant, sizeof variant)) snprintf(variant, sizeof variant, "%s", c->model);
    if (file_sha256(variant, model_id, &bytes)) snprintf(model_id, sizeof model_id, "unreadable:%s", c->model);
    const char *name = strrchr(c->model, '/');
    name = name ? name + 1 : c->model;
    const char *mode = c->mode == IA_BENCH_THROUGHPUT ? "throughput" : c->mode == IA_BENCH_GENERATE ? "generate" : "latency";
    int gen = c->mode == IA_BENCH_GENERATE, gen_tokens = c->gen_tokens > 0 ? c->gen_tokens : 32;
    /* config id: FNV-1a over the fields that define the configuration (generate: + new tokens) */
    char key[600];
    snprintf(key, sizeof key, "%s|%s|%lld|%lld|%s|%d|%s", model_id, c->device, (long long)c->batch, (long long)c->seq, c->precision,
             c->threads, mode);
    if (gen) snprintf(key + strlen(key), sizeof key - strlen(key), "|%d", gen_tokens);
    if (c->browsers > 0 && ia__bench_is_web_device(c->device))
        snprintf(key + strlen(key), sizeof key - strlen(key), "|pool %dx%d", c->browsers, c->pages > 0 ? c->pages : 1);
    const ia_bench_gen *g = gen ? c->gen : NULL;
    if (g && g->sample)
        snprintf(key + strlen(key), sizeof key - strlen(key), "|sample %.9g %d %.9g %llu", g->temperature, g->top_k, g->top_p,
                 (unsigned long long)g->seed);
    uint64_t ph = 1469598103934665603ull; /* FNV-1a of a text prompt's ids */
    if (g && g->prompt) {
        for (size_t i = 0; i < g->n_prompt; i++)
            for (int k = 0; k < 8; k++) ph = (ph ^ ((uint64_t)g->prompt[i] >> (8 * k) & 0xff)) * 1099511628211ull;
        snprintf(key + strlen(key), sizeof key - strlen(key), "|prompt %016llx", (unsigned long long)ph);
    }
    uint64_t h = 1469598103934665603ull;
    for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(config_id, sizeof config_id, "%016llx", (unsigned long long)h);
    char *sql = NULL;
    size_t sl = 0;
    FILE *o = open_memstream(&sql, &sl);
    fputs("INSERT OR IGNORE INTO models VALUES (", o);
    lit(o, model_id); fputs(", ", o); lit(o, name); fputs(", ", o); lit(o, c->model);
    fprintf(o, ", %llu);\nINSERT OR IGNORE INTO configs VALUES (", (unsigned long long)bytes);
    lit(o, config_id); fputs(", ", o); lit(o, model_id); fputs(", ", o); lit(o, c->device);
    fprintf(o, ", %lld, %lld, ", (long long)c->batch, (long long)c->seq);
    lit(o, c->precision);
    fprintf(o, ", %d, ", c->threads);
    lit(o, mode);
    fputs(");\nINSERT INTO results VALUES (", o);
    lit(o, config_id); fputs(", ", o); lit(o, run_id); fputs(", ", o); lit(o, status_name(r->status)); fputs(", ", o);
    lit(o, r->reason[0] ? r->reason : NULL);
    const ia_summary *s = &r->s;
    int ok = r->status == IA_BENCH_OK;
    double nanv = 0.0 / 0.0;
    double vals[] = {s->median, s->p90, s->p99, s->mean, s->stdev, s->ci_low, s->ci_high, s->iqr, s->mad, s->min};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) { fputs(", ", o); num(o, ok ? vals[i] : nanv); }
    if (ok) fprintf(o, ", %zu, ", s->n); else fputs(", NULL, ", o);
    num(o, ok ? r->throughput : nanv);
    if (ok) fprintf(o, ", %llu, %llu, ", (unsigned long long)r->peak_rss_bytes, (unsigned long long)r->engine_peak_bytes);
    else fputs(", NULL, NULL, ", o);
    num(o, ok || r->load_ms > 0 ? r->load_ms : nanv); fputs(", ", o);
    num(o, ok ? r->first_ms : nanv); fputs(", ", o);
    num(o, ok ? r->cpu_ms : nanv);
    fprintf(o, ", %s, now()::TIMESTAMP);", r->hit_max_time ? "true" : "false");
    if (r->has_web) web_row(o, run_id, config_id, c, r);
    if (gen) { /* what defines a generate configuration beside configs' columns */
        fputs("\nINSERT OR IGNORE INTO generation_settings VALUES (", o);
        lit(o, config_id);
        if (g && g->sample) fprintf(o, ", 'sampled', %.9g, %d, %.9g, %llu, ", g->temperature, g->top_k, g->top_p, (unsigned long long)g->seed);
        else fputs(", 'greedy', NULL, NULL, NULL, NULL, ", o);
        char src[300];
        if (g && g->prompt) snprintf(src, sizeof src, "%s (ids %016llx)", g->prompt_source ? g->prompt_source : "text", (unsigned long long)ph);
        else snprintf(src, sizeof src, "random ids");
        lit(o, src);
        fprintf(o, ", %lld);", (long long)c->seq);
    }
    if (gen && ok) {
        fputs("\nINSERT INTO generation_results VALUES (", o);
        lit(o, config_id); fputs(", ", o); lit(o, run_id);
        fprintf(o, ", %lld, %zu, ", (long long)(c->batch * c->seq), r->new_tokens);
        num(o, r->ttft_ms); fputs(", ", o);
        num(o, r->prefill_tokens_per_s); fputs(", ", o);
        num(o, r->decode_tokens_per_s);
        fputs(");", o);
    }
    fclose(o);
    int rc = lock_db(db);
    if (rc) { free(sql); return rc; }
    rc = exec(db, "BEGIN");
    if (!rc) rc = exec(db, sql);
    free(sql);
    if (!rc && ok && r->n_samples) {
        duckdb_appender app;
        if (ia__ddb.duckdb_appender_create(db->con, NULL, "samples", &app) == DuckDBError) rc = db_err(db, NULL, "cannot create appender");
        for (size_t i = 0; !rc && i < r->n_samples; i++) {
            if (ia__ddb.duckdb_append_varchar(app, config_id) || ia__ddb.duckdb_append_varchar(app, run_id) ||
                ia__ddb.duckdb_append_int64(app, (int64_t)i) || ia__ddb.duckdb_append_double(app, r->samples[i]) ||
                ia__ddb.duckdb_appender_end_row(app))
                rc = ia_set_error(IA_ERR_IO, "results database %s: appending samples: %s", db->path, ia__ddb.duckdb_appender_error(app));
        }
        if (!rc && ia__ddb.duckdb_appender_destroy(&app) == DuckDBError) rc = ia_set_error(IA_ERR_IO, "results database %s: flushing samples", db->path);
        else if (rc) ia__ddb.duckdb_appender_destroy(&app);
    }
    if (!rc) rc = exec(db, "COMMIT");
    else { char keep[512]; snprintf(keep, sizeof keep, "%s", ia_last_error()); exec(db, "ROLLBACK"); ia_set_error(rc, "%s", keep); }
    unlock_db(db);
    return rc;
}

/* ---- access for the other files of src/bench (export/import, web platform rows) ---------- */

int ia__db_lock(ia_bench_db *db) { return lock_db(db); }
void ia__db_unlock(ia_bench_db *db) { unlock_db(db); }
int ia__db_exec(ia_bench_db *db, const char *sql) { return exec(db, sql); }
void ia__sql_lit(FILE *o, const char *s) { lit(o, s); }
void ia__sql_num(FILE *o, double v) { num(o, v); }

int ia__db_value(ia_bench_db *db, const char *sql, char *out, size_t cap) {
    duckdb_result res;
    if (cap) out[0] = 0;
    if (ia__ddb.duckdb_query(db->con, sql, &res) == DuckDBError) return db_err(db, &res, "query failed");
    if (ia__ddb.duckdb_row_count(&res) > 0 && ia__ddb.duckdb_column_count(&res) > 0 && !ia__ddb.duckdb_value_is_null(&res, 0, 0)) {
        char *v = ia__ddb.duckdb_value_varchar(&res, 0, 0);
        if (v) { snprintf(out, cap, "%s", v); ia__ddb.duckdb_free(v); }
    }
    ia__ddb.duckdb_destroy_result(&res);
    return IA_OK;
}

/* ---- reading --------------------------------------------------------------------------- */

int ia__db_select(ia_bench_db *db, const char *sql, ia__rows *out) {
    memset(out, 0, sizeof *out);
    int rc = lock_db(db);
    if (rc) return rc;
    duckdb_result res;
    if (ia__ddb.duckdb_query(db->con, sql, &res) == DuckDBError) {
        rc = db_err(db, &res, "query failed");
        unlock_db(db);
        return rc;
    }
    out->n_cols = ia__ddb.duckdb_column_count(&res);
    out->n_rows = ia__ddb.duckdb_row_count(&res);
    out->names = ia_calloc(out->n_cols + 1, sizeof *out->names);
    out->cells = ia_calloc(out->n_cols * out->n_rows + 1, sizeof *out->cells);
    if (!out->names || !out->cells) rc = ia_set_error(IA_ERR_NOMEM, "out of memory reading results");
    for (size_t c = 0; !rc && c < out->n_cols; c++) out->names[c] = ia_strdup(ia__ddb.duckdb_column_name(&res, c));
    for (size_t r = 0; !rc && r < out->n_rows; r++)
        for (size_t c = 0; c < out->n_cols; c++) {
            if (ia__ddb.duckdb_value_is_null(&res, c, r)) continue;
            char *v = ia__ddb.duckdb_value_varchar(&res, c, r);
            out->cells[r * out->n_cols + c] = ia_strdup(v ? v : "");
            if (v) ia__ddb.duckdb_free(v);
        }
    ia__ddb.duckdb_destroy_result(&res);
    unlock_db(db);
    if (rc) ia__rows_free(out);
    return rc;
}
#else
int ia__db_lock(ia_bench_db *db) {
    (void)db;
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
void ia__db_unlock(ia_bench_db *db) { (void)db; }
int ia__db_exec(ia_bench_db *db, const char *sql) {
    (void)db; (void)sql;
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
int ia__db_value(ia_bench_db *db, const char *sql, char *out, size_t cap) {
    (void)db; (void)sql; if (cap) out[0] = 0;
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
void ia__sql_lit(FILE *o, const char *s) { fputs(s ? s : "NULL", o); }
void ia__sql_num(FILE *o, double v) { fprintf(o, "%.17g", v); }
int ia_bench_db_begin_run(ia_bench_db *db, const ia_hw_info *hw, const char *args, char *run_id, size_t len) {
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
int ia_bench_db_add_result(ia_bench_db *db, const char *run_id, const ia_bench_config *c, const ia_bench_result *r) {
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
int ia__db_select(ia_bench_db *db, const char *sql, ia__rows *out) {
    memset(out, 0, sizeof *out);
    return ia_set_error(IA_ERR_UNAVAILABLE, "results database unavailable: %s", ia__duckdb_load());
}
#endif

void ia__rows_free(ia__rows *r) {
    if (!r) return;
    for (size_t c = 0; r->names && c < r->n_cols; c++) ia_free(r->names[c]);
    for (size_t i = 0; r->cells && i < r->n_cols * r->n_rows; i++) ia_free(r->cells[i]);
    ia_free(r->names);
    ia_free(r->cells);
    memset(r, 0, sizeof *r);
}

const char *ia__rows_get(const ia__rows *r, size_t row, size_t col) { return r->cells[row * r->n_cols + col]; }

int ia_bench_db_query(ia_bench_db *db, const char *sql, const char *format, FILE *out) {
    ia__rows rows;
    int rc = ia__db_select(db, sql, &rows);
    if (rc) return rc;
    if (!format || !strcmp(format, "table")) {
        size_t *w = ia_calloc(rows.n_cols + 1, sizeof *w);
        for (size_t c = 0; c < rows.n_cols; c++) {
            w[c] = strlen(rows.names[c]);
            for (size_t r = 0; r < rows.n_rows; r++) {
                const char *v = ia__rows_get(&rows, r, c);
                size_t l = strlen(v ? v : "NULL");
                if (l > w[c]) w[c] = l > 60 ? 60 : l;
            }
        }
        for (size_t c = 0; c < rows.n_cols; c++) fprintf(out, "%s%-*s", c ? " | " : "", (int)w[c], rows.names[c]);
        fputc('\n', out);
        for (size_t r = 0; r < rows.n_rows; r++) {
            for (size_t c = 0; c < rows.n_cols; c++) {
                const char *v = ia__rows_get(&rows, r, c);
                fprintf(out, "%s%-*.60s", c ? " | " : "", (int)w[c], v ? v : "NULL");
            }
            fputc('\n', out);
        }
        ia_free(w);
    } else if (!strcmp(format, "csv")) {
        for (size_t c = 0; c < rows.n_cols; c++) fprintf(out, "%s%s", c ? "," : "", rows.names[c]);
        fputc('\n', out);
        for (size_t r = 0; r < rows.n_rows; r++) {
            for (size_t c = 0; c < rows.n_cols; c++) {
                const char *v = ia__rows_get(&rows, r, c);
                if (c) fputc(',', out);
                if (v && strpbrk(v, ",\"\n")) {
                    fputc('"', out);
                    for (const char *p = v; *p; p++) { if (*p == '"') fputc('"', out); fputc(*p, out); }
                    fputc('"', out);
                } else if (v) fputs(v, out);
            }
            fputc('\n', out);
        }
    } else if (!strcmp(format, "json")) {
        fputc('[', out);
        for (size_t r = 0; r < rows.n_rows; r++) {
            fprintf(out, "%s{", r ? "," : "");
            for (size_t c = 0; c < rows.n_cols; c++) {
                const char *v = ia__rows_get(&rows, r, c);
                if (c) fputc(',', out);
                ia__json_str(out, rows.names[c]);
                fputc(':', out);
                if (v) ia__json_str(out, v); else fputs("null", out);
            }
            fputc('}', out);
        }
        fputs("]\n", out);
    } else {
        ia__rows_free(&rows);
        return ia_set_error(IA_ERR_INVALID_ARG, "unknown format '%s' (table, csv, json)", format);
    }
    ia__rows_free(&rows);
    return IA_OK;
}
