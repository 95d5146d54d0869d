package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"pgregory.net/rapid"
)

// sgemmModel is the documented per-element semantics of the Go path, written
// as plainly as possible: one FMA chain per element in increasing p.
func sgemmModel(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float32
			switch {
			case beta == 0:
			case beta == 1:
				acc = c[i*ldc+j]
			default:
				acc = beta * c[i*ldc+j]
			}
			if alpha != 0 {
				for p := 0; p < k; p++ {
					var av, bv float32
					if transA {
						av = a[p*lda+i]
					} else {
						av = a[i*lda+p]
					}
					if transB {
						bv = b[j*ldb+p]
					} else {
						bv = b[p*ldb+j]
					}
					acc = fma32(alpha*av, bv, acc)
				}
			}
			c[i*ldc+j] = acc
		}
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	lda, ldb, ldc  int
	alpha, beta    float32
	a, b, c        []float32
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%v beta=%v", g.transA, g.transB, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.alpha, g.beta)
}

func randSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// newCase builds random matrices with row padding pa, pb, pc beyond the
// stored row length.
func newCase(r *rand.Rand, transA, transB bool, m, n, k, pa, pb, pc int, alpha, beta float32) gemmCase {
	g := gemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	g.lda, g.ldb, g.ldc = max(ac, 1)+pa, max(bc, 1)+pb, max(n, 1)+pc
	g.a = randSlice(r, max(ar*g.lda, 0))
	g.b = randSlice(r, max(br*g.ldb, 0))
	g.c = randSlice(r, m*g.ldc)
	return g
}

func (g gemmCase) run(f func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)) []float32 {
	c := append([]float32(nil), g.c...)
	f(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc)
	return c
}

func withKernel(kn *kernel, threads int) func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		sgemmGo(kn, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// sameBits reports the first element whose bits differ, including padding
// (which must be left untouched).
func sameBits(t *testing.T, what string, g gemmCase, got, want []float32) bool {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: %v: element %d (row %d col %d): got %v want %v", what, g, i, i/g.ldc, i%g.ldc, got[i], want[i])
			return false
		}
	}
	return true
}

// closeTo checks got against the plain-summation reference within a float32
// error bound for a length-k dot product of N(0,1) values.
func closeTo(t *testing.T, what string, g gemmCase, got, want []float32) bool {
	t.Helper()
	tol := float64(g.k+4) * 2e-7 * 8 * (1 + math.Abs(float64(g.alpha)) + math.Abs(float64(g.beta)))
	for i := range want {
		if math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i])) {
			continue // NaN row padding, checked bit-exactly elsewhere
		}
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= tol*(1+math.Sqrt(float64(g.k)))) {
			t.Errorf("%s: %v: element %d: got %v want %v (diff %g)", what, g, i, got[i], want[i], d)
			return false
		}
	}
	return true
}

var testShapes = [][3]int{
	{1, 1, 1}, {1, 1, 7}, {1, 33, 5}, {17, 1, 9}, {3, 5, 1}, {14, 32, 1}, {15, 33, 17},
	{6, 16, 300}, {29, 65, 385}, {1, 200, 77}, {4, 130, 300}, {2, 64, 1}, {3, 129, 2}, {64, 64, 64}, {100, 70, 800}, {13, 200, 31}, {0, 5, 3}, {4, 0, 3}, {4, 5, 0},
}

// splitSmall makes gemm spread even tiny products over all threads, so the
// task partition is exercised by small shapes too, and pack A one kc slice
// at a time (a barrier between slices) instead of all slices at once.
func splitSmall(t *testing.T) {
	savedWork, savedA := minWorkPerThread, maxPackedA
	minWorkPerThread, maxPackedA = 1, 1
	t.Cleanup(func() { minWorkPerThread, maxPackedA = savedWork, savedA })
}

func TestSgemmKernelsExact(t *testing.T) {
	splitSmall(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, kn := range hostKernels() {
		for _, s := range testShapes {
			for tr := 0; tr < 4; tr++ {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {0.5, -1.25}, {-2, 0}, {0, 3}} {
					g := newCase(r, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], r.IntN(3), r.IntN(3), r.IntN(3), ab[0], ab[1])
					want := g.run(sgemmModel)
					for _, th := range []int{1, 3} {
						if !sameBits(t, kn.name+fmt.Sprintf("/threads=%d", th), g, g.run(withKernel(kn, th)), want) {
							return
						}
					}
					if !closeTo(t, kn.name+" vs sgemmRef", g, want, g.run(sgemmRef)) {
						return
					}
				}
			}
		}
	}
}

