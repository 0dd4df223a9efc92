/* Tokenizer internals shared by the files of src/pipelines/tokenizers: string buffers and lists,
 * UTF-8 helpers, hash maps, regexes and the component structs a tokenizer is assembled from. */
#ifndef IA_TOK_INTERNAL_H
#define IA_TOK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "ia/alloc.h"
#include "ia/status.h"
#include "ia/tokenizer.h"

/* ---- growable byte string ---- */
typedef struct ia__sbuf {
    char *p;
    size_t n, cap;
} ia__sbuf;
int ia__sbuf_reserve(ia__sbuf *b, size_t extra);
int ia__sbuf_put(ia__sbuf *b, const char *s, size_t n);
int ia__sbuf_putc(ia__sbuf *b, char c);
int ia__sbuf_put_cp(ia__sbuf *b, uint32_t cp);
void ia__sbuf_free(ia__sbuf *b);

/* ---- list of strings: spans into one buffer ---- */
typedef struct ia__span {
    size_t off, len;
} ia__span;
typedef struct ia__slist {
    ia__sbuf buf;
    ia__span *v;
    size_t n, cap;
} ia__slist;
int ia__slist_push(ia__slist *l, const char *s, size_t n);
void ia__slist_clear(ia__slist *l);
void ia__slist_free(ia__slist *l);
static inline const char *ia__slist_str(const ia__slist *l, size_t i) { return l->buf.p + l->v[i].off; }

/* ---- UTF-8 ---- */
/* Decodes one code point of valid UTF-8 at s (n bytes left); returns its byte length. */
size_t ia__utf8_next(const char *s, size_t n, uint32_t *cp);
/* Byte length of the code point ending before position `end` (valid UTF-8). */
size_t ia__utf8_prev_len(const char *s, size_t end);
/* Replaces ill-formed sequences by U+FFFD the way the WHATWG (JavaScript TextDecoder) decoder
 * does (one U+FFFD per maximal subpart). Appends the result to out. */
int ia__utf8_sanitize(const char *s, size_t n, ia__sbuf *out);
int ia__utf8_valid(const char *s, size_t n);
/* JavaScript's \s / String.prototype.trim whitespace (WhiteSpace + LineTerminator). */
int ia__js_is_space(uint32_t cp);
/* Unicode White_Space property. */
int ia__uni_is_white_space(uint32_t cp);
/* Trims JS whitespace: sets [*b, *e) to the trimmed range of [b, e). */
void ia__js_trim(const char *s, size_t *b, size_t *e, int left, int right);

/* ---- hash maps ---- */
/* string -> int32 id; keys are copied into the map's own pool. */
typedef struct ia__strmap {
    uint32_t *slots; /* index+1 into entries, 0 = empty */
    size_t cap;      /* power of two */
    struct ia__strmap_entry {
        size_t off;
        uint32_t len;
        uint32_t hash;
        int32_t val;
    } *e;
    size_t n, ecap;
    ia__sbuf pool;
} ia__strmap;
int ia__strmap_put(ia__strmap *m, const char *k, size_t n, int32_t val); /* overwrites */
int ia__strmap_get(const ia__strmap *m, const char *k, size_t n, int32_t *val); /* 1 found, 0 not */
void ia__strmap_free(ia__strmap *m);

/* (uint32, uint32) -> (rank, merged id) */
typedef struct ia__pairmap {
    uint64_t *keys; /* 0 = empty; stored as key+1 */
    int32_t *rank, *merged;
    size_t cap, n;
} ia__pairmap;
int ia__pairmap_put(ia__pairmap *m, uint32_t a, uint32_t b, int32_t rank, int32_t merged); /* a repeated key takes the new value */
int ia__pairmap_get(const ia__pairmap *m, uint32_t a, uint32_t b, int32_t *rank, int32_t *merged);
void ia__pairmap_free(ia__pairmap *m);

/* ---- regexes (PCRE2, UTF + UCP, JIT) ---- */
typedef struct ia__regex ia__regex;
/* Compiles a pattern written for the Hugging Face tokenizers (Oniguruma flavour), rewritten the
 * way the JS reference does (\s = White_Space, ...). `literal` escapes the whole string. */
