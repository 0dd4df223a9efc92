/* Helpers shared by the commands that feed models (run on the CPU, run in a browser): NAME=VALUE
 * options, reading a whole file, and random inputs of an input's declared type with named dims substituted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "ia/alloc.h"
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

/* xorshift64: fixed sequence, so runs with --random-inputs are repeatable */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

int ia__cli_random_input(const ia_value_slot *s, int n_dims, const char *const *dim_names, const int64_t *dim_values,
                         ia_value **out) {
    const ia_type_info *t = &s->type;
    if (t->kind != IA_VALUE_TENSOR || t->rank < 0 || !t->elem_dtype) {
        fprintf(stderr, "run: input '%s' has no fully declared tensor type; pass it with --input\n", s->name);
        return -1;
    }
    int64_t dims[IA_MAX_DIMS];
    for (int d = 0; d < t->rank; d++) {
        dims[d] = t->dims[d];
        if (dims[d] < 0) {
            dims[d] = 1;
            for (int k = 0; k < n_dims; k++)
                if (t->dim_params[d] && !strcmp(dim_names[k], t->dim_params[d])) dims[d] = dim_values[k];
        }
    }
    ia_tensor *x;
    if (ia_tensor_create(t->elem_dtype, t->rank, dims, &x)) {
        fprintf(stderr, "run: cannot create input '%s': %s\n", s->name, ia_last_error());
        return -1;
    }
    for (int64_t i = 0; i < x->numel; i++) {
        if (x->dtype == IA_DTYPE_STRING) {
            if (!(((char **)x->data)[i] = ia_strdup("a"))) break;
        } else if (ia_dtype_is_float(x->dtype)) {
            ia_set_f64(x->data, x->dtype, i, rnd() * 2 - 1);
        } else if (x->dtype == IA_DTYPE_BOOL) {
            ia_set_i64(x->data, x->dtype, i, 1);
        } else {
            ia_set_i64(x->data, x->dtype, i, (int64_t)(rnd() * 10));
        }
    }
    int rc = ia_value_from_tensor(x, out);
    ia_tensor_release(x);
    return rc ? -1 : 0;
}
