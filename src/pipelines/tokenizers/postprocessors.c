/* Post-processors: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel (a pass-through
 * that drops the pair, as in the JS reference) and Sequence; they add special tokens and type ids. */
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

typedef struct { int32_t *v; size_t n, cap; } ivec;

static int ipush(ivec *t, int32_t x, size_t count) {
    if (t->n + count > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->n + count) cap *= 2;
        int32_t *v = ia_realloc(t->v, cap * sizeof *v);
        if (!v) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        t->v = v;
        t->cap = cap;
    }
    for (size_t i = 0; i < count; i++) t->v[t->n++] = x;
    return IA_OK;
}

static int append(ia__slist *out, const ia__slist *l) {
    int rc = IA_OK;
    for (size_t i = 0; l && i < l->n && !rc; i++) rc = ia__slist_push(out, ia__slist_str(l, i), l->v[i].len);
    return rc;
}

static int push_str(ia__slist *out, const char *s) { return ia__slist_push(out, s, strlen(s)); }

/* One non-sequence processor; b may be NULL. */
static int run_one(const ia__postproc *p, const ia__slist *a, const ia__slist *b, int add, ia__slist *out, ivec *ty) {
    int rc = IA_OK;
    switch (p->type) {
    case IA__PP_TEMPLATE: {
        const ia__pp_item *it = b ? p->pair : p->single;
        size_t n = b ? p->npair : p->nsingle;
        for (size_t i = 0; i < n && !rc; i++) {
            if (it[i].is_special) {
                if (add && !(rc = push_str(out, it[i].token))) rc = ipush(ty, it[i].type_id, 1);
            } else {
                const ia__slist *l = it[i].seq_b ? b : a;
                if (l && !(rc = append(out, l))) rc = ipush(ty, it[i].type_id, l->n);
            }
        }
        return rc;
    }
    case IA__PP_BERT:
    case IA__PP_ROBERTA: {
        if (add && (rc = push_str(out, p->cls))) return rc;
        if ((rc = append(out, a))) return rc;
        if (add && (rc = push_str(out, p->sep))) return rc;
        if ((rc = ipush(ty, 0, out->n - ty->n))) return rc;
        if (b) {
            size_t before = out->n;
            if (add && p->type == IA__PP_ROBERTA && (rc = push_str(out, p->sep))) return rc;
            if ((rc = append(out, b))) return rc;
            if (add && (rc = push_str(out, p->sep))) return rc;
            rc = ipush(ty, 1, out->n - before);
        }
        return rc;
    }
    default:
        return ia_set_error(IA_ERR_UNSUPPORTED, "tokenizer: unexpected post-processor");
    }
}

int ia__postprocess(const ia__postproc *p, const ia__slist *a, const ia__slist *b, int add, ia__slist *out,
                    int32_t **types) {
    ivec ty = {0};
    int rc = IA_OK;
    if (!p || p->type == IA__PP_BYTELEVEL) {
        /* no processor: the two sequences concatenated; ByteLevel: the first one only */
        rc = append(out, a);
        if (!rc && !p) rc = append(out, b);
    } else if (p->type != IA__PP_SEQUENCE) {
        rc = run_one(p, a, b, add, out, &ty);
    } else {
        ia__slist cur = {0}, nxt = {0};
        const ia__slist *ca = a, *cb = b;
        for (size_t i = 0; i < p->nkids && !rc; i++) {
            const ia__postproc *k = p->kids[i];
            if (k->type == IA__PP_BYTELEVEL) continue;
            ia__slist_clear(&nxt);
            ty.n = 0;
            rc = k->type == IA__PP_SEQUENCE ? ia__postprocess(k, ca, cb, add, &nxt, NULL) : run_one(k, ca, cb, add, &nxt, &ty);
            ia__slist t = cur; cur = nxt; nxt = t;
            ca = &cur;
            cb = NULL;
        }
        if (!rc) rc = append(out, ca);
        ia__slist_free(&cur);
        ia__slist_free(&nxt);
    }
    if (!rc && types) {
        if (ty.n != out->n) { ty.n = 0; rc = ipush(&ty, 0, out->n); }
        if (!rc) { *types = ty.v; ty.v = NULL; }
    }
    ia_free(ty.v);
    return rc;
}

void ia__postproc_free(ia__postproc *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nsingle; i++) ia_free(p->single[i].token);
    for (size_t i = 0; i < p->npair; i++) ia_free(p->pair[i].token);
    ia_free(p->single);
    ia_free(p->pair);
    ia_free(p->cls);
    ia_free(p->sep);
    for (size_t i = 0; i < p->nkids; i++) ia__postproc_free(p->kids[i]);
    ia_free(p->kids);
    ia_free(p);
}
