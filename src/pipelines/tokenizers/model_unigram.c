/* Unigram model: lattice of vocabulary pieces over code points, Viterbi best path (first best wins
 * on ties, as in the JS reference), unknown single characters scored min-10. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

typedef struct { int32_t pos, len; double score, best; int32_t prev; } unode;

int ia__unigram_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out) {
    if (!n) return IA_OK;
    size_t ncp = 0;
    for (size_t i = 0; i < n;) { uint32_t cp; i += ia__utf8_next(w + i, n - i, &cp); ncp++; }
    size_t *off = ia_malloc((ncp + 1) * sizeof *off);
    size_t cap = ncp * 4 + 8, nn = 0;
    unode *nd = ia_malloc(cap * sizeof *nd);
    int32_t *cnt = ia_calloc(ncp + 2, sizeof *cnt), *ord = NULL;
    int rc = IA_OK;
    if (!off || !nd || !cnt) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
    size_t k = 0;
    for (size_t i = 0; i < n; k++) { uint32_t cp; off[k] = i; i += ia__utf8_next(w + i, n - i, &cp); }
    off[ncp] = n;
    size_t maxb = m->max_chars; /* longest piece in bytes */
    for (size_t b = 0; b < ncp; b++) {
        int single = 0;
        for (size_t e = b + 1; e <= ncp && off[e] - off[b] <= maxb; e++) {
            int32_t id;
            if (!ia__strmap_get(&m->sym, w + off[b], off[e] - off[b], &id)) continue;
            if (nn == cap) {
                cap *= 2;
                unode *t = ia_realloc(nd, cap * sizeof *nd);
                if (!t) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
                nd = t;
            }
            nd[nn++] = (unode){(int32_t)b, (int32_t)(e - b), m->scores[id], 0, -1};
            if (e - b == 1) single = 1;
        }
        if (!single) {
            if (nn == cap) {
                cap *= 2;
                unode *t = ia_realloc(nd, cap * sizeof *nd);
                if (!t) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
                nd = t;
            }
            nd[nn++] = (unode){(int32_t)b, 1, m->unk_score, 0, -1};
        }
    }
    /* nodes grouped by end position, insertion order kept */
    ord = ia_malloc((nn + 1) * sizeof *ord);
    if (!ord) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
    for (size_t i = 0; i < nn; i++) cnt[nd[i].pos + nd[i].len + 1]++;
    for (size_t p = 1; p <= ncp + 1; p++) cnt[p] += cnt[p - 1];
    {
        int32_t *fill = ia_malloc((ncp + 2) * sizeof *fill);
        if (!fill) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
        memcpy(fill, cnt, (ncp + 2) * sizeof *fill);
        for (size_t i = 0; i < nn; i++) ord[fill[nd[i].pos + nd[i].len]++] = (int32_t)i;
        ia_free(fill);
    }
    /* Viterbi: nodes are in begin order already */
    for (size_t i = 0; i < nn; i++) {
        int32_t p = nd[i].pos;
        if (p == 0) { nd[i].best = nd[i].score; nd[i].prev = -1; continue; }
        int have = 0;
        double best = 0;
        int32_t bp = -1;
        for (int32_t j = cnt[p]; j < cnt[p + 1]; j++) {
            double s = nd[ord[j]].best + nd[i].score;
            if (!have || s > best) { best = s; bp = ord[j]; have = 1; }
        }
        nd[i].best = best;
        nd[i].prev = bp;
    }
    /* best node ending at the end (first wins) */
    int32_t last = -1;
    double best = 0;
    for (int32_t j = cnt[ncp]; j < cnt[ncp + 1]; j++)
        if (last < 0 || nd[ord[j]].best > best) { best = nd[ord[j]].best; last = ord[j]; }
    size_t np = 0;
    for (int32_t x = last; x >= 0; x = nd[x].prev) np++;
    size_t base = out->n;
    for (size_t i = 0; i < np && !rc; i++) rc = ia__slist_push(out, "", 0);
    if (rc) goto done;
    /* fill backwards: rewrite the placeholders in order */
    {
        int32_t *path = ia_malloc((np + 1) * sizeof *path);
        if (!path) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
        size_t q = np;
        for (int32_t x = last; x >= 0; x = nd[x].prev) path[--q] = x;
        out->n = base;
        for (size_t i = 0; i < np && !rc; i++)
            rc = ia__slist_push(out, w + off[nd[path[i]].pos], off[nd[path[i]].pos + nd[path[i]].len] - off[nd[path[i]].pos]);
        ia_free(path);
    }
done:
    ia_free(off);
    ia_free(nd);
    ia_free(cnt);
    ia_free(ord);
    return rc;
}
