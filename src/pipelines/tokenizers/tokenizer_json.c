/* tokenizer.json loading (cJSON): the model, normalizer, pre-tokenizer, post-processor, decoder and
 * added tokens, with errors that name the offending field. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

int ia__bpe_add_merge(ia__model *m, const char *a, size_t an, const char *b, size_t bn, int32_t rank);
static int json_load(const char *json, size_t n, const char *cfgtxt, size_t cn, ia_tokenizer **out);

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
static int jbool(const cJSON *o, const char *k, int def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return def;
}
static int dup(const char *s, char **out) {
    *out = ia_strdup(s ? s : "");
    return *out ? IA_OK : ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
}

/* {"String": s} or {"Regex": r}; invert as the JS create_pattern (a String becomes a capture group
 * when invert is false). NULL pattern when neither. */
static int pattern(const cJSON *o, int invert, int js_space, ia__regex **re, const char *where) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pattern");
    *re = NULL;
    if (!cJSON_IsObject(p)) return IA_OK;
    const char *r = jstr(p, "Regex"), *s = jstr(p, "String");
    if (r) return ia__regex_compile(r, strlen(r), 0, js_space, re);
    if (s) {
        if (invert) return ia__regex_compile(s, strlen(s), 1, js_space, re);
        ia__sbuf b = {0};
        ia__regex *lit = NULL;
        (void)lit;
        /* "(" escaped ")" */
        int rc = ia__sbuf_putc(&b, '(');
        for (const char *c = s; *c && !rc; c++) {
            if (strchr("\\^$.|?*+()[]{}", *c)) rc = ia__sbuf_putc(&b, '\\');
            if (!rc) rc = ia__sbuf_putc(&b, *c);
        }
        if (!rc) rc = ia__sbuf_putc(&b, ')');
        if (!rc) rc = ia__regex_compile(b.p, b.n, 0, js_space, re);
        ia__sbuf_free(&b);
        return rc;
    }
    (void)where;
    return IA_OK;
}

static int normalizer(const cJSON *o, ia__normalizer **out, const char *where);
static int kids_norm(const cJSON *arr, ia__normalizer *n, const char *where) {
    if (!cJSON_IsArray(arr)) return IA_OK;
    int cnt = cJSON_GetArraySize(arr);
    n->kids = ia_calloc((size_t)cnt + 1, sizeof *n->kids);
    if (!n->kids) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    const cJSON *k;
    cJSON_ArrayForEach(k, arr) {
        if (cJSON_IsNull(k)) continue;
        int rc = normalizer(k, &n->kids[n->nkids], where);
        if (n->kids[n->nkids]) n->nkids++; /* owned even when it failed half-way */
        if (rc) return rc;
    }
    return IA_OK;
}

static int normalizer(const cJSON *o, ia__normalizer **out, const char *where) {
    *out = NULL;
    if (!o || cJSON_IsNull(o)) return IA_OK;
    const char *t = jstr(o, "type");
    if (!cJSON_IsObject(o) || !t) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: an object with a \"type\" expected", where);
    ia__normalizer *n = ia_calloc(1, sizeof *n);
    if (!n) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    *out = n;
    int rc = IA_OK;
    if (!strcmp(t, "Sequence")) { n->type = IA__N_SEQUENCE; rc = kids_norm(cJSON_GetObjectItemCaseSensitive(o, "normalizers"), n, where); }
    else if (!strcmp(t, "NFC")) n->type = IA__N_NFC;
    else if (!strcmp(t, "NFD")) n->type = IA__N_NFD;
    else if (!strcmp(t, "NFKC")) n->type = IA__N_NFKC;
    else if (!strcmp(t, "NFKD")) n->type = IA__N_NFKD;
    else if (!strcmp(t, "Lowercase")) n->type = IA__N_LOWERCASE;
    else if (!strcmp(t, "StripAccents")) n->type = IA__N_STRIP_ACCENTS;
    else if (!strcmp(t, "Precompiled")) n->type = IA__N_PRECOMPILED;
    else if (!strcmp(t, "BertNormalizer")) {
        n->type = IA__N_BERT;
        n->clean_text = jbool(o, "clean_text", 0);
        n->chinese = jbool(o, "handle_chinese_chars", 0);
        n->lowercase = jbool(o, "lowercase", 0);
        n->strip_accents = jbool(o, "strip_accents", -1);
    } else if (!strcmp(t, "Replace")) {
        n->type = IA__N_REPLACE;
        if (!(rc = pattern(o, 1, 0, &n->re, where))) rc = dup(jstr(o, "content"), &n->content);
    } else if (!strcmp(t, "Prepend")) {
        n->type = IA__N_PREPEND;
        rc = dup(jstr(o, "prepend"), &n->content);
    } else if (!strcmp(t, "Strip")) {
        n->type = IA__N_STRIP;
        n->left = jbool(o, "strip_left", 0);
        n->right = jbool(o, "strip_right", 0);
    } else {
        return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer.json: %s: unknown normalizer type \"%s\"", where, t);
    }
    return rc;
}

