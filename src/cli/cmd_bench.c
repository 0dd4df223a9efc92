/* `bench MODEL... [options]`: cartesian product of devices, precisions, batch sizes, sequence
 * lengths and thread counts, run by the bench runner, printed as md/csv/json/sql and stored in
 * the results database; `query SQL` on that database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

#define MAXL 64

typedef struct bench_ctx {
    ia_bench_db *db;
    char run_id[96];
    int db_failed;
} bench_ctx;

int ia__cli_default_db(char *out, size_t cap) {
    char root[4096];
    if (ia_store_default_root(root, sizeof root)) return -1;
    mkdir(root, 0755); /* the parent of the default store; ignore errors, open reports them */
    snprintf(out, cap, "%s/results.duckdb", root);
    return 0;
}

static int split_names(const char *s, const char **out, int cap, char *buf, size_t bufsz) {
    snprintf(buf, bufsz, "%s", s);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n >= cap) return -1;
        out[n++] = t;
    }
    return n;
}

static int on_result(void *user, const ia_bench_config *c, const ia_bench_result *r) {
    bench_ctx *b = user;
    if (!b->db) return 0;
    if (ia_bench_db_add_result(b->db, b->run_id, c, r)) {
        fprintf(stderr, "bench: could not store the result: %s\n", ia_last_error());
        b->db_failed = 1;
        return -1;
    }
    return 0;
}

static int is_web(const char *d) { return !strcmp(d, "wasm") || !strcmp(d, "webgpu") || !strcmp(d, "webnn"); }

static const char *st_name(int s) { return s == IA_BENCH_OK ? "ok" : s == IA_BENCH_UNAVAILABLE ? "unavailable" : "failed"; }