int ia__regex_compile(const char *pat, size_t n, int literal, int js_space, ia__regex **out);
void ia__regex_free(ia__regex *r);
/* Finds the next match at or after `start`; returns 1 with [*ms, *me), 0 when none, <0 on error. */
int ia__regex_find(const ia__regex *r, const char *s, size_t n, size_t start, size_t *ms, size_t *me);
/* Capture groups of the last ia__regex_find on this thread (0 = whole match). */
int ia__regex_group(const ia__regex *r, int g, size_t *gs, size_t *ge);
int ia__regex_ngroups(const ia__regex *r);
/* Replaces every match by `rep` (JS replaceAll with a string without $ patterns). */
int ia__regex_replace_all(const ia__regex *r, const char *s, size_t n, const char *rep, size_t rn, ia__sbuf *out);

/* ---- components ---- */
typedef enum {
    IA__N_NONE, IA__N_SEQUENCE, IA__N_NFC, IA__N_NFD, IA__N_NFKC, IA__N_NFKD, IA__N_LOWERCASE,
    IA__N_STRIP_ACCENTS, IA__N_BERT, IA__N_REPLACE, IA__N_PREPEND, IA__N_STRIP, IA__N_PRECOMPILED
} ia__norm_type;
typedef struct ia__normalizer {
    ia__norm_type type;
    struct ia__normalizer **kids;
    size_t nkids;
    ia__regex *re;
    char *content; /* Replace content / Prepend text */
    int clean_text, chinese, lowercase, strip_accents; /* Bert (strip_accents: -1 unset) */
    int left, right;                                     /* Strip */
} ia__normalizer;
int ia__normalize(const ia__normalizer *n, const char *s, size_t len, ia__sbuf *out);
void ia__normalizer_free(ia__normalizer *n);
/* JS String.prototype.toLowerCase on UTF-8. */
int ia__js_lowercase(const char *s, size_t n, ia__sbuf *out);

typedef enum {
    IA__P_SEQUENCE, IA__P_BYTELEVEL, IA__P_WHITESPACE, IA__P_WHITESPACE_SPLIT, IA__P_METASPACE,
    IA__P_SPLIT, IA__P_PUNCTUATION, IA__P_DIGITS, IA__P_BERT, IA__P_REPLACE, IA__P_FIXED_LENGTH
} ia__pre_type;
enum { IA__SPLIT_ISOLATED, IA__SPLIT_REMOVED, IA__SPLIT_MATCH_ONLY };
typedef struct ia__pretok {
    ia__pre_type type;
    struct ia__pretok **kids;
    size_t nkids;
    ia__regex *re;
    char *content;     /* Metaspace replacement, Replace content */
    int add_prefix_space, use_regex;
    int prepend;       /* Metaspace: 0 never, 1 first, 2 always */
    int split_mode;    /* Split */
    int individual;    /* Digits */
    size_t length;     /* FixedLength */
} ia__pretok;
/* Pre-tokenizes every string of `in` into `out`; section_index as in the JS reference. */
int ia__pretokenize(const ia__pretok *p, const ia__slist *in, int section_index, ia__slist *out);
void ia__pretok_free(ia__pretok *p);
int ia__pretok_global_init(void);

typedef enum { IA__M_BPE, IA__M_WORDPIECE, IA__M_UNIGRAM, IA__M_WORDLEVEL } ia__model_type;
typedef struct ia__model {
    ia__model_type type;
    ia__strmap tok2id;   /* vocab + added tokens */
    char **id2tok;       /* index = id; NULL where none */
    size_t nid, idcap;
    int32_t unk_id;      /* -1 none */
    char *unk_token;     /* NULL none */
    int fuse_unk, byte_fallback;
    int ignore_merges;   /* 1: a word that is a token stays whole; 2: only a word of newlines (llama.cpp's gemma4) */
    char *cont_prefix;   /* WordPiece continuing_subword_prefix */
    char *eow_suffix;    /* BPE end_of_word_suffix */
    char *cont_suffix;   /* BPE continuing_subword_suffix */
    size_t max_chars;    /* WordPiece */
    /* BPE: symbols are ids of `sym` (vocab ids first, then merge results missing from vocab) */
    ia__strmap sym;
    char **symstr;
    size_t nsym;
    ia__pairmap merges;
    int32_t byte_tok[256]; /* BPE byte_fallback: id of <0xXX>, -1 missing */
    /* Unigram */
    double *scores;
    double unk_score;
    int32_t uni_bos, uni_eos;
} ia__model;
/* Tokenizes pre-tokens into token strings (appended to out), applying fuse_unk. */
int ia__model_encode(const ia__model *m, const ia__slist *in, ia__slist *out);
int ia__bpe_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out);
int ia__bpe_prepare(ia__model *m);
int ia__wordpiece_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out);
int ia__unigram_encode_word(const ia__model *m, const char *w, size_t n, ia__slist *out);
int ia__model_set_id(ia__model *m, const char *tok, size_t n, int32_t id);
void ia__model_free(ia__model *m);

