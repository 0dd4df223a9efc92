/* The tokenizer pipeline and public API: added-token splitting, normalization, pre-tokenization,
 * model, post-processing, ids; decoding back to text; loading from files and folders. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "ia/model_dir.h"
#include "pipelines/tokenizers/tok_internal.h"

int ia__tokenizer_finish(ia_tokenizer *t, const char *const *extra, size_t nextra) {
    int rc = IA_OK;
    const char **raw = ia_calloc(t->nadded + 1, sizeof *raw), **nrm = ia_calloc(t->nadded + 1, sizeof *nrm);
    size_t *rawl = ia_calloc(t->nadded + 1, sizeof *rawl), *nrml = ia_calloc(t->nadded + 1, sizeof *nrml), nr = 0, nn = 0;
    ia__sbuf nb = {0};
    ia__slist nstore = {0};
    t->special = ia_calloc(t->nadded + nextra + 1, sizeof *t->special);
    if (!raw || !nrm || !rawl || !nrml || !t->special) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
    for (size_t i = 0; i < t->nadded && !rc; i++) {
        ia__added *a = &t->added[i];
        size_t l = strlen(a->content);
        if ((rc = ia__model_set_id(&t->model, a->content, l, a->id))) break;
        if (a->special && !ia__strmap_get(&t->special_set, a->content, l, NULL)) {
            t->special[t->nspecial++] = a->content;
            if ((rc = ia__strmap_put(&t->special_set, a->content, l, 1))) break;
        }
        if ((rc = ia__strmap_put(&t->added_map, a->content, l, (int32_t)i))) break;
        if ((rc = ia__strmap_put(&t->added_content, a->content, l, (int32_t)i))) break;
        if (a->normalized && t->norm) {
            nb.n = 0;
            if ((rc = ia__normalize(t->norm, a->content, l, &nb))) break;
            if ((rc = ia__slist_push(&nstore, nb.p ? nb.p : "", nb.n))) break;
            if ((rc = ia__strmap_put(&t->added_map, nb.p ? nb.p : "", nb.n, (int32_t)i))) break;
            nn++;
        } else {
            raw[nr] = a->content;
            rawl[nr++] = l;
        }
    }
    for (size_t i = 0; i < nstore.n; i++) { nrm[i] = ia__slist_str(&nstore, i); nrml[i] = nstore.v[i].len; }
    for (size_t i = 0; i < nextra && !rc; i++) {
        size_t l = strlen(extra[i]);
        if (ia__strmap_get(&t->special_set, extra[i], l, NULL)) continue;
        /* keep our own copy: the strings come from a parsed config that is freed */
        char *c = ia_strdup(extra[i]);
        if (!c) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); break; }
        if ((rc = ia__strmap_put(&t->special_set, c, l, 2))) { ia_free(c); break; }
        t->special[t->nspecial++] = c;
    }
    if (!rc) rc = ia__splitter_create(raw, rawl, nr, &t->split_raw);
    if (!rc) rc = ia__splitter_create(nrm, nrml, nn, &t->split_norm);
done:
    ia_free(raw); ia_free(nrm); ia_free(rawl); ia_free(nrml);
    ia__sbuf_free(&nb);
    ia__slist_free(&nstore);
    return rc;
}

void ia_tokenizer_destroy(ia_tokenizer *t) {
    if (!t) return;
    ia__normalizer_free(t->norm);
    ia__pretok_free(t->pre);
    ia__model_free(&t->model);
    ia__postproc_free(t->post);
    ia__decoder_free(t->dec);
    for (size_t i = 0; i < t->nspecial; i++) {
        int32_t kind = 0;
        ia__strmap_get(&t->special_set, t->special[i], strlen(t->special[i]), &kind);
        if (kind == 2) ia_free(t->special[i]);
    }
    for (size_t i = 0; i < t->nadded; i++) ia_free(t->added[i].content);
    ia_free(t->added);
    ia_free(t->special);
    ia__strmap_free(&t->special_set);
    ia__strmap_free(&t->added_map);
    ia__strmap_free(&t->added_content);
    ia__splitter_free(t->split_raw);
    ia__splitter_free(t->split_norm);
    ia_free(t);
}

static int is_added(const ia_tokenizer *t, const char *s, size_t n) { return ia__strmap_get(&t->added_map, s, n, NULL); }

