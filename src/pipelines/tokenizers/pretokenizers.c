/* Pre-tokenizers: ByteLevel (GPT-2 regex and byte-to-unicode mapping), Whitespace, WhitespaceSplit,
 * Metaspace, Split, Punctuation, Digits, BertPreTokenizer, Replace, FixedLength and Sequence. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

/* GPT-2's byte -> printable code point table, UTF-8 encoded. */
static char byte_chars[256][3];
static unsigned char byte_char_len[256];

static void init_bytes(void) {
    if (byte_char_len['!']) return;
    int n = 0;
    for (int b = 0; b < 256; b++) {
        uint32_t cp;
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) cp = (uint32_t)b;
        else cp = 256 + (uint32_t)n++;
        if (cp < 0x80) { byte_chars[b][0] = (char)cp; byte_char_len[b] = 1; }
        else { byte_chars[b][0] = (char)(0xC0 | (cp >> 6)); byte_chars[b][1] = (char)(0x80 | (cp & 63)); byte_char_len[b] = 2; }
    }
}

int ia__pretok_global_init(void) {
    init_bytes();
    return IA_OK;
}

/* Byte of a byte-level character (code point), or -1. */
int ia__bytelevel_byte(uint32_t cp);
int ia__bytelevel_byte(uint32_t cp) {
    if ((cp >= '!' && cp <= '~') || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF)) return (int)cp;
    if (cp < 256 || cp >= 256 + 68) return -1;
    int n = 0;
    for (int b = 0; b < 256; b++) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) continue;
        if (256 + (uint32_t)n == cp) return b;
        n++;
    }
    return -1;
}

static int push_bytelevel(ia__slist *out, const char *s, size_t n, ia__sbuf *tmp) {
    tmp->n = 0;
    int rc = ia__sbuf_reserve(tmp, 2 * n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        memcpy(tmp->p + tmp->n, byte_chars[b], byte_char_len[b]);
        tmp->n += byte_char_len[b];
    }
    return ia__slist_push(out, tmp->p, tmp->n);
}

/* All matches of re in s (JS String.prototype.match with the g flag). */
static int match_all(const ia__regex *re, const char *s, size_t n, int keep_empty, ia__slist *out) {
    size_t pos = 0, ms, me;
    while (pos <= n) {
        int f = ia__regex_find(re, s, n, pos, &ms, &me);
        if (f < 0) return f;
        if (!f) break;
        if (me > ms || keep_empty) {
            int rc = ia__slist_push(out, s + ms, me - ms);
            if (rc) return rc;
        }
        if (me == ms) {
            if (me >= n) break;
            uint32_t cp;
            pos = me + ia__utf8_next(s + me, n - me, &cp);
        } else {
            pos = me;
        }
    }
    return IA_OK;
}

/* The reference's regex_split: gaps and non-empty matches, in order. With `removed`, JS
 * String.prototype.split: gaps and capture groups, empty strings dropped. */
static int regex_split(const ia__regex *re, const char *s, size_t n, int removed, ia__slist *out) {
    size_t pos = 0, prev = 0, ms, me;
    int rc;
    while (pos <= n) {
        int f = ia__regex_find(re, s, n, pos, &ms, &me);
        if (f < 0) return f;
        if (!f) break;
        if (removed && me == ms) { /* split() never splits on an empty match at the ends */
            if (ms >= n) break;
            if (ms == 0) { uint32_t cp; pos = ia__utf8_next(s, n, &cp); continue; }
        }
        if (prev < ms && (rc = ia__slist_push(out, s + prev, ms - prev))) return rc;
        if (removed) {
            for (int g = 1; g <= ia__regex_ngroups(re); g++) {
                size_t gs, ge;
                if (ia__regex_group(re, g, &gs, &ge) && ge > gs && (rc = ia__slist_push(out, s + gs, ge - gs))) return rc;
            }
        } else if (me > ms && (rc = ia__slist_push(out, s + ms, me - ms))) {
            return rc;
        }
        prev = me > prev ? me : prev;
        if (me == ms) {
            if (me >= n) break;
            uint32_t cp;
            size_t k = ia__utf8_next(s + me, n - me, &cp);
            if (removed) { pos = me + k; continue; }
            pos = me + k;
        } else {
            pos = me;
        }
    }
    if (prev < n) return ia__slist_push(out, s + prev, n - prev);
    return IA_OK;
}

