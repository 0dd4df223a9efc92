/* WordPiece model: greedy longest-match-first with the continuing-subword prefix, words longer than
 * max_input_chars_per_word code points become the unknown token. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

int ia__wordpiece_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out) {
    size_t ncp = 0;
    for (size_t i = 0; i < n;) { uint32_t cp; i += ia__utf8_next(w + i, n - i, &cp); ncp++; }
    const char *unk = m->unk_token ? m->unk_token : "";
    if (ncp > m->max_chars) return ia__slist_push(out, unk, strlen(unk));
    const char *pre = m->cont_prefix ? m->cont_prefix : "";
    size_t pn = strlen(pre), mark = out->n;
    ia__sbuf t = {0};
    int rc = IA_OK;
    for (size_t start = 0; start < n && !rc;) {
        size_t end = n, found = 0;
        while (end > start) {
            t.n = 0;
            if (start > 0 && (rc = ia__sbuf_put(&t, pre, pn))) break;
            if ((rc = ia__sbuf_put(&t, w + start, end - start))) break;
            if (ia__strmap_get(&m->tok2id, t.p, t.n, NULL)) { found = 1; break; }
            end -= ia__utf8_prev_len(w + start, end - start);
        }
        if (rc) break;
        if (!found) {
            out->n = mark; /* the whole word is unknown */
            out->buf.n = mark ? out->v[mark - 1].off + out->v[mark - 1].len : 0;
            rc = ia__slist_push(out, unk, strlen(unk));
            break;
        }
        rc = ia__slist_push(out, t.p, t.n);
        start = end;
    }
    ia__sbuf_free(&t);
    return rc;
}
