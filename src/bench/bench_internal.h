/* Internals shared by the files of src/bench (probe parts, runner, database, reports). */
#ifndef IA_BENCH_INTERNAL_H
#define IA_BENCH_INTERNAL_H

#include <stddef.h>
#include "ia/hw.h"

int ia__read_line(const char *path, char *buf, size_t len);
void ia__hw_probe_cpu(ia_hw_cpu *c);
void ia__hw_probe_gpu(ia_hw_info *hw);
void ia__hw_probe_browsers(ia_hw_info *hw);
/* Parses the bridge page's capabilities report (hw_web_probe.c); -1 when it is not a JSON object. */
int ia__hw_parse_browser_caps(const char *json, ia_hw_browser_probe *p);
double ia__now_s(void);
/* Median of x[0..n) by selection (O(n), the input is not modified); NaN when n is 0 or out of memory. */
double ia__stats_median(const double *x, size_t n);
#include <stdio.h>
void ia__json_str(FILE *o, const char *s);
void ia__json_num(FILE *o, double v);


/* Rows read from the results database, all cells as text (NULL = SQL NULL). */
typedef struct ia__rows {
    size_t n_rows, n_cols;
    char **names;
    char **cells; /* row-major */
} ia__rows;
struct ia_bench_db;
int ia__db_select(struct ia_bench_db *db, const char *sql, ia__rows *out);
void ia__rows_free(ia__rows *r);
const char *ia__rows_get(const ia__rows *r, size_t row, size_t col);
/* Lock and open the database (schema checked) / close and unlock; between them ia__db_exec runs
 * SQL and ia__db_value reads the first cell of a query's first row as text ("" when NULL). */
int ia__db_lock(struct ia_bench_db *db);
void ia__db_unlock(struct ia_bench_db *db);
int ia__db_exec(struct ia_bench_db *db, const char *sql);
int ia__db_value(struct ia_bench_db *db, const char *sql, char *out, size_t cap);
/* SQL literals: quoted string (NULL -> NULL), number (NaN/inf -> NULL) */
void ia__sql_lit(FILE *o, const char *s);
void ia__sql_num(FILE *o, double v);

/* Browser devices in the runner (runner_web.c): one session per (model, device, precision, threads). */
#include "ia/bench.h"
typedef struct ia__web_entry {
    const char *model;
    char device[16], precision[16];
    int threads;
    int users;           /* configurations still to finish with this session */
    int tried, status;   /* launched once; IA_BENCH_OK, _UNAVAILABLE or _FAILED */
    char reason[512];
    double load_ms;      /* C side: browser launch + bridge + model load (ia_web_session_create) */
    ia_web_info info;
    ia_web_session *ws;
    int browsers, pages; /* > 0: a pool (ia_web_pool) of browsers x pages instead of ws */
    ia_web_pool *pool;
} ia__web_entry;
typedef struct ia__web_cache {
    ia__web_entry *e;
    size_t n, cap;
} ia__web_cache;
int ia__bench_is_web_device(const char *device);
int ia__web_cache_init(ia__web_cache *wc, const ia_bench_config *cfgs, size_t n);
void ia__web_cache_free(ia__web_cache *wc);
ia__web_entry *ia__web_find(ia__web_cache *wc, const ia_bench_config *c);
ia__web_entry *ia__web_acquire(ia__web_cache *wc, const ia_bench_config *c, ia_bench_result *r);
void ia__web_release(ia__web_entry *e);
int ia__web_make_inputs(ia_web_session *ws, const ia_bench_config *c, const ia_bench_options *o, ia_value **in, size_t n_in);
/* Browser pool: inputs as for the CPU configuration with their names (names[i] and in[i] allocated,
 * n_in of each) and the output count; one iteration = `conc` requests at once (threads when > 1). */
int ia__web_pool_inputs(const ia_bench_config *c, const ia_bench_options *o, char ***names, ia_value ***in, size_t *n_in, size_t *n_out);
int ia__web_pool_iteration(ia_web_pool *p, const char *model, const char *const *names, ia_value *const *in, size_t n_in, size_t n_out,
                           int conc, char *err, size_t cap);

/* Benchmark inputs from a model's declared signature (src/bench/inputs.c): every input of the
 * session's graph, or one (graph input index i) with symbolic dims from NAME=N pairs, then batch /
 * sequence names; ids within the embedding table, masks of ones, token types 0, positions. `run
 * --random-inputs` uses the same generator. */
struct ia_graph;
struct ia_session;
int ia__bench_make_inputs(struct ia_session *s, const ia_bench_config *c, const ia_bench_options *o, ia_value **in, size_t n_in);
int ia__bench_make_input(const struct ia_graph *g, size_t i, int64_t batch, int64_t seq, const char *const *dim_names,
                         const int64_t *dim_values, int n_dims, uint64_t *rng, ia_value **out);

#endif
