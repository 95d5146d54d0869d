package scoring

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkComputeWins is the scoring cost of one step: 8 models × 400 samples.
func BenchmarkComputeWins(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	ms := make([]Model, 8)
	for i := range ms {
		ms[i] = Model{UID: uint16(i), Block: uint64(i), Losses: make([]float64, 400)}
		for j := range ms[i].Losses {
			ms[i].Losses[j] = 1 + rng.Float64()
		}
	}
	eps := func(uint64) float64 { return 0.01 }
	for b.Loop() {
		ComputeWins(ms, eps)
	}
}
