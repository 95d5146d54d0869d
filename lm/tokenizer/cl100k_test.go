package tokenizer

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	tiktoken "github.com/tiktoken-go/tokenizer"
	"pgregory.net/rapid"
)

// cl100kPattern is tiktoken's cl100k_base split pattern, which Llama-3's
// tokenizer.json also uses (as a Split pre-tokenizer before ByteLevel).
const cl100kPattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

var cl100kOnce = sync.OnceValues(func() (*Tokenizer, error) {
	c, err := tiktoken.Get(tiktoken.Cl100kBase)
	if err != nil {
		return nil, err
	}
	data, err := llama3StyleJSON(c, 100256)
	if err != nil {
		return nil, err
	}
	return FromJSON(data)
})

// llama3StyleJSON converts a tiktoken rank table into a Llama-3-shaped HF
// tokenizer.json: merges are recovered the way HF's converter does (a token's
// merge is the last pair left when BPE-ing its bytes with lower ranks only).
func llama3StyleJSON(c tiktoken.Codec, n int) ([]byte, error) {
	toks := make([][]byte, n)
	rank := make(map[string]int, n)
	for i := 0; i < n; i++ {
		s, err := c.Decode([]uint{uint(i)})
		if err != nil {
			return nil, err
		}
		toks[i] = []byte(s)
		rank[s] = i
	}
	var merges []string
	for r, tok := range toks {
		if len(tok) < 2 {
			continue
		}
		parts := make([][]byte, len(tok))
		for i := range tok {
			parts[i] = tok[i : i+1]
		}
		for len(parts) > 2 {
			best, bestRank := -1, r
			for i := 0; i+1 < len(parts); i++ {
				if rr, ok := rank[string(parts[i])+string(parts[i+1])]; ok && rr < bestRank {
					best, bestRank = i, rr
				}
			}
			if best < 0 {
				break
			}
			parts[best] = append(append([]byte(nil), parts[best]...), parts[best+1]...)
			parts = append(parts[:best+1], parts[best+2:]...)
		}
		if len(parts) == 2 {
			merges = append(merges, byteLevelString(string(parts[0]))+" "+byteLevelString(string(parts[1])))
		}
	}
	vocab := make(map[string]int, n)
	for i, t := range toks {
		vocab[byteLevelString(string(t))] = i
	}
	var b bytes.Buffer
	b.WriteString(`{"version":"1.0","added_tokens":[{"id":100257,"content":"<|endoftext|>","special":true}],"normalizer":null,`)
	pre, _ := json.Marshal(map[string]any{"type": "Sequence", "pretokenizers": []any{
		map[string]any{"type": "Split", "pattern": map[string]string{"Regex": cl100kPattern}, "behavior": "Isolated", "invert": false},
		map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
	}})
	b.WriteString(`"pre_tokenizer":`)
	b.Write(pre)
	b.WriteString(`,"post_processor":{"type":"ByteLevel"},"decoder":{"type":"ByteLevel"},"model":{"type":"BPE","ignore_merges":true,"vocab":`)
	writeVocab(&b, vocab)
	mj, _ := json.Marshal(merges)
	b.WriteString(`,"merges":`)
	b.Write(mj)
	b.WriteString("}}")
	return b.Bytes(), nil
}

// TestLlama3StyleMatchesCl100k: a Split(regexp2)+ByteLevel+ignore_merges
// pipeline over cl100k's vocabulary agrees with tiktoken's cl100k_base.
func TestLlama3StyleMatchesCl100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100k-token vocabulary")
	}
	tok, err := cl100kOnce()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := tiktoken.Get(tiktoken.Cl100kBase)
	check := func(s string) bool {
		got, want := tok.Encode(s), oracle(t, c, s)
		if !slices.Equal(got, want) {
			t.Errorf("Encode(%q)\n got %v\nwant %v", s, got, want)
			return false
		}
		if d := tok.Decode(got); d != s {
			t.Errorf("Decode(Encode(%q)) = %q", s, d)
			return false
		}
		return true
	}
	for _, s := range varied {
		if strings.Contains(s, "<|endoftext|>") || oracleNewlineDefect(s) {
			continue
		}
		check(s)
	}
	check("HELLO'S 'LL it'S 1234567 x\r\n\r\n  y")
	// tiktoken-go v0.10.0's generated matcher treats \s*[\r\n]+ as if \s*
	// could not cross a newline, so it splits "\n \n" into "\n"," \n".
	// A backtracking engine (Python's re agrees) takes "\n \n" whole, and
	// cl100k's vocab has that very token (27907), which its BPE training could
	// only have produced from such pieces. So we check ours directly here and
	// keep such whitespace runs out of the oracle comparison.
	if got := tok.Encode("a\n \nb"); !slices.Equal(got, []int{64, 27907, 65}) {
		t.Errorf(`Encode("a\n \nb") = %v, want [64 27907 65]`, got)
	}
	rapid.Check(t, func(rt *rapid.T) {
		s := rapid.StringOf(rapid.RuneFrom([]rune{' ', '\n', '\r', '\t', 'a', 'B', '\'', 's', 'L', '1', '2', '!', 'é', '😀', '\u3000', '.'})).Draw(rt, "s")
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0x7f) || oracleNewlineDefect(s) {
			rt.Skip()
		}
		if !check(s) {
			rt.Fatalf("mismatch on %q", s)
		}
	})
}

// oracleNewlineDefect reports a whitespace run holding newline, other
// whitespace, newline: where tiktoken-go's cl100k split is wrong (see above).
func oracleNewlineDefect(s string) bool {
	nl, gap := false, false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			if gap {
				return true
			}
			nl = true
		case unicode.IsSpace(r):
			gap = nl
		default:
			nl, gap = false, false
		}
	}
	return false
}
