/* The DuckDB C API, loaded at run time: a system libduckdb.so when present, else the pinned one
 * installed by scripts/bootstrap.sh from npm (@duckdb/node-bindings-linux-x64). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/duckdb_api.h"

#ifdef IA_HAVE_DUCKDB_H
ia_duckdb_api ia__ddb;
static char unavailable[512] = "not loaded yet";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *cands[4] = {getenv("IA_DUCKDB_LIBRARY"), "libduckdb.so",
#ifdef IA_DUCKDB_NPM_LIB
                            IA_DUCKDB_NPM_LIB,
#else
                            NULL,
#endif
                            NULL};
    void *h = NULL;
    char tried[400] = "";
    for (int i = 0; i < 3 && !h; i++) {
        if (!cands[i] || !cands[i][0]) continue;
        h = dlopen(cands[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            size_t n = strlen(tried);
            snprintf(tried + n, sizeof tried - n, "%s%s", n ? ", " : "", cands[i]);
        }
    }
    if (!h) {
        snprintf(unavailable, sizeof unavailable,
                 "DuckDB library not found (tried %s); run scripts/bootstrap.sh or set IA_DUCKDB_LIBRARY", tried);
        return;
    }
#define X(name)                                                                              \
    if (!(ia__ddb.name = (__typeof__(ia__ddb.name))dlsym(h, #name))) {                      \
        snprintf(unavailable, sizeof unavailable, "the DuckDB library lacks %s", #name);    \
        return;                                                                              \
    }
    IA_DUCKDB_FUNCS(X)
#undef X
    const char *v = ia__ddb.duckdb_library_version();
    if (strncmp(v, "v1.", 3)) {
        snprintf(unavailable, sizeof unavailable, "DuckDB %s is not a 1.x release (the C API this build expects)", v);
        return;
    }
    unavailable[0] = 0;
}

const char *ia__duckdb_load(void) {
    pthread_once(&once, load);
    return unavailable;
}
#else
const char *ia__duckdb_load(void) {
    return "built without duckdb.h (run scripts/bootstrap.sh, then reconfigure with cmake)";
}
#endif

const char *ia_bench_db_unavailable_reason(void) { return ia__duckdb_load(); }
