package tasks

import (
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
)

// BenchmarkSampleOffline builds one offline challenge (any task).
func BenchmarkSampleOffline(b *testing.B) {
	bk := offline(b)
	r := Default()
	for i := 0; i < b.N; i++ {
		if _, err := r.Sample(bg, uint64(i), bk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToolSolver answers one offline challenge over the embedded corpus.
func BenchmarkToolSolver(b *testing.B) {
	bk := offline(b)
	r := Default()
	s := NewToolSolver(pctx.Embedded())
	var qs []string
	for seed := uint64(0); seed < 64; seed++ {
		ch, err := r.Sample(bg, seed, bk)
		if err != nil {
			b.Fatal(err)
		}
		qs = append(qs, ch.Query)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Answer(qs[i%len(qs)])
	}
}
