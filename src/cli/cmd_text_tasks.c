/* `ipfs-accelerate text classify|fill-mask|ner MODEL_DIR`: encoder text tasks on stdin lines (or
 * --text), printed as JSON in transformers.js's output shapes, or as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/text_tasks.h"
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static int usage_tasks(void) {
    fprintf(stderr,
            "usage: ipfs-accelerate text classify MODEL_DIR [--top-k K] [--text TEXT ...] [--format json|text] [--threads N]\n"
            "       ipfs-accelerate text fill-mask MODEL_DIR [--top-k K] [--text TEXT ...] [--format json|text] [--threads N]\n"
            "       ipfs-accelerate text ner MODEL_DIR [--aggregation none|simple|first|average|max] [--ignore-labels O,...]\n"
            "                                [--text TEXT ...] [--format json|text] [--threads N]\n"
            "  MODEL_DIR (a path, or a CID / CID/sub/path / ipfs://CID/... in the store) holds onnx/model.onnx\n"
            "  (or model.onnx), tokenizer.json and config.json (id2label);\n"
            "  one result per --text, else per stdin line; JSON: one array with an element per input\n");
    return IA_EXIT_USAGE;
}

static void num(double v) { printf("%.9g", v); }

static int one_classify(ia_text_task *t, const char *s, int top_k, int json, int first) {
    size_t cap = ia_text_task_config(t)->n_labels > 4096 ? ia_text_task_config(t)->n_labels : 4096, n;
    ia_label_score *r = malloc(cap * sizeof *r);
    if (!r) return -1;
    if (ia_text_classify(t, s, strlen(s), top_k, r, cap, &n)) { free(r); return -1; }
    char buf[32];
    if (json) printf(first ? "[" : ",[");
    for (size_t i = 0; i < n; i++) {
        const char *lab = ia_text_task_label(t, r[i].label, buf, sizeof buf);
        if (json) {
            printf(i ? ",{\"label\":" : "{\"label\":");
            ia__json_str_cli(stdout, lab);
            printf(",\"score\":");
            num(r[i].score);
            putchar('}');
        } else printf("%s\t%.6f\n", lab, r[i].score);
    }
    if (json) putchar(']');
    else putchar('\n');
    free(r);
    return 0;
}

static int one_fill(ia_text_task *t, const char *s, int top_k, int json, int first) {
    ia_mask_fill *f;
    size_t nm, k;
    if (ia_text_fill_mask(t, s, strlen(s), top_k, &f, &nm, &k)) return -1;
    if (json) printf(first ? "" : ",");
    if (json && nm > 1) putchar('[');
    for (size_t m = 0; m < nm; m++) {
        if (json) printf(m ? ",[" : "[");
        for (size_t j = 0; j < k; j++) {
            const ia_mask_fill *x = &f[m * k + j];
            if (json) {
                printf(j ? ",{\"score\":" : "{\"score\":");
                num(x->score);
                printf(",\"token\":%d,\"token_str\":", (int)x->token);
                ia__json_str_cli(stdout, x->token_str);
                printf(",\"sequence\":");
                ia__json_str_cli(stdout, x->sequence);
                putchar('}');
            } else printf("%.6f\t%d\t%s\t%s\n", x->score, (int)x->token, x->token_str, x->sequence);
        }
        if (json) putchar(']');
    }
    if (json && nm > 1) putchar(']');
    if (!json) putchar('\n');
    ia_mask_fills_free(f, nm * k);
    return 0;
}

static int one_ner(ia_text_task *t, const char *s, int agg, char **ignore, size_t n_ignore, int json, int first) {
    ia_ner_entity *e;
    size_t n;
    if (ia_text_ner(t, s, strlen(s), agg, (const char *const *)ignore, n_ignore, &e, &n)) return -1;
    if (json) printf(first ? "[" : ",[");
    for (size_t i = 0; i < n; i++) {
        if (json) {
            printf(i ? (agg == IA_AGG_NONE ? ",{\"entity\":" : ",{\"entity_group\":")
                     : (agg == IA_AGG_NONE ? "{\"entity\":" : "{\"entity_group\":"));
            ia__json_str_cli(stdout, e[i].entity);
            printf(",\"score\":");
            num(e[i].score);
            if (agg == IA_AGG_NONE) printf(",\"index\":%lld", (long long)e[i].index);
            printf(",\"word\":");
            ia__json_str_cli(stdout, e[i].word);
            putchar('}');
        } else printf("%s\t%.6f\t%s\n", e[i].entity, e[i].score, e[i].word);
    }
    if (json) putchar(']');
    else putchar('\n');
    ia_ner_free(e, n);
    return 0;
}

int ia__cmd_text_task(int argc, char **argv) {
    const char *task = argv[0], *model = NULL;
    int top_k = -1, json = 1, threads = 0, agg = IA_AGG_NONE, rc = IA_EXIT_FAIL;
    char **texts = calloc((size_t)argc + 1, sizeof *texts), **ignore = calloc(64, sizeof *ignore);
    char *ign_copy = NULL, *line = NULL;
    size_t n_texts = 0, n_ignore = 0;
    ia_text_task *t = NULL;
    if (!texts || !ignore) goto out;
    ignore[n_ignore++] = "O";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--top-k") && v) {
            char *end;
            long k = strtol(argv[++i], &end, 10);
            if (*end || k < 1 || k > 1000000) { fprintf(stderr, "text %s: --top-k must be a positive number\n", task); rc = IA_EXIT_USAGE; goto out; }
            top_k = (int)k;
        } else if (!strcmp(a, "--text") && v) texts[n_texts++] = argv[++i];
        else if (!strcmp(a, "--format") && v) {
            i++;
            if (!strcmp(v, "json")) json = 1;
            else if (!strcmp(v, "text")) json = 0;
            else { fprintf(stderr, "text %s: --format json|text\n", task); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--aggregation") && v && !strcmp(task, "ner")) {
            agg = ia_aggregation_from_name(argv[++i]);
            if (agg < 0) { fprintf(stderr, "text ner: --aggregation none|simple|first|average|max\n"); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--ignore-labels") && v && !strcmp(task, "ner")) {
            free(ign_copy);
            ign_copy = strdup(argv[++i]);
            if (!ign_copy) goto out;
            n_ignore = 0;
            for (char *tok = strtok(ign_copy, ","); tok && n_ignore < 64; tok = strtok(NULL, ",")) ignore[n_ignore++] = tok;
        } else if (a[0] == '-' && a[1]) { fprintf(stderr, "text %s: unknown option or missing value: %s\n", task, a); rc = usage_tasks(); goto out; }
        else if (!model) model = a;
        else { rc = usage_tasks(); goto out; }
    }
    if (!model) { rc = usage_tasks(); goto out; }
    if (top_k < 0) top_k = !strcmp(task, "classify") ? 1 : 5;
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = threads;
    if (ia_text_task_open(model, &so, &t)) { fprintf(stderr, "text %s: %s: %s\n", task, model, ia_last_error()); goto out; }
    if (json) putchar('[');
    size_t done = 0, cap = 0;
    for (size_t i = 0;; i++) {
        const char *s;
        if (n_texts) {
            if (i == n_texts) break;
            s = texts[i];
        } else {
            ssize_t n = getline(&line, &cap, stdin);
            if (n < 0) break;
            if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
            if (!n) continue;
            s = line;
        }
        int r = !strcmp(task, "classify") ? one_classify(t, s, top_k, json, !done)
              : !strcmp(task, "fill-mask") ? one_fill(t, s, top_k, json, !done)
              : one_ner(t, s, agg, ignore, n_ignore, json, !done);
        if (r) { fflush(stdout); fprintf(stderr, "\ntext %s: input %zu: %s\n", task, i + 1, ia_last_error()); goto out; }
        done++;
    }
    if (!done) { fflush(stdout); fprintf(stderr, "\ntext %s: no input (give --text or lines on stdin)\n", task); goto out; }
    if (json) printf("]\n");
    rc = fflush(stdout) ? IA_EXIT_FAIL : IA_EXIT_OK;
out:
    ia_text_task_close(t);
    free(texts);
    free(ignore);
    free(ign_copy);
    free(line);
    return rc;
}
