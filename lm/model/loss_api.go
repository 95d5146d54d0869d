package model

import (
	"fmt"
	"math"
	"sort"
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
// are run in groups of up to `batch` samples of similar length (right-padded;
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
		if len(s.Tokens) > m.Config.MaxPos {
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
	// Group samples of similar length to minimize padding; since results do
	// not depend on grouping, this changes speed only.
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(samples[order[a]].Tokens) < len(samples[order[b]].Tokens) })
	out := make([]float64, len(samples))
	for lo := 0; lo < len(samples); lo += batch {
		idx := order[lo:min(lo+batch, len(samples))]
		group := make([]Sample, len(idx))
		T := 0
		for i, j := range idx {
			group[i] = samples[j]
			T = max(T, len(samples[j].Tokens))
		}
		// Round T up so activation buffers are reused across groups.
		if r := (T + 15) / 16 * 16; r <= m.Config.MaxPos {
			T = r
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
			return nil, fmt.Errorf("model: samples %v: %w", idx, err)
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
			out[idx[b]] = sum / float64(n)
			if math.IsNaN(out[idx[b]]) || math.IsInf(out[idx[b]], 0) {
				return nil, fmt.Errorf("model: sample %d: non-finite loss", idx[b])
			}
		}
	}
	return out, nil
}