/* Trims neighbours of added tokens that ask for lstrip / rstrip (spans edited in place). */
static void strip_around(const ia_tokenizer *t, const char *base, ia__span *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int32_t k;
        if (!ia__strmap_get(&t->added_map, base + v[i].off, v[i].len, &k)) continue;
        const ia__added *a = &t->added[k];
        if (a->lstrip && i > 0) {
            size_t b = v[i - 1].off, e = b + v[i - 1].len;
            ia__js_trim(base, &b, &e, 0, 1);
            v[i - 1].len = e - b;
        }
        if (a->rstrip && i + 1 < n) {
            size_t b = v[i + 1].off, e = b + v[i + 1].len;
            ia__js_trim(base, &b, &e, 1, 0);
            v[i + 1].off = b;
            v[i + 1].len = e - b;
        }
    }
}

static int encode_text(const ia_tokenizer *t, const char *text, size_t n, ia__slist *toks) {
    ia__sbuf clean = {0}, a = {0}, b = {0};
    ia__slist sec = {0}, sub = {0}, pre_in = {0}, pre_out = {0};
    int rc = ia__utf8_sanitize(text, n, &clean);
    if (rc) goto done;
    if ((rc = ia__splitter_split(t->split_raw, clean.p ? clean.p : "", clean.n, &sec))) goto done;
    strip_around(t, sec.buf.p, sec.v, sec.n);
    for (size_t i = 0; i < sec.n && !rc; i++) {
        const char *s = ia__slist_str(&sec, i);
        size_t sn = sec.v[i].len;
        if (!sn) continue;
        if (is_added(t, s, sn)) { rc = ia__slist_push(toks, s, sn); continue; }
        a.n = 0;
        if ((rc = ia__sbuf_put(&a, s, sn))) break;
        if (t->remove_space) { /* trim, then runs of whitespace become one space */
            b.n = 0;
            size_t lo = 0, hi = a.n;
            ia__js_trim(a.p, &lo, &hi, 1, 1);
            int in_ws = 0;
            for (size_t j = lo; j < hi && !rc;) {
                uint32_t cp;
                size_t k = ia__utf8_next(a.p + j, hi - j, &cp);
                if (ia__js_is_space(cp)) { if (!in_ws) rc = ia__sbuf_putc(&b, ' '); in_ws = 1; }
                else { rc = ia__sbuf_put(&b, a.p + j, k); in_ws = 0; }
                j += k;
            }
            ia__sbuf x = a; a = b; b = x;
        }
        if (!rc && t->lower_remove_accent) {
            ia__normalizer sa = {.type = IA__N_STRIP_ACCENTS};
            b.n = 0;
            if (!(rc = ia__js_lowercase(a.p ? a.p : "", a.n, &b))) { a.n = 0; rc = ia__normalize(&sa, b.p ? b.p : "", b.n, &a); }
        }
        if (!rc && t->norm) {
            b.n = 0;
            rc = ia__normalize(t->norm, a.p ? a.p : "", a.n, &b);
            ia__sbuf x = a; a = b; b = x;
        }
        if (rc || !a.n) continue;
        ia__slist_clear(&sub);
        if ((rc = ia__splitter_split(t->split_norm, a.p, a.n, &sub))) break;
        strip_around(t, sub.buf.p, sub.v, sub.n);
        for (size_t j = 0; j < sub.n && !rc; j++) {
            const char *ss = ia__slist_str(&sub, j);
            size_t sl = sub.v[j].len;
            if (!sl) continue;
            if (is_added(t, ss, sl)) { rc = ia__slist_push(toks, ss, sl); continue; }
            ia__slist_clear(&pre_in);
            ia__slist_clear(&pre_out);
            if ((rc = ia__slist_push(&pre_in, ss, sl))) break;
            const ia__slist *words = &pre_in;
            if (t->pre) {
                if ((rc = ia__pretokenize(t->pre, &pre_in, (int)i, &pre_out))) break;
                words = &pre_out;
            }
            rc = ia__model_encode(&t->model, words, toks);
        }
    }
done:
    ia__sbuf_free(&clean); ia__sbuf_free(&a); ia__sbuf_free(&b);
    ia__slist_free(&sec); ia__slist_free(&sub); ia__slist_free(&pre_in); ia__slist_free(&pre_out);
    return rc;
}

void ia_encoding_free(ia_encoding *e) {
    if (!e) return;
    ia_free(e->ids);
    ia_free(e->type_ids);
    ia_free(e->attention_mask);
    memset(e, 0, sizeof *e);
}