static int pretok(const cJSON *o, ia__pretok **out, const char *where);
static int pre_new(ia__pre_type type, ia__pretok **out) {
    *out = ia_calloc(1, sizeof **out);
    if (!*out) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    (*out)->type = type;
    return IA_OK;
}

#define PUNCT "\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}"

static int pretok(const cJSON *o, ia__pretok **out, const char *where) {
    *out = NULL;
    if (!o || cJSON_IsNull(o)) return IA_OK;
    const char *t = jstr(o, "type");
    if (!cJSON_IsObject(o) || !t) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: an object with a \"type\" expected", where);
    int rc;
    const char *re = NULL;
    ia__pretok *p;
    if (!strcmp(t, "Sequence")) {
        if ((rc = pre_new(IA__P_SEQUENCE, out))) return rc;
        p = *out;
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "pretokenizers"), *k;
        if (!cJSON_IsArray(arr)) return IA_OK;
        p->kids = ia_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *p->kids);
        if (!p->kids) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        cJSON_ArrayForEach(k, arr) {
            if (cJSON_IsNull(k)) continue;
            rc = pretok(k, &p->kids[p->nkids], where);
            if (p->kids[p->nkids]) p->nkids++; /* owned even when it failed half-way */
            if (rc) return rc;
        }
        return IA_OK;
    }
    if (!strcmp(t, "ByteLevel")) {
        if ((rc = pre_new(IA__P_BYTELEVEL, out))) return rc;
        p = *out;
        p->add_prefix_space = jbool(o, "add_prefix_space", 0);
        p->use_regex = jbool(o, "use_regex", 1);
        re = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
        return ia__regex_compile(re, strlen(re), 0, 1, &p->re);
    }
    if (!strcmp(t, "Whitespace")) { if ((rc = pre_new(IA__P_WHITESPACE, out))) return rc; re = "[A-Za-z0-9_]+|[^A-Za-z0-9_\\s]+"; }
    else if (!strcmp(t, "WhitespaceSplit")) { if ((rc = pre_new(IA__P_WHITESPACE_SPLIT, out))) return rc; re = "\\S+"; }
    else if (!strcmp(t, "Punctuation")) { if ((rc = pre_new(IA__P_PUNCTUATION, out))) return rc; re = "[^" PUNCT "]+|[" PUNCT "]+"; }
    else if (!strcmp(t, "BertPreTokenizer")) { if ((rc = pre_new(IA__P_BERT, out))) return rc; re = "[^\\s" PUNCT "]+|[" PUNCT "]"; }
    else if (!strcmp(t, "Digits")) {
        if ((rc = pre_new(IA__P_DIGITS, out))) return rc;
        re = jbool(o, "individual_digits", 0) ? "[^0-9]+|[0-9]" : "[^0-9]+|[0-9]+";
    }
    if (re) return ia__regex_compile(re, strlen(re), 0, 1, &(*out)->re);
    if (!strcmp(t, "Metaspace")) {
        if ((rc = pre_new(IA__P_METASPACE, out))) return rc;
        p = *out;
        const char *rep = jstr(o, "str_rep");
        if (!rep || !*rep) rep = jstr(o, "replacement");
        if ((rc = dup(rep ? rep : "\xE2\x96\x81", &p->content))) return rc;
        const char *ps = jstr(o, "prepend_scheme");
        p->prepend = !ps || !strcmp(ps, "always") ? 2 : !strcmp(ps, "first") ? 1 : 0;
        return IA_OK;
    }
    if (!strcmp(t, "Split")) {
        if ((rc = pre_new(IA__P_SPLIT, out))) return rc;
        p = *out;
        int invert = jbool(o, "invert", 1);
        const char *beh = jstr(o, "behavior");
        p->split_mode = invert ? IA__SPLIT_MATCH_ONLY
                        : (beh && !strcasecmp(beh, "removed")) ? IA__SPLIT_REMOVED : IA__SPLIT_ISOLATED;
        return pattern(o, invert, 0, &p->re, where);
    }
    if (!strcmp(t, "Replace")) {
        if ((rc = pre_new(IA__P_REPLACE, out))) return rc;
        p = *out;
        if ((rc = pattern(o, 1, 0, &p->re, where))) return rc;
        return dup(jstr(o, "content"), &p->content);
    }
    if (!strcmp(t, "FixedLength")) {
        if ((rc = pre_new(IA__P_FIXED_LENGTH, out))) return rc;
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "length");
        (*out)->length = cJSON_IsNumber(l) && l->valuedouble >= 1 && l->valuedouble < 1e9 ? (size_t)l->valuedouble : 5;
        return IA_OK;
    }
    return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer.json: %s: unknown pre-tokenizer type \"%s\"", where, t);
}

