package model

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// Property: for random small GPT-2 and Llama shapes (including single-KV-head
// GQA and odd head counts), the backward pass agrees with central finite
// differences (Richardson-extrapolated) of the loss on the parameters with the
// largest gradients.
func TestGradientFiniteDifferences(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		arch := rapid.SampledFrom([]Arch{GPT2, Llama}).Draw(rt, "arch")
		heads := rapid.IntRange(1, 3).Draw(rt, "heads")
		hd := 2 * rapid.IntRange(2, 4).Draw(rt, "halfHeadDim")
		c := Config{Arch: arch, VocabSize: rapid.IntRange(5, 20).Draw(rt, "vocab"), Hidden: heads * hd,
			Layers: rapid.IntRange(1, 2).Draw(rt, "layers"), Heads: heads, KVHeads: heads, HeadDim: hd,
			FFN: rapid.IntRange(2, 12).Draw(rt, "ffn"), MaxPos: 16, NormEps: 1e-5, TieEmbeddings: true, BOS: -1, EOS: -1, Pad: -1}
		if arch == Llama {
			c.RopeTheta = 10000
			c.TieEmbeddings = rapid.Bool().Draw(rt, "tie")
			if heads > 1 && rapid.Bool().Draw(rt, "gqa") {
				c.KVHeads = 1
			}
		}
		m, err := New(c)
		if err != nil {
			rt.Fatal(err)
		}
		m.InitRandom(rapid.Uint64().Draw(rt, "seed"))
		for i := range m.Params { // larger weights than the default init, for visible gradients
			m.Params[i] *= 3
		}
		B, T := rapid.IntRange(1, 2).Draw(rt, "B"), rapid.IntRange(2, 6).Draw(rt, "T")
		tokens := rapid.SliceOfN(rapid.IntRange(0, c.VocabSize-1), B*T, B*T).Draw(rt, "tokens")
		targets := rapid.SliceOfN(rapid.IntRange(-1, c.VocabSize-1), B*T, B*T).Draw(rt, "targets")
		targets[0] = 0
		m.AllocGrads()
		if _, _, err := m.ForwardBackward(tokens, targets, B, T, 1); err != nil {
			rt.Fatal(err)
		}
		loss := func() float64 {
			nll, err := m.TokenNLL(tokens, targets, B, T)
			if err != nil {
				rt.Fatal(err)
			}
			var s float64
			n := 0
			for i, t := range targets {
				if t >= 0 {
					s += float64(nll[i])
					n++
				}
			}
			return s / float64(n)
		}
		// Check the 5 largest gradients.
		for k := 0; k < 5; k++ {
			best := -1
			for i, g := range m.Grads {
				if best < 0 || math.Abs(float64(g)) > math.Abs(float64(m.Grads[best])) {
					best = i
				}
			}
			g := float64(m.Grads[best])
			if math.Abs(g) < 1e-3 {
				break
			}
			orig := m.Params[best]
			central := func(h float32) float64 {
				m.Params[best] = orig + h
				up := loss()
				m.Params[best] = orig - h
				down := loss()
				m.Params[best] = orig
				return (up - down) / (2 * float64(h))
			}
			// Richardson extrapolation of two central differences: O(h⁴) error.
			h := float32(1e-3) * max(1, float32(math.Abs(float64(orig))))
			fd := (4*central(h/2) - central(h)) / 3
			if math.Abs(fd-g) > 0.05*math.Abs(g)+2e-3 {
				rt.Fatalf("%s param %d: analytic gradient %v, finite difference %v", arch, best, g, fd)
			}
			m.Grads[best] = 0
		}
	})
}
