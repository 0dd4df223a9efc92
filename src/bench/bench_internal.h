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

#endif
