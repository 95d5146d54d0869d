package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	tiktoken "github.com/tiktoken-go/tokenizer"
)

// benchCorpus is ~200 KB of pseudo-words (mostly distinct, so the word cache
// rarely hits), punctuation, digits, newlines and some non-ASCII.
func benchCorpus() string {
	rng := rand.New(rand.NewPCG(1, 2))
	syl := []string{"ka", "to", "ri", "mon", "sel", "the", "qu", "ix", "ber", "ān", "ö", "str", "ing", "ed", "ly", "über", "ção"}
	var sb strings.Builder
	for sb.Len() < 200_000 {
		n := 1 + rng.IntN(4)
		for i := 0; i < n; i++ {
			sb.WriteString(syl[rng.IntN(len(syl))])
		}
		switch r := rng.IntN(20); {
		case r == 0:
			sb.WriteString(". ")
		case r == 1:
			sb.WriteString(",\n")
		case r == 2:
			sb.WriteString(" 1984 ")
		default:
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

func benchEncode(b *testing.B, enc func(string)) {
	text := benchCorpus()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		enc(text)
	}
}

func BenchmarkCorpusGPT2(b *testing.B) {
	tok := gpt2(b)
	benchEncode(b, func(s string) { tok.EncodeOrdinary(s) })
}

func BenchmarkCorpusTiktokenR50k(b *testing.B) {
	c := r50k(b)
	benchEncode(b, func(s string) { c.Encode(s) })
}

func BenchmarkCorpusLlama3Style(b *testing.B) {
	tok, err := cl100kOnce()
	if err != nil {
		b.Fatal(err)
	}
	benchEncode(b, func(s string) { tok.EncodeOrdinary(s) })
}

func BenchmarkCorpusTiktokenCl100k(b *testing.B) {
	c, _ := tiktoken.Get(tiktoken.Cl100kBase)
	benchEncode(b, func(s string) { c.Encode(s) })
}

func BenchmarkGPT2Load(b *testing.B) {
	for b.Loop() {
		buildGPT2()
	}
}
