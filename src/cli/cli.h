/* The command-line tool: one handler per command, listed in one table in main.c. */
#ifndef IA_CLI_H
#define IA_CLI_H

typedef struct ia_command {
    const char *name;
    const char *args;
    const char *help;
    int (*handler)(int argc, char **argv);
} ia_command;

int ia_cmd_run(int argc, char **argv);
int ia_cmd_inspect(int argc, char **argv);
/* browser bridge (cmd_web.c): run --device wasm|webgpu|webnn, and the browser probe */
int ia_cmd_run_web(int argc, char **argv);
int ia_cmd_browser(int argc, char **argv);
int ia_cmd_browser_bench(int argc, char **argv);
/* store commands (cmd_store.c) */
int ia_cmd_cid(int argc, char **argv);
int ia_cmd_add(int argc, char **argv);
int ia_cmd_cat(int argc, char **argv);
int ia_cmd_ls(int argc, char **argv);
int ia_cmd_get(int argc, char **argv);
int ia_cmd_car(int argc, char **argv);
int ia_cmd_pin(int argc, char **argv);
int ia_cmd_gc(int argc, char **argv);
int ia_cmd_verify(int argc, char **argv);
int ia_cmd_repo(int argc, char **argv);
/* text pipelines (cmd_text.c) */
int ia_cmd_text(int argc, char **argv);
int ia__cmd_text_task(int argc, char **argv); /* classify, fill-mask, ner (cmd_text_tasks.c) */
int ia__cmd_text2text(int argc, char **argv); /* text2text, translate (cmd_text2text.c) */

/* hardware probe and benchmarks (cmd_hw.c, cmd_bench.c) */
int ia_cmd_hw(int argc, char **argv);
int ia_cmd_bench(int argc, char **argv);
int ia_cmd_report(int argc, char **argv);
int ia_cmd_compare(int argc, char **argv);
int ia_cmd_query(int argc, char **argv);
int ia_cmd_export(int argc, char **argv);
int ia_cmd_import(int argc, char **argv);
/* performance model (cmd_predict.c, cmd_recommend.c) */
int ia_cmd_predict(int argc, char **argv);
int ia_cmd_recommend(int argc, char **argv);
#include <stddef.h>
#include <stdio.h>
int ia__cli_default_db(char *out, size_t cap);
void ia__json_str_cli(FILE *o, const char *s);
struct ia_hw_info; struct ia_model_cost; struct ia_perf_point; struct ia_perf_loo;
int ia__cli_perf_setup(const char *cmd, const char *model, const char *db_path, double budget, struct ia_hw_info *hw,
                       struct ia_model_cost *cost, struct ia_perf_point **pts, size_t *n, struct ia_perf_loo *loo);
void ia__cli_perf_header(FILE *o, const char *model, const struct ia_hw_info *hw, const struct ia_model_cost *c, size_t n,
                         const struct ia_perf_loo *loo);
void ia__cli_perf_validate(FILE *o, const struct ia_perf_point *pts, size_t n);

/* Shared by the commands that feed models (cli_inputs.c). */
#include <stddef.h>
#include <stdint.h>
#include "onnx/ir.h"
/* Splits a NAME=VALUE option: *name is a new string (ia_free it), *value points into `arg`.
 * -1 when there is no '=' or the name is empty. */
int ia__cli_split_option(const char *arg, char **name, const char **value);
/* Reads a whole file into a malloc'd buffer (free it); -1 on failure (errno set). */
int ia__cli_read_file(const char *path, uint8_t **data, size_t *len);
/* A random value for graph input i with the benchmark's signature-aware generator (symbolic
 * dims from the NAME=N pairs; other batch-like / sequence-like dims from "batch" / "seq" among
 * them, else 1; ids within the embedding table, masks of ones, token types 0); prints the reason
 * and returns -1 when it cannot. */
int ia__cli_random_input(const struct ia_graph *g, size_t i, int n_dims, const char *const *dim_names, const int64_t *dim_values,
                         ia_value **out);

/* Exit codes of the tool. */
enum { IA_EXIT_OK = 0, IA_EXIT_FAIL = 1, IA_EXIT_USAGE = 2 };

#endif