int ia_tokenizer_encode(const ia_tokenizer *t, const char *text, size_t len, const ia_encode_opts *opts, ia_encoding *out) {
    if (!t || !out || (!text && len)) return ia_set_error(IA_ERR_INVALID_ARG, "ia_tokenizer_encode: NULL argument");
    memset(out, 0, sizeof *out);
    ia_encode_opts o = {0};
    if (opts) o = *opts;
    ia__slist ta = {0}, tb = {0}, all = {0};
    int32_t *types = NULL;
    int rc = encode_text(t, text ? text : "", len, &ta);
    if (!rc && o.pair) rc = encode_text(t, o.pair, o.pair_len ? o.pair_len : strlen(o.pair), &tb);
    if (!rc) rc = ia__postprocess(t->post, &ta, o.pair ? &tb : NULL, !o.no_special_tokens, &all, &types);
    if (rc) goto done;
    size_t n = all.n, total = n;
    if (o.max_length && total > o.max_length) total = o.max_length;
    size_t skip = (o.max_length && n > o.max_length && o.truncate_left) ? n - o.max_length : 0;
    size_t padded = o.pad_to > total ? o.pad_to : total;
    if (padded > total && t->pad_id < 0) {
        rc = ia_set_error(IA_ERR_INVALID_ARG, "tokenizer: padding asked for but the tokenizer has no pad token");
        goto done;
    }
    out->ids = ia_malloc((padded + 1) * sizeof *out->ids);
    out->type_ids = ia_malloc((padded + 1) * sizeof *out->type_ids);
    out->attention_mask = ia_malloc((padded + 1) * sizeof *out->attention_mask);
    if (!out->ids || !out->type_ids || !out->attention_mask) { rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); goto done; }
    size_t lead = o.pad_left ? padded - total : 0;
    for (size_t i = 0; i < padded; i++) {
        size_t k = i - lead;
        if (i < lead || k >= total) { out->ids[i] = t->pad_id; out->type_ids[i] = 0; out->attention_mask[i] = 0; continue; }
        size_t src = k + skip;
        const char *s = ia__slist_str(&all, src);
        size_t sl = all.v[src].len;
        int32_t idx, id = -1;
        if (ia__strmap_get(&t->added_map, s, sl, &idx)) id = t->added[idx].id;
        else if (!ia__strmap_get(&t->model.tok2id, s, sl, &id)) id = t->model.unk_id;
        out->ids[i] = id;
        out->type_ids[i] = types ? types[src] : 0;
        out->attention_mask[i] = 1;
    }
    out->len = padded;
done:
    if (rc) ia_encoding_free(out);
    ia_free(types);
    ia__slist_free(&ta); ia__slist_free(&tb); ia__slist_free(&all);
    return rc;
}

int ia_tokenizer_decode(const ia_tokenizer *t, const int32_t *ids, size_t n, int skip_special, char **out, size_t *out_len) {
    if (!t || !out || (!ids && n)) return ia_set_error(IA_ERR_INVALID_ARG, "ia_tokenizer_decode: NULL argument");
    *out = NULL;
    ia__slist toks = {0};
    ia__sbuf text = {0}, fin = {0};
    int rc = IA_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *s = ids[i] >= 0 && (size_t)ids[i] < t->model.nid ? t->model.id2tok[ids[i]] : NULL;
        if (!s) s = t->model.unk_token;
        if (!s) continue;
        size_t sl = strlen(s);
        if (skip_special && ia__strmap_get(&t->special_set, s, sl, NULL)) continue;
        rc = ia__slist_push(&toks, s, sl);
    }
    if (!rc && t->dec) rc = ia__decode_chain(t, t->dec, &toks);
    for (size_t i = 0; i < toks.n && !rc; i++) {
        if (!t->dec && i) rc = ia__sbuf_putc(&text, ' ');
        if (!rc) rc = ia__sbuf_put(&text, ia__slist_str(&toks, i), toks.v[i].len);
    }
    if (!rc && !text.p) rc = ia__sbuf_put(&text, "", 0);
    if (!rc && t->dec && t->model.type == IA__M_BPE && t->model.eow_suffix) {
        fin.n = 0;
        const char *suf = t->model.eow_suffix;
        size_t fl = strlen(suf);
        for (size_t i = 0; i < text.n && !rc;) {
            if (i + fl <= text.n && !memcmp(text.p + i, suf, fl)) { rc = ia__sbuf_putc(&fin, ' '); i += fl; }
            else rc = ia__sbuf_putc(&fin, text.p[i++]);
        }
        if (!rc && skip_special) {
            size_t b = 0, e = fin.n;
            ia__js_trim(fin.p ? fin.p : "", &b, &e, 1, 1);
            text.n = 0;
            rc = ia__sbuf_put(&text, fin.p ? fin.p + b : "", e - b);
        } else if (!rc) {
            text.n = 0;
            rc = ia__sbuf_put(&text, fin.p ? fin.p : "", fin.n);
        }
    }
    if (!rc && t->clean_up_spaces) {
        fin.n = 0;
        rc = ia__clean_up_tokenization(text.p, text.n, &fin);
        if (!rc) { ia__sbuf x = text; text = fin; fin = x; }
    }
    if (!rc && !text.p) rc = ia__sbuf_put(&text, "", 0);
    if (!rc) {
        *out = text.p;
        if (out_len) *out_len = text.n;
        text.p = NULL;
    }
    ia__slist_free(&toks);
    ia__sbuf_free(&text);
    ia__sbuf_free(&fin);
    return rc;
}

