/* Normalizers: NFC/NFD/NFKC/NFKD (utf8proc), Lowercase, StripAccents, BertNormalizer, Replace,
 * Prepend, Strip, Precompiled and Sequence, with the JS reference's semantics. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "pipelines/tokenizers/tok_internal.h"

static int unicode_form(const char *s, size_t n, int opts, ia__sbuf *out) {
    if (!n) return IA_OK;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst, opts);
    if (r < 0) return ia_set_error(IA_ERR_PARSE, "tokenizer: Unicode normalization failed: %s", utf8proc_errmsg(r));
    int rc = ia__sbuf_put(out, (const char *)dst, (size_t)r);
    free(dst);
    return rc;
}

static int is_cased(uint32_t cp) {
    int c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT;
}
static int is_case_ignorable(uint32_t cp) {
    int c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_SK || cp == '\'' || cp == '.' || cp == ':' ||
           cp == 0xB7 || cp == 0x2019;
}

int ia__js_lowercase(const char *s, size_t n, ia__sbuf *out) {
    int rc = ia__sbuf_reserve(out, n);
    if (rc) return rc;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if ((rc = ia__sbuf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)))) return rc;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = ia__utf8_next(s + i, n - i, &cp);
        if (cp == 0x130) {
            rc = ia__sbuf_put(out, "i\xCC\x87", 3);
        } else if (cp == 0x3A3) {
            /* final sigma: preceded by a cased letter, not followed by one (case-ignorables skipped) */
            int before = 0, after = 0;
            size_t j = i;
            while (j > 0) {
                size_t pk = ia__utf8_prev_len(s, j);
                uint32_t pc;
                ia__utf8_next(s + j - pk, pk, &pc);
                j -= pk;
                if (is_case_ignorable(pc)) continue;
                before = is_cased(pc);
                break;
            }
            for (j = i + k; before && j < n;) {
                uint32_t nc;
                j += ia__utf8_next(s + j, n - j, &nc);
                if (is_case_ignorable(nc)) continue;
                after = is_cased(nc);
                break;
            }
            rc = ia__sbuf_put_cp(out, before && !after ? 0x3C2 : 0x3C3);
        } else {
            rc = ia__sbuf_put_cp(out, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
        }
        if (rc) return rc;
        i += k;
    }
    return IA_OK;
}

/* Drops code points of the given general categories (bit mask of UTF8PROC_CATEGORY_*). */
static int drop_categories(const char *s, size_t n, uint32_t mask, ia__sbuf *out) {
    int rc = ia__sbuf_reserve(out, n);
    if (rc) return rc;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ia__utf8_next(s + i, n - i, &cp);
        if (cp < 0x80 || !(mask & (1u << utf8proc_category((utf8proc_int32_t)cp))))
            if ((rc = ia__sbuf_put(out, s + i, k))) return rc;
        i += k;
    }
    return IA_OK;
}
#define CAT(x) (1u << UTF8PROC_CATEGORY_##x)

