package rewards

import (
	"context"
	"math"
	"strings"
	"testing"
)

func FuzzModels(f *testing.F) {
	f.Add("The cat sat. On the mat.", "the cat. sat on a mat", "where is the cat?")
	f.Add("January 5, 1999", "5 Jan 1999\xff\xfe", "")
	f.Add("42", "sqrt(((((((1764)))))))", "")
	f.Add("positive", strings.Repeat("neutral ", 100), "x")
	f.Add("....", "  . . . ", ".")
	f.Fuzz(func(t *testing.T, ref, comp, challenge string) {
		defs := []string{"qa", "summarization", "date_qa", "math", "sentiment", "debugging", "generic", "translation"}
		for _, task := range defs {
			d, _ := ForTask(task)
			res, err := Score(context.Background(), bagEmbedder{}, Input{Definition: d, Reference: ref, Challenge: challenge,
				Completions: []Completion{{Text: comp, ChunkTokens: []int{len(comp)}}}})
			if err != nil {
				t.Fatal(err)
			}
			for name, v := range res[0].Rewards {
				if math.IsNaN(v) || v < 0 || v > 1 {
					t.Fatalf("%s/%s = %v", task, name, v)
				}
			}
			if v := res[0].Total; math.IsNaN(v) || v < 0 || v > 1+1e-12 {
				t.Fatalf("%s total %v", task, v)
			}
		}
	})
}

func FuzzEvalExpr(f *testing.F) {
	for _, s := range []string{"1+2*3", "((2))**-3", "√(16)", "pi/2", "1e308*10", "---5", "sqrt(", "(((((("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := EvalExpr(s)
		if err == nil && math.IsNaN(v) {
			t.Fatal("NaN without error")
		}
	})
}

func FuzzFindDate(f *testing.F) {
	f.Add("On 31/31/2000. Then February 30, 2001 or 1 Sept 99999.")
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := FindDate(s); ok && d.Text == "" {
			t.Fatal("empty date text")
		}
	})
}

// Hostile completions (huge, binary, deeply nested) are scored, not fatal,
// and cost bounded work because they are cut to MaxCompletionBytes.
func TestHostileCompletions(t *testing.T) {
	huge := strings.Repeat("word ", 2_000_000) // 10 MB
	bin := string([]byte{0xff, 0xfe, 0x00, 0x80, 0xc3})
	nested := strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000)
	for _, task := range []string{"qa", "summarization", "date_qa", "math", "debugging", "sentiment"} {
		d, _ := ForTask(task)
		res, err := Score(context.Background(), bagEmbedder{}, Input{Definition: d, Reference: "reference text 1999", Challenge: "q",
			Completions: []Completion{{Text: huge}, {Text: bin}, {Text: nested}, {Text: strings.Repeat("9", 1<<20)}}})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if math.IsNaN(r.Total) || r.Total < 0 || r.Total > 1 {
				t.Fatalf("%s completion %d: %v", task, i, r.Total)
			}
		}
	}
}
