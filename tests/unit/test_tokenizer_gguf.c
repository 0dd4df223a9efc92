/* GGUF reader and GGUF vocabularies: every metadata value type, every truncation and damaged header
 * fails cleanly, unsupported models are named, a "llama" vocabulary round-trips text. */
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "pipelines/tokenizers/gguf.h"
#include "unit.h"

typedef struct { unsigned char *p; size_t n, cap; } buf;
static void put(buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) { b->cap = (b->n + n) * 2 + 64; b->p = realloc(b->p, b->cap); }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void u32(buf *b, uint32_t v) { unsigned char c[4] = {v, v >> 8, v >> 16, v >> 24}; put(b, c, 4); }
static void u64(buf *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }
static void str(buf *b, const char *s) { u64(b, strlen(s)); put(b, s, strlen(s)); }
static void key(buf *b, const char *k, uint32_t type) { str(b, k); u32(b, type); }

/* a "llama" vocabulary: <unk> <s> </s>, 256 byte tokens, pieces with descending scores, one user token */
static const char *pieces[] = {"\xE2\x96\x81", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "\xE2\x96\x81he",
                               "\xE2\x96\x81hello", "\xE2\x96\x81w", "<user>"};
#define NP (sizeof pieces / sizeof *pieces)
#define NTOK (3 + 256 + NP)
static buf llama_file(uint32_t version, int with_every_type) {
    buf b = {0};
    put(&b, "GGUF", 4);
    u32(&b, version);
    u64(&b, 0);
    u64(&b, 6 + (with_every_type ? 13 : 0));
    if (with_every_type) {
        unsigned char x8 = 0xF9;
        key(&b, "t.u8", IA__GGUF_U8); put(&b, &x8, 1);
        key(&b, "t.i8", IA__GGUF_I8); put(&b, &x8, 1);
        key(&b, "t.u16", IA__GGUF_U16); put(&b, "\x10\x27", 2);
        key(&b, "t.i16", IA__GGUF_I16); put(&b, "\xF0\xD8", 2);
        key(&b, "t.u32", IA__GGUF_U32); u32(&b, 70000);
        key(&b, "t.i32", IA__GGUF_I32); u32(&b, (uint32_t)-70000);
        float f = 1.5f; uint32_t fb; memcpy(&fb, &f, 4);
        key(&b, "t.f32", IA__GGUF_F32); u32(&b, fb);
        key(&b, "t.bool", IA__GGUF_BOOL); put(&b, "\x01", 1);
        key(&b, "t.u64", IA__GGUF_U64); u64(&b, (uint64_t)1 << 40);
        key(&b, "t.i64", IA__GGUF_I64); u64(&b, (uint64_t)-((int64_t)1 << 40));
        double d = -2.25; uint64_t db; memcpy(&db, &d, 8);
        key(&b, "t.f64", IA__GGUF_F64); u64(&b, db);
        key(&b, "t.str", IA__GGUF_STRING); str(&b, "h\xC3\xA9llo");
        key(&b, "t.nested", IA__GGUF_ARRAY); u32(&b, IA__GGUF_ARRAY); u64(&b, 2);
        u32(&b, IA__GGUF_I16); u64(&b, 2); put(&b, "\x01\x00\xFF\xFF", 4);
        u32(&b, IA__GGUF_STRING); u64(&b, 1); str(&b, "x");
    }
    key(&b, "tokenizer.ggml.model", IA__GGUF_STRING); str(&b, "llama");
    key(&b, "tokenizer.ggml.tokens", IA__GGUF_ARRAY); u32(&b, IA__GGUF_STRING); u64(&b, NTOK);
    str(&b, "<unk>"); str(&b, "<s>"); str(&b, "</s>");
    for (int i = 0; i < 256; i++) { char t[8]; snprintf(t, sizeof t, "<0x%02X>", i); str(&b, t); }
    for (size_t i = 0; i < NP; i++) str(&b, pieces[i]);
    key(&b, "tokenizer.ggml.scores", IA__GGUF_ARRAY); u32(&b, IA__GGUF_F32); u64(&b, NTOK);
    for (size_t i = 0; i < NTOK; i++) { float s = i < 259 ? 0.0f : -(float)(i - 259); uint32_t sb; memcpy(&sb, &s, 4); u32(&b, sb); }
    key(&b, "tokenizer.ggml.token_type", IA__GGUF_ARRAY); u32(&b, IA__GGUF_I32); u64(&b, NTOK);
    for (size_t i = 0; i < NTOK; i++) u32(&b, i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : i == NTOK - 1 ? 4 : 1);
    key(&b, "tokenizer.ggml.bos_token_id", IA__GGUF_U32); u32(&b, 1);
    key(&b, "tokenizer.ggml.add_bos_token", IA__GGUF_BOOL); put(&b, "\x01", 1);
    return b;
}

