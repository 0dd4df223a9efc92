/* The tokenizer embedded in a GGUF file (llama.cpp's vocabulary) made into our tokenizer: "llama"
 * (SentencePiece BPE by scores, byte fallback), "gpt2" (byte-level BPE, llama.cpp's pre-tokenizer
 * regexes) and "bert" (WordPiece). */
#include <stdlib.h>
#include <string.h>
#include "pipelines/tokenizers/gguf.h"
#include "pipelines/tokenizers/tok_internal.h"

int ia__bpe_add_merge(ia__model *m, const char *a, size_t an, const char *b, size_t bn, int32_t rank);


#define NOMEM() ia_set_error(IA_ERR_NOMEM, "tokenizer: out of memory")
#define SPACE_MARK "\xE2\x96\x81" /* U+2581 */

/* llama.cpp's pre-tokenizer regexes (src/llama-vocab.cpp), by tokenizer.ggml.pre name; each
 * splits the pieces of the one before it, keeping the matches and the gaps. */
#define RE_GPT2 "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"
#define RE_LLAMA3 "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define RE_QWEN2 "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define RE_QWEN35 "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define NRE 6
static const struct {
    const char *names; /* space-separated tokenizer.ggml.pre values */
    int ignore_merges; /* 1: a pre-token that is a token is not split by merges; 2: that and add_bos by default */
    const char *re[NRE];
} pre_table[] = {
    {"default", 0, {"[\\p{P}\\$\\+<=>\\^~\\|]+", RE_GPT2, "\\p{N}+", "[0-9][0-9][0-9]"}},
    {"llama3 llama-v3 llama-bpe falcon3 falcon-h1 pixtral midm-2.0 lfm2", 2, {RE_LLAMA3}},
    {"dbrx smaug-bpe glm4 chatglm-bpe", 0, {RE_LLAMA3}},
    {"deepseek-llm", 0,
     {"[\r\n]",
     "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
     "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
     "\\s+$",
     "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
     "\\p{N}+"}},
    {"deepseek-coder", 0, {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+", "\\p{N}"}},
    {"falcon", 0, {"[\\p{P}\\$\\+<=>\\^~\\|`]+", RE_GPT2, "[0-9][0-9][0-9]"}},
    {"starcoder refact command-r smollm codeshell exaone minerva-7b", 0, {"\\p{N}", RE_GPT2}},
    {"gpt-2 phi-2 jina-es jina-de gigachat jina-v2-es jina-v2-de mellum modern-bert exaone4 mpt olmo jais trillion", 0, {RE_GPT2}},
    {"qwen2 deepseek-r1-qwen megrez stablelm2", 0, {RE_QWEN2}},
    {"qwen35", 0, {RE_QWEN35}},
};

static int name_in(const char *list, const char *s, size_t n) {
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !memcmp(p, s, n)) return 1;
        p += l + (e != NULL);
    }
    return 0;
}

