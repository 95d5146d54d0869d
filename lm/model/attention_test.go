package model

import (
	"math"
	"testing"
)

// attentionForward (blocked causal, GQA, strided) against a direct float64
// evaluation of softmax(q·kᵀ/√D)·v.
func TestAttentionAgainstNaive(t *testing.T) {
	for _, causal := range []bool{true, false} {
		B, T, H, KV, D := 2, 150, 4, 2, 8
		s := attnShape{B: B, T: T, H: H, KV: KV, D: D, qs: H*D + 3, ks: KV * D, vs: KV*D + 1, causal: causal}
		q := make([]float32, B*T*s.qs)
		k := make([]float32, B*T*s.ks)
		v := make([]float32, B*T*s.vs)
		for i := range q {
			q[i] = float32(math.Sin(float64(i) * 0.37))
		}
		for i := range k {
			k[i] = float32(math.Cos(float64(i) * 0.11))
		}
		for i := range v {
			v[i] = float32(math.Sin(float64(i)*0.05 + 1))
		}
		out := make([]float32, B*T*H*D)
		probs := make([]float32, B*H*T*T)
		for i := range probs {
			probs[i] = float32(math.NaN()) // stale garbage must not leak into results
		}
		attentionForward(out, probs, q, k, v, s, nil)
		for b := 0; b < B; b++ {
			for h := 0; h < H; h++ {
				g := h / (H / KV)
				for tq := 0; tq < T; tq++ {
					n := T
					if causal {
						n = tq + 1
					}
					sc := make([]float64, n)
					mx := math.Inf(-1)
					for j := 0; j < n; j++ {
						var d float64
						for x := 0; x < D; x++ {
							d += float64(q[(b*T+tq)*s.qs+h*D+x]) * float64(k[(b*T+j)*s.ks+g*D+x])
						}
						sc[j] = d / math.Sqrt(float64(D))
						mx = math.Max(mx, sc[j])
					}
					var sum float64
					for j := range sc {
						sc[j] = math.Exp(sc[j] - mx)
						sum += sc[j]
					}
					for x := 0; x < D; x++ {
						var o float64
						for j := range sc {
							o += sc[j] / sum * float64(v[(b*T+j)*s.vs+g*D+x])
						}
						got := out[(b*T+tq)*H*D+h*D+x]
						if math.Abs(float64(got)-o) > 1e-5 {
							t.Fatalf("causal=%v b%d h%d t%d x%d: %v, want %v", causal, b, h, tq, x, got, o)
						}
					}
					for j := n; j < T; j++ {
						if probs[((b*H+h)*T+tq)*T+j] != 0 {
							t.Fatalf("masked probability not zero")
						}
					}
				}
			}
		}
	}
}

// The block-skipping causal backward must equal the full backward exactly
// (the probabilities of masked keys are zero either way).
func TestCausalBackwardMatchesFull(t *testing.T) {
	B, T, H, KV, D := 2, 150, 4, 2, 8
	s := attnShape{B: B, T: T, H: H, KV: KV, D: D, qs: H * D, ks: KV * D, vs: KV * D, causal: true}
	q := make([]float32, B*T*s.qs)
	k := make([]float32, B*T*s.ks)
	v := make([]float32, B*T*s.vs)
	dout := make([]float32, B*T*H*D)
	for i := range q {
		q[i] = float32(math.Sin(float64(i) * 0.37))
	}
	for i := range k {
		k[i] = float32(math.Cos(float64(i) * 0.11))
		v[i] = float32(math.Sin(float64(i)*0.05 + 1))
	}
	for i := range dout {
		dout[i] = float32(math.Cos(float64(i)*0.29 + 2))
	}
	out := make([]float32, B*T*H*D)
	probs := make([]float32, B*H*T*T)
	attentionForward(out, probs, q, k, v, s, nil)
	grads := func(causal bool) [3][]float32 {
		s2 := s
		s2.causal = causal
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		for i := range dk {
			dk[i], dv[i] = float32(math.NaN()), float32(math.NaN()) // must be overwritten
		}
		scratch := make([]float32, B*s.KV*T*T)
		for i := range scratch {
			scratch[i] = float32(math.NaN()) // stale scores must never be read
		}
		attentionBackward(dq, dk, dv, dout, q, k, v, probs, scratch, s2)
		return [3][]float32{dq, dk, dv}
	}
	blocked, full := grads(true), grads(false)
	for x := range blocked {
		for i := range blocked[x] {
			if math.Float32bits(blocked[x][i]) != math.Float32bits(full[x][i]) {
				t.Fatalf("gradient %d[%d]: blocked %v, full %v", x, i, blocked[x][i], full[x][i])
			}
		}
	}
}
