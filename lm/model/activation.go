package model

import "math"

const geluScale = 0.7978845608028654 // sqrt(2/pi)

// geluNewForward is GPT-2's tanh-approximated GELU ("gelu_new").
func geluNewForward(out, x []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			out[i] = float32(0.5 * v * (1 + math.Tanh(geluScale*(v+0.044715*v*v*v))))
		}
	})
}

// geluNewBackward writes dx = dout·gelu_new'(x).
func geluNewBackward(dx, x, dout []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			arg := geluScale * (v + 0.044715*v*v*v)
			th := math.Tanh(arg)
			sech2 := 1 - th*th
			g := 0.5*(1+th) + 0.5*v*sech2*geluScale*(1+3*0.044715*v*v)
			dx[i] = float32(g) * dout[i]
		}
	})
}

// geluErfForward is BERT's exact GELU: x·Φ(x).
func geluErfForward(out, x []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			out[i] = float32(0.5 * v * (1 + math.Erf(v/math.Sqrt2)))
		}
	})
}

// swigluForward computes Llama's gated MLP activation silu(gate)·up.
func swigluForward(out, gate, up []float32) {
	parallelRanges(len(out), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g := float64(gate[i])
			out[i] = float32(g/(1+math.Exp(-g))) * up[i]
		}
	})
}

// swigluBackward writes dgate and dup from dout.
func swigluBackward(dgate, dup, gate, up, dout []float32) {
	parallelRanges(len(dout), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g := float64(gate[i])
			sig := 1 / (1 + math.Exp(-g))
			silu := float32(g * sig)
			dup[i] = dout[i] * silu
			dgate[i] = dout[i] * up[i] * float32(sig*(1+g*(1-sig)))
		}
	})
}
