package kernels

import (
	"math"

	"github.com/taonet/taonet/lm/detmath"
)

// Vector primitives for the layers' hot loops (attention scores, softmax, loss,
// residuals, optimizer updates). Each has an AVX2 assembly path on amd64 and a
// pure-Go path elsewhere that produce bit-identical results: element-wise ops
// round every multiply and add separately (no FMA), and reductions (Sum, Dot,
// Max, ExpSubSum) use one fixed order on every path: 32 lanes, lane l taking the
// elements i ≡ l (mod 32) of the first len&^31 in increasing i, lanes combined
// pairwise (l with l+16, then l+8, +4, +2, +1), then the remaining elements
// added in order. Slices passed together must have equal lengths (else panic).

// lanes is the reduction width shared by all paths.
const lanes = 32

// reduceLanes combines lane partials in the fixed tree order.
func reduceLanes(acc *[lanes]float32) float32 {
	for w := lanes / 2; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			acc[l] += acc[l+w]
		}
	}
	return acc[0]
}

func sameLen(name string, a, b int) {
	if a != b {
		panic("kernels: " + name + ": slice lengths differ")
	}
}

// Dot returns Σ x[i]·y[i] in the fixed reduction order.
func Dot(x, y []float32) float32 {
	sameLen("Dot", len(x), len(y))
	var acc [lanes]float32
	n32 := len(x) &^ (lanes - 1)
	if n32 > 0 {
		dotLanes(&acc, x[:n32], y[:n32])
	}
	s := reduceLanes(&acc)
	for i := n32; i < len(x); i++ {
		s += float32(x[i] * y[i])
	}
	return s
}

// Sum returns Σ x[i] in the fixed reduction order.
func Sum(x []float32) float32 {
	var acc [lanes]float32
	n32 := len(x) &^ (lanes - 1)
	if n32 > 0 {
		sumLanes(&acc, x[:n32])
	}
	s := reduceLanes(&acc)
	for _, v := range x[n32:] {
		s += v
	}
	return s
}

// Max returns the largest element of x, or -Inf for an empty slice. If x
// holds NaN the result may or may not be NaN (the same on every path).
func Max(x []float32) float32 {
	acc := [lanes]float32{}
	for l := range acc {
		acc[l] = float32(math.Inf(-1))
	}
	n32 := len(x) &^ (lanes - 1)
	if n32 > 0 {
		maxLanes(&acc, x[:n32])
	}
	for w := lanes / 2; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			acc[l] = maxps(acc[l], acc[l+w])
		}
	}
	m := acc[0]
	for _, v := range x[n32:] {
		m = maxps(m, v)
	}
	return m
}

// maxps is x86 MAXPS on one lane: a if a > b, else b (so b when either is NaN).
func maxps(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

// Axpy computes y[i] += alpha·x[i] (product rounded, then sum rounded).
func Axpy(alpha float32, x, y []float32) {
	sameLen("Axpy", len(x), len(y))
	n8 := len(x) &^ 7
	if n8 > 0 {
		axpyVec(alpha, x[:n8], y[:n8])
	}
	for i := n8; i < len(x); i++ {
		y[i] += float32(alpha * x[i])
	}
}

// Scale computes x[i] *= alpha.
func Scale(alpha float32, x []float32) {
	n8 := len(x) &^ 7
	if n8 > 0 {
		scaleVec(alpha, x[:n8])
	}
	for i := n8; i < len(x); i++ {
		x[i] = float32(x[i] * alpha)
	}
}

// Add computes dst[i] = x[i] + y[i]; dst may alias x or y.
func Add(dst, x, y []float32) {
	sameLen("Add", len(dst), len(x))
	sameLen("Add", len(x), len(y))
	n8 := len(x) &^ 7
	if n8 > 0 {
		addVec(dst[:n8], x[:n8], y[:n8])
	}
	for i := n8; i < len(x); i++ {
		dst[i] = x[i] + y[i]
	}
}

// Exp computes dst[i] = e^x[i] to within 2 ulp; dst may alias x. Results
// below 2^-125 (x < -86.9) are flushed to 0, x > 88.72 gives +Inf, NaN stays NaN.
func Exp(dst, x []float32) {
	sameLen("Exp", len(dst), len(x))
	n8 := len(x) &^ 7
	if n8 > 0 {
		expVec(dst[:n8], x[:n8])
	}
	for i := n8; i < len(x); i++ {
		dst[i] = exp32(x[i])
	}
}

// ExpSubSum computes dst[i] = e^(x[i]-m) as Exp does and returns their sum in
// the fixed reduction order; dst may alias x, or be nil to only sum. With m =
// Max(x) this is the core of softmax and log-sum-exp.
func ExpSubSum(dst, x []float32, m float32) float32 {
	if dst != nil {
		sameLen("ExpSubSum", len(dst), len(x))
	}
	var acc [lanes]float32
	n32 := len(x) &^ (lanes - 1)
	if n32 > 0 {
		var d []float32
		if dst != nil {
			d = dst[:n32]
		}
		expSubSumLanes(&acc, d, x[:n32], m)
	}
	s := reduceLanes(&acc)
	for i := n32; i < len(x); i++ {
		e := exp32(x[i] - m)
		if dst != nil {
			dst[i] = e
		}
		s += e
	}
	return s
}

// Softmax replaces x by softmax(x) = e^(x-max)/Σ e^(x-max), in place.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	s := ExpSubSum(x, x, Max(x))
	Scale(1/s, x)
}