static void print_results(const ia_bench_config *c, const ia_bench_result *r, size_t n, const char *fmt, const char *run_id) {
    if (!strcmp(fmt, "json")) {
        printf("{\"run_id\":\"%s\",\"results\":[", run_id);
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"model\":", i ? "," : "");
            ia__json_str_cli(stdout, c[i].model);
            printf(",\"device\":\"%s\",\"precision\":\"%s\",\"batch\":%lld,\"seq\":%lld,\"threads\":%d,\"status\":\"%s\",\"reason\":",
                   c[i].device, c[i].precision, (long long)c[i].batch, (long long)c[i].seq, c[i].threads, st_name(r[i].status));
            ia__json_str_cli(stdout, r[i].reason);
            if (r[i].status == IA_BENCH_OK)
                printf(",\"median_ms\":%.6g,\"p90_ms\":%.6g,\"p99_ms\":%.6g,\"mean_ms\":%.6g,\"stdev_ms\":%.6g,\"ci_low_ms\":%.6g,"
                       "\"ci_high_ms\":%.6g,\"iqr_ms\":%.6g,\"n_iters\":%zu,\"throughput\":%.6g,\"load_ms\":%.6g,\"first_ms\":%.6g,"
                       "\"peak_rss_bytes\":%llu,\"cpu_ms\":%.6g,\"hit_max_time\":%s",
                       r[i].s.median, r[i].s.p90, r[i].s.p99, r[i].s.mean, r[i].s.stdev, r[i].s.ci_low, r[i].s.ci_high, r[i].s.iqr,
                       r[i].s.n, r[i].throughput, r[i].load_ms, r[i].first_ms, (unsigned long long)r[i].peak_rss_bytes, r[i].cpu_ms,
                       r[i].hit_max_time ? "true" : "false");
            if (r[i].status == IA_BENCH_OK && c[i].mode == IA_BENCH_GENERATE)
                printf(",\"mode\":\"generate\",\"prompt_tokens\":%lld,\"new_tokens\":%zu,\"ttft_ms\":%.6g,\"prefill_tokens_per_s\":%.6g,"
                       "\"decode_tokens_per_s\":%.6g", (long long)(c[i].batch * c[i].seq), r[i].new_tokens, r[i].ttft_ms,
                       r[i].prefill_tokens_per_s, r[i].decode_tokens_per_s);
            if (c[i].mode == IA_BENCH_GENERATE) {
                const ia_bench_gen *g = c[i].gen;
                if (g && g->sample)
                    printf(",\"sampling\":\"sampled\",\"temperature\":%.9g,\"top_k\":%d,\"top_p\":%.9g,\"seed\":%llu", g->temperature, g->top_k,
                           g->top_p, (unsigned long long)g->seed);
                else printf(",\"sampling\":\"greedy\"");
                printf(",\"prompt\":");
                ia__json_str_cli(stdout, g && g->prompt ? (g->prompt_source ? g->prompt_source : "text") : "random ids");
            }
            if (r[i].has_web) {
                const ia_web_info *w = &r[i].web;
                const char *keys[] = {"browser", "browser_version", "bundle", "ort_version", "ep", "adapter_vendor", "adapter_architecture",
                                      "adapter_description"};
                const char *vals[] = {w->browser, w->browser_version, w->bundle, w->ort_version, w->ep, w->adapter_vendor,
                                      w->adapter_architecture, w->adapter_description};
                printf(",\"web\":{");
                for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                    printf("%s\"%s\":", k ? "," : "", keys[k]);
                    ia__json_str_cli(stdout, vals[k]);
                }
                printf(",\"ep_verified\":%s,\"software_adapter\":%s,\"download_ms\":%.6g,\"create_ms\":%.6g,\"page_first_ms\":%.6g,"
                       "\"page_median_ms\":%.6g}",
                       w->ep_verified ? "true" : "false", w->software_adapter < 0 ? "null" : w->software_adapter ? "true" : "false",
                       w->download_ms, w->create_ms, r[i].page_first_ms, r[i].page_median_ms);
            }
            printf("}");
        }
        printf("]}\n");
        return;
    }
    int csv = !strcmp(fmt, "csv"), sql = !strcmp(fmt, "sql");
    if (csv) printf("model,device,precision,batch,seq,threads,status,median_ms,p90_ms,ci_low_ms,ci_high_ms,n_iters,throughput,load_ms,first_ms,peak_rss_bytes,reason\n");
    else if (sql) printf("CREATE TABLE IF NOT EXISTS bench(run_id TEXT, model TEXT, device TEXT, precision TEXT, batch INTEGER, seq INTEGER, threads INTEGER, status TEXT, median_ms REAL, p90_ms REAL, ci_low_ms REAL, ci_high_ms REAL, n_iters INTEGER, throughput REAL, reason TEXT);\n");
    else printf("| model | device | precision | batch | seq | threads | status | median ms | p90 ms | 95%% CI of median | iters | samples/s | load ms | first ms | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const char *m = strrchr(c[i].model, '/');
        m = m ? m + 1 : c[i].model;
        const ia_bench_result *x = &r[i];
        int ok = x->status == IA_BENCH_OK;
        if (csv) {
            printf("%s,%s,%s,%lld,%lld,%d,%s,", c[i].model, c[i].device, c[i].precision, (long long)c[i].batch, (long long)c[i].seq,
                   c[i].threads, st_name(x->status));
            if (ok) printf("%.6g,%.6g,%.6g,%.6g,%zu,%.6g,%.6g,%.6g,%llu,", x->s.median, x->s.p90, x->s.ci_low, x->s.ci_high, x->s.n,
                           x->throughput, x->load_ms, x->first_ms, (unsigned long long)x->peak_rss_bytes);
            else printf(",,,,,,,,,");
            printf("\"");
            for (const char *p = x->reason; *p; p++) printf(*p == '"' ? "\"\"" : "%c", *p);
            printf("\"\n");
        } else if (sql) {
            printf("INSERT INTO bench VALUES ('%s', '", run_id);
            for (const char *p = c[i].model; *p; p++) printf(*p == '\'' ? "''" : "%c", *p);
            printf("', '%s', '%s', %lld, %lld, %d, '%s', ", c[i].device, c[i].precision, (long long)c[i].batch, (long long)c[i].seq,
                   c[i].threads, st_name(x->status));
            if (ok) printf("%.6g, %.6g, %.6g, %.6g, %zu, %.6g, ", x->s.median, x->s.p90, x->s.ci_low, x->s.ci_high, x->s.n, x->throughput);
            else printf("NULL, NULL, NULL, NULL, NULL, NULL, ");
            printf("'");
            for (const char *p = x->reason; *p; p++) printf(*p == '\'' ? "''" : "%c", *p);
            printf("');\n");
        } else {
            printf("| %s | %s | %s | %lld | %lld | %d | %s | ", m, c[i].device, c[i].precision, (long long)c[i].batch, (long long)c[i].seq,
                   c[i].threads, ok ? "ok" : st_name(x->status));
            if (ok) printf("%.3f | %.3f | %.3f-%.3f%s | %zu | %.1f | %.1f | %.2f | %.1f |\n", x->s.median, x->s.p90, x->s.ci_low,
                           x->s.ci_high, x->hit_max_time ? " (time cap)" : "", x->s.n, x->throughput, x->load_ms, x->first_ms,
                           x->peak_rss_bytes / 1048576.0);
            else printf("%s | | | | | | | |\n", x->reason);
        }
    }
    if (csv || sql) return;
    int hdr = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].mode != IA_BENCH_GENERATE || r[i].status != IA_BENCH_OK) continue;
        if (!hdr++) printf("\nGeneration (greedy, medians over iterations; samples/s above = new tokens/s end to end):\n\n"
                           "| model | batch | prompt tokens | new tokens | time to first token ms | prefill tokens/s | decode tokens/s |\n|---|---|---|---|---|---|---|\n");
        const char *m = strrchr(c[i].model, '/');
        printf("| %s | %lld | %lld | %zu | %.3f | %.1f | %.1f |\n", m ? m + 1 : c[i].model, (long long)c[i].batch, (long long)c[i].seq,
               r[i].new_tokens, r[i].ttft_ms, r[i].prefill_tokens_per_s, r[i].decode_tokens_per_s);
    }
}

