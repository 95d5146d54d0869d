package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLlama2StyleMatchesSentencePiece: a Llama-2-style tokenizer.json
// (converted from a SentencePiece BPE model as HF's LlamaConverter does)
// encodes and decodes exactly like SentencePiece itself (golden file from
// Debian's python3-sentencepiece, testdata/gen_spm_golden.py).
func TestLlama2StyleMatchesSentencePiece(t *testing.T) {
	tok, err := Load("testdata/spm_llama2_tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/spm_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Text    string `json:"text"`
			IDs     []int  `json:"ids"`
			Decoded string `json:"decoded"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		got := tok.EncodeOrdinary(c.Text)
		if !slices.Equal(got, c.IDs) && !(len(got) == 0 && len(c.IDs) == 0) {
			t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
		}
		if d := tok.Decode(c.IDs); d != c.Decoded {
			t.Errorf("Decode(%v) = %q, want %q", c.IDs, d, c.Decoded)
		}
		// Streaming decode reassembles byte-fallback characters.
		sd := tok.NewStreamDecoder()
		var sb strings.Builder
		for _, id := range c.IDs {
			sb.WriteString(sd.Add(id))
		}
		sb.WriteString(sd.Flush())
		if sb.String() != c.Decoded {
			t.Errorf("stream decode of %q = %q", c.Text, sb.String())
		}
	}
	if bos, ok := tok.BOS(); !ok || bos != 1 {
		t.Fatalf("BOS %d", bos)
	}
	if eos, ok := tok.EOS(); !ok || eos != 2 {
		t.Fatalf("EOS %d", eos)
	}
	if got := tok.EncodeWithSpecialTokens("x"); !slices.Equal(got, []int{1, 379, 400}) {
		t.Fatalf("with BOS: %v", got)
	}
	// An added token splits the text; the segment after it gets no dummy
	// prefix from Metaspace "first" but does from the Prepend normalizer (as
	// HF's legacy Llama tokenizer.json behaves).
	if got := tok.Encode("x</s>x"); !slices.Equal(got, []int{379, 400, 2, 379, 400}) {
		t.Fatalf("added split: %v", got)
	}
}

func TestMetaspace(t *testing.T) {
	cases := []struct {
		scheme  string
		atStart bool
		in      string
		want    []string
	}{
		{"always", false, "hi there", []string{"▁hi", "▁there"}},
		{"first", true, "hi there", []string{"▁hi", "▁there"}},
		{"first", false, "hi there", []string{"hi", "▁there"}},
		{"never", true, " a  b", []string{"▁a", "▁", "▁b"}},
	}
	for _, c := range cases {
		pre, _ := json.Marshal(map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": c.scheme, "split": true})
		steps, _, _, err := buildPreTokenizer(pre, "p", c.atStart)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		chain(steps, c.in, func(p string) { got = append(got, p) })
		if !slices.Equal(got, c.want) {
			t.Errorf("%s/%v %q: %q, want %q", c.scheme, c.atStart, c.in, got, c.want)
		}
	}
}