// TestSgemmBiasExact checks SgemmBias against its definition — Sgemm with
// beta = 1 on a C whose rows hold the bias — bit for bit, on every kernel and
// thread count, both with all kc slices packed at once and one at a time.
func TestSgemmBiasExact(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, split := range []bool{false, true} {
		if split {
			splitSmall(t)
		}
		for _, kn := range hostKernels() {
			for _, s := range append(testShapes, [3]int{70, 300, 800}) {
				for tr := 0; tr < 4; tr++ {
					alpha := []float32{1, 0.5, -2}[r.IntN(3)]
					g := newCase(r, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], r.IntN(3), r.IntN(3), r.IntN(3), alpha, 1)
					bias := randSlice(r, s[1]+r.IntN(3))
					for i := 0; i < g.m; i++ {
						copy(g.c[i*g.ldc:i*g.ldc+g.n], bias)
					}
					want := g.run(sgemmModel)
					for i := 0; i < g.m; i++ {
						for j := 0; j < g.n; j++ {
							g.c[i*g.ldc+j] = float32(math.NaN()) // must not be read
						}
					}
					for _, th := range []int{1, 3} {
						got := g.run(func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, _ float32, c []float32, ldc int) {
							if m == 0 || n == 0 {
								return
							}
							if k == 0 || alpha == 0 {
								fillRows(m, n, bias, c, ldc)
								return
							}
							gemm(kn, th, transA, transB, m, n, k, alpha, a, lda, b, ldb, 1, c, ldc, bias)
						})
						if !sameBits(t, fmt.Sprintf("%s/threads=%d/split=%v", kn.name, th, split), g, got, want) {
							return
						}
					}
					if !sameBits(t, "SgemmBias", g, g.run(func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, _ float32, c []float32, ldc int) {
						SgemmBias(transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, c, ldc)
					}), want) {
						return
					}
				}
			}
		}
	}
}

func TestSgemmRapid(t *testing.T) {
	splitSmall(t)
	kernels := hostKernels()
	rapid.Check(t, func(rt *rapid.T) {
		m := rapid.IntRange(0, 40).Draw(rt, "m")
		n := rapid.IntRange(0, 70).Draw(rt, "n")
		k := rapid.IntRange(0, 420).Draw(rt, "k")
		ta := rapid.Bool().Draw(rt, "transA")
		tb := rapid.Bool().Draw(rt, "transB")
		alpha := rapid.SampledFrom([]float32{0, 1, -1, 0.3, 2}).Draw(rt, "alpha")
		beta := rapid.SampledFrom([]float32{0, 1, -0.5, 3}).Draw(rt, "beta")
		seed := rapid.Uint64().Draw(rt, "seed")
		r := rand.New(rand.NewPCG(seed, 7))
		g := newCase(r, ta, tb, m, n, k, r.IntN(4), r.IntN(4), r.IntN(4), alpha, beta)
		want := g.run(sgemmModel)
		for _, kn := range kernels {
			th := rapid.IntRange(1, 5).Draw(rt, "threads")
			got := g.run(withKernel(kn, th))
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					rt.Fatalf("%s threads=%d %v: element %d got %v want %v", kn.name, th, g, i, got[i], want[i])
				}
			}
		}
		got := g.run(Sgemm)
		ref := g.run(sgemmRef)
		tol := 1e-5 * float64(k+1) * (1 + math.Abs(float64(alpha)) + math.Abs(float64(beta)))
		for i := range ref {
			if d := math.Abs(float64(got[i]) - float64(ref[i])); !(d <= tol) {
				rt.Fatalf("%v: element %d: Sgemm %v, sgemmRef %v", g, i, got[i], ref[i])
			}
		}
	})
}

// TestSgemmThreadIndependence checks bit-exact results across thread counts
// on shapes large enough to be split into many jobs.
func TestSgemmThreadIndependence(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	kn := currentKernel()
	for _, s := range [][3]int{{300, 260, 530}, {97, 1000, 64}, {1000, 37, 129}, {1, 5000, 300}, {3, 2000, 700}} {
		for tr := 0; tr < 4; tr++ {
			g := newCase(r, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 1, 0, 2, 1, 0)
			want := g.run(withKernel(kn, 1))
			for _, th := range []int{2, 3, 8} {
				sameBits(t, fmt.Sprintf("%s threads=%d", kn.name, th), g, g.run(withKernel(kn, th)), want)
			}
		}
	}
}

func TestSgemmBetaZeroIgnoresNaN(t *testing.T) {
	a := []float32{1, 2, 3, 4}
	b := []float32{5, 6, 7, 8}
	for _, kn := range hostKernels() {
		c := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.NaN()), 9}
		sgemmGo(kn, 2, false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2)
		if want := []float32{19, 22, 43, 50}; fmt.Sprint(c) != fmt.Sprint(want) {
			t.Errorf("%s: got %v want %v", kn.name, c, want)
		}
		// alpha == 0: C = beta·C without reading A or B (NaN there is ignored).
		c = []float32{1, 2, 3, 4}
		sgemmGo(kn, 1, false, false, 2, 2, 2, 0, []float32{float32(math.NaN()), 0, 0, 0}, 2, b, 2, 2, c, 2)
		if want := []float32{2, 4, 6, 8}; fmt.Sprint(c) != fmt.Sprint(want) {
			t.Errorf("%s alpha=0: got %v want %v", kn.name, c, want)
		}
	}
}