/* Tokenizes a text prompt with the tokenizer.json of the model's folder (the folder holding the
 * .onnx file, or its parent when that folder is onnx/), special tokens added as the tokenizer says. */
static int prompt_tokens(const char *model, const char *text, size_t len, ia_bench_gen *g) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", model);
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        else snprintf(dir, sizeof dir, ".");
    }
    ia_tokenizer *t = NULL;
    char file[4200];
    snprintf(file, sizeof file, "%s/tokenizer.json", dir);
    if (stat(file, &st)) {
        const char *b = strrchr(dir, '/');
        if (!strcmp(b ? b + 1 : dir, "onnx")) {
            if (b) dir[b - dir] = 0;
            else snprintf(dir, sizeof dir, ".");
            snprintf(file, sizeof file, "%s/tokenizer.json", dir);
        }
    }
    if (stat(file, &st)) {
        fprintf(stderr, "bench: a text prompt needs a tokenizer.json beside %s (looked for %s)\n", model, file);
        return -1;
    }
    if (ia_tokenizer_load(file, &t)) { fprintf(stderr, "bench: %s: %s\n", file, ia_last_error()); return -1; }
    ia_encoding e;
    memset(&e, 0, sizeof e);
    int rc = ia_tokenizer_encode(t, text, len, NULL, &e);
    ia_tokenizer_destroy(t);
    if (rc) { fprintf(stderr, "bench: cannot tokenize the prompt with %s: %s\n", file, ia_last_error()); return -1; }
    if (!e.len) { ia_encoding_free(&e); fprintf(stderr, "bench: the prompt encodes to no tokens with %s\n", file); return -1; }
    int64_t *ids = malloc(e.len * sizeof *ids);
    if (!ids) { ia_encoding_free(&e); fprintf(stderr, "bench: out of memory\n"); return -1; }
    for (size_t i = 0; i < e.len; i++) ids[i] = e.ids[i];
    g->prompt = ids;
    g->n_prompt = e.len;
    ia_encoding_free(&e);
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: ipfs-accelerate bench MODEL... [--device cpu,vulkan,...|auto] [--batch LIST] [--seq LIST] [--threads LIST]\n"
                    "       [--precision fp32,...] [--mode latency|throughput|generate] [--gen-tokens N] [--warmup N] [--min-iters N] [--max-iters N]\n"
                    "       [--temperature T] [--top-k K] [--top-p P] [--seed S] [--prompt TEXT | --prompt-file FILE] (with --mode generate)\n"
                    "       [--browsers N] [--pages M] (browser devices through a pool of N browsers x M pages)\n"
                    "       [--min-time S] [--max-time S] [--target-ci F] [--no-interleave] [--dim NAME=N]...\n"
                    "       [--output md|csv|json|sql] [--db FILE | --no-db] [--quiet]\n"
                    "LIST: 1,4,16 or ranges 16-512*2 (geometric) and 1-8+1 (arithmetic)\n");
}

