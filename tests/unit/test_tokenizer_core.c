/* Tokenizer unit tests: loading errors (malformed, truncated, unknown types), UTF-8 repair, round
 * trips, added tokens, truncation and padding, on small tokenizers written here. */
#include <stdlib.h>
#include <string.h>
#include "ipfs_accelerate.h"
#include "unit.h"

/* A tiny byte-level BPE: every byte is a token (GPT-2 byte alphabet), merges "h e", "he l"... */
static char *bytelevel_json(void) {
    static char buf[65536];
    char *p = buf;
    p += sprintf(p, "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":300,\"content\":\"<|end|>\",\"special\":true,"
                    "\"normalized\":false,\"lstrip\":false,\"rstrip\":false,\"single_word\":false}],"
                    "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":true},"
                    "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<|end|>\",\"type_id\":0}},"
                    "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[]},"
                    "\"decoder\":{\"type\":\"ByteLevel\"},\"model\":{\"type\":\"BPE\",\"vocab\":{");
    int n = 0;
    for (int b = 0; b < 256; b++) {
        unsigned cp;
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) cp = (unsigned)b;
        else cp = 256 + (unsigned)n++;
        char u[16];
        if (cp < 0x80) {
            if (cp == '"' || cp == '\\') sprintf(u, "\\%c", (char)cp); else sprintf(u, "%c", (char)cp);
        } else {
            sprintf(u, "\\u%04x", cp);
        }
        p += sprintf(p, "%s\"%s\":%d", b ? "," : "", u, b);
    }
    p += sprintf(p, ",\"he\":256,\"hel\":257,\"hell\":258,\"hello\":259},\"merges\":[\"h e\",\"he l\",\"hel l\",\"hell o\"]}}");
    return buf;
}

static ia_tokenizer *load(const char *json) {
    ia_tokenizer *t = NULL;
    if (ia_tokenizer_load_json(json, strlen(json), NULL, 0, &t)) return NULL;
    return t;
}

TEST(bytelevel_roundtrip) {
    ia_tokenizer *t = load(bytelevel_json());
    CHECK_MSG(t != NULL, "%s", ia_last_error());
    if (!t) return;
    const char *texts[] = {"hello world", "héllo  wörld\t🎉 你好", "", "  leading and trailing  ", "a<|end|>b"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ia_encoding e;
        ia_encode_opts o = {.no_special_tokens = 1};
        CHECK(ia_tokenizer_encode(t, texts[i], strlen(texts[i]), &o, &e) == IA_OK);
        char *s = NULL;
        size_t n = 0;
        CHECK(ia_tokenizer_decode(t, e.ids, e.len, 0, &s, &n) == IA_OK);
        CHECK_MSG(s && n == strlen(texts[i]) && !memcmp(s, texts[i], n), "'%s' -> '%s'", texts[i], s ? s : "(null)");
        ia_free(s);
        ia_encoding_free(&e);
    }
    /* "hello" merges to one token; the added token splits the text and keeps its id */
    ia_encoding e;
    CHECK(ia_tokenizer_encode(t, "hello<|end|>hello", 17, NULL, &e) == IA_OK);
    CHECK(e.len == 4 && e.ids[0] == 300 && e.ids[1] == 259 && e.ids[2] == 300 && e.ids[3] == 259);
    ia_encoding_free(&e);
    ia_tokenizer_destroy(t);
}

TEST(invalid_utf8_becomes_replacement_char) {
    ia_tokenizer *t = load(bytelevel_json());
    if (!t) { CHECK(0); return; }
    /* ill-formed input encodes like U+FFFD text (one per maximal subpart) */
    const char bad[] = "a\xe2\x82z\xff";
    const char good[] = "a\xEF\xBF\xBDz\xEF\xBF\xBD";
    ia_encoding e1, e2;
    ia_encode_opts o = {.no_special_tokens = 1};
    CHECK(ia_tokenizer_encode(t, bad, sizeof bad - 1, &o, &e1) == IA_OK);
    CHECK(ia_tokenizer_encode(t, good, sizeof good - 1, &o, &e2) == IA_OK);
    CHECK(e1.len == e2.len && !memcmp(e1.ids, e2.ids, e1.len * sizeof *e1.ids));
    ia_encoding_free(&e1);
    ia_encoding_free(&e2);
    ia_tokenizer_destroy(t);
}

