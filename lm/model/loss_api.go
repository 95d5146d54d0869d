package model

import (
	"fmt"
	"math"
)

// Sample is one sequence to score: Tokens, and Mask[i] set when token i is
// scored (predicted from Tokens[:i]); Mask[0] is ignored. For a (prompt,
// response) pair the mask covers the response tokens only.
type Sample struct {
	Tokens []int
	Mask   []bool
}

// SampleLosses returns, for each sample, the mean negative log-likelihood of
// its scored tokens (in nats), summed in float64 in position order. Samples
// are run in groups of `batch` (right-padded to the group's longest sample;
// padding never affects earlier positions of a causal model). With the
// built-in Sgemm (fixed per-element summation order) the result for a sample
// is bit-identical whatever the batch size, grouping or thread count; an
// optional run-time BLAS (kernels.UseBLAS) gives no such guarantee.
func (m *Model) SampleLosses(samples []Sample, batch int) ([]float64, error) {
	if m.Config.Arch == BERT {
		return nil, errBERTNoLM
	}
	if batch <= 0 {
		batch = 1
	}
	for i, s := range samples {
		if len(s.Tokens) != len(s.Mask) {
			return nil, fmt.Errorf("model: sample %d: %d tokens but %d mask entries", i, len(s.Tokens), len(s.Mask))
		}
		if len(s.Tokens) < 2 {
			return nil, fmt.Errorf("model: sample %d: needs at least 2 tokens", i)
		}
		if m.Config.Arch != Llama && len(s.Tokens) > m.Config.MaxPos {
			return nil, fmt.Errorf("model: sample %d: %d tokens exceed the model's %d positions", i, len(s.Tokens), m.Config.MaxPos)
		}
		scored := false
		for _, b := range s.Mask[1:] {
			scored = scored || b
		}
		if !scored {
			return nil, fmt.Errorf("model: sample %d has no scored token", i)
		}
	}
	out := make([]float64, len(samples))
	for lo := 0; lo < len(samples); lo += batch {
		group := samples[lo:min(lo+batch, len(samples))]
		T := 0
		for _, s := range group {
			T = max(T, len(s.Tokens))
		}
		B := len(group)
		tokens := make([]int, B*T)
		targets := make([]int, B*T)
		for b, s := range group {
			for t := 0; t < T; t++ {
				targets[b*T+t] = -1
				if t < len(s.Tokens) {
					tokens[b*T+t] = s.Tokens[t]
				}
				if t+1 < len(s.Tokens) && s.Mask[t+1] {
					targets[b*T+t] = s.Tokens[t+1]
				}
			}
		}
		nll, err := m.TokenNLL(tokens, targets, B, T)
		if err != nil {
			return nil, fmt.Errorf("model: samples %d..%d: %w", lo, lo+B-1, err)
		}
		for b := range group {
			var sum float64
			n := 0
			for t := 0; t < T; t++ {
				if targets[b*T+t] >= 0 {
					sum += float64(nll[b*T+t])
					n++
				}
			}
			out[lo+b] = sum / float64(n)
			if math.IsNaN(out[lo+b]) || math.IsInf(out[lo+b], 0) {
				return nil, fmt.Errorf("model: sample %d: non-finite loss", lo+b)
			}
		}
	}
	return out, nil
}
