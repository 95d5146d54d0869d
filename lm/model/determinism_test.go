package model

import (
	"math"
	"runtime"
	"testing"

	"github.com/taonet/taonet/lm/kernels"
)

// Losses, logits and gradients must be bit-identical for any thread count, so
// that validators on different machines agree exactly.
func TestThreadCountInvariance(t *testing.T) {
	for _, arch := range []Arch{GPT2, Llama} {
		c := tinyConfig(arch)
		c.Hidden, c.FFN, c.HeadDim = 64, 160, 16
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		m.InitRandom(8)
		B, T := 3, 24
		tokens, targets := make([]int, B*T), make([]int, B*T)
		for i := range tokens {
			tokens[i] = (i*31 + 7) % c.VocabSize
			targets[i] = (i*17 + 3) % c.VocabSize
			if i%5 == 0 {
				targets[i] = -1
			}
		}
		type result struct {
			nll, grads []float32
			loss       float64
		}
		run := func(threads int) result {
			prev := runtime.GOMAXPROCS(threads)
			prevK := kernels.SetThreads(threads)
			defer func() { runtime.GOMAXPROCS(prev); kernels.SetThreads(prevK) }()
			nll, err := m.TokenNLL(tokens, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			m.ZeroGrads()
			loss, _, err := m.ForwardBackward(tokens, targets, B, T, 1)
			if err != nil {
				t.Fatal(err)
			}
			return result{nll, append([]float32(nil), m.Grads...), loss}
		}
		ref := run(1)
		for _, th := range []int{2, 3, 8} {
			r := run(th)
			if r.loss != ref.loss {
				t.Fatalf("%s: loss with %d threads %v != %v", arch, th, r.loss, ref.loss)
			}
			for i := range ref.nll {
				if math.Float32bits(r.nll[i]) != math.Float32bits(ref.nll[i]) {
					t.Fatalf("%s: nll[%d] differs with %d threads", arch, i, th)
				}
			}
			for i := range ref.grads {
				if math.Float32bits(r.grads[i]) != math.Float32bits(ref.grads[i]) {
					t.Fatalf("%s: grad[%d] differs with %d threads", arch, i, th)
				}
			}
		}
	}
}
