#!/usr/bin/python3
"""Independent reference for BERT WordPiece (Debian python3, stdlib only).

Re-implements the original BERT tokenization.py logic (BasicTokenizer with
lower casing + WordpieceTokenizer) with Python's own unicodedata tables, and
writes bert_golden.json: a small vocab plus (text, tokens) pairs. Inputs avoid
characters where original BERT and Hugging Face's Rust BertNormalizer differ on
purpose (U+2028/U+2029 and U+001C..U+001F whitespace classification).
Run:  /usr/bin/python3 gen_bert_golden.py
"""
import json
import unicodedata

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         "the", "quick", "brown", "fox", "jump", "##s", "##ed", "##ing", "over", "lazy", "dog",
         "un", "##aff", "##able", "cafe", "naive", "resume", "hello", "world", "hi",
         "!", ",", ".", "?", "'", "\"", "-", "(", ")", "“", "”", "「", "」", "…", "¿",
         "a", "##b", "##c", "s", "t", "don", "i", "##m",
         "你", "好", "世", "界", "日", "本", "語",
         "αβγ", "привет", "мир", "zur", "##ich", "strasse", "stra", "##sse", "ß",
         "1", "##2", "##3", "12", "##4", "x", "##x", "m", "and", "—", "##ße",
         "tab", "here", "new", "line", "nbsp", "ideo", "zero", "##width", "soft", "##hyphen",
         "ctrl", "##bell", "##nul", "e", "combining", "emoji", "ok", "🤖"]


def is_whitespace(c):
    if c in " \t\n\r":
        return True
    return unicodedata.category(c) == "Zs"


def is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def is_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic(text):
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or is_control(c):
            continue
        out.append(" " if is_whitespace(c) else c)
    text = "".join(out)
    text = "".join(" %s " % c if is_cjk(ord(c)) else c for c in text)
    tokens = []
    for tok in text.strip().split():
        tok = tok.lower()
        tok = "".join(c for c in unicodedata.normalize("NFD", tok) if unicodedata.category(c) != "Mn")
        cur = []
        for c in tok:
            if is_punct(c):
                if cur:
                    tokens.append("".join(cur))
                    cur = []
                tokens.append(c)
            else:
                cur.append(c)
        if cur:
            tokens.append("".join(cur))
    return tokens


def wordpiece(tokens, vocab, max_chars=100):
    out = []
    for tok in tokens:
        chars = list(tok)
        if len(chars) > max_chars:
            out.append("[UNK]")
            continue
        start, sub, bad = 0, [], False
        while start < len(chars):
            end, cur = len(chars), None
            while start < end:
                s = "".join(chars[start:end])
                if start > 0:
                    s = "##" + s
                if s in vocab:
                    cur = s
                    break
                end -= 1
            if cur is None:
                bad = True
                break
            sub.append(cur)
            start = end
        out.extend(["[UNK]"] if bad else sub)
    return out


TEXTS = [
    "The QUICK brown fox jumps over the lazy dog.",
    "Unaffable, jumped; jumping!",
    "Café naïve résumé — ZÜRICH Straße",
    "你好世界 and 日本語!",
    "“hello” 「world」 … ¿hi?",
    "ΑΒΓ Привет, мир!",
    "don't I'm s t",
    "abc abcb abx",
    "1234 12 123",
    "tab\there\nnew\r\nline  \u00a0nbsp\u3000ideo",
    "zero\u200bwidth soft\u00adhyphen ctrl\x07bell\x00nul",
    "e\u0301 combining cafe\u0301",
    "emoji 🤖 fox🦊 ok",
    "x" * 120,
    "(hello)-world",
    "",
]

vocab = {t: i for i, t in enumerate(VOCAB)}
cases = [{"text": t, "tokens": wordpiece(basic(t), vocab)} for t in TEXTS]
with open("bert_golden.json", "w", encoding="utf-8") as f:
    json.dump({"vocab": VOCAB, "cases": cases}, f, ensure_ascii=False, indent=1)
