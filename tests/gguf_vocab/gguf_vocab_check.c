/* llama.cpp's vocabulary test sets: encodes every test of VOCAB.gguf.inp (tests separated by
 * "\n__ggml_vocab_test__\n") without special tokens and compares with the ids of VOCAB.gguf.out.
 * Exit 0: all equal; 1: some differ or the files are bad; 2: the vocabulary's type is unsupported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    size_t k;
    while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) { char *nb = realloc(b, 2 * cap + 1); if (!nb) { free(b); b = NULL; break; } b = nb; cap *= 2; }
    }
    fclose(f);
    if (b) b[len] = 0;
    *n = len;
    return b;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s VOCAB.gguf\n", argv[0]); return 1; }
    ia_tokenizer *t;
    int rc = ia_tokenizer_load(argv[1], &t);
    if (rc == IA_ERR_UNSUPPORTED) { printf("unsupported: %s\n", ia_last_error()); return 2; }
    if (rc) { fprintf(stderr, "%s: %s\n", argv[1], ia_last_error()); return 1; }
    char path[4096];
    size_t ni, no;
    snprintf(path, sizeof path, "%s.inp", argv[1]);
    char *inp = slurp(path, &ni);
    snprintf(path, sizeof path, "%s.out", argv[1]);
    char *outp = slurp(path, &no);
    if (!inp || !outp) { fprintf(stderr, "%s: cannot read its .inp / .out\n", argv[1]); return 1; }
    static const char sep[] = "\n__ggml_vocab_test__\n";
    size_t sl = sizeof sep - 1, pos = 0, opos = 0, tests = 0, bad = 0;
    while (pos < ni) {
        char *nx = strstr(inp + pos, sep);
        size_t end = nx ? (size_t)(nx - inp) : ni;
        /* the expected ids: one line of the .out */
        if (opos >= no) { fprintf(stderr, "%s: .out has fewer lines than .inp has tests\n", argv[1]); bad++; break; }
        char *nl = memchr(outp + opos, '\n', no - opos);
        size_t oend = nl ? (size_t)(nl - outp) : no;
        outp[oend] = 0;
        int32_t want[65536];
        size_t nw = 0;
        for (char *p = outp + opos, *q; nw < 65536; p = q) {
            long v = strtol(p, &q, 10);
            if (q == p) break;
            want[nw++] = (int32_t)v;
        }
        opos = oend + 1;
        ia_encoding e;
        ia_encode_opts o = {.no_special_tokens = 1};
        if (ia_tokenizer_encode(t, inp + pos, end - pos, &o, &e)) { fprintf(stderr, "encode: %s\n", ia_last_error()); return 1; }
        int same = e.len == nw;
        for (size_t i = 0; same && i < nw; i++) same = e.ids[i] == want[i];
        if (!same) {
            if (bad < 5) {
                printf("test %zu differs: input \"%.*s\"\n  want:", tests, (int)(end - pos > 200 ? 200 : end - pos), inp + pos);
                for (size_t i = 0; i < nw && i < 40; i++) printf(" %d", want[i]);
                printf("\n  got: ");
                for (size_t i = 0; i < e.len && i < 40; i++) printf(" %d", e.ids[i]);
                printf("\n");
            }
            bad++;
        }
        ia_encoding_free(&e);
        tests++;
        if (!nx) break;
        pos = end + sl;
    }
    printf("%s: %zu / %zu tests equal\n", argv[1], tests - bad, tests);
    free(inp);
    free(outp);
    ia_tokenizer_destroy(t);
    return bad || !tests ? 1 : 0;
}
