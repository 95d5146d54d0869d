package model

import (
	"fmt"
	"math"
)

// Pooling selects how Embed turns token states into one vector.
type Pooling string

// Pooling modes.
const (
	PoolMean Pooling = "mean" // average over non-padding tokens (sentence-transformers default)
	PoolCLS  Pooling = "cls"  // the first token's state
)

// Hidden runs the BERT encoder over B sequences of T tokens with attention
// mask [B·T] (1 = token, 0 = padding; nil = all tokens) and token type 0, and
// returns the last hidden states [B·T·C]. Padding keys are hidden from
// attention exactly like Hugging Face's additive finfo.min mask.
func (m *Model) Hidden(tokens []int, mask []float32, B, T int) ([]float32, error) {
	c := m.Config
	if c.Arch != BERT {
		return nil, fmt.Errorf("model: Hidden needs a BERT encoder, not %s", c.Arch)
	}
	if err := m.checkTokens(tokens, B, T); err != nil {
		return nil, err
	}
	if mask != nil && len(mask) != B*T {
		return nil, fmt.Errorf("model: attention mask has %d entries for %d tokens", len(mask), B*T)
	}
	w := m.w
	N, C, F := B*T, c.Hidden, c.FFN
	f := func(k int) []float32 { return make([]float32, k) }
	x, tmp, h1 := f(N*C), f(N*C), f(N*C)
	q, k, v, att := f(N*C), f(N*C), f(N*C), f(N*C)
	probs := f(B * c.Heads * T * T)
	up, act := f(N*F), f(N*F)

	embedForward(tmp, tokens, w.wte, w.wpe, T, 0, C)
	for n := 0; n < N; n++ { // token type 0 for every position
		row := tmp[n*C : n*C+C]
		for i := range row {
			row[i] += w.wtt[i]
		}
	}
	layerNormForward(x, nil, nil, tmp, w.embLnW, w.embLnB, N, C, c.NormEps)
	s := attnShape{B: B, T: T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: C, ks: C, vs: C}
	for l := 0; l < c.Layers; l++ {
		lw := &w.layers[l]
		linearForward(q, x, lw.qW, lw.qB, N, C, C, false)
		linearForward(k, x, lw.kW, lw.kB, N, C, C, false)
		linearForward(v, x, lw.vW, lw.vB, N, C, C, false)
		attentionForward(att, probs, q, k, v, s, mask)
		linearForward(tmp, att, lw.oW, lw.oB, N, C, C, false)
		addInto(tmp, tmp, x)
		layerNormForward(h1, nil, nil, tmp, lw.ln1W, lw.ln1B, N, C, c.NormEps)
		linearForward(up, h1, lw.upW, lw.upB, N, C, F, false)
		geluErfForward(act, up)
		linearForward(tmp, act, lw.downW, lw.downB, N, F, C, false)
		addInto(tmp, tmp, h1)
		layerNormForward(x, nil, nil, tmp, lw.ln2W, lw.ln2B, N, C, c.NormEps)
	}
	return x, nil
}

// Embed returns one vector per sequence from a BERT encoder: the masked mean
// of the last hidden states or the [CLS] (first) state, L2-normalized when
// normalize is set. Sequences are right-padded with the config's pad id.
func (m *Model) Embed(seqs [][]int, pooling Pooling, normalize bool) ([][]float32, error) {
	c := m.Config
	if c.Arch != BERT {
		return nil, fmt.Errorf("model: Embed needs a BERT encoder, not %s", c.Arch)
	}
	if pooling != PoolMean && pooling != PoolCLS {
		return nil, fmt.Errorf("model: unknown pooling %q (want mean or cls)", pooling)
	}
	if len(seqs) == 0 {
		return nil, nil
	}
	// Encode in groups to bound activation memory; rows are independent, so
	// grouping does not change the vectors.
	const group = 16
	if len(seqs) > group {
		out := make([][]float32, 0, len(seqs))
		for lo := 0; lo < len(seqs); lo += group {
			e, err := m.Embed(seqs[lo:min(lo+group, len(seqs))], pooling, normalize)
			if err != nil {
				return nil, fmt.Errorf("sequences %d..: %w", lo, err)
			}
			out = append(out, e...)
		}
		return out, nil
	}
	T := 0
	for i, s := range seqs {
		if len(s) == 0 {
			return nil, fmt.Errorf("model: sequence %d is empty", i)
		}
		if len(s) > c.MaxPos {
			return nil, fmt.Errorf("model: sequence %d has %d tokens, more than the model's %d positions", i, len(s), c.MaxPos)
		}
		T = max(T, len(s))
	}
	B, C := len(seqs), c.Hidden
	pad := max(c.Pad, 0)
	tokens, mask := make([]int, B*T), make([]float32, B*T)
	for b, s := range seqs {
		for t := 0; t < T; t++ {
			if t < len(s) {
				tokens[b*T+t], mask[b*T+t] = s[t], 1
			} else {
				tokens[b*T+t] = pad
			}
		}
	}
	hid, err := m.Hidden(tokens, mask, B, T)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, B)
	for b, s := range seqs {
		e := make([]float32, C)
		if pooling == PoolCLS {
			copy(e, hid[b*T*C:b*T*C+C])
		} else {
			acc := make([]float64, C)
			for t := range s {
				for i, v := range hid[(b*T+t)*C : (b*T+t+1)*C] {
					acc[i] += float64(v)
				}
			}
			for i := range e {
				e[i] = float32(acc[i] / float64(len(s)))
			}
		}
		if normalize {
			var ss float64
			for _, v := range e {
				ss += float64(float64(v) * float64(v))
			}
			if ss > 0 {
				inv := float32(1 / math.Sqrt(ss))
				for i := range e {
					e[i] = float32(e[i] * inv)
				}
			}
		}
		out[b] = e
	}
	return out, nil
}