int ia_cmd_bench(int argc, char **argv) {
    const char *models[MAXL];
    int n_models = 0;
    const char *devices[MAXL], *precisions[MAXL];
    int n_dev = 0, n_prec = 0;
    char devbuf[1024], precbuf[1024];
    int64_t batches[MAXL] = {1}, seqs[MAXL] = {128}, threads[MAXL] = {0};
    size_t n_b = 1, n_s = 1, n_t = 1;
    const char *output = "md", *db_path = NULL, *dim_names[MAXL];
    int64_t dim_values[MAXL];
    int n_dims = 0, no_db = 0, mode = IA_BENCH_LATENCY, quiet = 0, gen_tokens = 32, seq_given = 0, browsers = 0, pages = 0;
    ia_bench_gen gen_opt = {0, 1.0f, 0, 1.0f, 0, NULL, 0, NULL};
    const char *prompt_text = NULL, *prompt_file = NULL;
    ia_bench_options o;
    ia_bench_options_init(&o);
    devices[0] = "cpu";
    n_dev = 1;
    precisions[0] = "fp32";
    n_prec = 1;
    int auto_dev = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        size_t dummy;
        if (a[0] != '-') {
            if (n_models >= MAXL) { fprintf(stderr, "bench: too many models\n"); return IA_EXIT_USAGE; }
            models[n_models++] = a;
            continue;
        }
        if (!strcmp(a, "--no-interleave")) { o.interleave = 0; continue; }
        if (!strcmp(a, "--no-db")) { no_db = 1; continue; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (!v) { fprintf(stderr, "bench: unknown option or missing value: %s\n", a); usage(); return IA_EXIT_USAGE; }
        i++;
        if (!strcmp(a, "--device")) {
            if (!strcmp(v, "auto")) auto_dev = 1;
            else if ((n_dev = split_names(v, devices, MAXL, devbuf, sizeof devbuf)) <= 0) rc = -1;
        } else if (!strcmp(a, "--precision")) {
            if ((n_prec = split_names(v, precisions, MAXL, precbuf, sizeof precbuf)) <= 0) rc = -1;
        } else if (!strcmp(a, "--batch")) rc = ia_bench_parse_int_list(v, batches, MAXL, &n_b);
        else if (!strcmp(a, "--seq")) { rc = ia_bench_parse_int_list(v, seqs, MAXL, &n_s); seq_given = 1; }
        else if (!strcmp(a, "--temperature") || !strcmp(a, "--top-p")) {
            char *e;
            double x = strtod(v, &e);
            int temp = !strcmp(a, "--temperature");
            if (*e || !(x > 0) || (temp ? x > 100 : x > 1)) {
                fprintf(stderr, "bench: %s takes a number %s\n", a, temp ? "> 0 (up to 100)" : "in (0, 1]");
                return IA_EXIT_USAGE;
            }
            if (temp) gen_opt.temperature = (float)x;
            else gen_opt.top_p = (float)x;
            gen_opt.sample = 1;
        } else if (!strcmp(a, "--top-k") || !strcmp(a, "--seed")) {
            char *e;
            unsigned long long x = strtoull(v, &e, 10);
            if (*e || v[0] == '-' || !v[0] || (!strcmp(a, "--top-k") && x > 1000000000ull)) {
                fprintf(stderr, "bench: %s takes a non-negative integer\n", a);
                return IA_EXIT_USAGE;
            }
            if (!strcmp(a, "--top-k")) gen_opt.top_k = (int)x;
            else gen_opt.seed = x;
            gen_opt.sample = 1;
        } else if (!strcmp(a, "--browsers") || !strcmp(a, "--pages")) {
            char *e;
            long x = strtol(v, &e, 10);
            if (*e || x < 1 || x > 16) { fprintf(stderr, "bench: %s takes 1..16\n", a); return IA_EXIT_USAGE; }
            if (!strcmp(a, "--browsers")) browsers = (int)x;
            else pages = (int)x;
        } else if (!strcmp(a, "--prompt")) prompt_text = v;
        else if (!strcmp(a, "--prompt-file")) prompt_file = v;
        else if (!strcmp(a, "--threads")) rc = ia_bench_parse_int_list(v, threads, MAXL, &n_t);
        else if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "latency")) mode = IA_BENCH_LATENCY;
            else if (!strcmp(v, "throughput")) mode = IA_BENCH_THROUGHPUT;
            else if (!strcmp(v, "generate")) mode = IA_BENCH_GENERATE;
            else { fprintf(stderr, "bench: --mode takes latency, throughput or generate\n"); return IA_EXIT_USAGE; }
        } else if (!strcmp(a, "--gen-tokens")) {
            char *e;
            long g = strtol(v, &e, 10);
            if (*e || g < 1 || g > 100000) { fprintf(stderr, "bench: --gen-tokens takes 1..100000\n"); return IA_EXIT_USAGE; }
            gen_tokens = (int)g;
        } else if (!strcmp(a, "--warmup")) o.warmup = atoi(v);
        else if (!strcmp(a, "--min-iters")) o.min_iters = atoi(v);
        else if (!strcmp(a, "--max-iters")) o.max_iters = atoi(v);
        else if (!strcmp(a, "--min-time")) o.min_time_s = atof(v);
        else if (!strcmp(a, "--max-time")) o.max_time_s = atof(v);
        else if (!strcmp(a, "--target-ci")) o.target_rel_ci = atof(v);
        else if (!strcmp(a, "--output")) output = v;
        else if (!strcmp(a, "--db")) db_path = v;
        else if (!strcmp(a, "--dim")) {
            const char *eq = strchr(v, '=');
            if (!eq || n_dims >= MAXL || atoll(eq + 1) <= 0) { fprintf(stderr, "bench: --dim takes NAME=N (N > 0)\n"); return IA_EXIT_USAGE; }
            dim_names[n_dims] = strndup(v, (size_t)(eq - v));
            dim_values[n_dims++] = atoll(eq + 1);
        } else { fprintf(stderr, "bench: unknown option %s\n", a); usage(); return IA_EXIT_USAGE; }
        (void)dummy;
        if (rc) { fprintf(stderr, "bench: %s %s: %s\n", a, v, rc < 0 && !ia_last_error()[0] ? "malformed list" : ia_last_error()); return IA_EXIT_USAGE; }
    }
    if (!n_models) { usage(); return IA_EXIT_USAGE; }
    if ((gen_opt.sample || prompt_text || prompt_file) && mode != IA_BENCH_GENERATE) {
        fprintf(stderr, "bench: --temperature, --top-k, --top-p, --seed, --prompt and --prompt-file need --mode generate\n");
        return IA_EXIT_USAGE;
    }
    if (pages && !browsers) browsers = 1;
    if (browsers && !pages) pages = 1;
    if (prompt_text && prompt_file) { fprintf(stderr, "bench: give --prompt or --prompt-file, not both\n"); return IA_EXIT_USAGE; }
    if ((prompt_text || prompt_file) && seq_given) {
        fprintf(stderr, "bench: --seq and a text prompt exclude each other (the prompt's token count is the sequence length)\n");
        return IA_EXIT_USAGE;
    }
    if (strcmp(output, "md") && strcmp(output, "csv") && strcmp(output, "json") && strcmp(output, "sql")) {
        fprintf(stderr, "bench: --output takes md, csv, json or sql\n");
        return IA_EXIT_USAGE;
    }
    if (o.min_iters < 1 || o.warmup < 0 || o.max_iters < o.min_iters || o.min_time_s < 0 || o.max_time_s <= 0) {
        fprintf(stderr, "bench: need --min-iters >= 1, --warmup >= 0, --max-iters >= --min-iters, --max-time > 0\n");
        return IA_EXIT_USAGE;
    }
    for (size_t k = 0; k < n_t; k++)
        if (threads[k] > 4096) { fprintf(stderr, "bench: --threads %lld is too many\n", (long long)threads[k]); return IA_EXIT_USAGE; }
    ia_hw_info *hw = calloc(1, sizeof *hw);
    ia_hw_probe(hw);
    if (auto_dev) {
        n_dev = 0;
        for (const char *const *d = ia_hw_device_names(); *d; d++)
            if (ia_hw_device_status(hw, *d, NULL, NULL, 0) == 1) devices[n_dev++] = *d;
    }
    for (int d = 0; d < n_dev; d++)
        for (int p = 0; p < n_prec; p++)
            if (ia_hw_device_status(hw, devices[d], precisions[p], NULL, 0) < 0) {
                fprintf(stderr, "bench: %s\n", ia_last_error());
                free(hw);
                return IA_EXIT_USAGE;
            }
    size_t n = (size_t)n_models * (size_t)n_dev * (size_t)n_prec * n_b * n_s * n_t;
    if (n > 100000) { fprintf(stderr, "bench: %zu configurations is too many\n", n); free(hw); return IA_EXIT_USAGE; }
    /* text prompts: tokenized per model with its folder's tokenizer.json */
    ia_bench_gen gens[MAXL];
    char *ptext = NULL, psrc[300] = "text";
    size_t plen = 0;
    if (prompt_file) {
        FILE *pf = fopen(prompt_file, "rb");
        if (!pf) { fprintf(stderr, "bench: --prompt-file %s: %s\n", prompt_file, strerror(errno)); free(hw); return IA_EXIT_USAGE; }
        size_t cap = 0;
        for (;;) {
            if (plen + 4096 + 1 > cap) {
                cap = cap ? cap * 2 : 8192;
                char *np = cap > (64u << 20) ? NULL : realloc(ptext, cap);
                if (!np) { fclose(pf); free(ptext); free(hw); fprintf(stderr, "bench: --prompt-file %s: too large (64 MiB at most)\n", prompt_file); return IA_EXIT_USAGE; }
                ptext = np;
            }
            size_t got = fread(ptext + plen, 1, 4096, pf);
            plen += got;
            if (got < 4096) break;
        }
        int err = ferror(pf);
        fclose(pf);
        if (err) { free(ptext); free(hw); fprintf(stderr, "bench: --prompt-file %s: read error\n", prompt_file); return IA_EXIT_USAGE; }
        ptext[plen] = 0;
        const char *base = strrchr(prompt_file, '/');
        snprintf(psrc, sizeof psrc, "file %s", base ? base + 1 : prompt_file);
    } else if (prompt_text) {
        ptext = strdup(prompt_text);
        plen = strlen(prompt_text);
    }
    for (int m = 0; m < n_models; m++) {
        gens[m] = gen_opt;
        if (!ptext) continue;
        if (prompt_tokens(models[m], ptext, plen, &gens[m])) {
            for (int k = 0; k < m; k++) free((void *)gens[k].prompt);
            free(ptext);
            free(hw);
            return IA_EXIT_USAGE;
        }
        gens[m].prompt_source = prompt_file ? psrc : "text";
    }
    free(ptext);
    ia_bench_config *cfg = calloc(n, sizeof *cfg);
    ia_bench_result *res = calloc(n, sizeof *res);
    size_t k = 0;
    for (int m = 0; m < n_models; m++)
        for (int d = 0; d < n_dev; d++)
            for (int p = 0; p < n_prec; p++)
                for (size_t b = 0; b < n_b; b++)
                    for (size_t s = 0; s < n_s; s++)
                        for (size_t t = 0; t < n_t; t++)
                            cfg[k++] = (ia_bench_config){models[m], devices[d], precisions[p],
                                                         batches[b], gens[m].prompt ? (int64_t)gens[m].n_prompt : seqs[s],
                                                         (int)threads[t], mode, gen_tokens, &gens[m],
                                                         is_web(devices[d]) ? browsers : 0,
                                                         is_web(devices[d]) ? pages : 0};
    bench_ctx ctx = {0};
    char dbp[4200];
    if (!no_db) {
        if (!db_path) {
            if (ia__cli_default_db(dbp, sizeof dbp)) {
                fprintf(stderr, "bench: %s\n", ia_last_error());
                for (int m = 0; m < n_models; m++) free((void *)gens[m].prompt);
                free(hw); free(cfg); free(res);
                return IA_EXIT_FAIL;
            }
            db_path = dbp;
        }
        if (ia_bench_db_open(db_path, &ctx.db)) {
            fprintf(stderr, "bench: %s (use --no-db to run without storing)\n", ia_last_error());
            for (int m = 0; m < n_models; m++) free((void *)gens[m].prompt);
            free(hw); free(cfg); free(res);
            return IA_EXIT_FAIL;
        }
        char args[2048] = "";
        for (int i = 1; i < argc; i++) {
            size_t l = strlen(args);
            snprintf(args + l, sizeof args - l, "%s%s", i > 1 ? " " : "", argv[i]);
        }
        if (ia_bench_db_begin_run(ctx.db, hw, args, ctx.run_id, sizeof ctx.run_id)) {
            fprintf(stderr, "bench: %s\n", ia_last_error());
            for (int m = 0; m < n_models; m++) free((void *)gens[m].prompt);
            ia_bench_db_close(ctx.db); free(hw); free(cfg); free(res);
            return IA_EXIT_FAIL;
        }
        if (!quiet) fprintf(stderr, "bench: run %s, results in %s\n", ctx.run_id, db_path);
    } else snprintf(ctx.run_id, sizeof ctx.run_id, "unsaved");
    o.dim_names = dim_names;
    o.dim_values = dim_values;
    o.n_dims = n_dims;
    o.on_result = on_result;
    o.user = &ctx;
    o.progress = quiet ? NULL : stderr;
    int rc = ia_bench_run(hw, cfg, n, &o, res);
    if (rc && !ctx.db_failed) fprintf(stderr, "bench: %s\n", ia_last_error());
    print_results(cfg, res, n, output, ctx.run_id);
    int any_failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].status == IA_BENCH_FAILED) {
            any_failed = 1;
            fprintf(stderr, "bench: %s on %s failed: %s\n", cfg[i].model, cfg[i].device, res[i].reason);
        }
        ia_bench_result_free(&res[i]);
    }
    for (int i = 0; i < n_dims; i++) free((void *)dim_names[i]);
    for (int m = 0; m < n_models; m++) free((void *)gens[m].prompt);
    ia_bench_db_close(ctx.db);
    free(hw); free(cfg); free(res);
    return rc || ctx.db_failed || any_failed ? IA_EXIT_FAIL : IA_EXIT_OK;
}

