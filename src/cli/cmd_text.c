/* `ipfs-accelerate text ...`: text pipelines. `text tokenize` encodes stdin lines to token ids (or
 * decodes id lines back to text) with a tokenizer.json, vocab.txt or model folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "ipfs_accelerate.h"

static int usage_text(void) {
    fprintf(stderr, "usage: ipfs-accelerate text tokenize TOKENIZER_JSON_OR_MODEL_DIR [--no-special] [--decode]\n"
                    "  reads lines on stdin; prints one line of space-separated token ids per line\n"
                    "  --no-special  encode: add no special tokens (BOS, [CLS] ...); decode: drop special tokens\n"
                    "  --decode      read lines of ids, print the decoded text\n");
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

int ia_cmd_text(int argc, char **argv) {
    if (argc < 2) return usage_text();
    if (!strcmp(argv[1], "tokenize")) return tokenize(argc - 1, argv + 1);
    fprintf(stderr, "text: unknown task '%s'\n", argv[1]);
    return usage_text();
}
