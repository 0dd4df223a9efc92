/* Added tokens: the longest-match splitter that cuts text at added-token strings before
 * normalization (and again after it, for normalized ones), as the JS reference's DictionarySplitter. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

typedef struct {
    int32_t first, next; /* first child, next sibling */
    uint32_t end;        /* byte length of the word ending here, 0 = none */
    unsigned char byte;
} tnode;

struct ia__splitter {
    tnode *v;
    size_t n, cap;
    int32_t root[256];
};

static int32_t new_node(ia__splitter *sp, unsigned char b) {
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 256;
        tnode *v = ia_realloc(sp->v, cap * sizeof *v);
        if (!v) return -1;
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n] = (tnode){-1, -1, 0, b};
    return (int32_t)sp->n++;
}

int ia__splitter_create(const char *const *words, const size_t *lens, size_t n, ia__splitter **out) {
    ia__splitter *sp = ia_calloc(1, sizeof *sp);
    if (!sp) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    for (int i = 0; i < 256; i++) sp->root[i] = -1;
    for (size_t w = 0; w < n; w++) {
        const unsigned char *s = (const unsigned char *)words[w];
        size_t len = lens[w];
        if (!len || len > 0xFFFFFFFFu) continue;
        int32_t cur = sp->root[s[0]];
        if (cur < 0) {
            if ((cur = new_node(sp, s[0])) < 0) goto oom;
            sp->root[s[0]] = cur;
        }
        for (size_t i = 1; i < len; i++) {
            int32_t c = sp->v[cur].first;
            while (c >= 0 && sp->v[c].byte != s[i]) c = sp->v[c].next;
            if (c < 0) {
                if ((c = new_node(sp, s[i])) < 0) goto oom;
                sp->v[c].next = sp->v[cur].first;
                sp->v[cur].first = c;
            }
            cur = c;
        }
        sp->v[cur].end = (uint32_t)len;
    }
    *out = sp;
    return IA_OK;
oom:
    ia__splitter_free(sp);
    return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
}

int ia__splitter_split(const ia__splitter *sp, const char *s, size_t n, ia__slist *out) {
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i = 0;
    int rc;
    while (i < n) {
        size_t match = 0;
        int32_t cur = sp ? sp->root[u[i]] : -1;
        size_t j = i;
        while (cur >= 0) {
            j++;
            if (sp->v[cur].end) match = sp->v[cur].end;
            if (j >= n) break;
            int32_t c = sp->v[cur].first;
            while (c >= 0 && sp->v[c].byte != u[j]) c = sp->v[c].next;
            cur = c;
        }
        if (match) {
            if (i > start && (rc = ia__slist_push(out, s + start, i - start))) return rc;
            if ((rc = ia__slist_push(out, s + i, match))) return rc;
            i += match;
            start = i;
        } else {
            uint32_t cp;
            i += ia__utf8_next(s + i, n - i, &cp);
        }
    }
    if (start < n) return ia__slist_push(out, s + start, n - start);
    return IA_OK;
}

void ia__splitter_free(ia__splitter *sp) {
    if (!sp) return;
    ia_free(sp->v);
    ia_free(sp);
}
