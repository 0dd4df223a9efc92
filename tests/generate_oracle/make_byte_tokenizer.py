#!/usr/bin/env python3
"""Writes a 256-token byte-level BPE tokenizer.json (GPT-2 byte-to-unicode alphabet, no merges) that
fits the vocabulary of the llama_decoder fixtures, for the --prompt path of `text generate`.
Usage: make_byte_tokenizer.py OUT/tokenizer.json"""
import json
import sys


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


m = bytes_to_unicode()
vocab = {m[b]: b for b in range(256)}
tok = {
    "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": None,
    "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": []},
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(tok, f, ensure_ascii=False)
