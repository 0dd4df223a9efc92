/* Fuzz target: encoding arbitrary bytes (and decoding arbitrary ids) with small tokenizers of every
 * model kind; the first byte picks the tokenizer. */
#include <stdint.h>
#include <string.h>
#include "ipfs_accelerate.h"

static const char *const jsons[] = {
    /* byte-level BPE behind a LLaMA-3 style Split regex, with an lstrip/rstrip added token */
    "{\"added_tokens\":[{\"id\":9,\"content\":\"<|x|>\",\"special\":true,\"lstrip\":true,\"rstrip\":true}],\"normalizer\":{\"type\":\"NFC\"},"
    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":"
    "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
    "\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":false}]},"
    "\"post_processor\":{\"type\":\"ByteLevel\"},\"decoder\":{\"type\":\"ByteLevel\"},"
    "\"model\":{\"type\":\"BPE\",\"ignore_merges\":true,\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"\\u0120\":3,\"\\u0120a\":4,\"c\":5},\"merges\":[\"a b\",\"\\u0120 a\",\"ab c\"]}}",
    /* SentencePiece-style BPE with byte fallback (LLaMA-2 layout) */
    "{\"added_tokens\":[{\"id\":0,\"content\":\"<unk>\",\"special\":true},{\"id\":1,\"content\":\"<s>\",\"special\":true}],"
    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"\\u2581\"},{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\\u2581\"}]},"
    "\"pre_tokenizer\":null,\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[]},"
    "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\\u2581\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]},"
    "\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true,\"vocab\":{\"<unk>\":0,\"<s>\":1,\"<0x41>\":2,\"<0xC3>\":3,\"<0xA9>\":4,\"\\u2581\":5,\"h\":6,\"i\":7,\"hi\":8,\"\\u2581hi\":9},\"merges\":[\"h i\",\"\\u2581 hi\"]}}",
    /* BERT WordPiece */
    "{\"added_tokens\":[{\"id\":0,\"content\":\"[UNK]\",\"special\":true},{\"id\":1,\"content\":\"[CLS]\",\"special\":true},{\"id\":2,\"content\":\"[SEP]\",\"special\":true}],"
    "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},"
    "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":{\"type\":\"BertProcessing\",\"cls\":[\"[CLS]\",1],\"sep\":[\"[SEP]\",2]},"
    "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
    "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":20,\"vocab\":{\"[UNK]\":0,\"[CLS]\":1,\"[SEP]\":2,\"he\":3,\"##llo\":4,\"!\":5,\"\\u4f60\":6}}}",
    /* Unigram behind Metaspace, NFKC, Digits and Punctuation */
    "{\"added_tokens\":[],\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true},{\"type\":\"StripAccents\"}]},"
    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},{\"type\":\"Punctuation\"},{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\"}]},"
    "\"post_processor\":null,\"decoder\":{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\"},"
    "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0],[\"\\u2581\",-2],[\"a\",-3],[\"ab\",-2.5],[\"b\",-3],[\"\\u2581ab\",-4],[\"1\",-5]]}}",
};
#define NJ (sizeof jsons / sizeof jsons[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ia_tokenizer *toks[NJ];
    static int ready;
    if (!ready) {
        for (size_t i = 0; i < NJ; i++)
            if (ia_tokenizer_load_json(jsons[i], strlen(jsons[i]), NULL, 0, &toks[i]) != IA_OK) __builtin_trap();
        ready = 1;
    }
    if (!size) return 0;
    ia_tokenizer *t = toks[data[0] % NJ];
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    ia_encoding e;
    ia_encode_opts o = {.no_special_tokens = data[0] & 0x80, .pair = (data[0] & 0x40) ? "pair text" : NULL};
    if (ia_tokenizer_encode(t, text, n, &o, &e) == IA_OK) {
        char *s;
        size_t sl;
        if (ia_tokenizer_decode(t, e.ids, e.len, data[0] & 0x20, &s, &sl) == IA_OK) ia_free(s);
        ia_encoding_free(&e);
    }
    /* the same bytes as ids, valid or not */
    int32_t ids[64];
    size_t k = n / 4 < 64 ? n / 4 : 64;
    memcpy(ids, text, k * 4);
    char *s;
    size_t sl;
    if (ia_tokenizer_decode(t, ids, k, 0, &s, &sl) == IA_OK) ia_free(s);
    return 0;
}
