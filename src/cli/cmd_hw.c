/* `hw [--json] [--calibrate] [--budget S] [--probe-browsers [--db FILE|--no-db] [--timeout S]]`:
 * prints the hardware probe and what this machine can run; with --probe-browsers each browser's
 * page capabilities too, recorded in the results database's web_platform_results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

#define HW_USAGE "usage: hw [--json] [--calibrate] [--budget SECONDS] [--probe-browsers [--db FILE | --no-db] [--timeout SECONDS]]"

/* records the probe as its own run (environment + hardware) plus web_platform_results rows */
static int record(const ia_hw_info *hw, const char *db_path, int argc, char **argv, int json) {
    char dbp[4200], args[1024] = "", run_id[96];
    if (!db_path) {
        if (ia__cli_default_db(dbp, sizeof dbp)) return -1;
        db_path = dbp;
    }
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(args);
        snprintf(args + n, sizeof args - n, "%s%s", i ? " " : "hw", i ? argv[i] : "");
    }
    ia_bench_db *db;
    if (ia_bench_db_open(db_path, &db)) return -1;
    int rc = ia_bench_db_begin_run(db, hw, args, run_id, sizeof run_id);
    if (!rc) rc = ia_bench_db_add_web_probe(db, run_id, hw);
    ia_bench_db_close(db);
    if (!rc) fprintf(json ? stderr : stdout, "browser probe recorded in %s (run %s, table web_platform_results)\n", db_path, run_id);
    return rc ? -1 : 0;
}

int ia_cmd_hw(int argc, char **argv) {
    int json = 0, calibrate = 0, probe = 0, no_db = 0;
    double budget = 2, timeout_s = 60;
    const char *db_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--calibrate")) calibrate = 1;
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--probe-browsers")) probe = 1;
        else if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (!strcmp(argv[i], "--no-db")) no_db = 1;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout_s = atof(argv[++i]);
        else {
            fprintf(stderr, "hw: unknown option %s (%s)\n", argv[i], HW_USAGE);
            return IA_EXIT_USAGE;
        }
    }
    if (!(timeout_s > 0 && timeout_s <= 3600) || ((db_path || no_db) && !probe)) {
        fprintf(stderr, "hw: %s\n", (db_path || no_db) && !probe ? "--db and --no-db go with --probe-browsers" : "--timeout takes 0 < SECONDS <= 3600");
        return IA_EXIT_USAGE;
    }
    ia_hw_info *hw = calloc(1, sizeof *hw);
    if (!hw || ia_hw_probe(hw)) { fprintf(stderr, "hw: %s\n", ia_last_error()); free(hw); return IA_EXIT_FAIL; }
    if (calibrate && ia_hw_calibrate(hw, budget)) { fprintf(stderr, "hw: %s\n", ia_last_error()); free(hw); return IA_EXIT_FAIL; }
    if (probe) {
        if (!json) fprintf(stderr, "hw: starting %d browser%s headless against the bridge page...\n", hw->n_browsers, hw->n_browsers == 1 ? "" : "s");
        ia_hw_probe_browsers(hw, (int)(timeout_s * 1000));
    }
    ia_hw_print(hw, stdout, json);
    int rc = IA_EXIT_OK;
    if (probe && !no_db && !db_path && ia_bench_db_unavailable_reason()[0])
        fprintf(stderr, "hw: the browser probe is not recorded: %s\n", ia_bench_db_unavailable_reason());
    else if (probe && !no_db && record(hw, db_path, argc, argv, json)) {
        fprintf(stderr, "hw: the browser probe was not recorded: %s\n", ia_last_error());
        rc = IA_EXIT_FAIL;
    }
    free(hw);
    return rc;
}
