/* ONNX backend conformance runner: runs every test folder of a suite (model.onnx plus
 * test_data_set_N/{input,output}_K.pb), compares our outputs with the stored ones, and checks
 * the result against a list of tests known to pass (a regression fails; new passes are
 * reported). Each test runs in a child process with a time limit, so a crash or hang in one
 * test is reported as that test's failure. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ipfs_accelerate.h"
#include "onnx/ir.h"
#include "onnx/proto.h"
#include "ops/kernel_util.h"

/* Messages are cut to their buffers on purpose. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static double rtol_f32 = 1e-3, atol_f32 = 1e-5;

static int read_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(n > 0 ? (size_t)n : 1);
    *len = (size_t)(n > 0 ? n : 0);
    if (*len && fread(*data, 1, *len, f) != *len) {
        fclose(f);
        free(*data);
        return -1;
    }
    fclose(f);
    return 0;
}

static int model_has_op(const ia_graph *g, const char *op) {
    for (size_t i = 0; i < g->n_nodes; i++)
        if (!strcmp(g->nodes[i].op_type, op)) return 1;
    return 0;
}

static int model_has_training_dropout(const ia_graph *g) {
    for (size_t i = 0; i < g->n_nodes; i++)
        if (!strcmp(g->nodes[i].op_type, "Dropout") && g->nodes[i].n_inputs >= 3 && g->nodes[i].inputs[2] >= 0) return 1;
    return 0;
}

static int compare_tensor(const ia_tensor *got, const ia_tensor *want, int random_mode, char *why, size_t cap) {
    char a[128], b[128];
    if (got->dtype != want->dtype) {
        snprintf(why, cap, "dtype %s, expected %s", ia_dtype_name(got->dtype), ia_dtype_name(want->dtype));
        return 0;
    }
    if (got->rank != want->rank || memcmp(got->dims, want->dims, sizeof(int64_t) * (size_t)got->rank)) {
        snprintf(why, cap, "shape %s, expected %s", ia_shape_str(got->rank, got->dims, a, sizeof a),
                 ia_shape_str(want->rank, want->dims, b, sizeof b));
        return 0;
    }
    if (random_mode) {
        for (int64_t i = 0; i < got->numel; i++) {
            double g = ia_get_f64(got->data, got->dtype, i);
            if (!isfinite(g) || (random_mode == 2 && g != 0 && g != 1)) {
                snprintf(why, cap, "random output value %g at %lld out of range", g, (long long)i);
                return 0;
            }
        }
        return 1;
    }
    if (got->dtype == IA_DTYPE_STRING) {
        for (int64_t i = 0; i < got->numel; i++) {
            const char *x = ((char **)got->data)[i], *y = ((char **)want->data)[i];
            if (strcmp(x ? x : "", y ? y : "")) {
                snprintf(why, cap, "string %lld is '%.40s', expected '%.40s'", (long long)i, x ? x : "", y ? y : "");
                return 0;
            }
        }
        return 1;
    }
    int is_f = ia_dtype_is_float(got->dtype) || got->dtype == IA_DTYPE_COMPLEX64 || got->dtype == IA_DTYPE_COMPLEX128;
    int64_t n = got->numel;
    int ftype = got->dtype;
    if (got->dtype == IA_DTYPE_COMPLEX64) { n *= 2; ftype = IA_DTYPE_FLOAT; }
    if (got->dtype == IA_DTYPE_COMPLEX128) { n *= 2; ftype = IA_DTYPE_DOUBLE; }
    double rtol = rtol_f32, atol = atol_f32;
    if (got->dtype == IA_DTYPE_FLOAT16 || got->dtype == IA_DTYPE_BFLOAT16) { rtol = 1e-2; atol = 1e-3; }
    if (!is_f) {
        if (got->nbytes != want->nbytes || memcmp(got->data, want->data, got->nbytes)) {
            for (int64_t i = 0; i < got->numel; i++)
                if (ia_get_i64(got->data, got->dtype, i) != ia_get_i64(want->data, want->dtype, i)) {
                    snprintf(why, cap, "element %lld is %lld, expected %lld", (long long)i,
                             (long long)ia_get_i64(got->data, got->dtype, i), (long long)ia_get_i64(want->data, want->dtype, i));
                    return 0;
                }
            if (got->dtype == IA_DTYPE_UINT64 && memcmp(got->data, want->data, got->nbytes)) {
                snprintf(why, cap, "uint64 values differ");
                return 0;
            }
        }
        return 1;
    }
    for (int64_t i = 0; i < n; i++) {
        double g = ia_get_f64(got->data, ftype, i), w = ia_get_f64(want->data, ftype, i);
        if (isnan(w) && isnan(g)) continue;
        if (isinf(w) && g == w) continue;
        if (!(fabs(g - w) <= atol + rtol * fabs(w))) {
            snprintf(why, cap, "element %lld is %.9g, expected %.9g", (long long)i, g, w);
            return 0;
        }
    }
    return 1;
}

static int compare_value(const ia_value *got, const ia_value *want, int random_mode, char *why, size_t cap) {
    if (!got) {
        snprintf(why, cap, "no output");
        return 0;
    }
    if (got->kind != want->kind) {
        snprintf(why, cap, "value kind %d, expected %d", got->kind, want->kind);
        return 0;
    }
    if (got->kind == IA_VALUE_TENSOR) return compare_tensor(got->tensor, want->tensor, random_mode, why, cap);
    if (got->kind == IA_VALUE_OPTIONAL) {
        if (!got->inner != !want->inner) {
            snprintf(why, cap, "optional %s, expected %s", got->inner ? "has a value" : "is empty", want->inner ? "a value" : "empty");
            return 0;
        }
        return !got->inner || compare_value(got->inner, want->inner, random_mode, why, cap);
    }
    if (got->n_items != want->n_items) {
        snprintf(why, cap, "sequence of %zu items, expected %zu", got->n_items, want->n_items);
        return 0;
    }
    for (size_t i = 0; i < got->n_items; i++)
        if (!compare_value(got->items[i], want->items[i], random_mode, why, cap)) return 0;
    return 1;
}

/* The ONNX test data stores bfloat16 tensors as uint16 (numpy has no bfloat16): take the
 * declared type's word for it. */