static int pre_one(const ia__pretok *p, const char *s, size_t n, int section, ia__slist *out, ia__sbuf *tmp) {
    int rc = IA_OK;
    switch (p->type) {
    case IA__P_BYTELEVEL: {
        const char *t = s;
        size_t tn = n;
        ia__sbuf pre = {0};
        if (p->add_prefix_space && !(n > 0 && s[0] == ' ')) {
            if ((rc = ia__sbuf_putc(&pre, ' ')) || (rc = ia__sbuf_put(&pre, s, n))) { ia__sbuf_free(&pre); return rc; }
            t = pre.p;
            tn = pre.n;
        }
        if (p->use_regex) {
            ia__slist m = {0};
            rc = match_all(p->re, t, tn, 0, &m);
            for (size_t i = 0; !rc && i < m.n; i++) rc = push_bytelevel(out, ia__slist_str(&m, i), m.v[i].len, tmp);
            ia__slist_free(&m);
        } else {
            rc = push_bytelevel(out, t, tn, tmp);
        }
        ia__sbuf_free(&pre);
        return rc;
    }
    case IA__P_WHITESPACE:
    case IA__P_WHITESPACE_SPLIT:
    case IA__P_PUNCTUATION:
    case IA__P_DIGITS:
        return match_all(p->re, s, n, 1, out);
    case IA__P_BERT: {
        size_t b = 0, e = n;
        ia__js_trim(s, &b, &e, 1, 1);
        return match_all(p->re, s + b, e - b, 1, out);
    }
    case IA__P_SPLIT:
        if (!p->re) return IA_OK;
        if (p->split_mode == IA__SPLIT_MATCH_ONLY) return match_all(p->re, s, n, 0, out);
        return regex_split(p->re, s, n, p->split_mode == IA__SPLIT_REMOVED, out);
    case IA__P_METASPACE: {
        const char *rep = p->content;
        size_t rn = strlen(rep);
        tmp->n = 0;
        int starts = n >= rn && !memcmp(s, rep, rn);
        /* the test is on the text after replacing spaces: a leading space becomes the replacement */
        if (!starts && n > 0 && s[0] == ' ' && rn > 0) starts = 1;
        if (!starts && (p->prepend == 2 || (p->prepend == 1 && section == 0)) && (rc = ia__sbuf_put(tmp, rep, rn))) return rc;
        for (size_t i = 0; i < n && !rc; i++) rc = s[i] == ' ' ? ia__sbuf_put(tmp, rep, rn) : ia__sbuf_putc(tmp, s[i]);
        return rc ? rc : ia__slist_push(out, tmp->p ? tmp->p : "", tmp->n);
    }
    case IA__P_REPLACE:
        tmp->n = 0;
        if (!p->re) return ia__slist_push(out, s, n);
        if ((rc = ia__regex_replace_all(p->re, s, n, p->content, strlen(p->content), tmp))) return rc;
        return ia__slist_push(out, tmp->p ? tmp->p : "", tmp->n);
    case IA__P_FIXED_LENGTH: {
        size_t len = p->length ? p->length : 5;
        for (size_t i = 0; i < n && !rc;) {
            size_t j = i, units = 0;
            while (j < n && units < len) {
                uint32_t cp;
                j += ia__utf8_next(s + j, n - j, &cp);
                units += cp >= 0x10000 ? 2 : 1;
            }
            rc = ia__slist_push(out, s + i, j - i);
            i = j;
        }
        return rc;
    }
    case IA__P_SEQUENCE: {
        ia__slist a = {0}, b = {0};
        rc = ia__slist_push(&a, s, n);
        for (size_t k = 0; k < p->nkids && !rc; k++) {
            ia__slist_clear(&b);
            rc = ia__pretokenize(p->kids[k], &a, section, &b);
            ia__slist t = a; a = b; b = t;
        }
        for (size_t i = 0; i < a.n && !rc; i++) rc = ia__slist_push(out, ia__slist_str(&a, i), a.v[i].len);
        ia__slist_free(&a);
        ia__slist_free(&b);
        return rc;
    }
    }
    return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer: unknown pre-tokenizer");
}

int ia__pretokenize(const ia__pretok *p, const ia__slist *in, int section, ia__slist *out) {
    ia__sbuf tmp = {0};
    int rc = IA_OK;
    for (size_t i = 0; i < in->n && !rc; i++) rc = pre_one(p, ia__slist_str(in, i), in->v[i].len, section, out, &tmp);
    ia__sbuf_free(&tmp);
    return rc;
}

void ia__pretok_free(ia__pretok *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nkids; i++) ia__pretok_free(p->kids[i]);
    ia_free(p->kids);
    ia__regex_free(p->re);
    ia_free(p->content);
    ia_free(p);
}