// LogSumExp returns log Σ e^x[i] (max + log of ExpSubSum), without storing
// the exponentials; -Inf for an empty slice.
func LogSumExp(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	m := Max(x)
	if math.IsInf(float64(m), 0) {
		return m
	}
	return m + float32(detmath.Log(float64(ExpSubSum(nil, x, m))))
}

// Constants of exp32 (Cephes expf): e^x = 2^n·e^r with n = round(x·log2 e),
// r = x - n·ln 2 split in an exact high part and a low part, e^r by a
// degree-7 polynomial.
const (
	expHi    = 88.72283935546875
	expLo    = -86.9
	expLog2e = 1.44269504088896341
	expC1    = 0.693359375
	expC2    = -2.12194440e-4
	expP0    = 1.9875691500e-4
	expP1    = 1.3981999507e-3
	expP2    = 8.3334519073e-3
	expP3    = 4.1665795894e-2
	expP4    = 1.6666665459e-1
	expP5    = 5.0000001201e-1
)

// exp32 is the scalar definition the assembly reproduces operation by
// operation; the float32() conversions stop the compiler fusing a multiply and
// an add (Go may do so on arm64, ppc64, s390x, riscv64).
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	if x > expHi {
		return float32(math.Inf(1))
	}
	if x < expLo {
		return 0
	}
	t := float32(x * expLog2e)
	n := float32(math.RoundToEven(float64(t)))
	r := x - float32(n*expC1)
	r -= float32(n * expC2)
	z := float32(r * r)
	p := float32(expP0*r) + expP1
	p = float32(p*r) + expP2
	p = float32(p*r) + expP3
	p = float32(p*r) + expP4
	p = float32(p*r) + expP5
	y := float32(p*z) + r
	y += 1
	y = float32(y * 2)
	return float32(y * math.Float32frombits(uint32(int32(n)+126)<<23))
}

// Pure-Go lane loops, used where there is no assembly; the assembly versions
// compute exactly the same lanes.

func dotLanesGo(acc *[lanes]float32, x, y []float32) {
	for i := 0; i < len(x); i += lanes {
		xs, ys := x[i:i+lanes], y[i:i+lanes]
		for l := range acc {
			acc[l] += float32(xs[l] * ys[l])
		}
	}
}

func sumLanesGo(acc *[lanes]float32, x []float32) {
	for i := 0; i < len(x); i += lanes {
		xs := x[i : i+lanes]
		for l := range acc {
			acc[l] += xs[l]
		}
	}
}

func maxLanesGo(acc *[lanes]float32, x []float32) {
	for i := 0; i < len(x); i += lanes {
		xs := x[i : i+lanes]
		for l := range acc {
			acc[l] = maxps(acc[l], xs[l])
		}
	}
}

func expSubSumLanesGo(acc *[lanes]float32, dst, x []float32, m float32) {
	for i := 0; i < len(x); i += lanes {
		xs := x[i : i+lanes]
		for l := range acc {
			e := exp32(xs[l] - m)
			if dst != nil {
				dst[i+l] = e
			}
			acc[l] += e
		}
	}
}

func axpyGo(alpha float32, x, y []float32) {
	for i, v := range x {
		y[i] += float32(alpha * v)
	}
}

func scaleGo(alpha float32, x []float32) {
	for i := range x {
		x[i] = float32(x[i] * alpha)
	}
}

func addGo(dst, x, y []float32) {
	for i := range x {
		dst[i] = x[i] + y[i]
	}
}

func expGo(dst, x []float32) {
	for i, v := range x {
		dst[i] = exp32(v)
	}
}

// GPT-2's tanh-approximated GELU ("gelu_new"):
// gelu(x) = x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
const (
	geluS  = 0.7978845608028654 // √(2/π)
	geluC  = 0.044715
	geluC3 = 3 * 0.044715
)