static int decoder(const cJSON *o, ia__decoder **out, const char *where) {
    *out = NULL;
    if (!o || cJSON_IsNull(o)) return IA_OK;
    const char *t = jstr(o, "type");
    if (!cJSON_IsObject(o) || !t) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: an object with a \"type\" expected", where);
    ia__decoder *d = ia_calloc(1, sizeof *d);
    if (!d) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    *out = d;
    int rc = IA_OK;
    const cJSON *v;
    if (!strcmp(t, "ByteLevel")) d->type = IA__D_BYTELEVEL;
    else if (!strcmp(t, "Fuse")) d->type = IA__D_FUSE;
    else if (!strcmp(t, "ByteFallback")) d->type = IA__D_BYTEFALLBACK;
    else if (!strcmp(t, "WordPiece")) {
        d->type = IA__D_WORDPIECE;
        d->cleanup = jbool(o, "cleanup", 0);
        rc = dup(jstr(o, "prefix"), &d->prefix);
    } else if (!strcmp(t, "Metaspace")) {
        d->type = IA__D_METASPACE;
        const char *r = jstr(o, "replacement");
        rc = dup(r ? r : "\xE2\x96\x81", &d->content);
    } else if (!strcmp(t, "BPEDecoder")) {
        d->type = IA__D_BPE;
        rc = dup(jstr(o, "suffix"), &d->content);
    } else if (!strcmp(t, "CTC")) {
        d->type = IA__D_CTC;
        d->cleanup = jbool(o, "cleanup", 0);
        if (!(rc = dup(jstr(o, "pad_token"), &d->content))) rc = dup(jstr(o, "word_delimiter_token"), &d->word_delim);
    } else if (!strcmp(t, "Replace")) {
        d->type = IA__D_REPLACE;
        if (!(rc = pattern(o, 1, 0, &d->re, where))) rc = dup(jstr(o, "content"), &d->content);
    } else if (!strcmp(t, "Strip")) {
        d->type = IA__D_STRIP;
        rc = dup(jstr(o, "content"), &d->content);
        v = cJSON_GetObjectItemCaseSensitive(o, "start");
        d->start = cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e6 ? (int)v->valuedouble : 0;
        v = cJSON_GetObjectItemCaseSensitive(o, "stop");
        d->stop = cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e6 ? (int)v->valuedouble : 0;
    } else if (!strcmp(t, "Sequence")) {
        d->type = IA__D_SEQUENCE;
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "decoders"), *k;
        if (cJSON_IsArray(arr)) {
            d->kids = ia_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *d->kids);
            if (!d->kids) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
            cJSON_ArrayForEach(k, arr) {
                rc = decoder(k, &d->kids[d->nkids], where);
                if (d->kids[d->nkids]) d->nkids++;
                if (rc) return rc;
            }
        }
    } else {
        return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer.json: %s: unknown decoder type \"%s\"", where, t);
    }
    return rc;
}