int ia_cmd_query(int argc, char **argv) {
    const char *db_path = NULL, *fmt = "table", *sql = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) fmt = argv[++i];
        else if (argv[i][0] != '-' && !sql) sql = argv[i];
        else { fprintf(stderr, "usage: ipfs-accelerate query [--db FILE] [--format table|csv|json] \"SQL\"\n"); return IA_EXIT_USAGE; }
    }
    if (!sql) { fprintf(stderr, "usage: ipfs-accelerate query [--db FILE] [--format table|csv|json] \"SQL\"\n"); return IA_EXIT_USAGE; }
    char dbp[4200];
    if (!db_path) { if (ia__cli_default_db(dbp, sizeof dbp)) { fprintf(stderr, "query: %s\n", ia_last_error()); return IA_EXIT_FAIL; } db_path = dbp; }
    ia_bench_db *db;
    if (ia_bench_db_open(db_path, &db)) { fprintf(stderr, "query: %s\n", ia_last_error()); return IA_EXIT_FAIL; }
    int rc = ia_bench_db_query(db, sql, fmt, stdout);
    if (rc) fprintf(stderr, "query: %s\n", ia_last_error());
    ia_bench_db_close(db);
    return rc ? IA_EXIT_FAIL : IA_EXIT_OK;
}

