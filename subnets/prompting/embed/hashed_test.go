package embed

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestHashed(t *testing.T) {
	h := Hashed{Dim: 64}
	vs, err := h.Embed(context.Background(), []string{
		"The Eiffel Tower is in Paris.",
		"the eiffel tower, in PARIS",
		"Photosynthesis converts light into chemical energy.",
		"",
		strings.Repeat("word ", 100_000),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if len(v) != 64 || math.Abs(n-1) > 1e-5 {
			t.Fatalf("vector %d: len %d, norm² %v", i, len(v), n)
		}
	}
	same, other := Cosine(vs[0], vs[1]), Cosine(vs[0], vs[2])
	if same < 0.9 || other > same-0.3 {
		t.Fatalf("cosine(same words) = %.3f, cosine(other words) = %.3f", same, other)
	}
	again, _ := h.Embed(context.Background(), []string{"The Eiffel Tower is in Paris."})
	for j := range again[0] {
		if again[0][j] != vs[0][j] {
			t.Fatal("not deterministic")
		}
	}
	if _, err := (Hashed{Dim: 1}).Embed(context.Background(), []string{"x"}); err == nil {
		t.Fatal("Dim 1 accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Embed(ctx, []string{"x"}); err == nil {
		t.Fatal("cancelled context ignored")
	}
}
