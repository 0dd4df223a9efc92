/* Regexes for tokenizers: PCRE2 (UTF + Unicode properties, JIT), with patterns from tokenizer.json
 * rewritten as the JS reference rewrites them (\s means White_Space, as in Oniguruma). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

struct ia__regex {
    pcre2_code *code;
    int ngroups;
};

static _Thread_local pcre2_match_data *tls_md;

#define WS_UNI "\\t-\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
#define WS_JS "\\t-\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"

static int rewrite(const char *p, size_t n, int literal, int js_space, ia__sbuf *o) {
    const char *ws = js_space ? WS_JS : WS_UNI;
    int rc = IA_OK;
    if (literal) {
        for (size_t i = 0; i < n && !rc; i++) {
            if (strchr("\\^$.|?*+()[]{}", p[i]) && p[i]) rc = ia__sbuf_putc(o, '\\');
            if (!rc) rc = ia__sbuf_putc(o, p[i]);
        }
        return rc;
    }
    int in_class = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char d = p[i + 1];
            if (d == 's') {
                if (in_class) rc = ia__sbuf_put(o, ws, strlen(ws));
                else if (!(rc = ia__sbuf_putc(o, '[')) && !(rc = ia__sbuf_put(o, ws, strlen(ws)))) rc = ia__sbuf_putc(o, ']');
            } else if (d == 'S' && !in_class) {
                if (!(rc = ia__sbuf_put(o, "[^", 2)) && !(rc = ia__sbuf_put(o, ws, strlen(ws)))) rc = ia__sbuf_putc(o, ']');
            } else {
                rc = ia__sbuf_put(o, p + i, 2);
            }
            i++;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = 1;
            rc = ia__sbuf_putc(o, c);
            /* a ']' right after '[' or '[^' is a literal */
            if (i + 1 < n && p[i + 1] == '^') { if (!rc) rc = ia__sbuf_putc(o, '^'); i++; }
            if (i + 1 < n && p[i + 1] == ']') { if (!rc) rc = ia__sbuf_put(o, "\\]", 2); i++; }
            continue;
        }
        if (c == ']' && in_class) in_class = 0;
        rc = ia__sbuf_putc(o, c);
    }
    return rc;
}

int ia__regex_compile(const char *pat, size_t n, int literal, int js_space, ia__regex **out) {
    ia__sbuf b = {0};
    int rc = rewrite(pat, n, literal, js_space, &b);
    if (rc) { ia__sbuf_free(&b); return rc; }
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(b.p ? b.p : ""), b.n, PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        rc = ia_set_error(IA_ERR_PARSE, "tokenizer: cannot compile regex /%.*s/ at offset %zu: %s", (int)(n > 200 ? 200 : n),
                          pat, (size_t)off, (const char *)msg);
        ia__sbuf_free(&b);
        return rc;
    }
    ia__sbuf_free(&b);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter when unavailable */
    ia__regex *r = ia_calloc(1, sizeof *r);
    if (!r) { pcre2_code_free(code); return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); }
    uint32_t cap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
    r->code = code;
    r->ngroups = (int)cap;
    *out = r;
    return IA_OK;
}

void ia__regex_free(ia__regex *r) {
    if (!r) return;
    pcre2_code_free(r->code);
    ia_free(r);
}

int ia__regex_ngroups(const ia__regex *r) { return r->ngroups; }

int ia__regex_find(const ia__regex *r, const char *s, size_t n, size_t start, size_t *ms, size_t *me) {
    if (!tls_md) {
        tls_md = pcre2_match_data_create(64, NULL);
        if (!tls_md) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    }
    if (start > n) return 0;
    int m = pcre2_match(r->code, (PCRE2_SPTR)(s ? s : ""), n, start, PCRE2_NO_UTF_CHECK, tls_md, NULL);
    if (m == PCRE2_ERROR_NOMATCH) return 0;
    if (m < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(m, msg, sizeof msg);
        return ia_set_error(IA_ERR_RUNTIME, "tokenizer: regex match failed: %s", (const char *)msg);
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(tls_md);
    *ms = ov[0];
    *me = ov[1];
    return 1;
}

int ia__regex_group(const ia__regex *r, int g, size_t *gs, size_t *ge) {
    if (!tls_md || g > r->ngroups || g >= 64) return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(tls_md);
    if (ov[2 * g] == PCRE2_UNSET) return 0;
    *gs = ov[2 * g];
    *ge = ov[2 * g + 1];
    return 1;
}

int ia__regex_replace_all(const ia__regex *r, const char *s, size_t n, const char *rep, size_t rn, ia__sbuf *out) {
    size_t pos = 0, last = 0, ms, me;
    int rc;
    while (pos <= n) {
        int f = ia__regex_find(r, s, n, pos, &ms, &me);
        if (f < 0) return f;
        if (!f) break;
        if ((rc = ia__sbuf_put(out, s + last, ms - last)) || (rc = ia__sbuf_put(out, rep, rn))) return rc;
        last = me;
        if (me == ms) {
            if (me >= n) break;
            uint32_t cp;
            size_t k = ia__utf8_next(s + me, n - me, &cp);
            if ((rc = ia__sbuf_put(out, s + me, k))) return rc;
            last = me + k;
            pos = me + k;
        } else {
            pos = me;
        }
    }
    return ia__sbuf_put(out, s + last, n - last);
}