static int open_db(const char *cmd, const char *path, ia_bench_db **db) {
    char dbp[4200];
    if (!path) {
        if (ia__cli_default_db(dbp, sizeof dbp)) { fprintf(stderr, "%s: %s\n", cmd, ia_last_error()); return -1; }
        path = dbp;
    }
    if (ia_bench_db_open(path, db)) { fprintf(stderr, "%s: %s\n", cmd, ia_last_error()); return -1; }
    return 0;
}

int ia_cmd_report(int argc, char **argv) {
    const char *db_path = NULL, *run = NULL, *fmt = "md", *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (!strcmp(argv[i], "--run") && i + 1 < argc) run = argv[++i];
        else if (!strcmp(argv[i], "--latest")) run = NULL;
        else if (!strcmp(argv[i], "--all")) run = "all";
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) fmt = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) outp = argv[++i];
        else { fprintf(stderr, "usage: ipfs-accelerate report [--db FILE] [--run ID|--latest|--all] [--format md|html] [-o FILE]\n"); return IA_EXIT_USAGE; }
    }
    if (strcmp(fmt, "md") && strcmp(fmt, "html")) { fprintf(stderr, "report: --format takes md or html\n"); return IA_EXIT_USAGE; }
    ia_bench_db *db;
    if (open_db("report", db_path, &db)) return IA_EXIT_FAIL;
    FILE *o = outp ? fopen(outp, "w") : stdout;
    if (!o) { fprintf(stderr, "report: cannot write %s: %s\n", outp, strerror(errno)); ia_bench_db_close(db); return IA_EXIT_FAIL; }
    int rc = ia_bench_report(db, run, fmt, o);
    if (rc) fprintf(stderr, "report: %s\n", ia_last_error());
    if (outp && fclose(o)) rc = -1;
    ia_bench_db_close(db);
    return rc ? IA_EXIT_FAIL : IA_EXIT_OK;
}

