/* BPE model: merges applied lowest rank first (leftmost on ties), byte_fallback to <0xXX> tokens,
 * ignore_merges, end-of-word and continuing-subword suffixes, as the JS reference does. */
#include <stdio.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

typedef struct { int32_t rank, pos, node, a, b; } heap_ent;

static int ent_less(const heap_ent *x, const heap_ent *y) {
    return x->rank != y->rank ? x->rank < y->rank : x->pos < y->pos;
}
static void heap_push(heap_ent *h, size_t *n, heap_ent e) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ent_less(&e, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}
static heap_ent heap_pop(heap_ent *h, size_t *n) {
    heap_ent top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const heap_ent *mv = &last;
        if (l < *n && ent_less(&h[l], mv)) { m = l; mv = &h[l]; }
        if (r < *n && ent_less(&h[r], mv)) m = r;
        if (m == i) break;
        h[i] = h[m];
        i = m;
    }
    if (*n) h[i] = last;
    return top;
}

static int sym_id(ia__model *m, const char *s, size_t n, int32_t *id) {
    if (ia__strmap_get(&m->sym, s, n, id)) return IA_OK;
    if (m->nsym % 1024 == 0) {
        char **v = ia_realloc(m->symstr, (m->nsym + 1024) * sizeof *v);
        if (!v) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        m->symstr = v;
    }
    char *c = ia_strndup(s, n);
    if (!c) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    m->symstr[m->nsym] = c;
    *id = (int32_t)m->nsym++;
    return ia__strmap_put(&m->sym, s, n, *id);
}

/* Adds merge `a b` of rank r (the merged string need not be in the vocabulary). */
int ia__bpe_add_merge(ia__model *m, const char *a, size_t an, const char *b, size_t bn, int32_t rank);
int ia__bpe_add_merge(ia__model *m, const char *a, size_t an, const char *b, size_t bn, int32_t rank) {
    int32_t sa, sb, sm;
    int rc;
    if ((rc = sym_id(m, a, an, &sa)) || (rc = sym_id(m, b, bn, &sb))) return rc;
    char stackbuf[256];
    char *ab = an + bn <= sizeof stackbuf ? stackbuf : ia_malloc(an + bn);
    if (!ab) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    memcpy(ab, a, an);
    memcpy(ab + an, b, bn);
    rc = sym_id(m, ab, an + bn, &sm);
    if (ab != stackbuf) ia_free(ab);
    if (rc) return rc;
    return ia__pairmap_put(&m->merges, (uint32_t)sa, (uint32_t)sb, rank, sm);
}

int ia__bpe_prepare(ia__model *m) {
    for (int b = 0; b < 256; b++) {
        char t[8];
        snprintf(t, sizeof t, "<0x%02X>", b);
        if (!ia__strmap_get(&m->tok2id, t, 6, &m->byte_tok[b])) m->byte_tok[b] = -1;
    }
    return IA_OK;
}

static int emit(const ia__model *m, const char *t, size_t n, ia__slist *out) {
    if (ia__strmap_get(&m->tok2id, t, n, NULL)) return ia__slist_push(out, t, n);
    if (m->byte_fallback) {
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) ok = m->byte_tok[(unsigned char)t[i]] >= 0;
        if (ok) {
            for (size_t i = 0; i < n; i++) {
                char b[8];
                snprintf(b, sizeof b, "<0x%02X>", (unsigned char)t[i]);
                int rc = ia__slist_push(out, b, 6);
                if (rc) return rc;
            }
            return IA_OK;
        }
    }
    if (m->unk_token) return ia__slist_push(out, m->unk_token, strlen(m->unk_token));
    return IA_OK;
}

