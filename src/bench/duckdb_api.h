/* Function table of the DuckDB C API (types from duckdb.h), filled at run time by dlopen. */
#ifndef IA_BENCH_DUCKDB_API_H
#define IA_BENCH_DUCKDB_API_H

#include "ia/bench.h"

#ifdef IA_HAVE_DUCKDB_H
#include <duckdb.h>

#define IA_DUCKDB_FUNCS(X)                                                                           \
    X(duckdb_open_ext) X(duckdb_connect) X(duckdb_disconnect) X(duckdb_close) X(duckdb_query)       \
    X(duckdb_destroy_result) X(duckdb_result_error) X(duckdb_column_count) X(duckdb_row_count)       \
    X(duckdb_column_name) X(duckdb_value_varchar) X(duckdb_value_is_null) X(duckdb_value_double)     \
    X(duckdb_free) X(duckdb_library_version) X(duckdb_appender_create) X(duckdb_appender_destroy)    \
    X(duckdb_append_varchar) X(duckdb_append_int64) X(duckdb_append_double) X(duckdb_appender_end_row) \
    X(duckdb_appender_error) X(duckdb_create_config) X(duckdb_destroy_config)

typedef struct ia_duckdb_api {
#define X(name) __typeof__(name) *name;
    IA_DUCKDB_FUNCS(X)
#undef X
} ia_duckdb_api;

extern ia_duckdb_api ia__ddb;
#endif

/* Loads the library once; returns "" when usable, else why not. */
const char *ia__duckdb_load(void);

#endif