TEST(every_value_type) {
    buf b = llama_file(3, 1);
    ia__gguf g;
    CHECK(ia__gguf_parse(b.p, b.n, &g) == IA_OK);
    CHECK(g.nkv == 19 && g.version == 3);
    int64_t v;
    double d;
    const char *s;
    size_t n;
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.u8"), &v) && v == 0xF9);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.i8"), &v) && v == -7);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.u16"), &v) && v == 10000);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.i16"), &v) && v == -10000);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.u32"), &v) && v == 70000);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.i32"), &v) && v == -70000);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.bool"), &v) && v == 1);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.u64"), &v) && v == (int64_t)1 << 40);
    CHECK(ia__gguf_int(ia__gguf_find(&g, "t.i64"), &v) && v == -((int64_t)1 << 40));
    CHECK(!ia__gguf_int(ia__gguf_find(&g, "t.f32"), &v) && !ia__gguf_int(ia__gguf_find(&g, "t.str"), &v));
    CHECK(ia__gguf_str(ia__gguf_find(&g, "t.str"), &s, &n) && n == 6 && !memcmp(s, "h\xC3\xA9llo", 6));
    const ia__gguf_kv *nest = ia__gguf_find(&g, "t.nested");
    CHECK(nest && nest->type == IA__GGUF_ARRAY && nest->atype == IA__GGUF_ARRAY && nest->n == 2);
    const ia__gguf_kv *sc = ia__gguf_find(&g, "tokenizer.ggml.scores");
    CHECK(ia__gguf_arr_num(sc, 260, &d) && d == -1.0);
    CHECK(!ia__gguf_arr_num(sc, NTOK, &d));
    CHECK(!ia__gguf_find(&g, "t.missing"));
    ia__gguf_free(&g);
    free(b.p);
}

TEST(every_truncation_fails_cleanly) {
    buf b = llama_file(3, 1);
    for (size_t cut = 0; cut < b.n; cut += cut < 400 ? 1 : 97) {
        ia_tokenizer *t = (ia_tokenizer *)1;
        int rc = ia_tokenizer_load_gguf(b.p, cut, &t);
        CHECK_MSG(rc == IA_ERR_PARSE && t == NULL, "cut %zu: rc %d", cut, rc);
    }
    free(b.p);
}

