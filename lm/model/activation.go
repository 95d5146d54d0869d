package model

import (
	"math"

	"github.com/taonet/taonet/lm/kernels"
)

const geluScale = 0.7978845608028654 // sqrt(2/pi)

// tanhInto writes dst[i] = tanh(x[i]) as 1 - 2/(e^(2x)+1) with the kernels'
// vectorized exp (±1 at the saturated ends).
func tanhInto(dst, x []float32) {
	for i, v := range x {
		dst[i] = 2 * v
	}
	kernels.Exp(dst, dst)
	for i, e := range dst {
		dst[i] = 1 - 2/(e+1)
	}
}

// geluNewForward is GPT-2's tanh-approximated GELU ("gelu_new").
func geluNewForward(out, x []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		o, in := out[lo:hi], x[lo:hi]
		for i, v := range in {
			o[i] = geluScale * (v + 0.044715*v*v*v)
		}
		tanhInto(o, o)
		for i, v := range in {
			o[i] = 0.5 * v * (1 + o[i])
		}
	})
}

// geluNewBackward writes dx = dout·gelu_new'(x); dx must not alias x.
func geluNewBackward(dx, x, dout []float32) {
	parallelRanges(len(x), 4096, func(lo, hi int) {
		d, in, g := dx[lo:hi], x[lo:hi], dout[lo:hi]
		for i, v := range in {
			d[i] = geluScale * (v + 0.044715*v*v*v)
		}
		tanhInto(d, d)
		for i, v := range in {
			th := d[i]
			sech2 := 1 - th*th
			d[i] = (0.5*(1+th) + 0.5*v*sech2*geluScale*(1+3*0.044715*v*v)) * g[i]
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

// sigmoidInto writes dst[i] = 1/(1+e^(-x[i])) with the kernels' vectorized exp.
func sigmoidInto(dst, x []float32) {
	for i, v := range x {
		dst[i] = -v
	}
	kernels.Exp(dst, dst)
	for i, e := range dst {
		dst[i] = 1 / (1 + e)
	}
}

// swigluForward computes Llama's gated MLP activation silu(gate)·up.
func swigluForward(out, gate, up []float32) {
	parallelRanges(len(out), 4096, func(lo, hi int) {
		o, g, u := out[lo:hi], gate[lo:hi], up[lo:hi]
		sigmoidInto(o, g)
		for i := range o {
			o[i] = g[i] * o[i] * u[i]
		}
	})
}

// swigluBackward writes dgate and dup from dout.
func swigluBackward(dgate, dup, gate, up, dout []float32) {
	parallelRanges(len(dout), 4096, func(lo, hi int) {
		dg, du, g, u, d := dgate[lo:hi], dup[lo:hi], gate[lo:hi], up[lo:hi], dout[lo:hi]
		sigmoidInto(dg, g)
		for i, sig := range dg {
			du[i] = d[i] * (g[i] * sig)
			dg[i] = d[i] * u[i] * (sig * (1 + g[i]*(1-sig)))
		}
	})
}
