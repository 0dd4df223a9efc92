#!/usr/bin/env python3
"""Writes the tokenizer test corpus: N varied lines (default 3200) from a fixed seed, one per line,
no '\\n' inside a line. Usage: gen_corpus.py OUT [N]"""
import random
import sys

R = random.Random(20240607)

WORDS = ("the quick brown fox jumps over lazy dog tokenizer merges vocabulary model weights don't "
         "can't I'm we're they've you'll she'd it's HELLO World Über naïve café résumé coöperate "
         "Straße façade jalapeño piñata smörgåsbord Ångström").split()
GREEK = "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο ΣΟΦΙΑ σοφίας λόγος Ὀδυσσεύς".split()
CYR = "Съешь же ещё этих мягких французских булок да выпей чаю Москва ПРИВЕТ".split()
ARABIC = "السلام عليكم ورحمة الله وبركاته مرحبا بالعالم الذكاء الاصطناعي".split()
HINDI = "नमस्ते दुनिया यह एक परीक्षण वाक्य है कृत्रिम बुद्धिमत्ता हिन्दी".split()
CJK = ["你好世界", "机器学习模型", "我们今天去公园散步", "中华人民共和国", "東京都", "日本語のテキスト",
       "ひらがな", "カタカナ", "こんにちは世界", "안녕하세요", "세계", "한국어 토크나이저", "𠮷野家", "龍"]
EMOJI = ["😀", "🎉", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇫🇷", "👩🏻‍💻", "🧑‍🚀", "✨", "🙂", "🤖", "1️⃣"]
SPECIAL = ["<s>", "</s>", "<unk>", "<|endoftext|>", "<|begin_of_text|>", "<|im_start|>", "<|im_end|>",
           "[CLS]", "[SEP]", "[MASK]", "[PAD]", "<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>", "<pad>",
           "<|eot_id|>", "<0x41>", "<|reserved_special_token_5|>", "<mask>"]
CODE = ["def f(x):\treturn x**2 + 1", "for (int i = 0; i < n; i++) { a[i] += b[i]; }",
        "if __name__ == '__main__': main()", "const x = {a: 1, 'b': [2, 3]};", "SELECT * FROM t WHERE id=42;",
        "#include <stdio.h>", "x->y = &z; // pointer", "println!(\"{:?}\", v);", "$ ls -la | grep foo",
        "<div class=\"x\">Hi &amp; bye</div>", "lambda s: s.strip().split(',')", "a_b_c = 0x1F & ~0b1010"]
COMBINING = ["e\u0301", "a\u0300\u0316", "n\u0303", "o\u0308\u0304", "\u0915\u094D\u0937", "Z\u0351\u036B\u0343\u036A",
             "\u1100\u1161\u11A8", "A\u030A", "i\u0307", "\u05E9\u05C1\u05B8"]
SPACES = [" ", "  ", "   ", "\t", " \t ", "\u00A0", "\u2003", "\u3000", "\u200B", "\u2028", "\r", "\u000B",
          "\u000C", "\u0085", "\uFEFF", "    "]
PUNCT = list(".,;:!?'\"()[]{}-—–…«»¿¡/\\@#$%^&*_+=|~`<>")


def number():
    k = R.randint(0, 5)
    if k == 0: return str(R.randint(0, 10 ** R.randint(1, 12)))
    if k == 1: return f"{R.uniform(-1e4, 1e4):.{R.randint(0, 6)}f}"
    if k == 2: return f"{R.randint(1, 9999):,}"
    if k == 3: return f"{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(0, 255)}"
    if k == 4: return f"{R.random():.3e}"
    return "٣٤٥" if R.random() < 0.5 else "१२३४"


def piece():
    k = R.random()
    if k < 0.30: return R.choice(WORDS)
    if k < 0.36: return R.choice(GREEK)
    if k < 0.42: return R.choice(CYR)
    if k < 0.47: return R.choice(ARABIC)
    if k < 0.52: return R.choice(HINDI)
    if k < 0.60: return R.choice(CJK)
    if k < 0.66: return R.choice(EMOJI)
    if k < 0.72: return number()
    if k < 0.78: return "".join(R.choice(PUNCT) for _ in range(R.randint(1, 4)))
    if k < 0.82: return R.choice(SPECIAL)
    if k < 0.86: return R.choice(COMBINING)
    if k < 0.89: return "".join(R.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(R.randint(20, 80)))
    if k < 0.92: return R.choice(WORDS).upper()
    if k < 0.95: return chr(R.choice([R.randint(0x21, 0x7E), R.randint(0xA1, 0x24F), R.randint(0x370, 0x3FF),
                                      R.randint(0x400, 0x4FF), R.randint(0x3041, 0x30FF), R.randint(0xAC00, 0xD7A3),
                                      R.randint(0x4E00, 0x9FFF), R.randint(0x1F300, 0x1F64F)]))
    return R.choice(CODE)


def line(i):
    kind = i % 10
    if kind == 0:
        return R.choice(CODE) + R.choice(["", "  # comment", "\t\t", " ;"])
    if kind == 1:
        return "".join(R.choice(SPACES) + piece() for _ in range(R.randint(1, 8))) + R.choice(["", " ", "   ", "\t"])
    if kind == 2:
        return R.choice(SPECIAL) + piece() + " " + R.choice(SPECIAL) + " " + piece() + R.choice(SPECIAL)
    if kind == 3:
        return " ".join(number() for _ in range(R.randint(1, 6)))
    s = []
    for _ in range(R.randint(1, 14)):
        s.append(piece())
        s.append(R.choice([" ", " ", " ", "", ", ", ". ", "  ", R.choice(SPACES)]))
    return "".join(s).rstrip(" ") if R.random() < 0.5 else "".join(s)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3200
    lines = [line(i) for i in range(n)]
    lines[0] = ""
    lines[1] = " "
    lines[2] = "Hello world"
    lines[3] = " Hello world"
    lines[4] = "a" * 700
    lines[5] = "\u00e9" * 300 + " " + "🎉" * 50
    # ill-formed UTF-8: both sides see what a JavaScript TextDecoder makes of these bytes
    bad = [b"abc\xff\xfedef", b"\xe2\x82 euro cut", b"\xf0\x9f\x98 emoji cut", b"\xc0\xaf overlong",
           b"\xed\xa0\x80 surrogate", b"tail \xe4\xbd", b"\x80\x80\x80", b"ok \xf4\x90\x80\x80 beyond"]
    with open(out, "wb") as f:
        for l in lines:
            assert "\n" not in l
            f.write(l.encode("utf-8") + b"\n")
        for b in bad:
            f.write(b + b"\n")


if __name__ == "__main__":
    main()
