#!/usr/bin/python3
"""SentencePiece oracle for Llama-2-style tokenizer.json support.

Trains a tiny BPE SentencePiece model with Llama-2's settings (Debian
python3-sentencepiece; identity normalization, dummy prefix, byte fallback,
split digits), converts it to a Hugging Face tokenizer.json the way HF's
LlamaConverter does (Prepend+Replace normalizers, BPE with byte_fallback,
Replace/ByteFallback/Fuse/Strip decoders, <s> template), and records
SentencePiece's own encodings and decodings of varied text.
Writes spm_llama2_tokenizer.json and spm_golden.json.
Run:  /usr/bin/python3 gen_spm_golden.py
"""
import io
import json

import sentencepiece as spm

CORPUS = """The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.
Language models read tokens, and tokenizers turn text into tokens.
Training a small model on synthetic data is cheap; evaluating it is cheaper.
Validators score miners by the loss of their models on fresh prompts.
Numbers like 2024, 3.14159 and 42 appear in text too.
Questions? Answers! Lists: one, two, three.
Café, naïve and résumé keep their accents here.
""" * 20

model = io.BytesIO()
spm.SentencePieceTrainer.train(
    sentence_iterator=iter(CORPUS.splitlines()), model_writer=model,
    model_type="bpe", vocab_size=420, character_coverage=0.98,
    byte_fallback=True, split_digits=True, add_dummy_prefix=True,
    remove_extra_whitespaces=False, normalization_rule_name="identity",
    allow_whitespace_only_pieces=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
    num_threads=1, minloglevel=2)
sp = spm.SentencePieceProcessor(model_proto=model.getvalue())

n = sp.get_piece_size()
vocab = {sp.id_to_piece(i): i for i in range(n)}
scores = {sp.id_to_piece(i): sp.get_score(i) for i in range(n)}
merges = []
for piece, score in scores.items():
    local = []
    for k in range(1, len(piece)):
        l, r = piece[:k], piece[k:]
        if l in vocab and r in vocab:
            local.append((l, r, score))
    local.sort(key=lambda x: (vocab[x[0]], vocab[x[1]]))
    merges.extend(local)
merges.sort(key=lambda x: x[2], reverse=True)

special = lambda i, c: {"id": i, "content": c, "single_word": False, "lstrip": False,
                        "rstrip": False, "normalized": False, "special": True}
tok = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    "normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": "▁"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
    "pre_tokenizer": None,
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                  {"Sequence": {"id": "A", "type_id": 0}}],
                       "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
    "decoder": {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
    "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
              "continuing_subword_prefix": None, "end_of_word_suffix": None,
              "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
              "vocab": vocab, "merges": [l + " " + r for l, r, _ in merges]},
}
with open("spm_llama2_tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(tok, f, ensure_ascii=False)

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Validators score miners; tokenizers turn text into tokens!",
    "  leading spaces and   inner runs ",
    "Numbers 1234567 and 3.14159",
    "Café naïve résumé",
    "unseen: Ωμέγα 你好 🤖 zebra",
    "tabs\tand\nnewlines\n\nhere",
    "",
    "x",
    "<s> is literal text here",
]
cases = []
for t in TEXTS:
    ids = sp.encode(t, out_type=int)
    cases.append({"text": t, "ids": ids, "decoded": sp.decode(ids)})
with open("spm_golden.json", "w", encoding="utf-8") as f:
    json.dump({"cases": cases}, f, ensure_ascii=False, indent=1)
