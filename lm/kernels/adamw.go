package kernels

import "math"

// AdamWStep holds the per-step constants of an AdamW update.
type AdamWStep struct {
	B1, B2   float32 // moment decay rates β1, β2
	C1, C2   float32 // 1−β1, 1−β2
	BC2Sqrt  float32 // sqrt(1−β2^t), the second-moment bias correction
	Eps      float32
	Decay    float32 // decoupled weight decay factor 1−lr·wd (1: none)
	StepSize float32 // lr/(1−β1^t)
}

// AdamW updates parameters p and the moments m, v from gradients g, element
// by element:
//
//	m = fl(m·β1) + fl(g·c1)
//	v = fl(v·β2) + fl(fl(g·g)·c2)
//	p = fl(p·decay) − fl(stepSize·fl(m/(fl(sqrt(v)/bc2Sqrt) + eps)))
//
// with every operation rounded to float32 (no fused multiply-add), so the
// AVX2 loop and the pure-Go one agree bit for bit. All slices must have the
// same length.
func AdamW(p, g, m, v []float32, s *AdamWStep) {
	sameLen("AdamW", len(p), len(g))
	sameLen("AdamW", len(p), len(m))
	sameLen("AdamW", len(p), len(v))
	n8 := len(p) &^ 7
	if n8 > 0 {
		adamwVec(p[:n8], g[:n8], m[:n8], v[:n8], s)
	}
	adamwGo(p[n8:], g[n8:], m[n8:], v[n8:], s)
}

// adamwGo is AdamW's definition. The square root goes through float64 and
// back, which is the correctly rounded float32 square root (double rounding
// cannot change it), the same as the vector instruction.
func adamwGo(p, g, m, v []float32, s *AdamWStep) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j := range p {
		mj := float32(m[j]*s.B1) + float32(g[j]*s.C1)
		vj := float32(v[j]*s.B2) + float32(g[j]*g[j]*s.C2)
		denom := float32(math.Sqrt(float64(vj)))/s.BC2Sqrt + s.Eps
		p[j] = float32(p[j]*s.Decay) - float32(s.StepSize*(mj/denom))
		m[j], v[j] = mj, vj
	}
}