static int pp_items(const cJSON *arr, ia__pp_item **out, size_t *n, const char *where) {
    if (!cJSON_IsArray(arr)) return IA_OK;
    *out = ia_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **out);
    if (!*out) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(it, "SpecialToken"), *sq = cJSON_GetObjectItemCaseSensitive(it, "Sequence");
        const cJSON *body = sp ? sp : sq;
        if (!cJSON_IsObject(body)) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: template item without SpecialToken or Sequence", where);
        ia__pp_item *x = &(*out)[(*n)++];
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(body, "type_id");
        x->type_id = cJSON_IsNumber(ty) && ty->valuedouble >= 0 && ty->valuedouble < 1e6 ? (int)ty->valuedouble : 0;
        const char *id = jstr(body, "id");
        if (sp) {
            x->is_special = 1;
            if (!id) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: SpecialToken without an id", where);
            if (dup(id, &x->token)) return IA_ERR_NOMEM;
        } else {
            x->seq_b = id && !strcmp(id, "B");
            if (id && strcmp(id, "A") && strcmp(id, "B")) x->seq_b = -1;
        }
    }
    /* Sequence ids other than A / B contribute nothing: drop them */
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) if ((*out)[i].seq_b >= 0) (*out)[k++] = (*out)[i];
    *n = k;
    return IA_OK;
}

static int postproc(const cJSON *o, ia__postproc **out, const char *where) {
    *out = NULL;
    if (!o || cJSON_IsNull(o)) return IA_OK;
    const char *t = jstr(o, "type");
    if (!cJSON_IsObject(o) || !t) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: an object with a \"type\" expected", where);
    ia__postproc *p = ia_calloc(1, sizeof *p);
    if (!p) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    *out = p;
    int rc = IA_OK;
    if (!strcmp(t, "TemplateProcessing")) {
        p->type = IA__PP_TEMPLATE;
        if (!(rc = pp_items(cJSON_GetObjectItemCaseSensitive(o, "single"), &p->single, &p->nsingle, where)))
            rc = pp_items(cJSON_GetObjectItemCaseSensitive(o, "pair"), &p->pair, &p->npair, where);
    } else if (!strcmp(t, "BertProcessing") || !strcmp(t, "RobertaProcessing")) {
        p->type = t[0] == 'B' ? IA__PP_BERT : IA__PP_ROBERTA;
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "cls"), *s = cJSON_GetObjectItemCaseSensitive(o, "sep");
        const cJSON *c0 = cJSON_GetArrayItem(c, 0), *s0 = cJSON_GetArrayItem(s, 0);
        if (!cJSON_IsString(c0) || !cJSON_IsString(s0))
            return ia_set_error(IA_ERR_PARSE, "tokenizer.json: %s: %s needs cls and sep as [token, id]", where, t);
        if (!(rc = dup(c0->valuestring, &p->cls))) rc = dup(s0->valuestring, &p->sep);
    } else if (!strcmp(t, "ByteLevel")) {
        p->type = IA__PP_BYTELEVEL;
    } else if (!strcmp(t, "Sequence")) {
        p->type = IA__PP_SEQUENCE;
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "processors"), *k;
        if (cJSON_IsArray(arr)) {
            p->kids = ia_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *p->kids);
            if (!p->kids) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
            cJSON_ArrayForEach(k, arr) {
                rc = postproc(k, &p->kids[p->nkids], where);
                if (p->kids[p->nkids]) p->nkids++;
                if (rc) return rc;
            }
        }
    } else {
        return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer.json: %s: unknown post-processor type \"%s\"", where, t);
    }
    return rc;
}

static int vocab_object(ia__model *m, const cJSON *vocab) {
    const cJSON *e;
    cJSON_ArrayForEach(e, vocab) {
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > (1 << 28) || e->valuedouble != (double)(int32_t)e->valuedouble)
            return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.vocab: token \"%.64s\" has no valid id", e->string ? e->string : "");
        int rc = ia__model_set_id(m, e->string, strlen(e->string), (int32_t)e->valuedouble);
        if (rc) return rc;
    }
    return IA_OK;
}

