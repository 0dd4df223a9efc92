/* `ipfs-accelerate text ...`: text pipelines. `text tokenize` encodes stdin lines to token ids (or
 * decodes id lines back to text); `text generate` runs a decoder with the KV cache; `text embed`
 * pools an encoder's hidden states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ia/generate.h"
#include "ia/model_dir.h"
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static int usage_text(void) {
    fprintf(stderr, "usage: ipfs-accelerate text tokenize TOKENIZER_JSON|VOCAB_TXT|FILE.gguf|MODEL_DIR [--no-special] [--decode]\n"
                    "  every file or folder may also be a CID in the store: CID, CID/sub/path, /ipfs/CID/..., ipfs://CID/...\n"
                    "  reads lines on stdin; prints one line of space-separated token ids per line\n"
                    "  --no-special  encode: add no special tokens (BOS, [CLS] ...); decode: drop special tokens\n"
                    "  --decode      read lines of ids, print the decoded text\n"
                    "usage: ipfs-accelerate text generate MODEL_DIR_OR_ONNX (--prompt-ids \"1 2 3\" | --prompt TEXT)\n"
                    "         [--max-new-tokens N] [--greedy | --temperature T --top-k K --top-p P --min-p M --seed S]\n"
                    "         [--repetition-penalty R] [--stop-ids \"2 3\"] [--stop TEXT] [--no-cache] [--stream] [--json]\n"
                    "         [--threads N]\n"
                    "  prints the new token ids (with --prompt-ids; repeat it for a left-padded batch) or text (with --prompt and a tokenizer.json in\n"
                    "  the model folder); time to first token and decode tokens/s go to stderr\n"
                    "usage: ipfs-accelerate text embed MODEL_DIR_OR_ONNX [--ids \"1 2 3\" ...] [--pooling mean|cls]\n"
                    "         [--normalize] [--format json|text] [--threads N]\n"
                    "  one embedding per --ids list (right-padded batch), or per stdin line with a tokenizer.json\n"
                    "usage: ipfs-accelerate text classify|fill-mask|ner MODEL_DIR ... (see `text classify` without a model)\n"
                    "usage: ipfs-accelerate text text2text|translate MODEL_DIR ... (see `text text2text` without a model)\n");
    return IA_EXIT_USAGE;
}

static int tokenize(int argc, char **argv) {
    const char *path = NULL;
    int no_special = 0, decode = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-special")) no_special = 1;
        else if (!strcmp(argv[i], "--decode")) decode = 1;
        else if (argv[i][0] == '-' && argv[i][1]) { fprintf(stderr, "text tokenize: unknown option %s\n", argv[i]); return usage_text(); }
        else if (!path) path = argv[i];
        else return usage_text();
    }
    if (!path) return usage_text();
    ia_tokenizer *t;
    if (ia_tokenizer_load(path, &t)) {
        fprintf(stderr, "text tokenize: %s\n", ia_last_error());
        return IA_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int32_t *ids = NULL;
    size_t idcap = 0;
    int rc = IA_EXIT_OK;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n') n--;
        if (!decode) {
            ia_encoding e;
            ia_encode_opts o = {.no_special_tokens = no_special};
            if (ia_tokenizer_encode(t, line, (size_t)n, &o, &e)) {
                fprintf(stderr, "text tokenize: line %zu: %s\n", lineno, ia_last_error());
                rc = IA_EXIT_FAIL;
                break;
            }
            for (size_t i = 0; i < e.len; i++) printf(i ? " %d" : "%d", (int)e.ids[i]);
            putchar('\n');
            ia_encoding_free(&e);
            continue;
        }
        size_t k = 0;
        char *p = line, *end;
        line[n] = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r') p++;
            if (!*p) break;
            long v = strtol(p, &end, 10);
            if (end == p || v < -2147483647L || v > 2147483647L) {
                fprintf(stderr, "text tokenize: line %zu: not a token id: \"%.20s\"\n", lineno, p);
                rc = IA_EXIT_FAIL;
                break;
            }
            if (k == idcap) {
                idcap = idcap ? idcap * 2 : 256;
                int32_t *x = realloc(ids, idcap * sizeof *x);
                if (!x) { rc = IA_EXIT_FAIL; break; }
                ids = x;
            }
            ids[k++] = (int32_t)v;
            p = end;
        }
        if (rc) break;
        char *text;
        size_t tl;
        if (ia_tokenizer_decode(t, ids, k, no_special, &text, &tl)) {
            fprintf(stderr, "text tokenize: line %zu: %s\n", lineno, ia_last_error());
            rc = IA_EXIT_FAIL;
            break;
        }
        fwrite(text, 1, tl, stdout);
        putchar('\n');
        ia_free(text);
    }
    free(line);
    free(ids);
    ia_tokenizer_destroy(t);
    if (fflush(stdout)) rc = IA_EXIT_FAIL;
    return rc;
}

/* --- text generate --- */