int ia_cmd_compare(int argc, char **argv) {
    const char *db_path = NULL, *runs[2] = {NULL, NULL};
    ia_compare_options co = {0.05, 0.01, NULL, 0};
    int nr = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
            char *e;
            co.threshold = strtod(argv[++i], &e);
            if (*e == '%') { co.threshold /= 100; e++; }
            if (*e || co.threshold < 0) { fprintf(stderr, "compare: --threshold takes 5%% or 0.05\n"); return IA_EXIT_USAGE; }
        } else if (!strcmp(argv[i], "--alpha") && i + 1 < argc) co.alpha = atof(argv[++i]);
        else if (!strcmp(argv[i], "--ignore") && i + 1 < argc) co.ignore = argv[++i];
        else if (argv[i][0] != '-' && nr < 2) runs[nr++] = argv[i];
        else { fprintf(stderr, "usage: ipfs-accelerate compare BASE_RUN CANDIDATE_RUN [--db FILE] [--threshold 5%%] [--alpha 0.01] [--ignore batch,...]\n"); return IA_EXIT_USAGE; }
    }
    if (nr != 2 || co.alpha <= 0 || co.alpha >= 1) { fprintf(stderr, "usage: ipfs-accelerate compare BASE_RUN CANDIDATE_RUN [--db FILE] [--threshold 5%%] [--alpha 0.01] [--ignore batch,...]\n"); return IA_EXIT_USAGE; }
    ia_bench_db *db;
    if (open_db("compare", db_path, &db)) return IA_EXIT_FAIL;
    int n_reg = 0;
    int rc = ia_bench_compare(db, runs[0], runs[1], &co, stdout, &n_reg);
    if (rc) fprintf(stderr, "compare: %s\n", ia_last_error());
    ia_bench_db_close(db);
    return rc ? IA_EXIT_USAGE : n_reg ? IA_EXIT_FAIL : IA_EXIT_OK;
}

