package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// bothPaths runs f with the assembly loops and with the pure-Go loops and
// returns both results; on CPUs without AVX2 both are pure Go.
func bothPaths(f func() []float32) (asm, pure []float32) {
	saved := useVecAsm
	defer func() { useVecAsm = saved }()
	asm = f()
	useVecAsm = false
	pure = f()
	return asm, pure
}

func bitsEqual(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

func ulpDiff(a, b float32) int64 {
	ia, ib := int64(int32(math.Float32bits(a))), int64(int32(math.Float32bits(b)))
	if ia < 0 {
		ia = math.MinInt32 - ia
	}
	if ib < 0 {
		ib = math.MinInt32 - ib
	}
	d := ia - ib
	if d < 0 {
		d = -d
	}
	return d
}

func TestVecAsmMatchesGo(t *testing.T) {
	if !useVecAsm {
		t.Log("no AVX2 here: comparing pure Go with itself")
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(rt, "n")
		seed := rapid.Uint64().Draw(rt, "seed")
		sc := rapid.SampledFrom([]float64{1, 10, 100}).Draw(rt, "scale")
		r := rand.New(rand.NewPCG(seed, 1))
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * sc)
			y[i] = float32(r.NormFloat64())
		}
		alpha := float32(r.NormFloat64())
		m := Max(x)
		m0, v0 := make([]float32, n), make([]float32, n) // AdamW moments
		for i := range m0 {
			m0[i] = float32(r.NormFloat64() * 0.1)
			v0[i] = float32(math.Abs(r.NormFloat64()) * 0.01)
		}
		ops := map[string]func() []float32{
			"Dot":  func() []float32 { return []float32{Dot(x, y)} },
			"Sum":  func() []float32 { return []float32{Sum(x)} },
			"Max":  func() []float32 { return []float32{Max(x)} },
			"Axpy": func() []float32 { z := append([]float32(nil), y...); Axpy(alpha, x, z); return z },
			"Scale": func() []float32 {
				z := append([]float32(nil), x...)
				Scale(alpha, z)
				return z
			},
			"Add": func() []float32 { z := make([]float32, n); Add(z, x, y); return z },
			"Exp": func() []float32 { z := make([]float32, n); Exp(z, x); return z },
			"ExpSubSum": func() []float32 {
				z := make([]float32, n)
				s := ExpSubSum(z, x, m)
				if s2 := ExpSubSum(nil, x, m); math.Float32bits(s2) != math.Float32bits(s) {
					rt.Fatalf("ExpSubSum without dst: %v, with dst: %v", s2, s)
				}
				return append(z, s)
			},
			"Softmax":  func() []float32 { z := append([]float32(nil), x...); Softmax(z); return z },
			"GeluTanh": func() []float32 { z := make([]float32, n); GeluTanh(z, x); return z },
			"SwiGLU":   func() []float32 { z := make([]float32, n); SwiGLU(z, x, y); return z },
			"SwiGLUBackward": func() []float32 {
				dg, du := make([]float32, n), make([]float32, n)
				SwiGLUBackward(dg, du, x, y, y)
				return append(dg, du...)
			},
			"AdamW": func() []float32 {
				p, g := append([]float32(nil), x...), append([]float32(nil), y...)
				mm, vv := append([]float32(nil), m0...), append([]float32(nil), v0...)
				s := &AdamWStep{B1: 0.9, B2: 0.999, C1: 0.1, C2: 0.001, BC2Sqrt: 0.0447, Eps: 1e-8, Decay: 0.9999, StepSize: alpha}
				AdamW(p, g, mm, vv, s)
				return append(append(p, mm...), vv...)
			},
			"GeluTanhBackward": func() []float32 {
				z := make([]float32, n)
				GeluTanhBackward(z, x, y)
				return z
			},
		}
		for name, f := range ops {
			a, p := bothPaths(f)
			if i := bitsEqual(a, p); i >= 0 {
				rt.Fatalf("%s n=%d: asm and Go differ at %d: %v vs %v", name, n, i, a, p)
			}
		}
	})
}