static const char *const decoder_files[] = {"onnx/decoder_model_merged.onnx", "onnx/model.onnx", "onnx/decoder_model.onnx",
                                            "decoder_model_merged.onnx", "model.onnx", "decoder_model.onnx"};
static const char *const encoder_files[] = {"onnx/model.onnx", "model.onnx", "onnx/encoder_model.onnx"};

static int parse_ids(const char *s, int64_t **out, size_t *n) {
    size_t cap = 16, k = 0;
    int64_t *v = malloc(cap * sizeof *v);
    if (!v) return -1;
    const char *p = s;
    char *end;
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') p++;
        if (!*p) break;
        long long x = strtoll(p, &end, 10);
        if (end == p || x < 0) { free(v); return -1; }
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

typedef struct gen_stream {
    const ia_tokenizer *tok;
    int stream;
    const char *stop_text; /* stop once the decoded new text contains it */
    int stopped_by_text;
    int32_t *ids;
    size_t n, cap;
    size_t printed; /* bytes of decoded text already written */
} gen_stream;

static int gen_on_token(void *ctx, int64_t token) {
    gen_stream *gs = ctx;
    if (!gs->stream && !(gs->tok && gs->stop_text)) return 0;
    if (!gs->tok) {
        printf(gs->n++ ? " %lld" : "%lld", (long long)token);
        fflush(stdout);
        return 0;
    }
    if (gs->n == gs->cap) {
        size_t nc = gs->cap ? gs->cap * 2 : 64;
        int32_t *x = realloc(gs->ids, nc * sizeof *x);
        if (!x) return 1;
        gs->ids = x;
        gs->cap = nc;
    }
    gs->ids[gs->n++] = (int32_t)token;
    char *text;
    size_t tl;
    if (ia_tokenizer_decode(gs->tok, gs->ids, gs->n, 1, &text, &tl)) return 0;
    int stop = gs->stop_text && memmem(text, tl, gs->stop_text, strlen(gs->stop_text)) != NULL;
    gs->stopped_by_text |= stop;
    if (!gs->stream) {
        ia_free(text);
        return stop;
    }
    /* write only the text that grew; hold back a trailing U+FFFD (incomplete byte sequence) */
    size_t upto = tl;
    if (upto >= 3 && !memcmp(text + upto - 3, "\xEF\xBF\xBD", 3)) upto -= 3;
    if (upto > gs->printed) {
        fwrite(text + gs->printed, 1, upto - gs->printed, stdout);
        gs->printed = upto;
        fflush(stdout);
    }
    ia_free(text);
    return stop;
}

/* several --prompt-ids: one left-padded batch, one line (or JSON list) of new ids per prompt */
static int generate_batch(ia_generator *g, int64_t *first, size_t n_first, const char **extra, size_t n_extra,
                          const ia_gen_params *p, int json) {
    size_t B = n_extra + 1;
    int64_t *rows[64] = {first}, *gen[64] = {0};
    size_t lens[64] = {n_first}, n_gen[64] = {0};
    int rc = IA_EXIT_FAIL;
    for (size_t b = 1; b < B; b++)
        if (parse_ids(extra[b - 1], &rows[b], &lens[b]) || !lens[b]) {
            fprintf(stderr, "text generate: --prompt-ids: not a non-empty list of token ids\n");
            rc = IA_EXIT_USAGE;
            goto out;
        }
    ia_gen_stats st;
    if (ia_generate_batch(g, (const int64_t *const *)rows, lens, B, 0, p, gen, n_gen, &st)) {
        fprintf(stderr, "text generate: %s\n", ia_last_error());
        goto out;
    }
    if (json) printf("{\"new_token_ids\":[");
    for (size_t b = 0; b < B; b++) {
        if (json) printf(b ? ",[" : "[");
        for (size_t i = 0; i < n_gen[b]; i++) printf(i ? (json ? ",%lld" : " %lld") : "%lld", (long long)gen[b][i]);
        if (json) putchar(']');
        else putchar('\n');
    }
    if (json)
        printf("],\"batch\":%zu,\"new_tokens\":%zu,\"ttft_ms\":%.3f,\"decode_tokens_per_s\":%.2f}\n", B,
               st.new_tokens, st.ttft_ms, st.decode_tokens_per_s);
    else
        fprintf(stderr, "batch %zu, new tokens %zu, time to first token %.2f ms, decode %.1f tokens/s\n", B,
                st.new_tokens, st.ttft_ms, st.decode_tokens_per_s);
    rc = fflush(stdout) ? IA_EXIT_FAIL : IA_EXIT_OK;
out:
    for (size_t b = 1; b < B; b++) free(rows[b]);
    for (size_t b = 0; b < B; b++) ia_free(gen[b]);
    return rc;
}

static int generate(int argc, char **argv) {
    const char *model = NULL, *prompt_ids = NULL, *prompt = NULL, *stop_ids = NULL, *stop_text = NULL;
    int stream = 0, threads = 0, json = 0;
    ia_gen_params p;
    ia_gen_params_init(&p);
    int sampling_opt = 0, greedy_opt = 0;
    const char *extra_prompts[63];
    size_t n_extra = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() do { if (!v) { fprintf(stderr, "text generate: %s needs a value\n", a); return usage_text(); } i++; } while (0)
        if (!strcmp(a, "--prompt-ids")) {
            NEEDV();
            if (!prompt_ids) prompt_ids = v;
            else if (n_extra < sizeof extra_prompts / sizeof *extra_prompts) extra_prompts[n_extra++] = v;
            else { fprintf(stderr, "text generate: at most 64 prompts\n"); return IA_EXIT_USAGE; }
        }
        else if (!strcmp(a, "--prompt")) { NEEDV(); prompt = v; }
        else if (!strcmp(a, "--max-new-tokens")) { NEEDV(); p.max_new_tokens = atoi(v); }
        else if (!strcmp(a, "--greedy")) greedy_opt = 1;
        else if (!strcmp(a, "--temperature")) { NEEDV(); p.temperature = strtof(v, NULL); sampling_opt = 1; }
        else if (!strcmp(a, "--top-k")) { NEEDV(); p.top_k = atoi(v); sampling_opt = 1; }
        else if (!strcmp(a, "--top-p")) { NEEDV(); p.top_p = strtof(v, NULL); sampling_opt = 1; }
        else if (!strcmp(a, "--min-p")) { NEEDV(); p.min_p = strtof(v, NULL); sampling_opt = 1; }
        else if (!strcmp(a, "--seed")) { NEEDV(); p.seed = strtoull(v, NULL, 10); sampling_opt = 1; }
        else if (!strcmp(a, "--repetition-penalty")) { NEEDV(); p.repetition_penalty = strtof(v, NULL); }
        else if (!strcmp(a, "--stop-ids")) { NEEDV(); stop_ids = v; }
        else if (!strcmp(a, "--stop")) { NEEDV(); stop_text = v; }
        else if (!strcmp(a, "--no-cache")) p.no_cache = 1;
        else if (!strcmp(a, "--stream")) stream = 1;
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--threads")) { NEEDV(); threads = atoi(v); }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "text generate: unknown option %s\n", a); return usage_text(); }
        else if (!model) model = a;
        else return usage_text();
#undef NEEDV
    }
    if (!model || (!prompt_ids == !prompt)) {
        fprintf(stderr, "text generate: give a model and exactly one of --prompt-ids, --prompt\n");
        return usage_text();
    }
    if (greedy_opt && sampling_opt) {
        fprintf(stderr, "text generate: --greedy excludes --temperature/--top-k/--top-p/--min-p/--seed\n");
        return IA_EXIT_USAGE;
    }
    p.greedy = !sampling_opt;
    if (p.max_new_tokens < 0 || p.max_new_tokens > 1000000) {
        fprintf(stderr, "text generate: --max-new-tokens must be in 0..1000000\n");
        return IA_EXIT_USAGE;
    }
    char path[4096];
    int folder = 0;
    int frc = ia_model_file_resolve(model, decoder_files, sizeof decoder_files / sizeof *decoder_files, path, sizeof path, &folder);
    if (frc) {
        fprintf(stderr, "text generate: %s\n", ia_last_error());
        return IA_EXIT_FAIL;
    }
    int64_t *stops = NULL, *ids = NULL, *gen = NULL;
    size_t n_stops = 0, n_ids = 0, n_gen = 0;
    ia_tokenizer *tok = NULL;
    ia_generator *g = NULL;
    gen_stream gs = {0};
    int rc = IA_EXIT_FAIL;
    if (stop_ids && parse_ids(stop_ids, &stops, &n_stops)) {
        fprintf(stderr, "text generate: --stop-ids: not a list of token ids\n");
        return IA_EXIT_USAGE;
    }
    p.stop_ids = stops;
    p.n_stop_ids = n_stops;
    if (prompt_ids) {
        if (parse_ids(prompt_ids, &ids, &n_ids) || n_ids == 0) {
            fprintf(stderr, "text generate: --prompt-ids: not a non-empty list of token ids\n");
            free(stops);
            return IA_EXIT_USAGE;
        }
    } else {
        if (!folder || ia_tokenizer_load(model, &tok)) {
            fprintf(stderr, "text generate: --prompt needs a model folder with a tokenizer.json (%s)\n",
                    folder ? ia_last_error() : "not a folder");
            goto out;
        }
        ia_encoding e;
        ia_encode_opts eo = {0};
        if (ia_tokenizer_encode(tok, prompt, strlen(prompt), &eo, &e)) {
            fprintf(stderr, "text generate: %s\n", ia_last_error());
            goto out;
        }
        ids = malloc((e.len + 1) * sizeof *ids);
        if (!ids) { ia_encoding_free(&e); goto out; }
        for (size_t i = 0; i < e.len; i++) ids[i] = e.ids[i];
        n_ids = e.len;
        ia_encoding_free(&e);
        if (!n_ids) { fprintf(stderr, "text generate: the prompt encodes to no tokens\n"); goto out; }
    }
    if (folder) {
        /* eos_token_id as default stop ids, context length as the limit */
        ia_gen_config cfg;
        if (ia_gen_config_load_dir(model, &cfg)) {
            fprintf(stderr, "text generate: %s\n", ia_last_error());
            goto out;
        }
        if (!stop_ids && cfg.n_eos) {
            free(stops);
            stops = malloc(cfg.n_eos * sizeof *stops);
            if (!stops) goto out;
            memcpy(stops, cfg.eos_ids, cfg.n_eos * sizeof *stops);
            p.stop_ids = stops;
            p.n_stop_ids = cfg.n_eos;
        }
        if (cfg.max_context > 0) {
            if ((int64_t)n_ids >= cfg.max_context) {
                fprintf(stderr, "text generate: the prompt has %zu tokens; the model's context is %lld\n", n_ids,
                        (long long)cfg.max_context);
                goto out;
            }
            if ((int64_t)n_ids + p.max_new_tokens > cfg.max_context) {
                p.max_new_tokens = (int)(cfg.max_context - (int64_t)n_ids);
                fprintf(stderr, "text generate: at most %d new tokens fit the model's context of %lld\n",
                        p.max_new_tokens, (long long)cfg.max_context);
            }
        }
    }
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = threads;
    if (ia_generator_create(path, &so, &g)) {
        fprintf(stderr, "text generate: %s: %s\n", path, ia_last_error());
        goto out;
    }
    if (n_extra) {
        rc = generate_batch(g, ids, n_ids, extra_prompts, n_extra, &p, json);
        goto out;
    }
    if (stop_text && (!tok || !*stop_text)) {
        fprintf(stderr, "text generate: --stop needs a non-empty text and --prompt with a tokenizer.json\n");
        goto out;
    }
    gs.tok = tok;
    gs.stream = stream && !json;
    gs.stop_text = stop_text;
    ia_gen_stats st;
    if (ia_generate(g, ids, n_ids, &p, gen_on_token, &gs, &gen, &n_gen, &st)) {
        if (gs.stream) putchar('\n');
        fprintf(stderr, "text generate: %s\n", ia_last_error());
        goto out;
    }
    if (json) {
        printf("{\"new_token_ids\":[");
        for (size_t i = 0; i < n_gen; i++) printf(i ? ",%lld" : "%lld", (long long)gen[i]);
        printf("],\"new_tokens\":%zu,\"ttft_ms\":%.3f,\"decode_tokens_per_s\":%.2f,\"stopped_by_stop_id\":%s}\n",
               st.new_tokens, st.ttft_ms, st.decode_tokens_per_s, st.stopped_by_stop_id ? "true" : "false");
    } else if (gs.stream) {
        /* the text held back (an incomplete sequence at the end) */
        char *text;
        size_t tl;
        if (tok && gs.n && !ia_tokenizer_decode(tok, gs.ids, gs.n, 1, &text, &tl)) {
            if (tl > gs.printed) fwrite(text + gs.printed, 1, tl - gs.printed, stdout);
            ia_free(text);
        }
        putchar('\n');
    } else if (tok) {
        int32_t *t32 = malloc((n_gen + 1) * sizeof *t32);
        char *text;
        size_t tl;
        if (!t32) goto out;
        for (size_t i = 0; i < n_gen; i++) t32[i] = (int32_t)gen[i];
        int drc = ia_tokenizer_decode(tok, t32, n_gen, 1, &text, &tl);
        free(t32);
        if (drc) { fprintf(stderr, "text generate: %s\n", ia_last_error()); goto out; }
        fwrite(text, 1, tl, stdout);
        putchar('\n');
        ia_free(text);
    } else {
        for (size_t i = 0; i < n_gen; i++) printf(i ? " %lld" : "%lld", (long long)gen[i]);
        putchar('\n');
    }
    if (!json)
        fprintf(stderr, "prompt tokens %zu, new tokens %zu, time to first token %.2f ms, decode %.1f tokens/s%s\n", n_ids,
                st.new_tokens, st.ttft_ms, st.decode_tokens_per_s, st.stopped_by_stop_id ? " (stop token)" : gs.stopped_by_text ? " (stop text)" : "");
    rc = fflush(stdout) ? IA_EXIT_FAIL : IA_EXIT_OK;
out:
    ia_generator_destroy(g);
    ia_tokenizer_destroy(tok);
    ia_free(gen);
    free(ids);
    free(stops);
    free(gs.ids);
    return rc;
}


