package model

import (
	"fmt"
	"sort"
	"strings"
)

// GPT2Vocab is the GPT-2 tokenizer's vocabulary size used by the presets.
const GPT2Vocab = 50257

// gpt2EOS is GPT-2's <|endoftext|> id, BOS and EOS of the presets.
const gpt2EOS = 50256

type preset struct {
	hidden, layers, heads, kvHeads, ffn, maxPos int
	untied                                      bool // Llama: separate lm_head
}

// presets are scaled-down (and full) configurations per architecture.
// "15m" ≈ 16M parameters with the GPT-2 vocabulary (4 layers, width 256);
// the small Llamas tie their embeddings (as Llama 3.2 does), 124m does not.
var presets = map[Arch]map[string]preset{
	GPT2: {
		"tiny":  {64, 2, 4, 4, 256, 256, false},
		"small": {256, 4, 4, 4, 1024, 512, false},
		"15m":   {256, 4, 4, 4, 1024, 512, false},
		"124m":  {768, 12, 12, 12, 3072, 1024, false},
	},
	Llama: {
		"tiny":  {64, 2, 4, 2, 176, 256, false},
		"small": {256, 4, 8, 4, 688, 512, false},
		"15m":   {256, 4, 8, 4, 688, 512, false},
		"124m":  {768, 12, 12, 4, 2048, 1024, true},
		"1.1b":  {2048, 22, 32, 4, 5632, 2048, true}, // TinyLlama-1.1B's shape (GPT-2 vocabulary: 1.17B)
	},
	BERT: {
		"tiny":  {64, 2, 4, 4, 256, 256, false},
		"small": {256, 4, 4, 4, 1024, 512, false},
		"15m":   {256, 4, 4, 4, 1024, 512, false},
		"110m":  {768, 12, 12, 12, 3072, 512, false},
	},
}

// PresetSizes lists the size names available for an architecture.
func PresetSizes(a Arch) []string {
	var out []string
	for k := range presets[a] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Preset returns a configuration of architecture a at a named size, with the
// GPT-2 vocabulary and <|endoftext|> as BOS/EOS.
func Preset(a Arch, size string) (Config, error) {
	sizes, ok := presets[a]
	if !ok {
		return Config{}, fmt.Errorf("model: unknown architecture %q (want gpt2, llama or bert)", a)
	}
	p, ok := sizes[strings.ToLower(size)]
	if !ok {
		return Config{}, fmt.Errorf("model: unknown size %q for %s (want one of %s)", size, a, strings.Join(PresetSizes(a), ", "))
	}
	c := Config{Arch: a, VocabSize: GPT2Vocab, Hidden: p.hidden, Layers: p.layers, Heads: p.heads, KVHeads: p.kvHeads,
		HeadDim: p.hidden / p.heads, FFN: p.ffn, MaxPos: p.maxPos, BOS: gpt2EOS, EOS: gpt2EOS, Pad: -1}
	switch a {
	case GPT2:
		c.NormEps, c.TieEmbeddings = 1e-5, true
	case Llama:
		c.NormEps, c.RopeTheta, c.TieEmbeddings = 1e-5, 10000, !p.untied
	case BERT:
		c.NormEps, c.TypeVocab, c.Pad, c.BOS, c.EOS = 1e-12, 2, 0, -1, -1
	}
	return c, c.Validate()
}
