#!/usr/bin/python3
"""Writes the seed corpus of fuzz_gguf (tests/fuzz/corpus/gguf/): small GGUF files with a "llama" and a
"gpt2" vocabulary, metadata of every value type (nested arrays included), and damaged variants."""
import os
import struct
import sys

U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
FMT = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?",
       U64: "<Q", I64: "<q", F64: "<d"}


def s(x):
    b = x.encode()
    return struct.pack("<Q", len(b)) + b


def val(t, v):
    if t == STR:
        return s(v)
    if t == ARR:
        at, items = v
        return struct.pack("<IQ", at, len(items)) + b"".join(val(at, i) for i in items)
    return struct.pack(FMT[t], v)


def gguf(kvs, tensors=(), version=3):
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += s(k) + struct.pack("<I", t) + val(t, v)
    for name, dims in tensors:
        out += s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", 0, 0)
    return out


def every_type():
    return [("t.u8", U8, 7), ("t.i8", I8, -7), ("t.u16", U16, 700), ("t.i16", I16, -700),
            ("t.u32", U32, 70000), ("t.i32", I32, -70000), ("t.f32", F32, 1.5), ("t.bool", BOOL, True),
            ("t.u64", U64, 1 << 40), ("t.i64", I64, -(1 << 40)), ("t.f64", F64, -2.25),
            ("t.str", STR, "h\u00e9llo"), ("t.arr", ARR, (ARR, [(I32, [1, 2]), (STR, ["a", "b"])]))]


def llama():
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    toks += ["\u2581", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "\u2581he", "\u2581hello", "\u2581w", "<user>"]
    scores = [0.0] * 259 + [-float(i) for i in range(len(toks) - 259)]
    types = [2, 3, 3] + [6] * 256 + [1] * (len(toks) - 260) + [4]
    return every_type() + [
        ("tokenizer.ggml.model", STR, "llama"), ("tokenizer.ggml.tokens", ARR, (STR, toks)),
        ("tokenizer.ggml.scores", ARR, (F32, scores)), ("tokenizer.ggml.token_type", ARR, (I32, types)),
        ("tokenizer.ggml.bos_token_id", U32, 1), ("tokenizer.ggml.eos_token_id", U32, 2),
        ("tokenizer.ggml.unknown_token_id", U32, 0), ("tokenizer.ggml.add_bos_token", BOOL, True),
        ("tokenizer.ggml.add_eos_token", BOOL, True), ("tokenizer.ggml.add_space_prefix", BOOL, True)]


def gpt2(pre):
    b2u = {}
    n = 0
    for b in range(256):
        if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255:
            b2u[b] = chr(b)
        else:
            b2u[b] = chr(256 + n)
            n += 1
    toks = [b2u[b] for b in range(256)] + ["\u0120h", "\u0120he", "ll", "\u0120hell", "o", "<|endoftext|>"]
    merges = ["\u0120 h", "\u0120h e", "l l", "\u0120he ll"]
    types = [1] * (len(toks) - 1) + [3]
    return [("general.architecture", STR, "gpt2"), ("tokenizer.ggml.model", STR, "gpt2"),
            ("tokenizer.ggml.pre", STR, pre), ("tokenizer.ggml.tokens", ARR, (STR, toks)),
            ("tokenizer.ggml.token_type", ARR, (I32, types)), ("tokenizer.ggml.merges", ARR, (STR, merges)),
            ("tokenizer.ggml.bos_token_id", U32, len(toks) - 1), ("tokenizer.ggml.eos_token_id", U32, len(toks) - 1)]


def bert():
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "\u2581hello", "\u2581world", "\u2581wor", "ld", "\u2581,", "\u2581!", "s"]
    types = [3, 2, 3, 3] + [1] * (len(toks) - 4)
    return [("tokenizer.ggml.model", STR, "bert"), ("tokenizer.ggml.pre", STR, "bert-bge"),
            ("tokenizer.ggml.tokens", ARR, (STR, toks)), ("tokenizer.ggml.token_type", ARR, (I32, types)),
            ("tokenizer.ggml.unknown_token_id", U32, 1), ("tokenizer.ggml.cls_token_id", U32, 2),
            ("tokenizer.ggml.seperator_token_id", U32, 3), ("tokenizer.ggml.padding_token_id", U32, 0)]


def gemma4():
    toks = ["<pad>", "<eos>", "<bos>", "<unk>"] + ["<0x%02X>" % b for b in range(256)]
    toks += ["\u2581", "h", "e", "l", "o", "\n", "\n\n", "\u2581h", "\u2581he", "ll", "\u2581hell"]
    merges = ["\u2581 h", "\u2581h e", "l l", "\u2581he ll", "\n \n"]
    types = [3, 3, 3, 2] + [6] * 256 + [1] * (len(toks) - 260)
    return [("tokenizer.ggml.model", STR, "gemma4"), ("tokenizer.ggml.pre", STR, "gemma4"),
            ("tokenizer.ggml.tokens", ARR, (STR, toks)), ("tokenizer.ggml.token_type", ARR, (I32, types)),
            ("tokenizer.ggml.merges", ARR, (STR, merges)), ("tokenizer.ggml.bos_token_id", U32, 2),
            ("tokenizer.ggml.eos_token_id", U32, 1), ("tokenizer.ggml.unknown_token_id", U32, 3)]


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    files = {
        "llama.gguf": gguf(llama(), [("tok_embd", [4, 8])]),
        "gpt2.gguf": gguf(gpt2("gpt-2")),
        "llama3.gguf": gguf(gpt2("llama-bpe")),
        "qwen2_v2.gguf": gguf(gpt2("qwen2"), version=2),
        "deepseek_llm.gguf": gguf(gpt2("deepseek-llm")),
        "unknown_pre.gguf": gguf(gpt2("no-such-pre")),
        "bert.gguf": gguf(bert()),
        "gemma4.gguf": gguf(gemma4()),
        "t5_model.gguf": gguf([("tokenizer.ggml.model", STR, "t5")]),
        "no_vocab.gguf": gguf(every_type()),
        "version1.gguf": gguf(every_type(), version=1),
        "bad_type.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + s("x") + struct.pack("<I", 13),
        "huge_count.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 62),
        "huge_array.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + s("a") + struct.pack("<IIQ", ARR, U8, 1 << 62),
        "huge_string.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 62),
        "empty.gguf": b"",
    }
    full = files["llama.gguf"]
    for cut in (3, 20, 40, len(full) // 2, len(full) - 1):
        files["llama_cut%d.gguf" % cut] = full[:cut]
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