int ia__bpe_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out) {
    if (!n) return IA_OK;
    if (m->ignore_merges && ia__strmap_get(&m->tok2id, w, n, NULL)) {
        size_t k = 0;
        while (m->ignore_merges == 2 && k < n && w[k] == '\n') k++;
        if (m->ignore_merges == 1 || k == n) return ia__slist_push(out, w, n);
    }
    size_t eow = m->eow_suffix ? strlen(m->eow_suffix) : 0;
    ia__sbuf word = {0};
    int rc = IA_OK;
    const char *s = w;

    if (eow) {
        if ((rc = ia__sbuf_put(&word, w, n)) || (rc = ia__sbuf_put(&word, m->eow_suffix, eow))) goto done0;
        s = word.p;

    }
    /* symbols: one per code point (the suffix joins the last one) */
    enum { STACK = 128 };
    int32_t st_start[STACK], st_len[STACK], st_sym[STACK], st_next[STACK], st_prev[STACK];
    heap_ent st_heap[STACK * 3];
    size_t cap = STACK, ns = 0;
    int32_t *start = st_start, *len = st_len, *sym = st_sym, *next = st_next, *prev = st_prev;
    heap_ent *heap = st_heap;
    void *blk = NULL;
    size_t ncp = 0;
    for (size_t i = 0; i < n;) { uint32_t cp; i += ia__utf8_next(w + i, n - i, &cp); ncp++; }
    if (ncp > cap) {
        cap = ncp;
        blk = ia_malloc(cap * (5 * sizeof(int32_t) + 3 * sizeof(heap_ent)));
        if (!blk) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done0; }
        heap = blk;
        start = (int32_t *)(heap + 3 * cap);
        len = start + cap; sym = len + cap; next = sym + cap; prev = next + cap;
    }
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ia__utf8_next(w + i, n - i, &cp);
        start[ns] = (int32_t)i;
        len[ns] = (int32_t)(i + k == n ? k + eow : k);
        int32_t id;
        sym[ns] = ia__strmap_get(&m->sym, s + i, (size_t)len[ns], &id) ? id : -1;
        prev[ns] = (int32_t)ns - 1;
        next[ns] = i + k == n ? -1 : (int32_t)ns + 1;
        ns++;
        i += k;
    }
    size_t hn = 0;
    for (size_t i = 0; i + 1 < ns; i++) {
        int32_t r, mg;
        if (sym[i] >= 0 && sym[i + 1] >= 0 && ia__pairmap_get(&m->merges, (uint32_t)sym[i], (uint32_t)sym[i + 1], &r, &mg))
            heap_push(heap, &hn, (heap_ent){r, (int32_t)i, (int32_t)i, sym[i], sym[i + 1]});
    }
    while (hn) {
        heap_ent e = heap_pop(heap, &hn);
        int32_t i = e.node, j = next[i];
        if (len[i] == 0 || sym[i] != e.a || j < 0 || sym[j] != e.b) continue;
        int32_t r, mg;
        ia__pairmap_get(&m->merges, (uint32_t)e.a, (uint32_t)e.b, &r, &mg);
        sym[i] = mg;
        len[i] += len[j];
        len[j] = 0;
        next[i] = next[j];
        if (next[j] >= 0) prev[next[j]] = i;
        /* pushes: ns-1 at first, at most 2 per merge: the heap never exceeds 3 * ns entries */
        if (prev[i] >= 0) {
            int32_t p = prev[i];
            if (sym[p] >= 0 && ia__pairmap_get(&m->merges, (uint32_t)sym[p], (uint32_t)sym[i], &r, &mg))
                heap_push(heap, &hn, (heap_ent){r, p, p, sym[p], sym[i]});
        }
        if (next[i] >= 0) {
            int32_t q = next[i];
            if (sym[q] >= 0 && ia__pairmap_get(&m->merges, (uint32_t)sym[i], (uint32_t)sym[q], &r, &mg))
                heap_push(heap, &hn, (heap_ent){r, i, i, sym[i], sym[q]});
        }
    }
    size_t csuf = m->cont_suffix ? strlen(m->cont_suffix) : 0;
    ia__sbuf t = {0};
    for (int32_t i = 0; i >= 0 && !rc; i = next[i]) {
        const char *ts = s + start[i];
        size_t tl = (size_t)len[i];
        if (csuf && next[i] >= 0) {
            t.n = 0;
            if ((rc = ia__sbuf_put(&t, ts, tl)) || (rc = ia__sbuf_put(&t, m->cont_suffix, csuf))) break;
            ts = t.p;
            tl = t.n;
        }
        rc = emit(m, ts, tl, out);
    }
    ia__sbuf_free(&t);
    ia_free(blk);
done0:
    ia__sbuf_free(&word);
    return rc;
}