/* --- text embed --- */

typedef struct id_rows {
    int64_t **rows;
    size_t *lens;
    size_t n, cap;
} id_rows;

static int rows_push(id_rows *r, int64_t *ids, size_t n) {
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        int64_t **a = realloc(r->rows, nc * sizeof *a);
        if (!a) return -1;
        r->rows = a;
        size_t *b = realloc(r->lens, nc * sizeof *b);
        if (!b) return -1;
        r->lens = b;
        r->cap = nc;
    }
    r->rows[r->n] = ids;
    r->lens[r->n++] = n;
    return 0;
}

static int embed(int argc, char **argv) {
    const char *model = NULL;
    int pooling = IA_POOL_MEAN, normalize = 0, json = 1, threads = 0, rc = IA_EXIT_FAIL;
    id_rows r = {0};
    ia_tokenizer *tok = NULL;
    ia_session *s = NULL;
    int64_t *ids = NULL, *mask = NULL;
    float *emb = NULL;
    char *line = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--ids") && v) {
            int64_t *x;
            size_t n;
            i++;
            if (parse_ids(v, &x, &n) || !n || rows_push(&r, x, n)) {
                fprintf(stderr, "text embed: --ids: not a non-empty list of token ids\n");
                rc = IA_EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(a, "--pooling") && v) {
            i++;
            if (!strcmp(v, "mean")) pooling = IA_POOL_MEAN;
            else if (!strcmp(v, "cls")) pooling = IA_POOL_CLS;
            else { fprintf(stderr, "text embed: --pooling mean|cls\n"); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--normalize")) normalize = 1;
        else if (!strcmp(a, "--format") && v) {
            i++;
            if (!strcmp(v, "json")) json = 1;
            else if (!strcmp(v, "text")) json = 0;
            else { fprintf(stderr, "text embed: --format json|text\n"); rc = IA_EXIT_USAGE; goto out; }
        } else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "text embed: unknown option or missing value: %s\n", a); rc = usage_text(); goto out; }
        else if (!model) model = a;
        else { rc = usage_text(); goto out; }
    }
    if (!model) { rc = usage_text(); goto out; }
    char path[4096];
    int folder = 0;
    int frc = ia_model_file_resolve(model, encoder_files, sizeof encoder_files / sizeof *encoder_files, path, sizeof path, &folder);
    if (frc) {
        fprintf(stderr, "text embed: %s\n", ia_last_error());
        goto out;
    }
    int64_t pad = 0;
    if (r.n == 0) {
        /* text lines on stdin, tokenized with the folder's tokenizer */
        if (!folder || ia_tokenizer_load(model, &tok)) {
            fprintf(stderr, "text embed: without --ids, needs a model folder with a tokenizer.json (%s)\n",
                    folder ? ia_last_error() : "not a folder");
            goto out;
        }
        if (ia_tokenizer_pad_id(tok) >= 0) pad = ia_tokenizer_pad_id(tok);
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) >= 0) {
            if (n > 0 && line[n - 1] == '\n') n--;
            ia_encoding e;
            ia_encode_opts eo = {0};
            if (ia_tokenizer_encode(tok, line, (size_t)n, &eo, &e)) {
                fprintf(stderr, "text embed: %s\n", ia_last_error());
                goto out;
            }
            int64_t *x = malloc((e.len + 1) * sizeof *x);
            if (!x) { ia_encoding_free(&e); goto out; }
            for (size_t k = 0; k < e.len; k++) x[k] = e.ids[k];
            size_t len = e.len;
            ia_encoding_free(&e);
            if (!len || rows_push(&r, x, len)) { free(x); fprintf(stderr, "text embed: empty input line\n"); goto out; }
        }
        if (!r.n) { fprintf(stderr, "text embed: no input lines\n"); goto out; }
    }
    size_t seq = 0;
    for (size_t i = 0; i < r.n; i++) if (r.lens[i] > seq) seq = r.lens[i];
    ids = malloc(r.n * seq * sizeof *ids);
    mask = malloc(r.n * seq * sizeof *mask);
    if (!ids || !mask) goto out;
    for (size_t i = 0; i < r.n; i++)
        for (size_t t = 0; t < seq; t++) {
            ids[i * seq + t] = t < r.lens[i] ? r.rows[i][t] : pad;
            mask[i * seq + t] = t < r.lens[i];
        }
    ia_session_options so;
    ia_session_options_init(&so);
    so.threads = threads;
    int64_t dim;
    if (ia_model_session_create(path, &so, &s) ||
        ia_embed_run(s, ids, mask, (int64_t)r.n, (int64_t)seq, pooling, normalize, &emb, &dim)) {
        fprintf(stderr, "text embed: %s: %s\n", path, ia_last_error());
        goto out;
    }
    if (json) putchar('[');
    for (size_t i = 0; i < r.n; i++) {
        if (json) printf(i ? ",[" : "[");
        for (int64_t d = 0; d < dim; d++) printf(d ? (json ? ",%.9g" : " %.9g") : "%.9g", (double)emb[i * (size_t)dim + (size_t)d]);
        if (json) putchar(']');
        else putchar('\n');
    }
    if (json) printf("]\n");
    rc = fflush(stdout) ? IA_EXIT_FAIL : IA_EXIT_OK;
out:
    for (size_t i = 0; i < r.n; i++) free(r.rows[i]);
    free(r.rows);
    free(r.lens);
    free(ids);
    free(mask);
    free(line);
    ia_free(emb);
    ia_session_destroy(s);
    ia_tokenizer_destroy(tok);
    return rc;
}

int ia_cmd_text(int argc, char **argv) {
    if (argc < 2) return usage_text();
    if (!strcmp(argv[1], "tokenize")) return tokenize(argc - 1, argv + 1);
    if (!strcmp(argv[1], "generate")) return generate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "embed")) return embed(argc - 1, argv + 1);
    if (!strcmp(argv[1], "classify") || !strcmp(argv[1], "fill-mask") || !strcmp(argv[1], "ner"))
        return ia__cmd_text_task(argc - 1, argv + 1);
    if (!strcmp(argv[1], "text2text") || !strcmp(argv[1], "translate")) return ia__cmd_text2text(argc - 1, argv + 1);
    fprintf(stderr, "text: unknown task '%s'\n", argv[1]);
    return usage_text();
}