TEST(truncation_and_padding) {
    const char *cfg = "{\"pad_token\":\"<|end|>\"}";
    const char *json = bytelevel_json();
    ia_tokenizer *t = NULL;
    CHECK(ia_tokenizer_load_json(json, strlen(json), cfg, strlen(cfg), &t) == IA_OK);
    if (!t) return;
    CHECK(ia_tokenizer_pad_id(t) == 300);
    ia_encoding full, e;
    ia_encode_opts o = {.no_special_tokens = 1};
    CHECK(ia_tokenizer_encode(t, "abcdef", 6, &o, &full) == IA_OK);
    o.max_length = 3;
    CHECK(ia_tokenizer_encode(t, "abcdef", 6, &o, &e) == IA_OK);
    CHECK(e.len == 3 && !memcmp(e.ids, full.ids, 3 * sizeof *e.ids));
    ia_encoding_free(&e);
    o.truncate_left = 1;
    CHECK(ia_tokenizer_encode(t, "abcdef", 6, &o, &e) == IA_OK);
    CHECK(e.len == 3 && !memcmp(e.ids, full.ids + full.len - 3, 3 * sizeof *e.ids));
    ia_encoding_free(&e);
    ia_encode_opts p = {.no_special_tokens = 1, .pad_to = 10, .pad_left = 1};
    CHECK(ia_tokenizer_encode(t, "abcdef", 6, &p, &e) == IA_OK);
    CHECK(e.len == 10 && e.ids[0] == 300 && e.attention_mask[0] == 0 && e.attention_mask[9] == 1 && e.ids[9] == full.ids[full.len - 1]);
    ia_encoding_free(&e);
    ia_encoding_free(&full);
    ia_tokenizer_destroy(t);
}

TEST(malformed_files_fail_cleanly) {
    const char *json = bytelevel_json();
    size_t n = strlen(json);
    ia_tokenizer *t = NULL;
    /* every truncation of a valid file is an error, never a crash */
    for (size_t cut = 0; cut < n; cut += (cut < 600 ? 1 : 97)) {
        int rc = ia_tokenizer_load_json(json, cut, NULL, 0, &t);
        CHECK_MSG(rc == IA_ERR_PARSE && t == NULL, "cut %zu: rc %d", cut, rc);
        if (rc == IA_OK) ia_tokenizer_destroy(t);
    }
    CHECK(strstr(ia_last_error(), "tokenizer.json") != NULL);
    const char *unknown = "{\"normalizer\":null,\"pre_tokenizer\":null,\"post_processor\":null,\"decoder\":null,"
                          "\"model\":{\"type\":\"Quantum\",\"vocab\":{}}}";
    CHECK(ia_tokenizer_load_json(unknown, strlen(unknown), NULL, 0, &t) == IA_ERR_UNSUPPORTED);
    CHECK(strstr(ia_last_error(), "Quantum") != NULL);
    const char *badnorm = "{\"normalizer\":{\"type\":\"Frobnicate\"},\"pre_tokenizer\":null,\"post_processor\":null,\"decoder\":null,"
                          "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0},\"unk_token\":\"a\"}}";
    CHECK(ia_tokenizer_load_json(badnorm, strlen(badnorm), NULL, 0, &t) == IA_ERR_UNSUPPORTED);
    const char *missing = "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{}}}";
    CHECK(ia_tokenizer_load_json(missing, strlen(missing), NULL, 0, &t) == IA_ERR_PARSE);
    const char *badre = "{\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(unclosed\"},\"behavior\":\"Isolated\",\"invert\":false},"
                        "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0}}}";
    CHECK(ia_tokenizer_load_json(badre, strlen(badre), NULL, 0, &t) == IA_ERR_PARSE);
    const char *badid = "{\"normalizer\":null,\"pre_tokenizer\":null,\"post_processor\":null,\"decoder\":null,"
                        "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":-5}}}";
    CHECK(ia_tokenizer_load_json(badid, strlen(badid), NULL, 0, &t) == IA_ERR_PARSE);
    CHECK(ia_tokenizer_load("/nonexistent/tokenizer.json", &t) == IA_ERR_IO);
}

TEST(wordlevel_and_unk) {
    const char *json = "{\"normalizer\":{\"type\":\"Lowercase\"},\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
                       "\"post_processor\":null,\"decoder\":null,"
                       "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"hello\":1,\"world\":2},\"unk_token\":\"[UNK]\"}}";
    ia_tokenizer *t = load(json);
    CHECK(t != NULL);
    if (!t) return;
    ia_encoding e;
    CHECK(ia_tokenizer_encode(t, "Hello  big WORLD", 16, NULL, &e) == IA_OK);
    CHECK(e.len == 3 && e.ids[0] == 1 && e.ids[1] == 0 && e.ids[2] == 2);
    char *s;
    size_t n;
    CHECK(ia_tokenizer_decode(t, e.ids, e.len, 0, &s, &n) == IA_OK);
    CHECK(!strcmp(s, "hello [UNK] world")); /* no decoder: tokens joined by spaces */
    ia_free(s);
    ia_encoding_free(&e);
    ia_tokenizer_destroy(t);
}

UNIT_MAIN(CASE(bytelevel_roundtrip), CASE(invalid_utf8_becomes_replacement_char), CASE(truncation_and_padding),
          CASE(malformed_files_fail_cleanly), CASE(wordlevel_and_unk))