func TestVecValues(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 100, 1000, 50257} {
		x, y := make([]float32, n), make([]float32, n)
		var dot, sum float64
		mx := math.Inf(-1)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 4)
			y[i] = float32(r.NormFloat64())
			dot += float64(x[i]) * float64(y[i])
			sum += float64(x[i])
			mx = math.Max(mx, float64(x[i]))
		}
		tol := 1e-5 * float64(n+1)
		if got := Dot(x, y); math.Abs(float64(got)-dot) > tol {
			t.Errorf("n=%d Dot = %v, want %v", n, got, dot)
		}
		if got := Sum(x); math.Abs(float64(got)-sum) > tol {
			t.Errorf("n=%d Sum = %v, want %v", n, got, sum)
		}
		if got := Max(x); float64(got) != mx {
			t.Errorf("n=%d Max = %v, want %v", n, got, mx)
		}
		if n == 0 {
			if got := LogSumExp(x); !math.IsInf(float64(got), -1) {
				t.Errorf("LogSumExp(empty) = %v", got)
			}
			continue
		}
		var lse float64
		for _, v := range x {
			lse += math.Exp(float64(v) - mx)
		}
		lse = mx + math.Log(lse)
		if got := LogSumExp(x); math.Abs(float64(got)-lse) > 1e-5*math.Max(1, math.Abs(lse)) {
			t.Errorf("n=%d LogSumExp = %v, want %v", n, got, lse)
		}
		sm := append([]float32(nil), x...)
		Softmax(sm)
		for i, v := range sm {
			want := math.Exp(float64(x[i]) - lse)                      // exact softmax
			if math.Abs(float64(v)-want) > 3e-5*math.Max(want, 1e-3) { // float32 sums of up to 50257 terms
				t.Fatalf("n=%d Softmax[%d] = %v, want %v", n, i, v, want)
			}
		}
		z := append([]float32(nil), y...)
		Axpy(0.5, x, z)
		w := make([]float32, n)
		Add(w, x, y)
		for i := range z {
			if z[i] != y[i]+0.5*x[i] || w[i] != x[i]+y[i] {
				t.Fatalf("n=%d Axpy/Add element %d: %v %v", n, i, z[i], w[i])
			}
		}
		Scale(2, w)
		for i := range w {
			if w[i] != 2*(x[i]+y[i]) {
				t.Fatalf("n=%d Scale element %d", n, i)
			}
		}
	}
}

// TestExpAccuracy checks exp32 (and so Exp on every path) against math.Exp over
// the whole non-flushed range, and its special values.
func TestExpAccuracy(t *testing.T) {
	var worst int64
	var at float32
	const steps = 1 << 20
	xs := make([]float32, 0, steps)
	for i := 0; i < steps; i++ {
		xs = append(xs, float32(expLo+(expHi-expLo)*float64(i)/steps))
	}
	xs = append(xs, 0, -0.0, 1e-8, -1e-8, 0.5, -0.5, float32(math.Ln2)/2, expHi, float32(math.Nextafter32(expLo, 0)))
	got := make([]float32, len(xs))
	Exp(got, xs)
	for i, x := range xs {
		want := float32(math.Exp(float64(x)))
		if d := ulpDiff(got[i], want); d > worst {
			worst, at = d, x
		}
	}
	if worst > 2 {
		t.Errorf("Exp: worst error %d ulp at x=%v", worst, at)
	}
	t.Logf("Exp: worst error %d ulp (at x=%v) over %d points", worst, at, len(xs))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	special := []float32{inf, float32(math.Inf(-1)), nan, 89, -87, -200, 88.72}
	out := make([]float32, len(special))
	Exp(out, special)
	if out[0] != inf || out[1] != 0 || !math.IsNaN(float64(out[2])) || out[3] != inf || out[4] != 0 || out[5] != 0 || math.IsInf(float64(out[6]), 0) {
		t.Errorf("Exp specials %v -> %v", special, out)
	}
}

