/* `ipfs-accelerate text text2text|translate MODEL_DIR`: encoder-decoder generation (T5) with greedy or
 * beam search; token ids in and out, or text with the folder's tokenizer.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/seq2seq.h"
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static int usage_t2t(void) {
    fprintf(stderr,
            "usage: ipfs-accelerate text text2text|translate MODEL_DIR [--ids \"1 2 3\" ... | --text TEXT ... | stdin lines]\n"
            "         [--max-new-tokens N] [--num-beams K] [--length-penalty L] [--early-stopping true|false|never]\n"
            "         [--decoder auto|merged|with-past] [--no-cache] [--threads N]\n"
            "  MODEL_DIR (a path, or a CID / CID/sub/path / ipfs://CID/... in the store): onnx/encoder_model.onnx and onnx/decoder_model_merged.onnx or onnx/decoder_model.onnx\n"
            "  (+ decoder_with_past_model.onnx); prints one line per input: the new decoder ids (with --ids) or\n"
            "  the decoded text (with a tokenizer.json in MODEL_DIR)\n");
    return IA_EXIT_USAGE;
}

static int parse_id_list(const char *s, int64_t **out, size_t *n) {
    size_t cap = 16, k = 0;
    int64_t *v = malloc(cap * sizeof *v);
    char *end;
    if (!v) return -1;
    for (const char *p = s;;) {
        while (*p == ' ' || *p == ',' || *p == '\t') p++;
        if (!*p) break;
        long long x = strtoll(p, &end, 10);
        if (end == p || x < 0 || x > 2147483647LL) { free(v); return -1; }
        if (k == cap) {
            int64_t *w = realloc(v, (cap *= 2) * sizeof *w);
            if (!w) { free(v); return -1; }
            v = w;
        }
        v[k++] = x;
        p = end;
    }
    *out = v;
    *n = k;
    return 0;
}

static int one(ia_seq2seq *s, const ia_tokenizer *tok, const int64_t *ids, size_t n, const ia_seq2seq_params *p) {
    int64_t *o;
    size_t no;
    if (ia_seq2seq_generate(s, ids, n, p, &o, &no)) return -1;
    if (!tok) {
        for (size_t i = 0; i < no; i++) printf(i ? " %lld" : "%lld", (long long)o[i]);
        putchar('\n');
        ia_free(o);
        return 0;
    }
    int32_t *o32 = malloc((no + 1) * sizeof *o32);
    char *text = NULL;
    size_t tl;
    int rc = -1;
    if (o32) {
        for (size_t i = 0; i < no; i++) o32[i] = (int32_t)o[i];
        if (!ia_tokenizer_decode(tok, o32, no, 1, &text, &tl)) { printf("%s\n", text); rc = 0; }
    }
    ia_free(text);
    free(o32);
    ia_free(o);
    return rc;
}

int ia__cmd_text2text(int argc, char **argv) {
    const char *task = argv[0], *model = NULL;
    ia_seq2seq_params p;
    ia_seq2seq_params_init(&p);
    int threads = 0, form = IA_S2S_AUTO, rc = IA_EXIT_FAIL, use_ids = 0;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs), *line = NULL;
    size_t n_inputs = 0;
    ia_seq2seq *s = NULL;
    ia_tokenizer *tok = NULL;
    if (!inputs) return IA_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "--ids") && v) { use_ids = 1; inputs[n_inputs++] = argv[++i]; }
        else if (!strcmp(a, "--text") && v) inputs[n_inputs++] = argv[++i];
        else if (!strcmp(a, "--max-new-tokens") && v) { p.max_new_tokens = (int)strtol(argv[++i], &end, 10); if (*end) p.max_new_tokens = 0; }
        else if (!strcmp(a, "--num-beams") && v) { p.num_beams = (int)strtol(argv[++i], &end, 10); if (*end) p.num_beams = 0; }
        else if (!strcmp(a, "--length-penalty") && v) { p.length_penalty = strtod(argv[++i], &end); if (*end || end == v) { fprintf(stderr, "text %s: bad --length-penalty\n", task); rc = IA_EXIT_USAGE; goto out; } }
        else if (!strcmp(a, "--early-stopping") && v) {
            i++;
            if (!strcmp(v, "true")) p.early_stopping = IA_EARLY_STOP_TRUE;
            else if (!strcmp(v, "false")) p.early_stopping = IA_EARLY_STOP_FALSE;
            else if (!strcmp(v, "never")) p.early_stopping = IA_EARLY_STOP_NEVER;
            else { fprintf(stderr, "text %s: --early-stopping true|false|never\n", task); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--decoder") && v) {
            i++;
            if (!strcmp(v, "auto")) form = IA_S2S_AUTO;
            else if (!strcmp(v, "merged")) form = IA_S2S_MERGED;
            else if (!strcmp(v, "with-past")) form = IA_S2S_WITH_PAST;
            else { fprintf(stderr, "text %s: --decoder auto|merged|with-past\n", task); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--no-cache")) p.no_cache = 1;
        else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "text %s: unknown option or missing value: %s\n", task, a); rc = usage_t2t(); goto out; }
        else if (!model) model = a;
        else { rc = usage_t2t(); goto out; }
    }
    if (!model) { rc = usage_t2t(); goto out; }
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = threads;
    if (ia_seq2seq_open(model, &so, form, &s)) { fprintf(stderr, "text %s: %s: %s\n", task, model, ia_last_error()); goto out; }
    if (!use_ids && ia_tokenizer_load(model, &tok)) {
        fprintf(stderr, "text %s: text input needs a tokenizer.json in the model folder (%s); or give --ids\n", task, ia_last_error());
        goto out;
    }
    size_t cap = 0, done = 0;
    for (size_t i = 0;; i++) {
        const char *in;
        if (n_inputs) {
            if (i == n_inputs) break;
            in = inputs[i];
        } else {
            ssize_t n = getline(&line, &cap, stdin);
            if (n < 0) break;
            if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
            in = line;
        }
        int64_t *ids = NULL;
        size_t n = 0;
        int r;
        if (use_ids) {
            if (parse_id_list(in, &ids, &n) || !n) { free(ids); fprintf(stderr, "text %s: --ids needs non-negative token ids\n", task); goto out; }
        } else {
            ia_encoding e;
            if (ia_tokenizer_encode(tok, in, strlen(in), NULL, &e)) { fprintf(stderr, "text %s: %s\n", task, ia_last_error()); goto out; }
            ids = malloc((e.len + 1) * sizeof *ids);
            for (size_t k = 0; ids && k < e.len; k++) ids[k] = e.ids[k];
            n = e.len;
            ia_encoding_free(&e);
            if (!ids) goto out;
        }
        r = one(s, tok, ids, n, &p);
        free(ids);
        if (r) { fflush(stdout); fprintf(stderr, "text %s: input %zu: %s\n", task, i + 1, ia_last_error()); goto out; }
        done++;
    }
    if (!done) { fprintf(stderr, "text %s: no input\n", task); goto out; }
    rc = fflush(stdout) ? IA_EXIT_FAIL : IA_EXIT_OK;
out:
    ia_seq2seq_close(s);
    ia_tokenizer_destroy(tok);
    free(inputs);
    free(line);
    return rc;
}