static int is_bert_chinese(uint32_t cp) {
    /* the JS reference tests UTF-16 code units, so only BMP ideographs count */
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

static int bert_normalize(const ia__normalizer *nz, const char *s, size_t n, ia__sbuf *out) {
    ia__sbuf a = {0}, b = {0};
    int rc = IA_OK;
    const char *cur = s;
    size_t cn = n;
    if (nz->clean_text || nz->chinese) {
        if ((rc = ia__sbuf_reserve(&a, n + n / 2))) goto done;
        for (size_t i = 0; i < n && !rc;) {
            uint32_t cp;
            size_t k = ia__utf8_next(s + i, n - i, &cp);
            i += k;
            if (nz->clean_text) {
                if (cp == 0 || cp == 0xFFFD) continue;
                if (cp != '\t' && cp != '\n' && cp != '\r') {
                    int c = utf8proc_category((utf8proc_int32_t)cp);
                    if (c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO ||
                        c == UTF8PROC_CATEGORY_CS)
                        continue;
                }
                if (ia__js_is_space(cp)) { rc = ia__sbuf_putc(&a, ' '); continue; }
            }
            if (nz->chinese && is_bert_chinese(cp)) {
                if (!(rc = ia__sbuf_putc(&a, ' ')) && !(rc = ia__sbuf_put_cp(&a, cp))) rc = ia__sbuf_putc(&a, ' ');
                continue;
            }
            rc = ia__sbuf_put(&a, s + i - k, k);
        }
        if (rc) goto done;
        cur = a.p ? a.p : "";
        cn = a.n;
    }
    int strip = nz->lowercase ? nz->strip_accents != 0 : nz->strip_accents == 1;
    if (nz->lowercase) {
        if ((rc = ia__js_lowercase(cur, cn, &b))) goto done;
        cur = b.p ? b.p : "";
        cn = b.n;
    }
    if (strip) {
        ia__sbuf d = {0};
        if (!(rc = unicode_form(cur, cn, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE, &d)))
            rc = drop_categories(d.p ? d.p : "", d.n, CAT(MN), out);
        ia__sbuf_free(&d);
    } else {
        rc = ia__sbuf_put(out, cur, cn);
    }
done:
    ia__sbuf_free(&a);
    ia__sbuf_free(&b);
    return rc;
}

static int precompiled(const char *s, size_t n, ia__sbuf *out) {
    ia__sbuf a = {0};
    int rc = IA_OK;
    for (size_t i = 0; i < n && !rc;) {
        uint32_t cp;
        size_t k = ia__utf8_next(s + i, n - i, &cp);
        i += k;
        if ((cp >= 1 && cp <= 8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || cp == 0x7F || cp == 0x8F || cp == 0x9F)
            continue;
        if (cp == 9 || cp == 0xA || cp == 0xC || cp == 0xD || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
            cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x2581 || cp == 0x3000 || cp == 0xFEFF ||
            cp == 0xFFFD)
            rc = ia__sbuf_putc(&a, ' ');
        else
            rc = ia__sbuf_put(&a, s + i - k, k);
    }
    /* NFKC, except around U+FF5E (fullwidth tilde), which is kept */
    const char *p = a.p ? a.p : "";
    size_t start = 0;
    for (size_t i = 0; !rc && i <= a.n; i++) {
        if (i == a.n || (i + 3 <= a.n && !memcmp(p + i, "\xEF\xBD\x9E", 3))) {
            rc = unicode_form(p + start, i - start, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT, out);
            if (!rc && i < a.n) rc = ia__sbuf_put(out, p + i, 3);
            i += 2;
            start = i + 1;
        }
    }
    ia__sbuf_free(&a);
    return rc;
}

int ia__normalize(const ia__normalizer *nz, const char *s, size_t n, ia__sbuf *out) {
    switch (nz->type) {
    case IA__N_NONE: return ia__sbuf_put(out, s, n);
    case IA__N_NFC: return unicode_form(s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE, out);
    case IA__N_NFD: return unicode_form(s, n, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE, out);
    case IA__N_NFKC: return unicode_form(s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT, out);
    case IA__N_NFKD: return unicode_form(s, n, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, out);
    case IA__N_LOWERCASE: return ia__js_lowercase(s, n, out);
    case IA__N_STRIP_ACCENTS: return drop_categories(s, n, CAT(MN) | CAT(MC) | CAT(ME), out);
    case IA__N_BERT: return bert_normalize(nz, s, n, out);
    case IA__N_REPLACE:
        if (!nz->re) return ia__sbuf_put(out, s, n);
        return ia__regex_replace_all(nz->re, s, n, nz->content, strlen(nz->content), out);
    case IA__N_PREPEND: {
        int rc = ia__sbuf_put(out, nz->content, strlen(nz->content));
        return rc ? rc : ia__sbuf_put(out, s, n);
    }
    case IA__N_STRIP: {
        size_t b = 0, e = n;
        ia__js_trim(s, &b, &e, nz->left, nz->right);
        return ia__sbuf_put(out, s + b, e - b);
    }
    case IA__N_PRECOMPILED: return precompiled(s, n, out);
    case IA__N_SEQUENCE: {
        ia__sbuf a = {0}, b = {0};
        int rc = ia__sbuf_put(&a, s, n);
        for (size_t i = 0; i < nz->nkids && !rc; i++) {
            b.n = 0;
            rc = ia__normalize(nz->kids[i], a.p, a.n, &b);
            ia__sbuf t = a; a = b; b = t;
        }
        if (!rc) rc = ia__sbuf_put(out, a.p, a.n);
        ia__sbuf_free(&a);
        ia__sbuf_free(&b);
        return rc;
    }
    }
    return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer: unknown normalizer");
}

void ia__normalizer_free(ia__normalizer *n) {
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) ia__normalizer_free(n->kids[i]);
    ia_free(n->kids);
    ia__regex_free(n->re);
    ia_free(n->content);
    ia_free(n);
}