typedef struct { double score; int32_t id; } scored;
static int by_score_desc(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* SentencePiece BPE as llama.cpp runs it: the adjacent pair whose concatenation is the highest-scored
 * token merges first (leftmost on ties). Every split of every token into two tokens is a merge whose
 * rank orders the scores (equal scores, equal ranks). */
static int spm_merges(ia__model *m, const ia__gguf_kv *scores) {
    size_t nv = m->nid;
    scored *s = ia_malloc((nv ? nv : 1) * sizeof *s);
    int32_t *rank = ia_malloc((nv ? nv : 1) * sizeof *rank);
    int rc = IA_OK;
    if (!s || !rank) { ia_free(s); ia_free(rank); return NOMEM(); }
    for (size_t i = 0; i < nv; i++) {
        double d = 0;
        if (scores && !ia__gguf_arr_num(scores, i, &d)) d = 0;
        s[i] = (scored){d, (int32_t)i};
    }
    qsort(s, nv, sizeof *s, by_score_desc);
    int32_t r = 0;
    for (size_t i = 0; i < nv; i++) {
        if (i && s[i].score != s[i - 1].score) r++;
        rank[s[i].id] = r;
    }
    for (size_t i = 0; i < nv && !rc; i++) {
        const char *t = m->id2tok[i];
        if (!t) continue;
        size_t tl = strlen(t);
        if (!ia__utf8_valid(t, tl)) continue;
        for (size_t k = 0; k < tl && !rc;) {
            uint32_t cp;
            k += ia__utf8_next(t + k, tl - k, &cp);
            if (k >= tl) break;
            if (ia__strmap_get(&m->tok2id, t, k, NULL) && ia__strmap_get(&m->tok2id, t + k, tl - k, NULL))
                rc = ia__bpe_add_merge(m, t, k, t + k, tl - k, rank[i]);
        }
    }
    ia_free(s);
    ia_free(rank);
    return rc;
}

static int regex_new(const char *pat, int literal, ia__regex **re) { return ia__regex_compile(pat, strlen(pat), literal, 0, re); }

static int kid_alloc(void ***kids, size_t *nkids, size_t n, size_t sz) {
    *kids = ia_calloc(n, sizeof(void *));
    if (!*kids) return NOMEM();
    *nkids = n; /* set once the array exists: the free functions walk it */
    for (size_t i = 0; i < n; i++)
        if (!((*kids)[i] = ia_calloc(1, sz))) return NOMEM();
    return IA_OK;
}

static int dupn(const char *s, char **out) { return (*out = ia_strdup(s)) ? IA_OK : NOMEM(); }

static int setup_spm(ia_tokenizer *t, int add_space_prefix) {
    int rc;
    /* normalizer: [Prepend ▁] then Replace " " -> ▁ (llama_escape_whitespace) */
    if (!(t->norm = ia_calloc(1, sizeof *t->norm))) return NOMEM();
    t->norm->type = IA__N_SEQUENCE;
    if ((rc = kid_alloc((void ***)&t->norm->kids, &t->norm->nkids, add_space_prefix ? 2 : 1, sizeof(ia__normalizer)))) return rc;
    ia__normalizer *rep = t->norm->kids[t->norm->nkids - 1];
    rep->type = IA__N_REPLACE;
    if ((rc = regex_new(" ", 1, &rep->re)) || (rc = dupn(SPACE_MARK, &rep->content))) return rc;
    if (add_space_prefix) {
        t->norm->kids[0]->type = IA__N_PREPEND;
        if ((rc = dupn(SPACE_MARK, &t->norm->kids[0]->content))) return rc;
    }
    /* decoder: ▁ -> " ", <0xXX> bytes, fuse, [strip the leading space] */
    if (!(t->dec = ia_calloc(1, sizeof *t->dec))) return NOMEM();
    t->dec->type = IA__D_SEQUENCE;
    if ((rc = kid_alloc((void ***)&t->dec->kids, &t->dec->nkids, add_space_prefix ? 4 : 3, sizeof(ia__decoder)))) return rc;
    ia__decoder **d = t->dec->kids;
    d[0]->type = IA__D_REPLACE;
    if ((rc = regex_new(SPACE_MARK, 1, &d[0]->re)) || (rc = dupn(" ", &d[0]->content))) return rc;
    d[1]->type = IA__D_BYTEFALLBACK;
    d[2]->type = IA__D_FUSE;
    if (add_space_prefix) {
        d[3]->type = IA__D_STRIP;
        d[3]->start = 1;
        if ((rc = dupn(" ", &d[3]->content))) return rc;
    }
    return IA_OK;
}

/* tokenizer.ggml.merges: "a b" strings, rank = position. */
static int add_merges(ia_tokenizer *t, const ia__gguf *g) {
    int rc;
    const ia__gguf_kv *mk = ia__gguf_find(g, "tokenizer.ggml.merges");
    if (!mk || mk->type != IA__GGUF_ARRAY || mk->atype != IA__GGUF_STRING)
        return ia_set_error(IA_ERR_PARSE, "gguf: a gpt2 vocabulary needs tokenizer.ggml.merges (array of strings)");
    size_t pos = 0;
    for (uint64_t i = 0; i < mk->n; i++) {
        const char *s, *sp;
        size_t sl;
        ia__gguf_arr_next_str(mk, &pos, &s, &sl);
        /* split at the first space after the first byte, as llama.cpp does */
        if (sl < 2 || !(sp = memchr(s + 1, ' ', sl - 1)))
            return ia_set_error(IA_ERR_PARSE, "gguf: tokenizer.ggml.merges[%llu] is not \"a b\"", (unsigned long long)i);
        if ((rc = ia__bpe_add_merge(&t->model, s, (size_t)(sp - s), sp + 1, sl - (size_t)(sp - s) - 1, (int32_t)i))) return rc;
    }
    return IA_OK;
}

/* gemma4: SentencePiece-style BPE with merges on raw UTF-8: spaces become U+2581 (no prefix), text
 * split only at newline runs, a run of newlines that is a token stays whole, <0xXX> byte fallback. */
static int setup_gemma4(ia_tokenizer *t, const ia__gguf *g) {
    int rc;
    if (!(t->norm = ia_calloc(1, sizeof *t->norm))) return NOMEM();
    t->norm->type = IA__N_REPLACE;
    if ((rc = regex_new(" ", 1, &t->norm->re)) || (rc = dupn(SPACE_MARK, &t->norm->content))) return rc;
    if (!(t->pre = ia_calloc(1, sizeof *t->pre))) return NOMEM();
    t->pre->type = IA__P_SPLIT;
    t->pre->split_mode = IA__SPLIT_ISOLATED;
    if ((rc = regex_new("[^\\n]+|[\\n]+", 0, &t->pre->re))) return rc;
    if (!(t->dec = ia_calloc(1, sizeof *t->dec))) return NOMEM();
    t->dec->type = IA__D_SEQUENCE;
    if ((rc = kid_alloc((void ***)&t->dec->kids, &t->dec->nkids, 3, sizeof(ia__decoder)))) return rc;
    t->dec->kids[0]->type = IA__D_REPLACE;
    if ((rc = regex_new(SPACE_MARK, 1, &t->dec->kids[0]->re)) || (rc = dupn(" ", &t->dec->kids[0]->content))) return rc;
    t->dec->kids[1]->type = IA__D_BYTEFALLBACK;
    t->dec->kids[2]->type = IA__D_FUSE;
    t->model.byte_fallback = 1;
    t->model.ignore_merges = 2;
    return add_merges(t, g);
}

static int setup_bpe(ia_tokenizer *t, const ia__gguf *g, int *bos_default) {
    const ia__gguf_kv *pk = ia__gguf_find(g, "tokenizer.ggml.pre");
    const char *pre = "default";
    size_t pl = 7;
    if (pk && !ia__gguf_str(pk, &pre, &pl)) return ia_set_error(IA_ERR_PARSE, "gguf: tokenizer.ggml.pre must be a string");
    const char *const *res = NULL;
    for (size_t i = 0; !res && i < sizeof pre_table / sizeof *pre_table; i++)
        if (name_in(pre_table[i].names, pre, pl)) { res = pre_table[i].re; t->model.ignore_merges = pre_table[i].ignore_merges != 0; *bos_default = pre_table[i].ignore_merges == 2; }
    if (!res) return ia_set_error(IA_ERR_UNSUPPORTED, "gguf: pre-tokenizer \"%.*s\" (tokenizer.ggml.pre) is not supported", (int)pl, pre);
    size_t nre = 0;
    while (nre < NRE && res[nre]) nre++;
    int rc;
    if (!(t->pre = ia_calloc(1, sizeof *t->pre))) return NOMEM();
    t->pre->type = IA__P_SEQUENCE;
    if ((rc = kid_alloc((void ***)&t->pre->kids, &t->pre->nkids, nre + 1, sizeof(ia__pretok)))) return rc;
    for (size_t i = 0; i < nre; i++) {
        t->pre->kids[i]->type = IA__P_SPLIT;
        t->pre->kids[i]->split_mode = IA__SPLIT_ISOLATED;
        if ((rc = regex_new(res[i], 0, &t->pre->kids[i]->re))) return rc;
    }
    ia__pretok *bl = t->pre->kids[nre];
    bl->type = IA__P_BYTELEVEL;
    if ((rc = regex_new(RE_GPT2, 0, &bl->re))) return rc; /* unused: use_regex is 0 */
    if (!(t->dec = ia_calloc(1, sizeof *t->dec))) return NOMEM();
    t->dec->type = IA__D_BYTELEVEL;
    return add_merges(t, g);
}

/* llama.cpp's BERT vocabularies mark word starts with U+2581 and continuations with nothing; our
 * WordPiece wants word starts plain and continuations behind "##": the token strings are converted
 * (ids kept). Control, unknown and user-defined tokens stay as they are. */
static int wpm_token(ia__model *m, const char *s, size_t sl, double type, int32_t id) {
    if (sl >= 3 && !memcmp(s, SPACE_MARK, 3)) return ia__model_set_id(m, s + 3, sl - 3, id);
    if (type == 2 || type == 3 || type == 4) return ia__model_set_id(m, s, sl, id);
    char stackbuf[256];
    char *c = sl + 2 <= sizeof stackbuf ? stackbuf : ia_malloc(sl + 2);
    if (!c) return NOMEM();
    memcpy(c, "##", 2);
    memcpy(c + 2, s, sl);
    int rc = ia__model_set_id(m, c, sl + 2, id);
    if (c != stackbuf) ia_free(c);
    return rc;
}

/* BERT as llama.cpp runs it: lowercase, accents stripped, punctuation and CJK split, greedy longest
 * match (no limit on the word's length), a word with an unmatched part becomes [UNK]. */
static int setup_wpm(ia_tokenizer *t) {
    ia__model *m = &t->model;
    m->type = IA__M_WORDPIECE;
    m->max_chars = (size_t)1 << 40;
    int rc;
    if ((rc = dupn("##", &m->cont_prefix))) return rc;
    if (!(t->norm = ia_calloc(1, sizeof *t->norm)) || !(t->pre = ia_calloc(1, sizeof *t->pre)) ||
        !(t->dec = ia_calloc(1, sizeof *t->dec)))
        return NOMEM();
    t->norm->type = IA__N_BERT;
    t->norm->clean_text = 1;
    t->norm->chinese = 1;
    t->norm->lowercase = 1;
    t->norm->strip_accents = -1;
    t->pre->type = IA__P_BERT;
    static const char re[] = "[^\\s\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}]+|"
                             "[\\p{P}\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}]";
    if ((rc = ia__regex_compile(re, strlen(re), 0, 1, &t->pre->re))) return rc;
    t->dec->type = IA__D_WORDPIECE;
    t->dec->cleanup = 1;
    return dupn("##", &t->dec->prefix);
}

static int64_t get_int(const ia__gguf *g, const char *key, int64_t def) {
    int64_t v;
    return ia__gguf_int(ia__gguf_find(g, key), &v) ? v : def;
}

static int build(ia_tokenizer *t, const ia__gguf *g) {
    int rc;
    const ia__gguf_kv *mk = ia__gguf_find(g, "tokenizer.ggml.model");
    const char *model;
    size_t ml;
    if (!ia__gguf_str(mk, &model, &ml)) return ia_set_error(IA_ERR_PARSE, "gguf: no tokenizer.ggml.model string: the file holds no vocabulary");
    int spm = ml == 5 && !memcmp(model, "llama", 5), bpe = ml == 4 && !memcmp(model, "gpt2", 4),
        wpm = ml == 4 && !memcmp(model, "bert", 4), gemma4 = ml == 6 && !memcmp(model, "gemma4", 6);
    if (!spm && !bpe && !wpm && !gemma4)
        return ia_set_error(IA_ERR_UNSUPPORTED, "gguf: tokenizer model \"%.*s\" is not supported (llama, gpt2, bert and gemma4 are)",
                            (int)ml, model);
    const ia__gguf_kv *tk = ia__gguf_find(g, "tokenizer.ggml.tokens");
    if (!tk || tk->type != IA__GGUF_ARRAY || tk->atype != IA__GGUF_STRING || tk->n == 0 || tk->n > (1u << 28))
        return ia_set_error(IA_ERR_PARSE, "gguf: tokenizer.ggml.tokens must be a non-empty array of strings");
    const ia__gguf_kv *sk = ia__gguf_find(g, "tokenizer.ggml.scores"), *ty = ia__gguf_find(g, "tokenizer.ggml.token_type");
    if (sk && (sk->type != IA__GGUF_ARRAY || sk->n != tk->n || (sk->atype != IA__GGUF_F32 && sk->atype != IA__GGUF_F64)))
        return ia_set_error(IA_ERR_PARSE, "gguf: tokenizer.ggml.scores must be %llu floats", (unsigned long long)tk->n);
    if (ty && (ty->type != IA__GGUF_ARRAY || ty->n != tk->n || ty->atype == IA__GGUF_STRING || ty->atype == IA__GGUF_ARRAY ||
               ty->atype >= IA__GGUF_NTYPES))
        return ia_set_error(IA_ERR_PARSE, "gguf: tokenizer.ggml.token_type must be %llu integers", (unsigned long long)tk->n);
    ia__model *m = &t->model;
    m->type = IA__M_BPE;
    size_t pos = 0, nuser = 0;
    for (uint64_t i = 0; i < tk->n; i++) {
        const char *s;
        size_t sl;
        ia__gguf_arr_next_str(tk, &pos, &s, &sl);
        if (!ia__utf8_valid(s, sl)) return ia_set_error(IA_ERR_PARSE, "gguf: token %llu is not valid UTF-8", (unsigned long long)i);
        double tt = 1;
        if (ty) ia__gguf_arr_num(ty, i, &tt);
        if (wpm && (rc = wpm_token(m, s, sl, tt, (int32_t)i))) return rc;
        if (!wpm && (rc = ia__model_set_id(m, s, sl, (int32_t)i))) return rc;
        nuser += tt == 4;
    }
    int64_t unk = get_int(g, "tokenizer.ggml.unknown_token_id", spm ? 0 : -1);
    if (unk >= 0 && (uint64_t)unk < tk->n && m->id2tok[unk]) {
        m->unk_id = (int32_t)unk;
        if ((rc = dupn(m->id2tok[unk], &m->unk_token))) return rc;
    } else {
        m->unk_id = -1;
    }
    /* user-defined tokens (type 4) are matched in the raw text, as llama.cpp does without parse_special */
    if (nuser) {
        if (!(t->added = ia_calloc(nuser, sizeof *t->added))) return NOMEM();
        for (uint64_t i = 0; i < tk->n; i++) {
            double tt = 1;
            ia__gguf_arr_num(ty, i, &tt);
            if (tt != 4 || !m->id2tok[i] || !*m->id2tok[i]) continue;
            ia__added *a = &t->added[t->nadded++];
            if ((rc = dupn(m->id2tok[i], &a->content))) return rc;
            a->id = (int32_t)i;
        }
    }
    int bos_default = spm || wpm || gemma4;
    if (gemma4) {
        if ((rc = setup_gemma4(t, g))) return rc;
    } else if (wpm) {
        if ((rc = setup_wpm(t))) return rc;
    } else if (spm) {
        m->byte_fallback = 1;
        if ((rc = spm_merges(m, sk))) return rc;
        if ((rc = setup_spm(t, get_int(g, "tokenizer.ggml.add_space_prefix", 1) != 0))) return rc;
    } else if ((rc = setup_bpe(t, g, &bos_default))) {
        return rc;
    }
    if (!wpm && (rc = ia__bpe_prepare(m))) return rc;
    /* post-processor: [BOS] A [EOS] as add_bos_token / add_eos_token say */
    int64_t bos = get_int(g, "tokenizer.ggml.bos_token_id", -1), eos = get_int(g, "tokenizer.ggml.eos_token_id", -1);
    if (wpm) { /* BERT: [CLS] A [SEP] */
        bos = get_int(g, "tokenizer.ggml.cls_token_id", bos);
        eos = get_int(g, "tokenizer.ggml.seperator_token_id", eos);
    }
    int add_bos = get_int(g, "tokenizer.ggml.add_bos_token", bos_default) != 0,
        add_eos = get_int(g, "tokenizer.ggml.add_eos_token", wpm) != 0;
    const char *bs = add_bos && bos >= 0 && (uint64_t)bos < tk->n ? m->id2tok[bos] : NULL;
    const char *es = add_eos && eos >= 0 && (uint64_t)eos < tk->n ? m->id2tok[eos] : NULL;
    ia__postproc *pp;
    if (!(t->post = pp = ia_calloc(1, sizeof *pp)) || !(pp->single = ia_calloc(3, sizeof *pp->single)) ||
        !(pp->pair = ia_calloc(6, sizeof *pp->pair)))
        return NOMEM();
    pp->type = IA__PP_TEMPLATE;
    /* single: [BOS] A [EOS]; pair: [BOS] A [EOS] [BOS] B [EOS], B with type id 1 */
    for (int half = 0; half < 3; half++) {
        ia__pp_item *v = half == 0 ? pp->single : pp->pair;
        size_t *nv = half == 0 ? &pp->nsingle : &pp->npair;
        int b = half == 2;
        if (bs) { v[*nv].is_special = 1; v[*nv].type_id = b; if ((rc = dupn(bs, &v[(*nv)++].token))) return rc; }
        v[*nv].seq_b = b;
        v[(*nv)++].type_id = b;
        if (es) { v[*nv].is_special = 1; v[*nv].type_id = b; if ((rc = dupn(es, &v[(*nv)++].token))) return rc; }
    }
    /* control tokens (type 3) are special: dropped when decoding with skip_special, never matched in text */
    const char **ctl = ia_calloc(tk->n, sizeof *ctl);
    size_t nctl = 0;
    if (!ctl) return NOMEM();
    for (uint64_t i = 0; i < tk->n; i++) {
        double tt = 1;
        if (ty) ia__gguf_arr_num(ty, i, &tt);
        if (tt == 3 && m->id2tok[i]) ctl[nctl++] = m->id2tok[i];
    }
    rc = ia__tokenizer_finish(t, ctl, nctl);
    ia_free(ctl);
    if (rc) return rc;
    t->clean_up_spaces = 0;
    t->pad_id = (int32_t)get_int(g, "tokenizer.ggml.padding_token_id", -1);
    if (t->pad_id < -1 || (uint64_t)(t->pad_id + 1) > tk->n) t->pad_id = -1;
    return IA_OK;
}

int ia__tokenizer_from_gguf(const void *buf, size_t n, ia_tokenizer **out) {
    *out = NULL;
    ia__gguf g;
    int rc = ia__gguf_parse(buf, n, &g);
    if (rc) return rc;
    ia_tokenizer *t = ia_calloc(1, sizeof *t);
    if (!t) { ia__gguf_free(&g); return NOMEM(); }
    ia__pretok_global_init();
    rc = build(t, &g);
    ia__gguf_free(&g);
    if (rc) { ia_tokenizer_destroy(t); return rc; }
    *out = t;
    return IA_OK;
}
