package rewards

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// bagEmbedder embeds a text as counts of a few fixed words: enough to make
// relevance values computable by hand.
type bagEmbedder struct{ fail bool }

var bagWords = []string{"cat", "dog", "mat", "sun"}

func (b bagEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if b.fail {
		return nil, errors.New("down")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, len(bagWords))
		for _, w := range strings.Fields(t) {
			for j, bw := range bagWords {
				if w == bw {
					v[j]++
				}
			}
		}
		out[i] = v
	}
	return out, nil
}

func TestScoreCombination(t *testing.T) {
	def, _ := ForTask("qa")
	in := Input{
		Definition: def,
		Reference:  "cat mat",
		Challenge:  "where is the cat",
		Completions: []Completion{
			{Text: "cat mat"}, // rouge1 1, relevance 1, overlap with challenge {cat}
			{Text: ""},        // non-responder
			{Text: "dog sun", ChunkTokens: []int{300}},  // no overlap, streaming penalty 0.25
			{Text: "cat mat", ChunkTokens: []int{1, 2}}, // same as first, small chunks
		},
	}
	res, err := Score(context.Background(), bagEmbedder{}, in)
	if err != nil {
		t.Fatal(err)
	}
	r1 := 2 / (2 + 1e-8)
	// overlap rouge1(challenge, "cat mat"): challenge set {where,is,the,cat}=4, comp {cat,mat}=2, overlap 1
	p, r := 1.0/4, 1.0/2
	ov := 2 * (p * r) / (p + r + 1e-8)
	want0 := (0.5*r1 + 0.5*1) * (1 - 0.5*ov)
	if !near(res[0].Total, want0, 1e-12) {
		t.Errorf("total0=%v want %v", res[0].Total, want0)
	}
	if res[1].Total != 0 {
		t.Errorf("empty completion scored %v", res[1].Total)
	}
	if res[2].Total != 0 { // no overlap with reference, relevance: cos 0 → 0
		t.Errorf("unrelated completion scored %v", res[2].Total)
	}
	if res[3].Total != res[0].Total {
		t.Errorf("chunking changed score: %v vs %v", res[3].Total, res[0].Total)
	}
	in.Completions[3].ChunkTokens = []int{201}
	res, _ = Score(context.Background(), bagEmbedder{}, in)
	if !near(res[3].Total, want0*(1-0.2*0.25), 1e-12) {
		t.Errorf("streaming penalty not applied: %v", res[3].Total)
	}
	if _, err := Score(context.Background(), bagEmbedder{fail: true}, in); err == nil {
		t.Error("embedder error swallowed")
	}
	if _, err := Score(context.Background(), nil, in); err == nil {
		t.Error("relevance without embedder accepted")
	}
	math0, _ := ForTask("math")
	res, err = Score(context.Background(), nil, Input{Definition: math0, Reference: "42", Completions: []Completion{{Text: "it is 42"}}})
	if err != nil || res[0].Total != 1 {
		t.Errorf("math: %v %v", res, err)
	}
}

func TestUpdateScores(t *testing.T) {
	s := []float64{0.5, 0.5, 0.0005, 0}
	got, err := UpdateScores(s, []int{0, 3}, []float64{1, math.NaN()}, DefaultAlpha, DefaultDecay)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.1*1 + 0.9*0.5 - 0.001, 0.5 - 0.001, 0, 0}
	for i := range want {
		if !near(got[i], want[i], 1e-15) {
			t.Errorf("score[%d]=%v want %v", i, got[i], want[i])
		}
	}
	if s[0] != 0.5 {
		t.Error("input modified")
	}
	for _, bad := range []struct {
		uids []int
		r    []float64
	}{{[]int{4}, []float64{1}}, {[]int{0, 0}, []float64{1, 1}}, {[]int{0}, nil}, {[]int{-1}, []float64{0}}} {
		if _, err := UpdateScores(s, bad.uids, bad.r, 0.1, 0.001); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

func TestWeights(t *testing.T) {
	w := NormalizeWeights([]float64{1, 3, 0, math.NaN()})
	if w[0] != 0.25 || w[1] != 0.75 || w[2] != 0 || w[3] != 0 {
		t.Errorf("got %v", w)
	}
	if z := NormalizeWeights([]float64{0, 0}); z[0] != 0 || z[1] != 0 {
		t.Errorf("zeros → %v", z)
	}
	rs := ResyncScores([]float64{0.1, 0.2, 0.3}, []string{"a", "b", "c"}, []string{"a", "x", "c", "d"})
	if rs[0] != 0.1 || rs[1] != 0 || rs[2] != 0.3 || rs[3] != 0 || len(rs) != 4 {
		t.Errorf("resync %v", rs)
	}
	if ShouldSetWeights(0, 1000, 0, 100) || ShouldSetWeights(5, 150, 50, 100) || !ShouldSetWeights(5, 151, 50, 100) {
		t.Error("should_set_weights")
	}
}

func TestBestAndChunks(t *testing.T) {
	if Best(nil) != -1 || Best([]Result{{Total: 0}}) != -1 {
		t.Error("no positive result must give -1")
	}
	if got := Best([]Result{{Total: 0.2}, {Total: 0.7}, {Total: 0.7}}); got != 1 {
		t.Errorf("best %d", got)
	}
	got := ChunkTokens([]string{"a b", "", "c d e"}, func(s string) int { return len(strings.Fields(s)) })
	if len(got) != 3 || got[0] != 2 || got[1] != 0 || got[2] != 3 {
		t.Errorf("%v", got)
	}
}