func TestSetThreads(t *testing.T) {
	prev := SetThreads(3)
	defer SetThreads(prev)
	if Threads() != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", Threads())
	}
	if got := SetThreads(0); got != 3 {
		t.Errorf("SetThreads returned %d, want 3", got)
	}
	if Threads() != runtime.GOMAXPROCS(0) {
		t.Errorf("default Threads() = %d, want GOMAXPROCS %d", Threads(), runtime.GOMAXPROCS(0))
	}
}

func TestSetImpl(t *testing.T) {
	defer SetImpl("")
	if err := SetImpl("go"); err != nil || Impl() != "go" {
		t.Fatalf("SetImpl(go): %v, Impl %s", err, Impl())
	}
	c := make([]float32, 1)
	Sgemm(false, false, 1, 1, 2, 1, []float32{1, 2}, 2, []float32{3, 4}, 1, 0, c, 1)
	if c[0] != 11 {
		t.Errorf("go kernel: got %v", c[0])
	}
	if err := SetImpl("sparc"); err == nil {
		t.Error("SetImpl of an unknown kernel succeeded")
	}
	if Impl() != "go" {
		t.Errorf("failed SetImpl changed the kernel to %s", Impl())
	}
	SetImpl("")
	if Impl() != hostKernels()[0].name {
		t.Errorf("SetImpl(\"\") left %s", Impl())
	}
}

func TestCheckSgemm(t *testing.T) {
	buf := make([]float32, 12)
	cases := []struct {
		name                   string
		tA, tB                 bool
		m, n, k, lda, ldb, ldc int
		a, b, c                []float32
		ok                     bool
	}{
		{"ok", false, false, 3, 4, 2, 2, 4, 4, buf[:6], buf[:8], buf[:12], true},
		{"ok transposed", true, true, 3, 4, 2, 3, 2, 4, buf[:6], buf[:8], buf[:12], true},
		{"ok zero", false, false, 0, 0, 0, 1, 1, 1, nil, nil, nil, true},
		{"negative", false, false, -1, 4, 2, 2, 4, 4, buf, buf, buf, false},
		{"lda small", false, false, 3, 4, 2, 1, 4, 4, buf, buf, buf, false},
		{"ldb small transposed", false, true, 3, 4, 2, 2, 1, 4, buf, buf, buf, false},
		{"a short", false, false, 3, 4, 2, 2, 4, 4, buf[:5], buf, buf, false},
		{"c short", false, false, 3, 4, 2, 2, 4, 5, buf, buf, buf[:12], false},
		{"huge stride", false, false, 3, 4, 2, math.MaxInt, 4, 4, buf, buf, buf, false},
	}
	for _, tc := range cases {
		err := CheckSgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.a, tc.lda, tc.b, tc.ldb, tc.c, tc.ldc)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Sgemm with a short slice did not panic")
		}
	}()
	Sgemm(false, false, 3, 4, 2, 1, buf[:5], 2, buf, 4, 0, buf, 4)
}

func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(a, b, c float32) {
		t.Helper()
		want := fma32Big(a, b, c)
		got := fma32(a, b, c)
		if math.Float32bits(got) != math.Float32bits(want) && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 0x1p-126, 0x1p-149 * 3, float32(math.Inf(1)), float32(math.Inf(-1)), 0x1p64, 0x1p-64, 1 + 0x1p-23}
	for _, a := range specials {
		for _, b := range specials {
			for _, c := range specials {
				check(a, b, c)
			}
		}
	}
	for i := 0; i < 200000; i++ {
		a := math.Float32frombits(r.Uint32())
		b := math.Float32frombits(r.Uint32())
		c := math.Float32frombits(r.Uint32())
		check(a, b, c)
		// Near-halfway cases: c chosen so that a·b + c is a float32 midpoint
		// plus a tiny residue.
		x := float32(r.NormFloat64())
		y := float32(r.NormFloat64())
		mid := float64(x) + float64(math.Nextafter32(x, 10)-x)/2
		check(y, float32(math.Ldexp(1, -60+r.IntN(20))), float32(mid))
		check(x, 1+0x1p-23, float32(r.NormFloat64())*0x1p-30)
		e := r.IntN(40) - 150
		check(float32(math.Ldexp(r.Float64(), e/2)), float32(math.Ldexp(r.Float64(), e/2)), float32(math.Ldexp(r.NormFloat64(), e)))
	}
}

func TestMain(m *testing.M) {
	// Tests choose the BLAS explicitly; an inherited TAONET_BLAS must not
	// change what the Go-path tests measure.
	DisableBLAS()
	os.Exit(m.Run())
}
