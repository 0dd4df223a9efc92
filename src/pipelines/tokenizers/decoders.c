/* Decoders: ByteLevel, WordPiece, Metaspace, BPEDecoder, CTC, Replace, Fuse, Strip, ByteFallback and
 * Sequence, each turning a list of token strings into another, as the JS reference's decode_chain. */
#include <stdlib.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

int ia__bytelevel_byte(uint32_t cp);

int ia__clean_up_tokenization(const char *s, size_t n, ia__sbuf *out) {
    static const struct { const char *from, *to; } rules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    ia__sbuf a = {0}, b = {0};
    int rc = ia__sbuf_put(&a, s, n);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && !rc; r++) {
        size_t fl = strlen(rules[r].from), tl = strlen(rules[r].to);
        b.n = 0;
        size_t i = 0;
        while (i < a.n && !rc) {
            if (i + fl <= a.n && !memcmp(a.p + i, rules[r].from, fl)) { rc = ia__sbuf_put(&b, rules[r].to, tl); i += fl; }
            else rc = ia__sbuf_putc(&b, a.p[i++]);
        }
        if (!rc && !b.p) rc = ia__sbuf_put(&b, "", 0);
        ia__sbuf t = a; a = b; b = t;
    }
    if (!rc) rc = ia__sbuf_put(out, a.p, a.n);
    ia__sbuf_free(&a);
    ia__sbuf_free(&b);
    return rc;
}

/* Byte-level characters back to bytes (unknown characters give byte 0, as a Uint8Array of
 * undefined does), then UTF-8 repaired as TextDecoder would. */
static int bytelevel_text(const ia__slist *l, size_t from, size_t to, ia__slist *out) {
    ia__sbuf bytes = {0}, txt = {0};
    int rc = IA_OK;
    for (size_t i = from; i < to && !rc; i++) {
        const char *s = ia__slist_str(l, i);
        size_t n = l->v[i].len;
        for (size_t j = 0; j < n && !rc;) {
            uint32_t cp;
            j += ia__utf8_next(s + j, n - j, &cp);
            int b = ia__bytelevel_byte(cp);
            rc = ia__sbuf_putc(&bytes, (char)(b < 0 ? 0 : b));
        }
    }
    if (!rc) rc = ia__utf8_sanitize(bytes.p ? bytes.p : "", bytes.n, &txt);
    if (!rc) rc = ia__slist_push(out, txt.p ? txt.p : "", txt.n);
    ia__sbuf_free(&bytes);
    ia__sbuf_free(&txt);
    return rc;
}

static int replace_str(const char *s, size_t n, const char *from, const char *to, ia__sbuf *out) {
    size_t fl = strlen(from), tl = strlen(to);
    int rc = ia__sbuf_reserve(out, n);
    for (size_t i = 0; i < n && !rc;) {
        if (fl && i + fl <= n && !memcmp(s + i, from, fl)) { rc = ia__sbuf_put(out, to, tl); i += fl; }
        else rc = ia__sbuf_putc(out, s[i++]);
    }
    return rc;
}