// GeluTanh computes dst[i] = gelu(x[i]) (GPT-2's "gelu_new") in float32 with
// tanh(u) = 1 - 2/(e^{2u}+1) via Exp; absolute error below 1e-6·max(1,|x|).
// dst may alias x.
func GeluTanh(dst, x []float32) {
	sameLen("GeluTanh", len(dst), len(x))
	n8 := len(x) &^ 7
	if n8 > 0 {
		geluVec(dst[:n8], x[:n8])
	}
	for i := n8; i < len(x); i++ {
		dst[i] = gelu32(x[i])
	}
}

// GeluTanhBackward computes dx[i] = gelu'(x[i])·dout[i]; dx may alias dout.
func GeluTanhBackward(dx, x, dout []float32) {
	sameLen("GeluTanhBackward", len(dx), len(x))
	sameLen("GeluTanhBackward", len(x), len(dout))
	n8 := len(x) &^ 7
	if n8 > 0 {
		geluBackVec(dx[:n8], x[:n8], dout[:n8])
	}
	for i := n8; i < len(x); i++ {
		dx[i] = geluBack32(x[i], dout[i])
	}
}

// geluTanhT returns tanh(√(2/π)(x + 0.044715x³)) and x² as the assembly
// computes them.
func geluTanhT(x float32) (t, x2 float32) {
	x2 = float32(x * x)
	p := float32(geluC*x2) + 1
	u := float32(float32(geluS*x) * p)
	e := exp32(u + u)
	return 1 - 2/(e+1), x2
}

func gelu32(x float32) float32 {
	t, _ := geluTanhT(x)
	return float32(float32(0.5*x) * (1 + t))
}

func geluBack32(x, dout float32) float32 {
	t, x2 := geluTanhT(x)
	a := float32(float32(1+t) * 0.5)
	sech2 := 1 - float32(t*t)
	dq := float32(float32(float32(geluC3*x2)+1) * geluS)
	m := float32(float32(0.5*x) * float32(sech2*dq))
	return float32(float32(a+m) * dout)
}

func geluGo(dst, x []float32) {
	for i, v := range x {
		dst[i] = gelu32(v)
	}
}

func geluBackGo(dx, x, dout []float32) {
	for i, v := range x {
		dx[i] = geluBack32(v, dout[i])
	}
}

// SwiGLU computes Llama's gated activation dst[i] = silu(gate[i])·up[i], with
// silu(g) = g·σ(g) and σ(g) = 1/(1+e^-g) via Exp. dst may alias gate or up.
func SwiGLU(dst, gate, up []float32) {
	sameLen("SwiGLU", len(dst), len(gate))
	sameLen("SwiGLU", len(gate), len(up))
	n8 := len(gate) &^ 7
	if n8 > 0 {
		swigluVec(dst[:n8], gate[:n8], up[:n8])
	}
	for i := n8; i < len(gate); i++ {
		dst[i] = float32(silu32(gate[i]) * up[i])
	}
}

// SwiGLUBackward computes dup = dout·silu(gate) and
// dgate = dout·up·σ(gate)·(1 + gate·(1-σ(gate))). Outputs may alias inputs
// element for element (each element is read before it is written).
func SwiGLUBackward(dgate, dup, gate, up, dout []float32) {
	n := len(gate)
	sameLen("SwiGLUBackward", len(dgate), n)
	sameLen("SwiGLUBackward", len(dup), n)
	sameLen("SwiGLUBackward", len(up), n)
	sameLen("SwiGLUBackward", len(dout), n)
	n8 := n &^ 7
	if n8 > 0 {
		swigluBackVec(dgate[:n8], dup[:n8], gate[:n8], up[:n8], dout[:n8])
	}
	for i := n8; i < n; i++ {
		dgate[i], dup[i] = swigluBack32(gate[i], up[i], dout[i])
	}
}

func sigmoid32(g float32) float32 { return 1 / (1 + exp32(-g)) }

func silu32(g float32) float32 { return float32(g * sigmoid32(g)) }

func swigluBack32(g, u, d float32) (dgate, dup float32) {
	s := sigmoid32(g)
	silu := float32(g * s)
	dup = float32(d * silu)
	t := float32(float32(d*u) * s)
	q := 1 + float32(g*(1-s))
	return float32(t * q), dup
}

func swigluGo(dst, gate, up []float32) {
	for i, g := range gate {
		dst[i] = float32(silu32(g) * up[i])
	}
}

func swigluBackGo(dgate, dup, gate, up, dout []float32) {
	for i, g := range gate {
		dgate[i], dup[i] = swigluBack32(g, up[i], dout[i])
	}
}
