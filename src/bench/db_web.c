/* Browser capability rows of the results database: one web_platform_results row per probed
 * browser and platform (webgpu, webnn-cpu, webnn-gpu, webnn-npu, wasm), from hw --probe-browsers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/bench_internal.h"
#include "ia/bench.h"

static void row(FILE *o, const char *run_id, const ia_hw_browser *b, const char *platform, const char *adapter, const char *features) {
    fputs("INSERT INTO web_platform_results (run_id, config_id, browser, browser_version, platform, adapter, features,"
          " session_create_ms, shader_compile_ms) VALUES (", o);
    ia__sql_lit(o, run_id);
    fputs(", NULL, ", o);
    ia__sql_lit(o, b->name); fputs(", ", o);
    ia__sql_lit(o, b->version[0] ? b->version : NULL); fputs(", ", o);
    ia__sql_lit(o, platform); fputs(", ", o);
    ia__sql_lit(o, adapter); fputs(", ", o);
    ia__sql_lit(o, features);
    fputs(", NULL, NULL);\n", o); /* the probe creates no session and compiles no shader: no times */
}

int ia_bench_db_add_web_probe(ia_bench_db *db, const char *run_id, const ia_hw_info *hw) {
    char *sql = NULL;
    size_t sl = 0;
    FILE *o = open_memstream(&sql, &sl);
    if (!o) return ia_set_error(IA_ERR_NOMEM, "out of memory");
    int rows = 0;
    static const char *const types[3] = {"webnn-cpu", "webnn-gpu", "webnn-npu"};
    for (int i = 0; i < hw->n_browsers; i++) {
        const ia_hw_browser *b = &hw->browsers[i];
        const ia_hw_browser_probe *p = &b->probe;
        if (!p->status) continue;
        char ad[1200], ft[1700];
        if (p->status < 0) {
            snprintf(ad, sizeof ad, "unavailable: the browser could not be probed: %s", p->error);
            row(o, run_id, b, "webgpu", ad, NULL);
            rows++;
            continue;
        }
        if (p->webgpu_available) {
            snprintf(ad, sizeof ad, "vendor=%s architecture=%s description=%s device=%s fallback_adapter=%s", p->webgpu_vendor,
                     p->webgpu_architecture, p->webgpu_description, p->webgpu_device, p->webgpu_fallback ? "true" : "false");
            snprintf(ft, sizeof ft, "%s; limits: %s", p->webgpu_features, p->webgpu_limits);
            row(o, run_id, b, "webgpu", ad, ft);
        } else {
            snprintf(ad, sizeof ad, "unavailable: %s", p->webgpu_error);
            row(o, run_id, b, "webgpu", ad, NULL);
        }
        for (int k = 0; k < 3; k++) {
            snprintf(ad, sizeof ad, "%s%s", p->webnn_ok[k] ? "available" : "unavailable: ", p->webnn_ok[k] ? "" : p->webnn_errors[k]);
            row(o, run_id, b, types[k], ad, NULL);
        }
        snprintf(ft, sizeof ft, "simd=%s threads=%s cross_origin_isolated=%s", p->wasm_simd < 0 ? "unknown" : p->wasm_simd ? "true" : "false",
                 p->wasm_threads < 0 ? "unknown" : p->wasm_threads ? "true" : "false",
                 p->cross_origin_isolated < 0 ? "unknown" : p->cross_origin_isolated ? "true" : "false");
        row(o, run_id, b, "wasm", NULL, ft);
        rows += 5;
    }
    fclose(o);
    int rc = IA_OK;
    if (rows) {
        rc = ia__db_lock(db);
        if (!rc) {
            rc = ia__db_exec(db, "BEGIN");
            if (!rc) rc = ia__db_exec(db, sql);
            if (!rc) rc = ia__db_exec(db, "COMMIT");
            else {
                char keep[900];
                snprintf(keep, sizeof keep, "%s", ia_last_error());
                ia__db_exec(db, "ROLLBACK");
                ia_set_error(rc, "%s", keep);
            }
            ia__db_unlock(db);
        }
    }
    free(sql);
    return rc;
}