static void bf16_from_uint16(ia_value *v, const ia_type_info *t) {
    if (!v || !t) return;
    if (v->kind == IA_VALUE_TENSOR && t->elem_dtype == IA_DTYPE_BFLOAT16 && v->tensor->dtype == IA_DTYPE_UINT16)
        v->tensor->dtype = IA_DTYPE_BFLOAT16;
}

/* Runs one test folder; returns 0 on pass and writes a reason otherwise. */
static int run_test(const char *dir, char *why, size_t cap) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    ia_session_options o;
    ia_session_options_init(&o);
    o.threads = 1;
    ia_session *s;
    if (ia_session_create(path, &o, &s)) {
        snprintf(why, cap, "load: %s", ia_last_error());
        return 1;
    }
    const ia_model *m = ia_session_model(s);
    const ia_graph *g = m->graph;
    /* Outputs drawn from a random generator cannot equal the stored ones: those are checked
     * exactly first, and on mismatch for shape, dtype and value range instead. */
    int random_mode = model_has_op(g, "Bernoulli") ? 2
                    : (model_has_op(g, "RandomUniformLike") || model_has_op(g, "RandomNormalLike") ||
                       model_has_op(g, "RandomUniform") || model_has_op(g, "RandomNormal") ||
                       model_has_training_dropout(g)) ? 1 : 0;
    /* inputs fed by files: graph inputs without an initializer, in order */
    size_t n_in = g->n_inputs, n_out = g->n_outputs;
    int sets = 0, fail = 0;
    for (int ds = 0; !fail; ds++) {
        char sdir[4200];
        snprintf(sdir, sizeof sdir, "%s/test_data_set_%d", dir, ds);
        if (access(sdir, F_OK)) break;
        sets++;
        ia_value **in = calloc(n_in + 1, sizeof *in), **out = calloc(n_out + 1, sizeof *out);
        size_t k = 0;
        for (size_t i = 0; i < n_in && !fail; i++) {
            const ia_value_slot *vs = &g->values[g->inputs[i]];
            if (vs->init) continue;
            char f[4400];
            snprintf(f, sizeof f, "%s/input_%zu.pb", sdir, k++);
            uint8_t *data;
            size_t len;
            if (read_file(f, &data, &len)) {
                if (vs->type.kind == IA_VALUE_OPTIONAL) continue; /* omitted optional */
                snprintf(why, cap, "missing %s", f);
                fail = 1;
                break;
            }
            if (ia__value_decode(data, len, &vs->type, &in[i])) {
                snprintf(why, cap, "cannot decode %s: %s", f, ia_last_error());
                fail = 1;
            }
            bf16_from_uint16(in[i], &vs->type);
            free(data);
        }
        if (!fail && ia_session_run(s, in, n_in, out, n_out)) {
            snprintf(why, cap, "run: %s", ia_session_errmsg(s));
            fail = 1;
        }
        for (size_t i = 0; i < n_out && !fail; i++) {
            char f[4400];
            snprintf(f, sizeof f, "%s/output_%zu.pb", sdir, i);
            uint8_t *data;
            size_t len;
            if (read_file(f, &data, &len)) {
                snprintf(why, cap, "missing %s", f);
                fail = 1;
                break;
            }
            ia_value *want;
            const ia_type_info *t = &g->values[g->outputs[i]].type;
            if (ia__value_decode(data, len, t, &want)) {
                snprintf(why, cap, "cannot decode %s: %s", f, ia_last_error());
                fail = 1;
            } else {
                bf16_from_uint16(want, t);
                char sub[512];
                if (!compare_value(out[i], want, 0, sub, sizeof sub) &&
                    (!random_mode || !compare_value(out[i], want, random_mode, sub, sizeof sub))) {
                    snprintf(why, cap, "output %zu ('%s'), data set %d: %s", i, g->values[g->outputs[i]].name, ds, sub);
                    fail = 1;
                }
                ia_value_destroy(want);
            }
            free(data);
        }
        for (size_t i = 0; i < n_in; i++) ia_value_destroy(in[i]);
        for (size_t i = 0; i < n_out; i++) ia_value_destroy(out[i]);
        free(in);
        free(out);
    }
    ia_session_destroy(s);
    if (!fail && sets == 0) {
        snprintf(why, cap, "no test_data_set folders");
        fail = 1;
    }
    return fail;
}

