package competition

import (
	"encoding/json"
	"sync"

	"github.com/taonet/taonet/lm/tokenizer"
)

// ByteTokenizerName selects the built-in byte-level tokenizer: 256 byte
// tokens (GPT-2's byte-to-unicode alphabet, id = byte value, no merges) plus
// <|endoftext|> = 256. Its tiny vocabulary keeps localnet and test models
// small (a 2-layer d=32 model has ~30k parameters).
const ByteTokenizerName = "bytes"

// ByteTokenizerJSON is the tokenizer.json of the byte-level tokenizer.
func ByteTokenizerJSON() []byte {
	vocab := map[string]int{}
	for b, r := range byteUnicode() {
		vocab[string(r)] = b
	}
	doc := map[string]any{
		"version":    "1.0",
		"truncation": nil,
		"padding":    nil,
		"added_tokens": []any{map[string]any{"id": 256, "content": "<|endoftext|>", "single_word": false,
			"lstrip": false, "rstrip": false, "normalized": true, "special": true}},
		"normalizer":     nil,
		"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
		"post_processor": map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": "",
			"end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
			"vocab": vocab, "merges": []string{}},
	}
	b, _ := json.Marshal(doc) // map keys sorted: deterministic bytes
	return b
}

// byteUnicode is GPT-2's reversible byte → rune table.
func byteUnicode() [256]rune {
	var t [256]rune
	n := 0
	for b := 0; b < 256; b++ {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF {
			t[b] = rune(b)
		} else {
			t[b] = rune(256 + n)
			n++
		}
	}
	return t
}

var byteTok = sync.OnceValues(func() (*tokenizer.Tokenizer, error) { return tokenizer.FromJSON(ByteTokenizerJSON()) })

// ByteTokenizer returns the built-in byte-level tokenizer.
func ByteTokenizer() (*tokenizer.Tokenizer, error) { return byteTok() }