typedef struct ia__added {
    char *content;
    int32_t id;
    int single_word, lstrip, rstrip, normalized, special;
} ia__added;
/* Longest-match splitter over a set of strings (the JS reference's DictionarySplitter). */
typedef struct ia__splitter ia__splitter;
int ia__splitter_create(const char *const *words, const size_t *lens, size_t n, ia__splitter **out);
/* Splits s into sections (the gaps and the longest matches, in order) appended to out. */
int ia__splitter_split(const ia__splitter *sp, const char *s, size_t n, ia__slist *out);
void ia__splitter_free(ia__splitter *sp);

typedef enum { IA__PP_TEMPLATE, IA__PP_BERT, IA__PP_ROBERTA, IA__PP_BYTELEVEL, IA__PP_SEQUENCE } ia__pp_type;
typedef struct ia__pp_item {
    int is_special; /* else sequence */
    char *token;    /* special token string */
    int seq_b;      /* sequence B */
    int type_id;
} ia__pp_item;
typedef struct ia__postproc {
    ia__pp_type type;
    ia__pp_item *single, *pair;
    size_t nsingle, npair;
    char *cls, *sep;
    struct ia__postproc **kids;
    size_t nkids;
} ia__postproc;
/* a / b: token strings (b may be NULL); writes tokens into out and their type ids into *types
 * (allocated, out->n entries). */
int ia__postprocess(const ia__postproc *p, const ia__slist *a, const ia__slist *b, int add_special, ia__slist *out,
                    int32_t **types);
void ia__postproc_free(ia__postproc *p);

typedef enum {
    IA__D_BYTELEVEL, IA__D_WORDPIECE, IA__D_METASPACE, IA__D_BPE, IA__D_CTC, IA__D_SEQUENCE, IA__D_REPLACE,
    IA__D_FUSE, IA__D_STRIP, IA__D_BYTEFALLBACK
} ia__dec_type;
typedef struct ia__decoder {
    ia__dec_type type;
    struct ia__decoder **kids;
    size_t nkids;
    ia__regex *re;
    char *content, *prefix; /* Replace content / Strip content / Metaspace replacement / WordPiece prefix / BPE suffix / CTC pad */
    char *word_delim;
    int cleanup, start, stop;
} ia__decoder;
struct ia_tokenizer;
/* Runs the decoder chain over token strings (in place: `toks` is replaced by the chain's output). */
int ia__decode_chain(const struct ia_tokenizer *t, const ia__decoder *d, ia__slist *toks);
void ia__decoder_free(ia__decoder *d);
/* JS reference's clean_up_tokenization (" ." -> "." ...). */
int ia__clean_up_tokenization(const char *s, size_t n, ia__sbuf *out);

struct ia_tokenizer {
    ia__normalizer *norm;
    ia__pretok *pre;
    ia__model model;
    ia__postproc *post;
    ia__decoder *dec;
    ia__added *added;
    size_t nadded;
    ia__strmap added_map;  /* content (and normalized content) -> index into added */
    ia__strmap added_content; /* exact contents (the ByteLevel decoder passes them through) */
    ia__splitter *split_raw, *split_norm;
    char **special;        /* special token strings (for skip_special_tokens) */
    size_t nspecial;
    ia__strmap special_set;
    int remove_space, lower_remove_accent, clean_up_spaces;
    /* from tokenizer_config.json */
    int32_t pad_id;
    size_t model_max_length; /* 0 = unlimited */
    int pad_left, trunc_left;
};

/* Loaders (tokenizer_json.c, vocab_txt.c, gguf_vocab.c). */
int ia__tokenizer_from_json(const char *json, size_t n, const char *cfg, size_t cn, ia_tokenizer **out);
/* A GGUF file's embedded vocabulary (gguf_vocab.c). */
int ia__tokenizer_from_gguf(const void *buf, size_t n, ia_tokenizer **out);
int ia__tokenizer_from_vocab_txt(const char *txt, size_t n, const char *cfg, size_t cn, ia_tokenizer **out);
/* Finishes a tokenizer whose components are set: added-token maps, splitters, specials. */
int ia__tokenizer_finish(ia_tokenizer *t, const char *const *extra_special, size_t nextra);
int ia__tokenizer_apply_config(ia_tokenizer *t, const char *cfg, size_t cn);

int ia__read_file(const char *path, char **data, size_t *n);

#endif