typedef struct result {
    char name[256];
    int pass;
    char why[1024];
} result;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int in_list(char **list, size_t n, const char *name) {
    return bsearch(&name, list, n, sizeof *list, cmp_str) != NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: ia_conformance --suite DIR [--expect FILE] [--write FILE] [--filter SUBSTR] "
                    "[--jobs N] [--timeout SECONDS] [--quiet]\n");
}

int main(int argc, char **argv) {
    const char *suite = NULL, *expect = NULL, *write_to = NULL, *filter = NULL;
    int jobs = 2, timeout = 60, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) suite = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc) expect = argv[++i];
        else if (!strcmp(argv[i], "--write") && i + 1 < argc) write_to = argv[++i];
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else { usage(); return 2; }
    }
    if (!suite) { usage(); return 2; }
    if (jobs < 1) jobs = 1;
    DIR *d = opendir(suite);
    if (!d) {
        fprintf(stderr, "cannot open suite %s: %s (install Debian's libonnx-testdata)\n", suite, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (filter && !strstr(e->d_name, filter)) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/model.onnx", suite, e->d_name);
        if (access(p, F_OK)) continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown) { fprintf(stderr, "out of memory\n"); return 2; }
        names = grown;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    result *res = calloc(n ? n : 1, sizeof *res);
    /* run children, `jobs` at a time; each reports its reason through a pipe */
    pid_t *pids = calloc((size_t)jobs, sizeof *pids);
    int *fds = calloc((size_t)jobs, sizeof *fds);
    size_t *which = calloc((size_t)jobs, sizeof *which);
    size_t next = 0, running = 0;
    while (next < n || running) {
        while (running < (size_t)jobs && next < n) {
            int slot = 0;
            while (pids[slot]) slot++;
            int pfd[2];
            if (pipe(pfd)) { perror("pipe"); return 2; }
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) {
                close(pfd[0]);
                alarm((unsigned)timeout);
                char dir[4096], why[1024] = "";
                snprintf(dir, sizeof dir, "%s/%s", suite, names[next]);
                int fail = run_test(dir, why, sizeof why);
                if (fail) { ssize_t w = write(pfd[1], why, strlen(why)); (void)w; }
                close(pfd[1]);
                exit(fail ? 1 : 0); /* exit, not _exit: LeakSanitizer checks the child at exit */
            }
            close(pfd[1]);
            pids[slot] = pid;
            fds[slot] = pfd[0];
            which[slot] = next++;
            running++;
        }
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) break;
        for (int slot = 0; slot < jobs; slot++) {
            if (pids[slot] != pid) continue;
            result *r = &res[which[slot]];
            snprintf(r->name, sizeof r->name, "%s", names[which[slot]]);
            ssize_t k = read(fds[slot], r->why, sizeof r->why - 1);
            r->why[k > 0 ? k : 0] = 0;
            close(fds[slot]);
            if (WIFEXITED(status)) {
                r->pass = WEXITSTATUS(status) == 0;
                if (WEXITSTATUS(status) > 1)
                    snprintf(r->why, sizeof r->why, "exited with status %d (a sanitizer report: rerun with --filter %s)",
                             WEXITSTATUS(status), r->name);
            } else if (WIFSIGNALED(status)) {
                r->pass = 0;
                snprintf(r->why, sizeof r->why, WTERMSIG(status) == SIGALRM ? "timed out after %d s" : "crashed with signal %d",
                         WTERMSIG(status) == SIGALRM ? timeout : WTERMSIG(status));
            }
            pids[slot] = 0;
            running--;
        }
    }
    char **expected = NULL;
    size_t n_expected = 0;
    if (expect) {
        FILE *f = fopen(expect, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n \t#")] = 0;
            if (!line[0]) continue;
            char **grown = realloc(expected, (n_expected + 1) * sizeof *expected);
            if (!grown) { fprintf(stderr, "out of memory\n"); return 2; }
            expected = grown;
            expected[n_expected++] = strdup(line);
        }
        if (f) fclose(f);
        if (n_expected) qsort(expected, n_expected, sizeof *expected, cmp_str);
    }
    size_t passed = 0, failed = 0, regressions = 0, new_passes = 0;
    for (size_t i = 0; i < n; i++) {
        int listed = expected && in_list(expected, n_expected, res[i].name);
        if (res[i].pass) {
            passed++;
            if (expect && !listed) {
                new_passes++;
                printf("NEW PASS %s (add it to %s)\n", res[i].name, expect);
            }
        } else {
            failed++;
            if (listed) regressions++;
            if (!quiet || listed) printf("%s %s: %s\n", listed ? "REGRESSION" : "FAIL", res[i].name, res[i].why);
        }
    }
    /* a listed test that no longer exists or was filtered out is not a regression here */
    if (write_to) {
        FILE *f = fopen(write_to, "w");
        if (!f) { perror(write_to); return 2; }
        for (size_t i = 0; i < n; i++)
            if (res[i].pass) fprintf(f, "%s\n", res[i].name);
        fclose(f);
    }
    printf("suite %s: %zu tests, %zu passing, %zu not passing, %zu regressions, %zu new passes\n", suite, n, passed, failed,
           regressions, new_passes);
    for (size_t i = 0; i < n; i++) free(names[i]);
    for (size_t i = 0; i < n_expected; i++) free(expected[i]);
    free(names);
    free(expected);
    free(res);
    free(pids);
    free(fds);
    free(which);
    return regressions ? 1 : 0;
}
