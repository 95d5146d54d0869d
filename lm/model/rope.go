package model

import (
	"math"

	"github.com/taonet/taonet/lm/detmath"
)

// ropeTable holds Llama's rotary cos/sin for positions [0,n) and D/2 frequencies,
// computed like Hugging Face in float32: inv_freq = 1/theta^(2i/D),
// angle = position·inv_freq.
type ropeTable struct {
	half     int
	cos, sin []float32 // [positions, half]
}

func newRope(positions, D int, theta float64, scaling *RopeScaling) *ropeTable {
	half := D / 2
	r := &ropeTable{half: half, cos: make([]float32, positions*half), sin: make([]float32, positions*half)}
	inv := make([]float32, half)
	for i := range inv {
		e := float32(2*i) / float32(D)
		inv[i] = 1 / float32(detmath.Pow(theta, float64(e)))
		if scaling != nil {
			inv[i] = scaling.scale(inv[i])
		}
	}
	for p := 0; p < positions; p++ {
		for i, f := range inv {
			a := float32(float32(p) * f)
			r.cos[p*half+i] = float32(detmath.Cos(float64(a)))
			r.sin[p*half+i] = float32(detmath.Sin(float64(a)))
		}
	}
	return r
}

// apply rotates, in place, the heads of rows [0, N) of x (row stride `stride`,
// `heads` heads of width 2·half). Row n has position start + n%T. inverse
// applies the transposed rotation (the backward pass).
func (r *ropeTable) apply(x []float32, N, T, start, heads, stride int, inverse bool) {
	half := r.half
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			pos := start + n%T
			c, s := r.cos[pos*half:pos*half+half], r.sin[pos*half:pos*half+half]
			for h := 0; h < heads; h++ {
				v := x[n*stride+h*2*half : n*stride+(h+1)*2*half]
				for i := 0; i < half; i++ {
					x1, x2 := v[i], v[i+half]
					if inverse {
						v[i] = float32(x1*c[i]) + float32(x2*s[i])
						v[i+half] = float32(x2*c[i]) - float32(x1*s[i])
					} else {
						v[i] = float32(x1*c[i]) - float32(x2*s[i])
						v[i+half] = float32(x2*c[i]) + float32(x1*s[i])
					}
				}
			}
		}
	})
}

// scale rescales one inverse frequency like Hugging Face's rope_type "linear"
// (all frequencies / factor) or "llama3" (low frequencies / factor, high ones
// kept, a smooth blend in between).
func (s *RopeScaling) scale(inv float32) float32 {
	f := float64(inv)
	if s.Type == "linear" {
		return float32(f / s.Factor)
	}
	lowWave := float64(s.OriginalMaxPos) / s.LowFreqFactor
	highWave := float64(s.OriginalMaxPos) / s.HighFreqFactor
	wave := 2 * math.Pi / f
	switch {
	case wave < highWave:
		return inv
	case wave > lowWave:
		return float32(f / s.Factor)
	}
	smooth := (float64(s.OriginalMaxPos)/wave - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
	return float32(float64((1-smooth)*f)/s.Factor + float64(smooth*f))
}