size_t ia_tokenizer_vocab_size(const ia_tokenizer *t) { return t ? t->model.nid : 0; }

int32_t ia_tokenizer_token_to_id(const ia_tokenizer *t, const char *token) {
    int32_t id;
    if (!t || !token) return -1;
    return ia__strmap_get(&t->model.tok2id, token, strlen(token), &id) ? id : -1;
}

const char *ia_tokenizer_id_to_token(const ia_tokenizer *t, int32_t id) {
    if (!t || id < 0 || (size_t)id >= t->model.nid) return NULL;
    return t->model.id2tok[id];
}

int32_t ia_tokenizer_pad_id(const ia_tokenizer *t) { return t ? t->pad_id : -1; }
size_t ia_tokenizer_model_max_length(const ia_tokenizer *t) { return t ? t->model_max_length : 0; }

int ia_tokenizer_load_json(const char *json, size_t json_len, const char *config, size_t config_len, ia_tokenizer **out) {
    if (!json || !out) return ia_set_error(IA_ERR_INVALID_ARG, "ia_tokenizer_load_json: NULL argument");
    return ia__tokenizer_from_json(json, json_len, config, config_len, out);
}

int ia_tokenizer_load_gguf(const void *data, size_t len, ia_tokenizer **out) {
    if (!out || (!data && len)) return ia_set_error(IA_ERR_INVALID_ARG, "ia_tokenizer_load_gguf: NULL argument");
    *out = NULL;
    return ia__tokenizer_from_gguf(data ? data : "", len, out);
}

/* A file, or a model folder, given as a path or a CID: read through the model folder source. */
int ia_tokenizer_load(const char *path, ia_tokenizer **out) {
    if (!path || !out) return ia_set_error(IA_ERR_INVALID_ARG, "ia_tokenizer_load: NULL argument");
    *out = NULL;
    ia_model_dir *d;
    int rc = ia_model_dir_open(path, &d);
    if (rc) {
        char msg[1024]; /* a copy: ia_set_error writes the buffer ia_last_error reads */
        snprintf(msg, sizeof msg, "%s", ia_last_error());
        return ia_set_error(rc, "tokenizer: %s", msg);
    }
    const char *file = ia_model_dir_target(d);
    if (!file) {
        static const char *const cands[] = {"tokenizer.json", "vocab.txt"};
        rc = ia_model_dir_find(d, cands, 2, &file);
        if (rc == IA_ERR_NOT_FOUND)
            rc = ia_set_error(rc, "tokenizer: %s holds neither tokenizer.json nor vocab.txt", ia_model_dir_name(d));
        if (rc) { ia_model_dir_close(d); return rc; }
    }
    char *data = NULL, *cfg = NULL;
    size_t n = 0, cn = 0;
    const size_t max = SIZE_MAX / 2;
    rc = ia_model_dir_read(d, file, max, &data, &n);
    if (!rc) {
        int h = ia_model_dir_has(d, "tokenizer_config.json");
        if (h < 0) rc = h;
        else if (h) rc = ia_model_dir_read(d, "tokenizer_config.json", max, &cfg, &cn);
    }
    ia_model_dir_close(d);
    if (rc) { ia_free(data); return rc; }
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')) i++;
    if (n >= 4 && !memcmp(data, "GGUF", 4)) rc = ia__tokenizer_from_gguf(data, n, out);
    else if (i < n && data[i] == '{') rc = ia__tokenizer_from_json(data, n, cfg, cn, out);
    else rc = ia__tokenizer_from_vocab_txt(data, n, cfg, cn, out);
    ia_free(data);
    ia_free(cfg);
    return rc;
}
