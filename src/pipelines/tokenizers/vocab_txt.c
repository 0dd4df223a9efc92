/* BERT's vocab.txt (one WordPiece token per line, id = line number) made into a full tokenizer the
 * way transformers converts it: BertNormalizer, BertPreTokenizer, WordPiece, [CLS]/[SEP] template. */
#include <cjson/cJSON.h>
#include <string.h>
#include "pipelines/tokenizers/tok_internal.h"

static const char *cfg_str(const cJSON *c, const char *k, const char *def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, k);
    if (cJSON_IsString(v)) return v->valuestring;
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(v, "content");
    return cJSON_IsString(ct) ? ct->valuestring : def;
}
static int cfg_bool(const cJSON *c, const char *k, int def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, k);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

static int item(ia__pp_item *it, const char *tok, int type_id) {
    it->is_special = tok != NULL;
    it->type_id = type_id;
    if (tok && !(it->token = ia_strdup(tok))) return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    return IA_OK;
}

int ia__tokenizer_from_vocab_txt(const char *txt, size_t n, const char *cfgtxt, size_t cn, ia_tokenizer **out) {
    *out = NULL;
    cJSON *cfg = cfgtxt ? cJSON_ParseWithLength(cfgtxt, cn) : NULL;
    if (cfgtxt && !cJSON_IsObject(cfg)) { cJSON_Delete(cfg); return ia_set_error(IA_ERR_PARSE, "tokenizer_config.json: malformed JSON"); }
    if (!ia__utf8_valid(txt, n)) { cJSON_Delete(cfg); return ia_set_error(IA_ERR_PARSE, "vocab.txt: not valid UTF-8"); }
    int rc = IA_OK;
    ia_tokenizer *t = ia_calloc(1, sizeof *t);
    if (!t) { cJSON_Delete(cfg); return ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory"); }
    ia__pretok_global_init();
    int32_t id = 0;
    for (size_t i = 0; i < n && !rc; id++) {
        const char *nl = memchr(txt + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - txt) : n;
        /* a repeated token keeps the later id, as a Python dict does */
        rc = ia__model_set_id(&t->model, txt + i, e - i, id);
        i = e + 1;
    }
    if (!rc && id == 0) rc = ia_set_error(IA_ERR_PARSE, "vocab.txt: empty vocabulary");
    const char *unk = cfg_str(cfg, "unk_token", "[UNK]"), *cls = cfg_str(cfg, "cls_token", "[CLS]"),
               *sep = cfg_str(cfg, "sep_token", "[SEP]"), *pad = cfg_str(cfg, "pad_token", "[PAD]"),
               *mask = cfg_str(cfg, "mask_token", "[MASK]");
    ia__model *m = &t->model;
    m->type = IA__M_WORDPIECE;
    m->max_chars = 100;
    if (!rc && !(m->cont_prefix = ia_strdup("##"))) rc = IA_ERR_NOMEM;
    if (!rc && !(m->unk_token = ia_strdup(unk))) rc = IA_ERR_NOMEM;
    if (!rc && !ia__strmap_get(&m->tok2id, unk, strlen(unk), &m->unk_id)) m->unk_id = -1;
    if (!rc && (!(t->norm = ia_calloc(1, sizeof *t->norm)) || !(t->pre = ia_calloc(1, sizeof *t->pre)) ||
                !(t->post = ia_calloc(1, sizeof *t->post)) || !(t->dec = ia_calloc(1, sizeof *t->dec))))
        rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    if (!rc) {
        t->norm->type = IA__N_BERT;
        t->norm->clean_text = 1;
        t->norm->chinese = cfg_bool(cfg, "tokenize_chinese_chars", 1);
        t->norm->lowercase = cfg_bool(cfg, "do_lower_case", 1);
        const cJSON *sa = cJSON_GetObjectItemCaseSensitive(cfg, "strip_accents");
        t->norm->strip_accents = cJSON_IsBool(sa) ? cJSON_IsTrue(sa) : -1;
        t->pre->type = IA__P_BERT;
        static const char re[] = "[^\\s\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}]+|"
                                 "[\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}]";
        rc = ia__regex_compile(re, strlen(re), 0, 1, &t->pre->re);
    }
    if (!rc) {
        ia__postproc *p = t->post;
        p->type = IA__PP_TEMPLATE;
        p->single = ia_calloc(3, sizeof *p->single);
        p->pair = ia_calloc(5, sizeof *p->pair);
        if (!p->single || !p->pair) rc = ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
        if (!rc) { p->nsingle = 3; rc = item(&p->single[0], cls, 0); }
        if (!rc) rc = item(&p->single[1], NULL, 0);
        if (!rc) rc = item(&p->single[2], sep, 0);
        if (!rc) { p->npair = 5; rc = item(&p->pair[0], cls, 0); }
        if (!rc) rc = item(&p->pair[1], NULL, 0);
        if (!rc) rc = item(&p->pair[2], sep, 0);
        if (!rc) { rc = item(&p->pair[3], NULL, 1); p->pair[3].seq_b = 1; }
        if (!rc) rc = item(&p->pair[4], sep, 1);
    }
    if (!rc) {
        t->dec->type = IA__D_WORDPIECE;
        t->dec->cleanup = 1;
        if (!(t->dec->prefix = ia_strdup("##"))) rc = IA_ERR_NOMEM;
    }
    /* the special tokens present in the vocabulary become special added tokens */
    const char *specials[] = {pad, unk, cls, sep, mask};
    if (!rc && !(t->added = ia_calloc(5, sizeof *t->added))) rc = IA_ERR_NOMEM;
    for (size_t i = 0; i < 5 && !rc; i++) {
        int32_t sid;
        int dupl = 0;
        for (size_t j = 0; j < t->nadded; j++) dupl |= !strcmp(t->added[j].content, specials[i]);
        if (dupl || !ia__strmap_get(&m->tok2id, specials[i], strlen(specials[i]), &sid)) continue;
        ia__added *a = &t->added[t->nadded];
        if (!(a->content = ia_strdup(specials[i]))) { rc = IA_ERR_NOMEM; break; }
        a->id = sid;
        a->special = 1;
        t->nadded++;
    }
    cJSON_Delete(cfg);
    if (rc == IA_ERR_NOMEM) ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory");
    if (!rc) rc = ia__tokenizer_apply_config(t, cfgtxt, cn);
    if (rc) { ia_tokenizer_destroy(t); return rc; }
    *out = t;
    return IA_OK;
}
