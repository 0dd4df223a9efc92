/* Tokenizer models: dispatch over BPE, WordPiece, Unigram and WordLevel, the unknown-token fusing
 * step, and the vocabulary tables shared by all models. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

int ia__model_set_id(ia__model *m, const char *tok, size_t n, int32_t id) {
    if (id < 0 || id > (1 << 28)) return ia_set_error(IA_ERR_PARSE, "tokenizer: token id %d out of range", (int)id);
    if ((size_t)id >= m->idcap) {
        size_t c2 = m->idcap ? m->idcap : 256;
        while (c2 <= (size_t)id) c2 *= 2;
        char **v = ia_realloc(m->id2tok, c2 * sizeof *v);
        if (!v) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        memset(v + m->idcap, 0, (c2 - m->idcap) * sizeof *v);
        m->id2tok = v;
        m->idcap = c2;
    }
    if ((size_t)id >= m->nid) m->nid = (size_t)id + 1;
    char *c = ia_strndup(tok, n);
    if (!c) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    ia_free(m->id2tok[id]);
    m->id2tok[id] = c;
    return ia__strmap_put(&m->tok2id, tok, n, id);
}

static int32_t lookup(const ia__model *m, const char *s, size_t n) {
    int32_t id;
    return ia__strmap_get(&m->tok2id, s, n, &id) ? id : -2; /* -2: not in the vocabulary */
}

/* The reference's fuse_unk over out[from..]: runs of unknown tokens collapse into one. */
static int fuse_unk(const ia__model *m, ia__slist *out, size_t from) {
    int32_t unk = m->unk_id >= 0 ? m->unk_id : -2;
    ia__slist f = {0};
    int rc = IA_OK;
    size_t i = from;
    while (i < out->n && !rc) {
        rc = ia__slist_push(&f, ia__slist_str(out, i), out->v[i].len);
        int32_t id = lookup(m, ia__slist_str(out, i), out->v[i].len);
        if (id == -2) id = unk;
        if (id != unk) { i++; continue; }
        while (!rc && ++i < out->n) {
            int32_t nid = lookup(m, ia__slist_str(out, i), out->v[i].len);
            if (nid == -2) nid = unk;
            if (nid != unk) break;
            size_t last = f.n - 1;
            if (lookup(m, ia__slist_str(&f, last), f.v[last].len) != unk) {
                /* append to the last fused string (it is at the end of f's buffer) */
                rc = ia__sbuf_put(&f.buf, ia__slist_str(out, i), out->v[i].len);
                f.v[last].len += out->v[i].len;
            }
        }
    }
    if (!rc) {
        out->n = from;
        out->buf.n = from ? out->v[from - 1].off + out->v[from - 1].len : 0;
        for (size_t k = 0; k < f.n && !rc; k++) rc = ia__slist_push(out, ia__slist_str(&f, k), f.v[k].len);
    }
    ia__slist_free(&f);
    return rc;
}

int ia__model_encode(const ia__model *m, const ia__slist *in, ia__slist *out) {
    size_t from = out->n;
    int rc = IA_OK;
    for (size_t i = 0; i < in->n && !rc; i++) {
        const char *w = ia__slist_str(in, i);
        size_t n = in->v[i].len;
        switch (m->type) {
        case IA__M_BPE: rc = ia__bpe_encode_word(m, w, n, out); break;
        case IA__M_WORDPIECE: rc = ia__wordpiece_encode_word(m, w, n, out); break;
        case IA__M_UNIGRAM: rc = ia__unigram_encode_word(m, w, n, out); break;
        case IA__M_WORDLEVEL: rc = ia__slist_push(out, w, n); break;
        }
    }
    if (!rc && m->fuse_unk && out->n > from) rc = fuse_unk(m, out, from);
    return rc;
}

void ia__model_free(ia__model *m) {
    ia__strmap_free(&m->tok2id);
    for (size_t i = 0; i < m->nid; i++) ia_free(m->id2tok[i]);
    ia_free(m->id2tok);
    ia_free(m->unk_token);
    ia_free(m->cont_prefix);
    ia_free(m->eow_suffix);
    ia_free(m->cont_suffix);
    ia__strmap_free(&m->sym);
    for (size_t i = 0; i < m->nsym; i++) ia_free(m->symstr[i]);
    ia_free(m->symstr);
    ia__pairmap_free(&m->merges);
    ia_free(m->scores);
    memset(m, 0, sizeof *m);
}
