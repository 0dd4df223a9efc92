/* `text ner`: token classification with the aggregation strategies none / simple (transformers.js's
 * pipeline) and first / average / max (Python transformers' word-level aggregation and grouping). */
#include <stdio.h>
#include <string.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "tasks_internal.h"

int ia_aggregation_from_name(const char *name) {
    static const char *names[] = {"none", "simple", "first", "average", "max"};
    for (int i = 0; name && i < 5; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

void ia_ner_free(ia_ner_entity *e, size_t n) {
    if (!e) return;
    for (size_t i = 0; i < n; i++) { ia_free(e[i].entity); ia_free(e[i].word); }
    ia_free(e);
}

/* A token (none/simple) or a word (first/average/max) with its label, score and ids. */
typedef struct item {
    size_t label;
    double score;
    int64_t index;
    size_t first, n; /* its ids: ids[first .. first+n) of the item id list */
} item;

typedef struct ctx {
    ia_text_task *t;
    const ia_tokenizer *tok;
    int32_t *ids; /* ids of the items, in order */
    size_t n_ids;
    ia_ner_entity *out;
    size_t n_out;
    char buf[32];
} ctx;

static size_t argmax(const double *p, size_t n) {
    size_t k = 0;
    for (size_t i = 1; i < n; i++) if (p[i] > p[k]) k = i;
    return k;
}

static const char *label(ctx *c, size_t i) { return ia_text_task_label(c->t, i, c->buf, sizeof c->buf); }

static int ignored(const char *lab, const char *const *ignore, size_t n_ignore) {
    for (size_t i = 0; i < n_ignore; i++) if (!strcmp(lab, ignore[i])) return 1;
    return 0;
}

/* Appends an entity; `tag` is copied, the word is the items' ids decoded without special tokens. */
static int emit(ctx *c, const char *tag, size_t tag_len, double score, int64_t index, const int32_t *ids, size_t n) {
    ia_ner_entity *e = &c->out[c->n_out];
    size_t wl;
    e->entity = ia_strndup(tag, tag_len);
    e->score = score;
    e->index = index;
    if (!e->entity) return ia_set_error(IA_ERR_NOMEM, "ner: out of memory");
    int rc = ia_tokenizer_decode(c->tok, ids, n, 1, &e->word, &wl);
    if (rc) { ia_free(e->entity); e->entity = NULL; return rc; }
    c->n_out++;
    return IA_OK;
}

/* transformers.js's getTag: B-/I-/E-/S- prefixes, anything else is an I of itself. */
static char js_tag(const char *e, const char **tag) {
    if ((e[0] == 'B' || e[0] == 'I' || e[0] == 'E' || e[0] == 'S') && e[1] == '-') { *tag = e + 2; return e[0]; }
    *tag = e;
    return 'I';
}

/* Python transformers' get_tag: B- and I- prefixes only. */
static char py_tag(const char *e, const char **tag) {
    if ((e[0] == 'B' || e[0] == 'I') && e[1] == '-') { *tag = e + 2; return e[0]; }
    *tag = e;
    return 'I';
}

static int group_out(ctx *c, const item *it, size_t a, size_t b, const char *tag, size_t tag_len) {
    double s = 0;
    for (size_t i = a; i < b; i++) s += it[i].score;
    size_t first = it[a].first, n = it[b - 1].first + it[b - 1].n - first;
    return emit(c, tag, tag_len, s / (double)(b - a), -1, c->ids + first, n);
}

/* SIMPLE as transformers.js groups: extend the open group when the tag matches and the prefix is
 * not B or S; E closes it, S opens and closes. */
static int group_js(ctx *c, const item *it, size_t n) {
    const char *open = NULL;
    size_t start = 0;
    int rc = IA_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *tag;
        char pre = js_tag(label(c, it[i].label), &tag);
        char tagbuf[256];
        snprintf(tagbuf, sizeof tagbuf, "%s", tag);
        if (open && !strcmp(open, tagbuf) && pre != 'B' && pre != 'S') {
            if (pre == 'E') {
                rc = group_out(c, it, start, i + 1, open, strlen(open));
                ia_free((void *)open);
                open = NULL;
                start = i + 1;
            }
            continue;
        }
        if (i > start) rc = group_out(c, it, start, i, open ? open : "", open ? strlen(open) : 0);
        ia_free((void *)open);
        open = NULL;
        start = i;
        if (rc) break;
        if (pre == 'S') { rc = group_out(c, it, i, i + 1, tagbuf, strlen(tagbuf)); start = i + 1; }
        else if (!(open = ia_strdup(tagbuf))) rc = ia_set_error(IA_ERR_NOMEM, "ner: out of memory");
    }
    if (!rc && start < n) rc = group_out(c, it, start, n, open ? open : "", open ? strlen(open) : 0);
    ia_free((void *)open);
    return rc;
}

/* Python transformers' group_entities, then the groups whose tag is ignored are dropped. */
static int group_py(ctx *c, const item *it, size_t n, const char *const *ignore, size_t n_ignore) {
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && i > start) {
            const char *tag, *last;
            char bi = py_tag(label(c, it[i].label), &tag);
            char lbuf[256];
            snprintf(lbuf, sizeof lbuf, "%s", tag);
            py_tag(label(c, it[i - 1].label), &last);
            if (!strcmp(lbuf, last) && bi != 'B') continue;
        }
        if (i == start) continue;
        const char *e0 = label(c, it[start].label), *dash = strchr(e0, '-');
        const char *tag = dash ? dash + 1 : e0;
        if (!ignored(tag, ignore, n_ignore)) {
            int rc = group_out(c, it, start, i, tag, strlen(tag));
            if (rc) return rc;
        }
        start = i;
    }
    return IA_OK;
}

