/* Moving results between machines: export every table of the results database to Parquet or CSV
 * files (DuckDB's COPY), and import such files into another database without duplicating rows. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bench/bench_internal.h"
#include "ia/alloc.h"
#include "ia/bench.h"

/* Tables in import order (parents first), with the columns that identify a row. A row whose key
 * is already stored with the same content is skipped; with other content the import is refused
 * (except models: the id is the file's sha256, so the same id is the same model under another
 * name or path, and the stored row is kept). */
typedef struct table_key {
    const char *table;
    const char *keys;     /* comma-separated key columns; NULL = the whole row */
    int keep_existing;    /* same key, other content: keep the stored row instead of refusing */
} table_key;

static const table_key TABLES[] = {
    {"schema_version", NULL, 0},
    {"runs", "run_id", 0},
    {"hardware", "run_id", 0},
    {"models", "model_id", 1},
    {"configs", "config_id", 0},
    {"generation_settings", "config_id", 0},
    {"results", "config_id,run_id", 0},
    {"samples", "config_id,run_id,iter", 0},
    {"web_platform_results", NULL, 0},
    {"generation_results", "config_id,run_id", 0},
};
#define N_TABLES (sizeof TABLES / sizeof TABLES[0])

static char *sql_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sql_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = ia_malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* 'text' as an SQL string literal, in a malloc'd buffer */
static char *quoted(const char *s) {
    char *b = NULL;
    size_t l = 0;
    FILE *o = open_memstream(&b, &l);
    if (!o) return NULL;
    ia__sql_lit(o, s);
    fclose(o);
    return b;
}

int ia_bench_db_export(ia_bench_db *db, const char *dir, const char *format, FILE *log) {
    int parquet = format && !strcmp(format, "parquet");
    if (!parquet && !(format && !strcmp(format, "csv")))
        return ia_set_error(IA_ERR_INVALID_ARG, "export format is parquet or csv, not '%s'", format ? format : "");
    if (mkdir(dir, 0755) && errno != EEXIST) return ia_set_error(IA_ERR_IO, "export: cannot create %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return ia_set_error(IA_ERR_IO, "export: %s is not a directory", dir);
    int rc = ia__db_lock(db);
    if (rc) return rc;
    for (size_t t = 0; !rc && t < N_TABLES; t++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.%s", dir, TABLES[t].table, parquet ? "parquet" : "csv");
        char *q = quoted(path);
        char *sql = q ? sql_printf("COPY (SELECT * FROM %s ORDER BY ALL) TO %s (FORMAT %s%s)", TABLES[t].table, q,
                                   parquet ? "parquet" : "csv", parquet ? "" : ", HEADER true") : NULL;
        if (!sql) rc = ia_set_error(IA_ERR_NOMEM, "out of memory");
        if (!rc) rc = ia__db_exec(db, sql);
        char n[32] = "";
        if (!rc) {
            char *cnt = sql_printf("SELECT count(*) FROM %s", TABLES[t].table);
            rc = cnt ? ia__db_value(db, cnt, n, sizeof n) : ia_set_error(IA_ERR_NOMEM, "out of memory");
            ia_free(cnt);
        }
        if (!rc && log) fprintf(log, "%s: %s rows\n", path, n);
        ia_free(sql);
        free(q);
    }
    ia__db_unlock(db);
    return rc;
}

static const table_key *table_of(const char *path, int *parquet) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot) return NULL;
    if (!strcmp(dot, ".parquet")) *parquet = 1;
    else if (!strcmp(dot, ".csv")) *parquet = 0;
    else return NULL;
    for (size_t t = 0; t < N_TABLES; t++)
        if (strlen(TABLES[t].table) == (size_t)(dot - base) && !strncmp(base, TABLES[t].table, (size_t)(dot - base))) return &TABLES[t];
    return NULL;
}

/* "s.a = t.a AND s.b = t.b" over the key columns (NULL-safe) */
static void key_match(FILE *o, const char *keys) {
    char buf[200];
    snprintf(buf, sizeof buf, "%s", keys);
    int first = 1;
    for (char *sv = NULL, *k = strtok_r(buf, ",", &sv); k; k = strtok_r(NULL, ",", &sv), first = 0)
        fprintf(o, "%ss.%s IS NOT DISTINCT FROM t.%s", first ? "" : " AND ", k, k);
}