static int model(const cJSON *o, const cJSON *cfg, ia__model *m) {
    if (!cJSON_IsObject(o)) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: \"model\" must be an object");
    const char *t = jstr(o, "type");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(o, "vocab");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(o, "merges");
    int rc;
    m->unk_id = -1;
    if (!t) { /* the reference's guesses for files without a type */
        if (cJSON_IsArray(vocab)) t = "Unigram";
        else if (cJSON_IsObject(vocab) && cJSON_HasObjectItem(o, "continuing_subword_prefix") && cJSON_HasObjectItem(o, "unk_token"))
            t = merges ? "BPE" : "WordPiece";
        else if (cJSON_IsObject(vocab)) t = "WordLevel";
        else return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model has no type and no vocab");
    }
    if (!strcmp(t, "Unigram")) {
        m->type = IA__M_UNIGRAM;
        if (!cJSON_IsArray(vocab)) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.vocab of a Unigram model must be an array");
        int n = cJSON_GetArraySize(vocab), i = 0;
        m->scores = ia_malloc(((size_t)n + 1) * sizeof *m->scores);
        if (!m->scores) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        double minv = 0;
        size_t maxb = 1;
        const cJSON *e;
        cJSON_ArrayForEach(e, vocab) {
            const cJSON *s = cJSON_GetArrayItem(e, 0), *sc = cJSON_GetArrayItem(e, 1);
            if (!cJSON_IsString(s) || !cJSON_IsNumber(sc))
                return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.vocab[%d] must be [piece, score]", i);
            size_t l = strlen(s->valuestring);
            if ((rc = ia__model_set_id(m, s->valuestring, l, i))) return rc;
            if ((rc = ia__strmap_put(&m->sym, s->valuestring, l, i))) return rc; /* a repeated piece: the last wins */
            m->scores[i] = sc->valuedouble;
            if (i == 0 || sc->valuedouble < minv) minv = sc->valuedouble;
            if (l > maxb) maxb = l;
            i++;
        }
        m->max_chars = maxb;
        m->unk_score = minv - 10;
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "unk_id");
        if (cJSON_IsNumber(u) && u->valuedouble >= 0 && u->valuedouble < n) {
            m->unk_id = (int32_t)u->valuedouble;
            m->scores[m->unk_id] = m->unk_score;
            if ((rc = dup(m->id2tok[m->unk_id], &m->unk_token))) return rc;
        }
        m->fuse_unk = 1;
        (void)cfg;
        return IA_OK;
    }
    if (!cJSON_IsObject(vocab)) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.vocab must be an object of token: id");
    if ((rc = vocab_object(m, vocab))) return rc;
    const char *unk = jstr(o, "unk_token");
    if (unk) {
        if ((rc = dup(unk, &m->unk_token))) return rc;
        if (!ia__strmap_get(&m->tok2id, unk, strlen(unk), &m->unk_id)) m->unk_id = -1;
    }
    m->fuse_unk = jbool(o, "fuse_unk", 0);
    if (!strcmp(t, "WordPiece")) {
        m->type = IA__M_WORDPIECE;
        const char *pre = jstr(o, "continuing_subword_prefix");
        const cJSON *mx = cJSON_GetObjectItemCaseSensitive(o, "max_input_chars_per_word");
        m->max_chars = cJSON_IsNumber(mx) && mx->valuedouble >= 0 ? (size_t)(mx->valuedouble > 1e9 ? 1e9 : mx->valuedouble) : 100;
        return dup(pre ? pre : "undefined", &m->cont_prefix); /* JS concatenates undefined as "undefined" */
    }
    if (!strcmp(t, "WordLevel")) { m->type = IA__M_WORDLEVEL; return IA_OK; }
    if (strcmp(t, "BPE")) return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer.json: unknown model type \"%s\"", t);
    m->type = IA__M_BPE;
    m->byte_fallback = jbool(o, "byte_fallback", 0);
    m->ignore_merges = jbool(o, "ignore_merges", 0);
    const char *eow = jstr(o, "end_of_word_suffix"), *cs = jstr(o, "continuing_subword_suffix");
    if (eow && *eow && (rc = dup(eow, &m->eow_suffix))) return rc;
    if (cs && *cs && (rc = dup(cs, &m->cont_suffix))) return rc;
    if (!cJSON_IsArray(merges)) return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.merges of a BPE model must be an array");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, merges) {
        const char *a, *b;
        size_t an, bn;
        if (cJSON_IsString(e)) {
            /* "a b": JS split(" ", 2) -> the first two space-separated parts */
            a = e->valuestring;
            const char *sp = strchr(a, ' ');
            if (!sp) { an = strlen(a); b = ""; bn = 0; }
            else {
                an = (size_t)(sp - a);
                b = sp + 1;
                const char *sp2 = strchr(b, ' ');
                bn = sp2 ? (size_t)(sp2 - b) : strlen(b);
            }
        } else if (cJSON_IsArray(e) && cJSON_IsString(cJSON_GetArrayItem(e, 0)) && cJSON_IsString(cJSON_GetArrayItem(e, 1))) {
            a = cJSON_GetArrayItem(e, 0)->valuestring;
            b = cJSON_GetArrayItem(e, 1)->valuestring;
            an = strlen(a);
            bn = strlen(b);
        } else {
            return ia_set_error(IA_ERR_PARSE, "tokenizer.json: model.merges[%d] must be \"a b\" or [a, b]", i);
        }
        if ((rc = ia__bpe_add_merge(m, a, an, b, bn, i))) return rc;
        i++;
    }
    return ia__bpe_prepare(m);
}