static int chain_one(const ia_tokenizer *t, const ia__decoder *d, const ia__slist *in, ia__slist *out) {
    int rc = IA_OK;
    ia__sbuf tmp = {0};
    switch (d->type) {
    case IA__D_BYTELEVEL: {
        size_t run = 0;
        for (size_t i = 0; i < in->n && !rc; i++) {
            if (!ia__strmap_get(&t->added_content, ia__slist_str(in, i), in->v[i].len, NULL)) continue;
            if (i > run) rc = bytelevel_text(in, run, i, out);
            if (!rc) rc = ia__slist_push(out, ia__slist_str(in, i), in->v[i].len);
            run = i + 1;
        }
        if (!rc && run < in->n) rc = bytelevel_text(in, run, in->n, out);
        break;
    }
    case IA__D_WORDPIECE: {
        const char *pre = d->prefix ? d->prefix : "";
        size_t pn = strlen(pre);
        for (size_t i = 0; i < in->n && !rc; i++) {
            const char *s = ia__slist_str(in, i);
            size_t n = in->v[i].len;
            tmp.n = 0;
            if (i) {
                if (pn && n >= pn && !memcmp(s, pre, pn)) { s += pn; n -= pn; }
                else rc = ia__sbuf_putc(&tmp, ' ');
            }
            if (!rc) rc = ia__sbuf_put(&tmp, s, n);
            if (!rc && d->cleanup) {
                ia__sbuf c = {0};
                rc = ia__clean_up_tokenization(tmp.p, tmp.n, &c);
                if (!rc) rc = ia__slist_push(out, c.p ? c.p : "", c.n);
                ia__sbuf_free(&c);
            } else if (!rc) {
                rc = ia__slist_push(out, tmp.p, tmp.n);
            }
        }
        break;
    }
    case IA__D_METASPACE:
        for (size_t i = 0; i < in->n && !rc; i++) {
            tmp.n = 0;
            rc = replace_str(ia__slist_str(in, i), in->v[i].len, d->content, " ", &tmp);
            size_t skip = (!rc && i == 0 && tmp.n && tmp.p[0] == ' ') ? 1 : 0;
            if (!rc) rc = ia__slist_push(out, tmp.p ? tmp.p + skip : "", tmp.n - skip);
        }
        break;
    case IA__D_BPE:
        for (size_t i = 0; i < in->n && !rc; i++) {
            tmp.n = 0;
            rc = replace_str(ia__slist_str(in, i), in->v[i].len, d->content, i + 1 == in->n ? "" : " ", &tmp);
            if (!rc) rc = ia__slist_push(out, tmp.p ? tmp.p : "", tmp.n);
        }
        break;
    case IA__D_CTC: {
        for (size_t i = 0; i < in->n && !rc; i++) {
            if (i && in->v[i].len == in->v[i - 1].len && !memcmp(ia__slist_str(in, i), ia__slist_str(in, i - 1), in->v[i].len))
                continue;
            if (!strcmp(ia__slist_str(in, i), d->content) && strlen(d->content) == in->v[i].len) continue;
            rc = ia__sbuf_put(&tmp, ia__slist_str(in, i), in->v[i].len);
        }
        if (!rc && d->cleanup) {
            ia__sbuf c = {0}, r = {0};
            rc = ia__clean_up_tokenization(tmp.p ? tmp.p : "", tmp.n, &c);
            if (!rc) rc = replace_str(c.p ? c.p : "", c.n, d->word_delim ? d->word_delim : "", " ", &r);
            size_t b = 0, e = r.n;
            if (!rc) { ia__js_trim(r.p ? r.p : "", &b, &e, 1, 1); rc = ia__slist_push(out, r.p ? r.p + b : "", e - b); }
            ia__sbuf_free(&c);
            ia__sbuf_free(&r);
        } else if (!rc) {
            rc = ia__slist_push(out, tmp.p ? tmp.p : "", tmp.n);
        }
        break;
    }
    case IA__D_REPLACE:
        for (size_t i = 0; i < in->n && !rc; i++) {
            tmp.n = 0;
            if (d->re) rc = ia__regex_replace_all(d->re, ia__slist_str(in, i), in->v[i].len, d->content, strlen(d->content), &tmp);
            else rc = ia__sbuf_put(&tmp, ia__slist_str(in, i), in->v[i].len);
            if (!rc) rc = ia__slist_push(out, tmp.p ? tmp.p : "", tmp.n);
        }
        break;
    case IA__D_FUSE:
        for (size_t i = 0; i < in->n && !rc; i++) rc = ia__sbuf_put(&tmp, ia__slist_str(in, i), in->v[i].len);
        if (!rc) rc = ia__slist_push(out, tmp.p ? tmp.p : "", tmp.n);
        break;
    case IA__D_STRIP: {
        /* compares single UTF-16 units with `content`: only a one-character BMP content can match */
        uint32_t ccp = 0;
        size_t cl = strlen(d->content);
        int ok = cl > 0 && ia__utf8_next(d->content, cl, &ccp) == cl && ccp < 0x10000;
        for (size_t i = 0; i < in->n && !rc; i++) {
            const char *s = ia__slist_str(in, i);
            size_t b = 0, e = in->v[i].len;
            for (int k = 0; ok && k < d->start && e - b >= cl && !memcmp(s + b, d->content, cl); k++) b += cl;
            for (int k = 0; ok && k < d->stop && e - b >= cl && !memcmp(s + e - cl, d->content, cl); k++) e -= cl;
            rc = ia__slist_push(out, s + b, e - b);
        }
        break;
    }
    case IA__D_BYTEFALLBACK: {
        ia__sbuf bytes = {0};
        for (size_t i = 0; i <= in->n && !rc; i++) {
            const char *s = i < in->n ? ia__slist_str(in, i) : NULL;
            int byte = -1;
            if (s && in->v[i].len == 6 && !memcmp(s, "<0x", 3) && s[5] == '>') {
                char hx[3] = {s[3], s[4], 0}, *end;
                long v = strtol(hx, &end, 16);
                /* parseInt accepts a leading valid digit ("<0xAZ>" -> 10) */
                if (end != hx) byte = (int)v;
            }
            if (byte >= 0) { rc = ia__sbuf_putc(&bytes, (char)byte); continue; }
            if (bytes.n) {
                tmp.n = 0;
                rc = ia__utf8_sanitize(bytes.p, bytes.n, &tmp);
                if (!rc) rc = ia__slist_push(out, tmp.p ? tmp.p : "", tmp.n);
                bytes.n = 0;
            }
            if (!rc && s) rc = ia__slist_push(out, s, in->v[i].len);
        }
        ia__sbuf_free(&bytes);
        break;
    }
    case IA__D_SEQUENCE: {
        ia__slist a = {0}, b = {0};
        for (size_t i = 0; i < in->n && !rc; i++) rc = ia__slist_push(&a, ia__slist_str(in, i), in->v[i].len);
        for (size_t k = 0; k < d->nkids && !rc; k++) {
            ia__slist_clear(&b);
            rc = chain_one(t, d->kids[k], &a, &b);
            ia__slist x = a; a = b; b = x;
        }
        for (size_t i = 0; i < a.n && !rc; i++) rc = ia__slist_push(out, ia__slist_str(&a, i), a.v[i].len);
        ia__slist_free(&a);
        ia__slist_free(&b);
        break;
    }
    }
    ia__sbuf_free(&tmp);
    return rc;
}

int ia__decode_chain(const ia_tokenizer *t, const ia__decoder *d, ia__slist *toks) {
    ia__slist out = {0};
    int rc = chain_one(t, d, toks, &out);
    if (!rc) { ia__slist_free(toks); *toks = out; }
    else ia__slist_free(&out);
    return rc;
}

void ia__decoder_free(ia__decoder *d) {
    if (!d) return;
    for (size_t i = 0; i < d->nkids; i++) ia__decoder_free(d->kids[i]);
    ia_free(d->kids);
    ia__regex_free(d->re);
    ia_free(d->content);
    ia_free(d->prefix);
    ia_free(d->word_delim);
    ia_free(d);
}