int ia_text_ner(ia_text_task *t, const char *text, size_t len, int aggregation, const char *const *ignore,
                size_t n_ignore, ia_ner_entity **out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (!t || !text) return ia_set_error(IA_ERR_INVALID_ARG, "ner: no model or text");
    if (aggregation < IA_AGG_NONE || aggregation > IA_AGG_MAX) return ia_set_error(IA_ERR_INVALID_ARG, "ner: unknown aggregation");
    ia_encoding enc;
    float *lg;
    int64_t dims[3];
    int rank;
    int rc = ia__text_task_logits(t, text, len, &enc, &lg, dims, &rank);
    if (rc) return rc;
    ctx c = {.t = t, .tok = ia_text_task_tokenizer(t)};
    size_t L = (size_t)dims[rank - 1], S = enc.len;
    double *p = NULL, *acc = NULL;
    item *it = NULL;
    size_t ni = 0;
    if (rank != 3) { rc = ia_set_error(IA_ERR_SHAPE, "ner: logits must be [1, seq, labels] (a token classification model)"); goto done; }
    p = ia_malloc(S * L * sizeof *p);
    acc = ia_malloc(L * sizeof *acc);
    it = ia_calloc(S + 1, sizeof *it);
    c.ids = ia_malloc((S + 1) * sizeof *c.ids);
    c.out = ia_calloc(S + 1, sizeof *c.out);
    if (!p || !acc || !it || !c.ids || !c.out) { rc = ia_set_error(IA_ERR_NOMEM, "ner: out of memory"); goto done; }
    for (size_t j = 0; j < S; j++) ia__softmax_d(lg + j * L, L, p + j * L);
    for (size_t j = 0; j < S; j++) {
        char *w;
        size_t wl;
        if ((rc = ia_tokenizer_decode(c.tok, &enc.ids[j], 1, 1, &w, &wl))) goto done;
        ia_free(w);
        if (!wl) continue; /* a special token */
        const double *pj = p + j * L;
        if (aggregation <= IA_AGG_SIMPLE) {
            size_t k = argmax(pj, L);
            if (ignored(label(&c, k), ignore, n_ignore)) continue;
            it[ni] = (item){.label = k, .score = pj[k], .index = (int64_t)j, .first = c.n_ids, .n = 1};
            c.ids[c.n_ids++] = enc.ids[j];
            ni++;
            continue;
        }
        const char *tk = ia_tokenizer_id_to_token(c.tok, enc.ids[j]);
        int sub = ni > 0 && tk && !strncmp(tk, "##", 2);
        if (!sub) {
            it[ni] = (item){.index = (int64_t)j, .first = c.n_ids, .n = 0};
            ni++;
        }
        item *wd = &it[ni - 1];
        c.ids[c.n_ids++] = enc.ids[j];
        /* the word's scores so far: first keeps its first token's, max the most confident token's,
         * average sums (divided at the end); `index` keeps the position whose scores are used */
        if (aggregation == IA_AGG_AVERAGE) {
            if (!wd->n) wd->index = (int64_t)j;
        } else if (aggregation == IA_AGG_MAX && wd->n) {
            const double *pb = p + (size_t)wd->index * L;
            if (pj[argmax(pj, L)] > pb[argmax(pb, L)]) wd->index = (int64_t)j;
        }
        wd->n++;
    }
    if (aggregation >= IA_AGG_FIRST) {
        for (size_t i = 0; i < ni; i++) {
            const double *pb = p + (size_t)it[i].index * L;
            if (aggregation == IA_AGG_AVERAGE) {
                /* the word's tokens are the non-special positions from index on, it[i].n of them */
                size_t cnt = 0;
                for (size_t q = 0; q < L; q++) acc[q] = 0;
                for (size_t j = (size_t)it[i].index; j < S && cnt < it[i].n; j++) {
                    if (enc.ids[j] != c.ids[it[i].first + cnt]) continue;
                    for (size_t q = 0; q < L; q++) acc[q] += p[j * L + q];
                    cnt++;
                }
                for (size_t q = 0; q < L; q++) acc[q] /= (double)it[i].n;
                pb = acc;
            }
            it[i].label = argmax(pb, L);
            it[i].score = pb[it[i].label];
            it[i].index = -1;
        }
        rc = group_py(&c, it, ni, ignore, n_ignore);
    } else if (aggregation == IA_AGG_SIMPLE) {
        rc = group_js(&c, it, ni);
    } else {
        for (size_t i = 0; i < ni && !rc; i++) {
            const char *lab = label(&c, it[i].label);
            rc = emit(&c, lab, strlen(lab), it[i].score, it[i].index, c.ids + it[i].first, 1);
        }
    }
done:
    if (rc) ia_ner_free(c.out, c.n_out);
    else { *out = c.out; *n = c.n_out; }
    ia_free(c.ids);
    ia_free(it);
    ia_free(p);
    ia_free(acc);
    ia_free(lg);
    ia_encoding_free(&enc);
    return rc;
}