int ia__tokenizer_from_json(const char *json, size_t n, const char *cfgtxt, size_t cn, ia_tokenizer **out) {
    *out = NULL;
    /* ill-formed UTF-8 in the file becomes U+FFFD, as when the reference reads it as text; every
     * string we keep is then valid UTF-8 (the regex and Unicode code rely on it) */
    ia__sbuf fixed = {0}, fixed_cfg = {0};
    if (!ia__utf8_valid(json, n)) {
        int frc = ia__utf8_sanitize(json, n, &fixed);
        if (frc) { ia__sbuf_free(&fixed); return frc; }
        json = fixed.p;
        n = fixed.n;
    }
    if (cfgtxt && !ia__utf8_valid(cfgtxt, cn)) {
        int frc = ia__utf8_sanitize(cfgtxt, cn, &fixed_cfg);
        if (frc) { ia__sbuf_free(&fixed); ia__sbuf_free(&fixed_cfg); return frc; }
        cfgtxt = fixed_cfg.p;
        cn = fixed_cfg.n;
    }
    int rc = json_load(json, n, cfgtxt, cn, out);
    ia__sbuf_free(&fixed);
    ia__sbuf_free(&fixed_cfg);
    return rc;
}

static int json_load(const char *json, size_t n, const char *cfgtxt, size_t cn, ia_tokenizer **out) {
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, n, &end, 0);
    if (!root) {
        size_t off = end && end >= json ? (size_t)(end - json) : 0;
        return ia_set_error(IA_ERR_PARSE, "tokenizer.json: malformed JSON near byte %zu of %zu%s", off, n,
                            off >= n ? " (truncated?)" : "");
    }
    int rc = IA_OK;
    ia_tokenizer *t = ia_calloc(1, sizeof *t);
    if (!t) { cJSON_Delete(root); return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); }
    if (!cJSON_IsObject(root)) { rc = ia_set_error(IA_ERR_PARSE, "tokenizer.json: the top level must be an object"); goto fail; }
    static const char *required[] = {"model", "decoder", "post_processor", "pre_tokenizer", "normalizer"};
    for (size_t i = 0; i < 5; i++)
        if (!cJSON_HasObjectItem(root, required[i])) {
            rc = ia_set_error(IA_ERR_PARSE, "tokenizer.json: missing \"%s\" (use null when there is none)", required[i]);
            goto fail;
        }
    ia__pretok_global_init();
    if ((rc = normalizer(cJSON_GetObjectItemCaseSensitive(root, "normalizer"), &t->norm, "normalizer"))) goto fail;
    if ((rc = pretok(cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"), &t->pre, "pre_tokenizer"))) goto fail;
    if ((rc = model(cJSON_GetObjectItemCaseSensitive(root, "model"), NULL, &t->model))) goto fail;
    if ((rc = postproc(cJSON_GetObjectItemCaseSensitive(root, "post_processor"), &t->post, "post_processor"))) goto fail;
    if ((rc = decoder(cJSON_GetObjectItemCaseSensitive(root, "decoder"), &t->dec, "decoder"))) goto fail;
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), *a;
    if (added && !cJSON_IsArray(added) && !cJSON_IsNull(added)) { rc = ia_set_error(IA_ERR_PARSE, "tokenizer.json: added_tokens must be an array"); goto fail; }
    if (cJSON_IsArray(added)) {
        t->added = ia_calloc((size_t)cJSON_GetArraySize(added) + 1, sizeof *t->added);
        if (!t->added) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto fail; }
        cJSON_ArrayForEach(a, added) {
            const char *c = jstr(a, "content");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
            if (!c || !cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > (1 << 28)) {
                rc = ia_set_error(IA_ERR_PARSE, "tokenizer.json: added_tokens[%zu] needs a string content and an id", t->nadded);
                goto fail;
            }
            ia__added *x = &t->added[t->nadded++];
            if (!(x->content = ia_strdup(c))) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto fail; }
            x->id = (int32_t)id->valuedouble;
            x->single_word = jbool(a, "single_word", 0);
            x->lstrip = jbool(a, "lstrip", 0);
            x->rstrip = jbool(a, "rstrip", 0);
            x->special = jbool(a, "special", 0);
            x->normalized = jbool(a, "normalized", !x->special);
        }
    }
    cJSON_Delete(root);
    root = NULL;
    if ((rc = ia__tokenizer_apply_config(t, cfgtxt, cn))) goto fail;
    *out = t;
    return IA_OK;
