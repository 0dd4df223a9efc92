/* `run MODEL ...`: feeds inputs (TensorProto files, a test_data_set folder, or random values
 * of the declared types), runs the model, prints outputs and latency, writes outputs. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cli.h"
#include "ia/alloc.h"
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "ops/kernel_util.h"

#define MAX_NAMED 256

typedef struct run_args {
    const char *model, *input_dir, *output_dir;
    const char *named[MAX_NAMED], *named_file[MAX_NAMED];
    int n_named;
    const char *dim_name[MAX_NAMED];
    int64_t dim_value[MAX_NAMED];
    int n_dims;
    int threads, warmup, repeat, json, random_inputs, optimize, profile;
} run_args;

static void print_value(const char *name, const ia_value *v) {
    char shape[256];
    if (v->kind == IA_VALUE_SEQUENCE) { printf("  %s: sequence of %zu\n", name, v->n_items); return; }
    if (v->kind == IA_VALUE_OPTIONAL) {
        if (!v->inner) { printf("  %s: optional, empty\n", name); return; }
        print_value(name, v->inner);
        return;
    }
    const ia_tensor *t = v->tensor;
    printf("  %s: %s %s", name, ia_dtype_name(t->dtype), ia_shape_str(t->rank, t->dims, shape, sizeof shape));
    int64_t n = t->numel < 8 ? t->numel : 8;
    printf(" [");
    for (int64_t i = 0; i < n; i++) {
        if (t->dtype == IA_DTYPE_STRING) printf("%s\"%s\"", i ? ", " : "", ((char **)t->data)[i] ? ((char **)t->data)[i] : "");
        else if (ia_dtype_is_float(t->dtype)) printf("%s%.6g", i ? ", " : "", ia_get_f64(t->data, t->dtype, i));
        else if (t->dtype == IA_DTYPE_COMPLEX64) printf("%s%g%+gi", i ? ", " : "", ((float *)t->data)[2 * i], ((float *)t->data)[2 * i + 1]);
        else printf("%s%lld", i ? ", " : "", (long long)ia_get_i64(t->data, t->dtype, i));
    }
    printf("%s]\n", t->numel > n ? ", ..." : "");
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_args(int argc, char **argv, run_args *a) {
    memset(a, 0, sizeof *a);
    a->repeat = 1;
    a->optimize = 2;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--input") && v) {
            char *name;
            if (a->n_named >= MAX_NAMED || ia__cli_split_option(v, &name, &a->named_file[a->n_named])) {
                fprintf(stderr, "run: --input takes NAME=FILE.pb\n");
                return -1;
            }
            a->named[a->n_named++] = name;
            i++;
        } else if (!strcmp(o, "--dim") && v) {
            char *name;
            const char *val;
            if (a->n_dims >= MAX_NAMED || ia__cli_split_option(v, &name, &val)) {
                fprintf(stderr, "run: --dim takes NAME=N\n");
                return -1;
            }
            a->dim_name[a->n_dims] = name;
            a->dim_value[a->n_dims++] = atoll(val);
            i++;
        } else if (!strcmp(o, "--input-dir") && v) { a->input_dir = v; i++; }
        else if (!strcmp(o, "--output-dir") && v) { a->output_dir = v; i++; }
        else if (!strcmp(o, "--threads") && v) { a->threads = atoi(v); i++; }
        else if (!strcmp(o, "--warmup") && v) { a->warmup = atoi(v); i++; }
        else if (!strcmp(o, "--repeat") && v) { a->repeat = atoi(v); i++; }
        else if (!strcmp(o, "--optimize") && v) { a->optimize = atoi(v); i++; }
        else if (!strcmp(o, "--device") && v) i++; /* cpu; other devices went to ia_cmd_run_web */
        else if (!strcmp(o, "--json")) a->json = 1;
        else if (!strcmp(o, "--profile")) a->profile = 1;
        else if (!strcmp(o, "--random-inputs")) a->random_inputs = 1;
        else if (o[0] == '-') { fprintf(stderr, "run: unknown or incomplete option %s\n", o); return -1; }
        else if (!a->model) a->model = o;
        else { fprintf(stderr, "run: unexpected argument %s\n", o); return -1; }
    }
    if (!a->model) { fprintf(stderr, "usage: ipfs-accelerate run MODEL [options] (see --help)\n"); return -1; }
    if (a->repeat < 1) a->repeat = 1;
    if (a->warmup < 0) a->warmup = 0;
    return 0;
}

