// Package tokenizer owns text tokenization for the language-model engine:
// loading and saving Hugging Face tokenizer.json files for byte-level BPE
// (GPT-2, Llama-3 style) and WordPiece (BERT), the GPT-2 tokenizer built from
// the embedded GPT-2 vocabulary, and the fixed chat templates used to format
// (prompt, response) pairs.
//
// Supported tokenizer.json components (anything else is rejected with an error
// naming it):
//   - model: BPE (byte-level or rune-level, merges as "a b" strings or ["a","b"]
//     pairs, unk_token, byte_fallback, ignore_merges) and WordPiece.
//   - normalizer: BertNormalizer, Lowercase, StripAccents, NFC, NFD, NFKC, NFKD,
//     Prepend, Replace, Strip, Sequence, null.
//   - pre_tokenizer: ByteLevel (GPT-2 regex via a hand-written scanner),
//     Split with the Llama-3/cl100k pattern (hand-written scanner), other
//     Split (regex via regexp2 with lookaround, or literal string; behaviors
//     Isolated, Removed, MergedWithPrevious, MergedWithNext), BertPreTokenizer,
//     Whitespace, WhitespaceSplit, Digits, Punctuation, Metaspace, Sequence,
//     null.
//   - post_processor: TemplateProcessing, BertProcessing, RobertaProcessing,
//     ByteLevel (no-op on ids), Sequence, null. Applied only by
//     EncodeWithSpecialTokens; Encode returns the bare tokens.
//   - decoder: ByteLevel, WordPiece, Replace, ByteFallback, Fuse, Strip,
//     Metaspace, Sequence, null.
//
// So GPT-2, Llama-3 (checked against tiktoken's r50k and cl100k), BERT
// (checked against a Python BERT tokenizer) and Llama-2-style SentencePiece
// BPE tokenizer.json files (checked against SentencePiece) load. truncation and
// padding are kept on Save but not applied; added tokens' single_word and
// normalized flags are ignored (all are matched on the raw text).
//
// Added tokens are split out of the raw text before normalization (longest
// match first, honouring lstrip/rstrip); EncodeOrdinary skips that step so
// untrusted text cannot inject special tokens.
//
// Chat templates: no Jinja is evaluated. FormatChat/EncodeChat apply the fixed
// per-family templates taonet fine-tunes with (gpt2, llama, bert).
// DetectChatStyle recognizes the common tokenizer_config.json chat_template
// styles (Llama-3, ChatML, Llama-2) and RenderChat reproduces their output for
// plain-text system/user/assistant messages; DetectChatFamily maps a template
// to the closest FormatChat family.
package tokenizer