fail:
    cJSON_Delete(root);
    ia_tokenizer_destroy(t);
    return rc;
}

int ia__tokenizer_apply_config(ia_tokenizer *t, const char *cfgtxt, size_t cn) {
    cJSON *cfg = NULL;
    t->clean_up_spaces = 1;
    t->pad_id = -1;
    const char **extra = NULL;
    size_t nextra = 0;
    int rc = IA_OK;
    if (cfgtxt) {
        cfg = cJSON_ParseWithLength(cfgtxt, cn);
        if (!cfg || !cJSON_IsObject(cfg)) { cJSON_Delete(cfg); return ia_set_error(IA_ERR_PARSE, "tokenizer_config.json: malformed JSON"); }
        t->clean_up_spaces = jbool(cfg, "clean_up_tokenization_spaces", 1);
        t->remove_space = jbool(cfg, "remove_space", 0);
        t->lower_remove_accent = jbool(cfg, "do_lowercase_and_remove_accent", 0);
        const cJSON *ml = cJSON_GetObjectItemCaseSensitive(cfg, "model_max_length");
        if (cJSON_IsNumber(ml) && ml->valuedouble > 0 && ml->valuedouble < 1e15) t->model_max_length = (size_t)ml->valuedouble;
        const char *ps = jstr(cfg, "padding_side"), *ts = jstr(cfg, "truncation_side");
        t->pad_left = ps && !strcmp(ps, "left");
        t->trunc_left = ts && !strcmp(ts, "left");
        const cJSON *ast = cJSON_GetObjectItemCaseSensitive(cfg, "additional_special_tokens"), *e;
        if (cJSON_IsArray(ast)) {
            extra = ia_calloc((size_t)cJSON_GetArraySize(ast) + 1, sizeof *extra);
            if (!extra) { cJSON_Delete(cfg); return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); }
            cJSON_ArrayForEach(e, ast) {
                const char *s = cJSON_IsString(e) ? e->valuestring : jstr(e, "content");
                if (s) extra[nextra++] = s;
            }
        }
    }
    rc = ia__tokenizer_finish(t, extra, nextra);
    if (!rc && cfg) {
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(cfg, "pad_token");
        const char *ps = cJSON_IsString(pt) ? pt->valuestring : jstr(pt, "content");
        if (ps) t->pad_id = ia_tokenizer_token_to_id(t, ps);
        /* the reference's WordLevel model takes its unknown token from tokenizer_config.json */
        const cJSON *ut = cJSON_GetObjectItemCaseSensitive(cfg, "unk_token");
        const char *us = cJSON_IsString(ut) ? ut->valuestring : jstr(ut, "content");
        if (us && t->model.type == IA__M_WORDLEVEL) t->model.unk_id = ia_tokenizer_token_to_id(t, us);
    }
    ia_free(extra);
    cJSON_Delete(cfg);
    return rc;
}
