package detmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between got and want in units of want's last
// place (0 when both are the same NaN/Inf).
func ulps(got, want float64) float64 {
	if got == want || (got != got && want != want) {
		return 0
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) || got != got || want != want {
		return math.Inf(1)
	}
	u := math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want)
	return math.Abs(got-want) / u
}

// check compares f with the standard library's ref at n random points from
// gen plus the given edge points; the error allowed is maxULP ulps of the
// result, or absTol absolutely (for results that pass through zero).
func check(t *testing.T, name string, f, ref func(float64) float64, gen func(*rand.Rand) float64, edges []float64, maxULP, absTol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	worst, at := 0.0, 0.0
	xs := append([]float64(nil), edges...)
	for range 200000 {
		xs = append(xs, gen(r))
	}
	for _, x := range xs {
		got, want := f(x), ref(x)
		if math.Abs(got-want) <= absTol {
			continue
		}
		if u := ulps(got, want); u > worst {
			worst, at = u, x
		}
	}
	if worst > maxULP {
		t.Errorf("%s(%v) = %v, math gives %v: %.1f ulp > %v", name, at, f(at), ref(at), worst, maxULP)
	}
	t.Logf("%s: worst %.2f ulp over %d points", name, worst, len(xs))
}

func uniform(lo, hi float64) func(*rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() }
}

func TestExp(t *testing.T) {
	edges := []float64{0, 1, -1, 1e-300, -1e-300, 700, -745, 88.72, -87.3, 0.5 * math.Ln2, -0.5 * math.Ln2}
	// (amd64's math.Exp assembly overflows early, just below 709.78.)
	check(t, "Exp", Exp, math.Exp, uniform(-745, 700), edges, 2, 0)
	check(t, "Exp", Exp, math.Exp, uniform(-20, 20), nil, 2, 0)
	if Exp(710) != math.Inf(1) || Exp(-746) != 0 || !math.IsNaN(Exp(math.NaN())) || Exp(math.Inf(-1)) != 0 {
		t.Error("Exp special values")
	}
}

func TestExpm1(t *testing.T) {
	check(t, "Expm1", Expm1, math.Expm1, uniform(-0.6, 0.6), []float64{1e-20, -1e-20, 0.4999, -0.4999}, 2, 0)
	check(t, "Expm1", Expm1, math.Expm1, uniform(-30, 30), nil, 3, 0)
}

func TestLog(t *testing.T) {
	edges := []float64{1, 2, 0.5, math.E, 0x1p-1022, math.MaxFloat64, 1 + 1e-15, 1 - 1e-16, math.Sqrt2 / 2}
	check(t, "Log", Log, math.Log, func(r *rand.Rand) float64 { return math.Exp(uniform(-700, 700)(r)) }, edges, 3, 0)
	check(t, "Log", Log, math.Log, uniform(0.5, 2), nil, 3, 0)
	// Subnormals (amd64's math.Log assembly mishandles them, so compare with
	// the scaled normal value).
	for _, x := range []float64{math.SmallestNonzeroFloat64, 3e-320, 1e-310} {
		if got, want := Log(x), Log(x*0x1p100)-100*math.Ln2; math.Abs(got-want) > 1e-13 {
			t.Errorf("Log(%v) = %v, want %v", x, got, want)
		}
	}
	if !math.IsNaN(Log(-1)) || Log(0) != math.Inf(-1) || Log(math.Inf(1)) != math.Inf(1) {
		t.Error("Log special values")
	}
}

func TestSinCos(t *testing.T) {
	edges := []float64{0, math.Pi / 4, math.Pi / 2, math.Pi, 1e6, 131072, -3}
	// Near the zeros of sin and cos the result is tiny and the error is
	// measured absolutely (the reduction is accurate to about 2^-60).
	check(t, "Sin", Sin, math.Sin, uniform(-10, 10), edges, 2, 2e-16)
	check(t, "Cos", Cos, math.Cos, uniform(-10, 10), edges, 2, 2e-16)
	check(t, "Sin", Sin, math.Sin, uniform(-1e6, 1e6), nil, 2, 2e-16)
	check(t, "Cos", Cos, math.Cos, uniform(-1e6, 1e6), nil, 2, 2e-16)
	if !math.IsNaN(Sin(math.Inf(1))) || !math.IsNaN(Cos(math.NaN())) {
		t.Error("Sin/Cos special values")
	}
}

func TestTanh(t *testing.T) {
	check(t, "Tanh", Tanh, math.Tanh, uniform(-25, 25), []float64{0, 1e-10, -1e-10, 0.25, 20, -20, 21}, 3, 0)
	check(t, "Tanh", Tanh, math.Tanh, uniform(-1, 1), nil, 3, 0)
}

func TestErf(t *testing.T) {
	edges := []float64{0, 1e-10, -1e-10, 1, 1.499, 1.5, 1.501, 5.9, 6, -6, 10}
	check(t, "Erf", Erf, math.Erf, uniform(-7, 7), edges, 8, 0)
	check(t, "Erf", Erf, math.Erf, uniform(-1, 1), nil, 8, 0)
	// Below 1.5 Erfc is 1 - Erf, exact to the ulp of 1 only.
	check(t, "Erfc", Erfc, math.Erfc, uniform(1.5, 27), []float64{1.5, 27.3, 28}, 8, 0)
}

func TestPow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		x := math.Exp(40 * (r.Float64() - 0.5))
		y := 20 * (r.Float64() - 0.5)
		got, want := Pow(x, y), math.Pow(x, y)
		// Exp amplifies Log's rounding by |y·log x|.
		if tol := (math.Abs(y*math.Log(x)) + 4) * 0x1p-51; math.Abs(got-want) > tol*math.Abs(want) {
			t.Fatalf("Pow(%v, %v) = %v, math.Pow %v", x, y, got, want)
		}
	}
	// RoPE frequencies: theta^(-2i/D) for common thetas and head widths.
	for _, theta := range []float64{10000, 500000, 1e6} {
		for i := 0; i < 64; i++ {
			e := float64(float32(2*i) / 128)
			if g, w := float32(Pow(theta, e)), float32(math.Pow(theta, e)); g != w {
				t.Errorf("float32(Pow(%v, %v)) = %v, math.Pow %v", theta, e, g, w)
			}
		}
	}
	if Pow(2, 0) != 1 || !math.IsNaN(Pow(-2, 0.5)) || Pow(1, 1e300) != 1 {
		t.Error("Pow special values")
	}
}

func TestPowInt(t *testing.T) {
	for _, b := range []float64{0.9, 0.999, 0.95, 1.5} {
		for n := 0; n <= 100000; n = n*3 + 1 {
			got, want := PowInt(b, n), math.Pow(b, float64(n))
			if math.Abs(got-want) > 4e-15*float64(bitsLen(n))*math.Abs(want) {
				t.Fatalf("PowInt(%v, %d) = %v, math.Pow %v", b, n, got, want)
			}
		}
	}
}

func bitsLen(n int) int {
	l := 1
	for ; n > 1; n >>= 1 {
		l++
	}
	return l
}