/* Imports one file inside the caller's transaction; counts rows added and already present. */
static int import_one(ia_bench_db *db, const char *path, const table_key *tk, int parquet, FILE *log) {
    char *q = quoted(path);
    if (!q) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    char *sql = sql_printf("CREATE OR REPLACE TEMP TABLE ia_stage AS SELECT * FROM %s LIMIT 0;"
                           " INSERT INTO ia_stage BY NAME SELECT * FROM %s(%s%s)",
                           tk->table, parquet ? "read_parquet" : "read_csv", q, parquet ? "" : ", header = true, all_varchar = true");
    free(q);
    int rc = sql ? ia__db_exec(db, sql) : ia_set_error(IA_ERR_NOMEM, "out of memory");
    ia_free(sql);
    if (rc) {
        char keep[900];
        snprintf(keep, sizeof keep, "%s", ia_last_error());
        return ia_set_error(IA_ERR_PARSE, "import %s (table %s): cannot read it as that table: %s", path, tk->table, keep);
    }
    char v[64], total[32];
    if ((rc = ia__db_value(db, "SELECT count(*) FROM ia_stage", total, sizeof total))) return rc;
    if (!strcmp(tk->table, "schema_version")) {
        if ((rc = ia__db_value(db, "SELECT max(version) FROM ia_stage", v, sizeof v))) return rc;
        if (v[0] && atoi(v) > IA_BENCH_SCHEMA_VERSION)
            return ia_set_error(IA_ERR_UNSUPPORTED, "import %s: exported from schema version %s, newer than this build's %d; use a newer ipfs-accelerate",
                                path, v, IA_BENCH_SCHEMA_VERSION);
        if (log) fprintf(log, "%s: schema version %s\n", path, v[0] ? v : "unknown");
        return IA_OK;
    }
    char *b = NULL;
    size_t bl = 0;
    FILE *o;
    if (tk->keys) {
        /* one key, two different rows in the file itself */
        o = open_memstream(&b, &bl);
        fprintf(o, "SELECT count(*) FROM (SELECT %s FROM (SELECT DISTINCT * FROM ia_stage) GROUP BY ALL HAVING count(*) > 1)", tk->keys);
        fclose(o);
        rc = ia__db_value(db, b, v, sizeof v);
        free(b);
        if (rc) return rc;
        if (atoll(v) > 0)
            return ia_set_error(IA_ERR_PARSE, "import %s: %s keys (%s) name two different rows in the file; nothing imported", path, v, tk->keys);
        if (!tk->keep_existing) {
            /* a stored row under the same key with other content: refuse instead of guessing */
            o = open_memstream(&b, &bl);
            fprintf(o, "SELECT count(*) FROM (SELECT * FROM ia_stage s WHERE EXISTS (SELECT 1 FROM %s t WHERE ", tk->table);
            key_match(o, tk->keys);
            fprintf(o, ") EXCEPT SELECT * FROM %s)", tk->table);
            fclose(o);
            rc = ia__db_value(db, b, v, sizeof v);
            free(b);
            if (rc) return rc;
            if (atoll(v) > 0)
                return ia_set_error(IA_ERR_PARSE, "import %s: %s rows of %s have the key (%s) of a stored row but other content; "
                                    "refusing to merge them (nothing imported)", path, v, tk->table, tk->keys);
        }
    }
    char before[32], after[32];
    char *cnt = sql_printf("SELECT count(*) FROM %s", tk->table);
    if (!cnt) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    rc = ia__db_value(db, cnt, before, sizeof before);
    o = open_memstream(&b, &bl);
    if (tk->keys) {
        fprintf(o, "INSERT INTO %s SELECT DISTINCT * FROM ia_stage s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE ", tk->table, tk->table);
        key_match(o, tk->keys);
        fprintf(o, ")");
    } else
        fprintf(o, "INSERT INTO %s SELECT * FROM (SELECT * FROM ia_stage EXCEPT SELECT * FROM %s)", tk->table, tk->table);
    fclose(o);
    if (!rc) rc = ia__db_exec(db, b);
    free(b);
    if (!rc) rc = ia__db_value(db, cnt, after, sizeof after);
    ia_free(cnt);
    if (rc) return rc;
    long long added = atoll(after) - atoll(before);
    if (log) fprintf(log, "%s: %lld rows added to %s, %lld already present\n", path, added, tk->table, atoll(total) - added);
    return IA_OK;
}

int ia_bench_db_import(ia_bench_db *db, const char *const *paths, size_t n, FILE *log) {
    /* expand directories to the table files they hold; then import in table order */
    size_t cap = n * N_TABLES * 2 + 1, nf = 0;
    char **files = ia_calloc(cap, sizeof *files);
    const table_key **tks = ia_calloc(cap, sizeof *tks);
    int *pq = ia_calloc(cap, sizeof *pq);
    int rc = files && tks && pq ? IA_OK : ia_set_error(IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st)) { rc = ia_set_error(IA_ERR_IO, "import: cannot read %s: %s", paths[i], strerror(errno)); break; }
        if (S_ISDIR(st.st_mode)) {
            size_t found = 0;
            for (size_t t = 0; t < N_TABLES; t++)
                for (int k = 0; k < 2; k++) {
                    char p[4400];
                    snprintf(p, sizeof p, "%s/%s.%s", paths[i], TABLES[t].table, k ? "csv" : "parquet");
                    if (stat(p, &st) || !S_ISREG(st.st_mode)) continue;
                    files[nf] = ia_strdup(p);
                    tks[nf] = &TABLES[t];
                    pq[nf++] = !k;
                    found++;
                }
            if (!found) rc = ia_set_error(IA_ERR_NOT_FOUND, "import: %s holds no exported table (runs.parquet, results.csv, ...)", paths[i]);
        } else {
            int p = 0;
            const table_key *tk = table_of(paths[i], &p);
            if (!tk) {
                rc = ia_set_error(IA_ERR_INVALID_ARG, "import: %s is not named after a results table (runs, hardware, models, configs, results, "
                                  "samples, web_platform_results, generation_results, generation_settings, schema_version) with .parquet or .csv", paths[i]);
                break;
            }
            files[nf] = ia_strdup(paths[i]);
            tks[nf] = tk;
            pq[nf++] = p;
        }
    }
    if (!rc) rc = ia__db_lock(db);
    if (!rc) {
        rc = ia__db_exec(db, "BEGIN");
        for (size_t t = 0; !rc && t < N_TABLES; t++)
            for (size_t i = 0; !rc && i < nf; i++)
                if (tks[i] == &TABLES[t]) rc = import_one(db, files[i], tks[i], pq[i], log);
        if (!rc) rc = ia__db_exec(db, "COMMIT");
        else {
            char keep[1200];
            snprintf(keep, sizeof keep, "%s", ia_last_error());
            ia__db_exec(db, "ROLLBACK");
            ia_set_error(rc, "%s", keep);
        }
        ia__db_exec(db, "DROP TABLE IF EXISTS ia_stage");
        ia__db_unlock(db);
    }
    for (size_t i = 0; i < nf; i++) ia_free(files[i]);
    ia_free(files);
    ia_free(tks);
    ia_free(pq);
    return rc;
}
