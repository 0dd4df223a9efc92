/* Helpers shared by the commands that feed models (run on the CPU, run in a browser): NAME=VALUE
 * options, reading a whole file, and random inputs of an input's declared type with named dims substituted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "ia/alloc.h"
#include "bench/bench_internal.h"
#include "onnx/ir.h"
#include "ops/kernel_util.h"

int ia__cli_read_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct stat st;
    if (fstat(fileno(f), &st) || st.st_size < 0) {
        fclose(f);
        return -1;
    }
    *len = (size_t)st.st_size;
    *data = malloc(*len ? *len : 1);
    if (!*data || (*len && fread(*data, 1, *len, f) != *len)) {
        free(*data);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

int ia__cli_split_option(const char *arg, char **name, const char **value) {
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) return -1;
    if (!(*name = ia_strndup(arg, (size_t)(eq - arg)))) return -1;
    *value = eq + 1;
    return 0;
}

/* one fixed sequence per process, so runs with --random-inputs are repeatable */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

int ia__cli_random_input(const ia_graph *g, size_t i, int n_dims, const char *const *dim_names, const int64_t *dim_values,
                         ia_value **out) {
    /* --dim batch=N / --dim seq=N also set every batch-like / sequence-like dim, whatever its name */
    int64_t batch = 1, seq = 1;
    for (int k = 0; k < n_dims; k++) {
        if (!strcmp(dim_names[k], "batch")) batch = dim_values[k];
        if (!strcmp(dim_names[k], "seq")) seq = dim_values[k];
    }
    int rc = ia__bench_make_input(g, i, batch, seq, dim_names, dim_values, n_dims, &rng_state, out);
    if (rc) {
        fprintf(stderr, "run: %s; pass it with --input\n", ia_last_error());
        return -1;
    }
    return 0;
}