int ia_cmd_run(int argc, char **argv) {
    /* Browser devices run through the bridge (cmd_web.c); cpu stays here. */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--device") && strcmp(argv[i + 1], "cpu")) return ia_cmd_run_web(argc, argv);
    run_args a;
    if (parse_args(argc, argv, &a)) return IA_EXIT_USAGE;
    ia_session_options o;
    ia_session_options_init(&o);
    o.threads = a.threads;
    o.optimize_level = a.optimize;
    double t_load = now_ms();
    ia_session *s;
    /* a file path, or CID / CID/path in the store (its data verified while the session is built) */
    if (ia_session_create_any(a.model, &o, &s)) {
        fprintf(stderr, "run: %s\n", ia_last_error());
        return IA_EXIT_FAIL;
    }
    t_load = now_ms() - t_load;
    const ia_graph *g = ia_session_model(s)->graph;
    size_t n_in = g->n_inputs, n_out = g->n_outputs;
    ia_value **in = calloc(n_in + 1, sizeof *in), **out = calloc(n_out + 1, sizeof *out);
    int status = IA_EXIT_OK;
    size_t file_k = 0;
    for (size_t i = 0; i < n_in && status == IA_EXIT_OK; i++) {
        const ia_value_slot *vs = &g->values[g->inputs[i]];
        const char *file = NULL;
        char buf[4096];
        for (int k = 0; k < a.n_named; k++)
            if (!strcmp(a.named[k], vs->name)) file = a.named_file[k];
        if (vs->init && !file) continue; /* default from initializer */
        if (!file && a.input_dir) {
            snprintf(buf, sizeof buf, "%s/input_%zu.pb", a.input_dir, file_k);
            file = buf;
        }
        if (!vs->init) file_k++;
        if (file) {
            uint8_t *data;
            size_t len;
            if (ia__cli_read_file(file, &data, &len)) {
                if (vs->type.kind == IA_VALUE_OPTIONAL) continue;
                fprintf(stderr, "run: cannot read input '%s' from %s: %s\n", vs->name, file, strerror(errno));
                status = IA_EXIT_FAIL;
                break;
            }
            if (ia__value_decode(data, len, &vs->type, &in[i])) {
                fprintf(stderr, "run: %s: %s\n", file, ia_last_error());
                status = IA_EXIT_FAIL;
            }
            free(data);
        } else if (a.random_inputs) {
            if (ia__cli_random_input(g, i, a.n_dims, a.dim_name, a.dim_value, &in[i])) status = IA_EXIT_FAIL;
        } else if (vs->type.kind != IA_VALUE_OPTIONAL) {
            fprintf(stderr, "run: no value for input '%s' (use --input, --input-dir or --random-inputs)\n", vs->name);
            status = IA_EXIT_USAGE;
        }
    }
    int total = a.warmup + a.repeat;
    if (a.profile && ia_session_profile_enable(s, 1)) status = IA_EXIT_FAIL;
    double *times = calloc((size_t)a.repeat, sizeof *times);
    for (int it = 0; it < total && status == IA_EXIT_OK; it++) {
        for (size_t k = 0; k < n_out; k++) { ia_value_destroy(out[k]); out[k] = NULL; }
        double t0 = now_ms();
        if (ia_session_run(s, in, n_in, out, n_out)) {
            fprintf(stderr, "run: %s\n", ia_session_errmsg(s));
            status = IA_EXIT_FAIL;
            break;
        }
        if (it >= a.warmup) times[it - a.warmup] = now_ms() - t0;
        if (a.profile && it + 1 == a.warmup) ia_session_profile_reset(s); /* profile timed runs only */
    }
    if (status == IA_EXIT_OK) {
        qsort(times, (size_t)a.repeat, sizeof *times, cmp_double);
        double med = a.repeat % 2 ? times[a.repeat / 2] : (times[a.repeat / 2 - 1] + times[a.repeat / 2]) / 2;
        int p90i = (int)ceil(0.9 * a.repeat) - 1;
        if (p90i < 0) p90i = 0;
        ia_run_stats st;
        ia_session_last_stats(s, &st);
        if (a.json) {
            printf("{\"median_ms\":%.4f,\"p90_ms\":%.4f,\"min_ms\":%.4f,\"iters\":%d,\"threads\":%d,\"load_ms\":%.3f}\n", med,
                   times[p90i], times[0], a.repeat, a.threads, t_load);
        } else {
            printf("model %s: loaded in %.2f ms, %zu nodes run\n", a.model, t_load, st.nodes_run);
            printf("outputs\n");
            for (size_t k = 0; k < n_out; k++) print_value(g->values[g->outputs[k]].name, out[k]);
            printf("latency over %d run%s (after %d warm-up): median %.3f ms, p90 %.3f ms, min %.3f ms\n", a.repeat,
                   a.repeat > 1 ? "s" : "", a.warmup, med, times[p90i], times[0]);
        }
        if (a.profile) ia_session_profile_report(s, a.json ? stderr : stdout, 25);
        if (a.output_dir) {
            mkdir(a.output_dir, 0755);
            for (size_t k = 0; k < n_out && status == IA_EXIT_OK; k++) {
                char p[4096];
                snprintf(p, sizeof p, "%s/output_%zu.pb", a.output_dir, k);
                ia_pbw w = {0};
                ia__value_encode(&w, out[k], g->values[g->outputs[k]].name);
                FILE *f = fopen(p, "wb");
                if (w.failed || !f || fwrite(w.buf, 1, w.len, f) != w.len) {
                    fprintf(stderr, "run: cannot write %s\n", p);
                    status = IA_EXIT_FAIL;
                }
                if (f) fclose(f);
                ia_pbw_free(&w);
            }
        }
    }
    free(times);
    for (size_t k = 0; k < n_in; k++) ia_value_destroy(in[k]);
    for (size_t k = 0; k < n_out; k++) ia_value_destroy(out[k]);
    free(in);
    free(out);
    for (int k = 0; k < a.n_named; k++) ia_free((void *)a.named[k]);
    for (int k = 0; k < a.n_dims; k++) ia_free((void *)a.dim_name[k]);
    ia_session_destroy(s);
    return status;
}