TEST(damaged_headers) {
    ia_tokenizer *t;
    buf b = llama_file(1, 0);
    CHECK(ia_tokenizer_load_gguf(b.p, b.n, &t) == IA_ERR_UNSUPPORTED && strstr(ia_last_error(), "version 1"));
    free(b.p);
    b = llama_file(3, 0);
    b.p[0] = 'X';
    CHECK(ia_tokenizer_load_gguf(b.p, b.n, &t) == IA_ERR_PARSE && strstr(ia_last_error(), "magic"));
    free(b.p);
    /* unknown value type */
    buf c = {0};
    put(&c, "GGUF", 4); u32(&c, 3); u64(&c, 0); u64(&c, 1); key(&c, "k", 13); u64(&c, 0);
    CHECK(ia_tokenizer_load_gguf(c.p, c.n, &t) == IA_ERR_PARSE && strstr(ia_last_error(), "unknown type 13"));
    /* an array claiming more elements than the file holds */
    c.n = 0;
    put(&c, "GGUF", 4); u32(&c, 3); u64(&c, 0); u64(&c, 1); key(&c, "k", IA__GGUF_ARRAY); u32(&c, IA__GGUF_STRING); u64(&c, (uint64_t)1 << 61);
    CHECK(ia_tokenizer_load_gguf(c.p, c.n, &t) == IA_ERR_PARSE && strstr(ia_last_error(), "runs past the end"));
    /* arrays nested five deep */
    c.n = 0;
    put(&c, "GGUF", 4); u32(&c, 3); u64(&c, 0); u64(&c, 1); key(&c, "k", IA__GGUF_ARRAY);
    for (int i = 0; i < 5; i++) { u32(&c, IA__GGUF_ARRAY); u64(&c, 1); }
    u32(&c, IA__GGUF_U8); u64(&c, 0);
    CHECK(ia_tokenizer_load_gguf(c.p, c.n, &t) == IA_ERR_PARSE && strstr(ia_last_error(), "nested too deep"));
    /* a vocabulary of an unsupported model */
    c.n = 0;
    put(&c, "GGUF", 4); u32(&c, 3); u64(&c, 0); u64(&c, 1); key(&c, "tokenizer.ggml.model", IA__GGUF_STRING); str(&c, "t5");
    CHECK(ia_tokenizer_load_gguf(c.p, c.n, &t) == IA_ERR_UNSUPPORTED && strstr(ia_last_error(), "\"t5\""));
    /* no vocabulary at all */
    c.n = 0;
    put(&c, "GGUF", 4); u32(&c, 3); u64(&c, 0); u64(&c, 0);
    CHECK(ia_tokenizer_load_gguf(c.p, c.n, &t) == IA_ERR_PARSE && strstr(ia_last_error(), "no tokenizer.ggml.model"));
    free(c.p);
}

TEST(llama_vocab_round_trip) {
    buf b = llama_file(3, 1);
    ia_tokenizer *t;
    CHECK(ia_tokenizer_load_gguf(b.p, b.n, &t) == IA_OK);
    free(b.p);
    if (!t) return;
    static const char text[] = "hello wor<user>ld \xC3\xA9!";
    ia_encoding e;
    CHECK(ia_tokenizer_encode(t, text, sizeof text - 1, NULL, &e) == IA_OK);
    CHECK(e.len > 2 && e.ids[0] == 1);                                 /* BOS from add_bos_token */
    int user = 0, bytes = 0;
    for (size_t i = 0; i < e.len; i++) { user += e.ids[i] == (int32_t)NTOK - 1; bytes += e.ids[i] >= 3 && e.ids[i] < 259; }
    CHECK(user == 1);   /* the user-defined token is matched in the text */
    CHECK(bytes == 3);  /* é and ! fall back to bytes */
    char *s;
    size_t n;
    CHECK(ia_tokenizer_decode(t, e.ids, e.len, 1, &s, &n) == IA_OK);
    /* BOS skipped (control tokens are special); after a user-defined token the text is prefixed with a
     * space again, as llama.cpp does, so that space comes back */
    CHECK_MSG(!strcmp(s, "hello wor<user> ld \xC3\xA9!"), "decoded \"%s\"", s);
    ia_free(s);
    ia_encoding_free(&e);
    /* a pair: [BOS] A [BOS] B, B's tokens with type id 1 */
    ia_encode_opts o = {.pair = "hello"};
    CHECK(ia_tokenizer_encode(t, "hello", 5, &o, &e) == IA_OK);
    CHECK_MSG(e.len == 4 && e.ids[0] == 1 && e.ids[2] == 1 && e.type_ids[0] == 0 && e.type_ids[3] == 1 && e.ids[1] == e.ids[3],
              "len %zu", e.len);
    ia_encoding_free(&e);
    ia_tokenizer_destroy(t);
}

UNIT_MAIN(CASE(every_value_type), CASE(every_truncation_fails_cleanly), CASE(damaged_headers), CASE(llama_vocab_round_trip))