func TestGeluTanh(t *testing.T) {
	var xs []float32
	for v := -12.0; v <= 12; v += 1.0 / 1024 {
		xs = append(xs, float32(v))
	}
	xs = append(xs, 1e-8, -1e-8, 0, 30, -30, 1e4, -1e4)
	fwd := make([]float32, len(xs))
	bwd := make([]float32, len(xs))
	ones := make([]float32, len(xs))
	for i := range ones {
		ones[i] = 1
	}
	GeluTanh(fwd, xs)
	GeluTanhBackward(bwd, xs, ones)
	for i, x32 := range xs {
		x := float64(x32)
		u := geluS * (x + geluC*x*x*x)
		th := math.Tanh(u)
		want := 0.5 * x * (1 + th)
		if d := math.Abs(float64(fwd[i]) - want); d > 1e-6*math.Max(1, math.Abs(x)) {
			t.Fatalf("GeluTanh(%v) = %v, want %v", x, fwd[i], want)
		}
		dwant := 0.5*(1+th) + 0.5*x*(1-th*th)*geluS*(1+3*geluC*x*x)
		if d := math.Abs(float64(bwd[i]) - dwant); d > 2e-6*math.Max(1, math.Abs(x)) {
			t.Fatalf("GeluTanhBackward(%v) = %v, want %v", x, bwd[i], dwant)
		}
	}
	nan := float32(math.NaN())
	GeluTanh(fwd[:1], []float32{nan})
	if !math.IsNaN(float64(fwd[0])) {
		t.Errorf("GeluTanh(NaN) = %v", fwd[0])
	}
}

func TestSwiGLU(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	n := 4099
	g, u, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(r.NormFloat64() * 6)
		u[i] = float32(r.NormFloat64())
		d[i] = float32(r.NormFloat64())
	}
	g[0], g[1] = 100, -100
	out, dg, du := make([]float32, n), make([]float32, n), make([]float32, n)
	SwiGLU(out, g, u)
	SwiGLUBackward(dg, du, g, u, d)
	for i := range g {
		x := float64(g[i])
		s := 1 / (1 + math.Exp(-x))
		check := func(what string, got float32, want float64) {
			if math.Abs(float64(got)-want) > 2e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s(gate=%v) = %v, want %v", what, g[i], got, want)
			}
		}
		check("SwiGLU", out[i], x*s*float64(u[i]))
		check("dup", du[i], float64(d[i])*x*s)
		check("dgate", dg[i], float64(d[i])*float64(u[i])*s*(1+x*(1-s)))
	}
	// In-place use: outputs aliasing inputs.
	g2, u2 := append([]float32(nil), g...), append([]float32(nil), u...)
	SwiGLUBackward(g2, u2, g2, u2, d)
	if bitsEqual(g2, dg) >= 0 || bitsEqual(u2, du) >= 0 {
		t.Error("SwiGLUBackward in place differs")
	}
}

func TestVecLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Dot of unequal lengths did not panic")
		}
	}()
	Dot(make([]float32, 3), make([]float32, 4))
}

func BenchmarkVec(b *testing.B) {
	const n = 50257
	r := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
		y[i] = float32(r.NormFloat64())
	}
	z := make([]float32, n)
	for _, impl := range []bool{true, false} {
		name := "asm"
		if !impl {
			name = "go"
		}
		b.Run("ExpSubSum/"+name, func(b *testing.B) {
			saved := useVecAsm
			useVecAsm = impl && saved
			defer func() { useVecAsm = saved }()
			for b.Loop() {
				ExpSubSum(z, x, 3)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
		b.Run("Dot/"+name, func(b *testing.B) {
			saved := useVecAsm
			useVecAsm = impl && saved
			defer func() { useVecAsm = saved }()
			for b.Loop() {
				Dot(x, y)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
	b.Run("GeluTanh/asm", func(b *testing.B) {
		for b.Loop() {
			GeluTanh(z, x)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	b.Run("GeluTanh/math.Tanh", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				f := float64(v)
				z[i] = float32(0.5 * f * (1 + math.Tanh(geluS*(f+geluC*f*f*f))))
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				z[i] = float32(math.Exp(float64(v - 3)))
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
}