void ia__json_str_cli(FILE *o, const char *s) {
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(o, "\\%c", *p);
        else if (*p < 0x20) fprintf(o, "\\u%04x", *p);
        else fputc(*p, o);
    }
    fputc('"', o);
}

int ia_cmd_export(int argc, char **argv) {
    const char *db_path = NULL, *fmt = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) fmt = argv[++i];
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else { fprintf(stderr, "usage: ipfs-accelerate export [--db FILE] --format parquet|csv DIR\n"); return IA_EXIT_USAGE; }
    }
    if (!dir || !fmt || (strcmp(fmt, "parquet") && strcmp(fmt, "csv"))) {
        fprintf(stderr, "usage: ipfs-accelerate export [--db FILE] --format parquet|csv DIR\n");
        return IA_EXIT_USAGE;
    }
    ia_bench_db *db;
    if (open_db("export", db_path, &db)) return IA_EXIT_FAIL;
    int rc = ia_bench_db_export(db, dir, fmt, stdout);
    if (rc) fprintf(stderr, "export: %s\n", ia_last_error());
    ia_bench_db_close(db);
    return rc ? IA_EXIT_FAIL : IA_EXIT_OK;
}

int ia_cmd_import(int argc, char **argv) {
    const char *db_path = NULL;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t n = 0;
    if (!paths) return IA_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
        else if (argv[i][0] != '-') paths[n++] = argv[i];
        else { n = 0; break; }
    }
    if (!n) {
        fprintf(stderr, "usage: ipfs-accelerate import [--db FILE] FILE.parquet|FILE.csv|DIR...\n");
        free(paths);
        return IA_EXIT_USAGE;
    }
    ia_bench_db *db;
    if (open_db("import", db_path, &db)) { free(paths); return IA_EXIT_FAIL; }
    int rc = ia_bench_db_import(db, paths, n, stdout);
    if (rc) fprintf(stderr, "import: %s\n", ia_last_error());
    ia_bench_db_close(db);
    free(paths);
    return rc ? IA_EXIT_FAIL : IA_EXIT_OK;
}
