package model

import (
	"math"

	"github.com/taonet/taonet/lm/detmath"
	"github.com/taonet/taonet/lm/kernels"
)

// The activations run through the kernels' element-wise primitives, whose
// assembly and pure-Go paths round every operation identically, so results do
// not depend on the target (see doc.go) nor on how work is split.

// tanhInto writes dst[i] = tanh(x[i]) as 1 - 2/(e^(2x)+1) with the kernels'
// vectorized exp (±1 at the saturated ends); dst may alias x.
func tanhInto(dst, x []float32) {
	for i, v := range x {
		dst[i] = v + v
	}
	kernels.Exp(dst, dst)
	for i, e := range dst {
		dst[i] = 1 - 2/(e+1)
	}
}

// geluNewForward is GPT-2's tanh-approximated GELU ("gelu_new").
func geluNewForward(out, x []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		kernels.GeluTanh(out[lo:hi], x[lo:hi])
	})
}

// geluNewBackward writes dx = dout·gelu_new'(x); dx must not alias x.
func geluNewBackward(dx, x, dout []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		kernels.GeluTanhBackward(dx[lo:hi], x[lo:hi], dout[lo:hi])
	})
}

// geluErfForward is BERT's exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)), in
// float64 with the target-stable detmath.Erf.
func geluErfForward(out, x []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			out[i] = float32(0.5 * v * (1 + detmath.Erf(v/math.Sqrt2)))
		}
	})
}

// swigluForward computes Llama's gated MLP activation silu(gate)·up.
func swigluForward(out, gate, up []float32) {
	parallelRanges(len(out), 4096, func(lo, hi int) {
		kernels.SwiGLU(out[lo:hi], gate[lo:hi], up[lo:hi])
	})
}

// swigluBackward writes dgate and dup from dout.
func swigluBackward(dgate, dup, gate, up, dout []float32) {
	parallelRanges(len(dout), 4096, func(lo, hi int) {
		kernels.SwiGLUBackward(dgate[lo:hi], dup[lo:hi], gate[lo:hi], up[lo:hi], dout[lo:hi])
	})
}
