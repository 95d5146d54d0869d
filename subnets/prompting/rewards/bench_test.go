package rewards

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/embed"
)

// benchCompletions builds n distinct completions of about 150 words from
// the embedded corpus, and a reference of about 120 words.
func benchCompletions(n int) (string, []Completion) {
	secs := pctx.Embedded().Sections()
	ref := secs[0].Content + " " + secs[1].Content
	out := make([]Completion, n)
	for i := range out {
		a, b := secs[i%len(secs)], secs[(i*7+3)%len(secs)]
		out[i] = Completion{Text: fmt.Sprintf("Answer %d: %s %s", i, a.Content, b.Content), ChunkTokens: []int{12, 12, 12, 40}}
	}
	return ref, out
}

func benchEmbedder(b *testing.B) embed.Embedder {
	if p := embed.DefaultWinkPath(); fileExists(p) {
		wv, err := embed.LoadWinkCached(p, 0)
		if err == nil {
			return wv
		}
	}
	b.Log("wink vectors not installed: using a toy table")
	return bagEmbedder{}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// BenchmarkScore256 scores one validator step of 256 completions per task.
func BenchmarkScore256(b *testing.B) {
	ref, comps := benchCompletions(256)
	e := benchEmbedder(b)
	code := strings.Repeat("func f(x int) int {\n\tif x > 0 {\n\t\treturn x * 2\n\t}\n\treturn -x\n}\n", 8)
	codeComps := make([]Completion, 256)
	for i := range codeComps {
		codeComps[i] = Completion{Text: strings.Replace(code, "x * 2", fmt.Sprintf("x * %d", i), 1+i%5)}
	}
	mathComps := make([]Completion, 256)
	for i := range mathComps {
		mathComps[i] = Completion{Text: fmt.Sprintf("Let me work it out step by step. First 12 * 3 = 36, then add %d. The answer is %d.", i, 36+i)}
	}
	cases := []struct {
		task, ref string
		comps     []Completion
	}{
		{"qa", ref, comps}, {"summarization", ref, comps}, {"date_qa", "May 15, 1889", comps},
		{"math", "40", mathComps}, {"debugging", code, codeComps},
	}
	for _, c := range cases {
		d, _ := ForTask(c.task)
		in := Input{Definition: d, Reference: c.ref, Challenge: "Tell me about the Eiffel Tower and when it opened, please.", Completions: c.comps}
		b.Run(c.task, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Score(context.Background(), e, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRougeL(b *testing.B) {
	ref, comps := benchCompletions(1)
	for i := 0; i < b.N; i++ {
		RougeLF(ref, comps[0].Text)
	}
}
