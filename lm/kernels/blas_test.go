package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestUseBLASMissingLibrary(t *testing.T) {
	err := UseBLAS("/nonexistent/libopenblas-missing.so")
	if err == nil {
		DisableBLAS()
		t.Fatal("UseBLAS of a missing file succeeded")
	}
	if !strings.Contains(err.Error(), "libopenblas-missing.so") {
		t.Errorf("error does not name the library: %v", err)
	}
	if BLAS() != "" {
		t.Errorf("BLAS() = %q after a failed UseBLAS, want the Go path", BLAS())
	}
	c := make([]float32, 1)
	Sgemm(false, false, 1, 1, 1, 1, []float32{2}, 1, []float32{3}, 1, 0, c, 1)
	if c[0] != 6 {
		t.Errorf("Go path after failed UseBLAS: got %v", c[0])
	}
}

// TestBLASMatchesGo runs OpenBLAS (when installed) through Sgemm and compares it
// with the Go path within float32 tolerance: BLAS sums in its own order.
func TestBLASMatchesGo(t *testing.T) {
	if err := UseBLAS(""); err != nil {
		t.Skipf("OpenBLAS not available (apt-get install libopenblas0-pthread): %v", err)
	}
	defer DisableBLAS()
	if BLAS() != DefaultBLASLibrary {
		t.Fatalf("BLAS() = %q", BLAS())
	}
	r := rand.New(rand.NewPCG(9, 9))
	shapes := append(testShapes, [3]int{130, 257, 300})
	for _, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			for _, ab := range [][2]float32{{1, 0}, {0.5, -1.25}, {1, 1}} {
				g := newCase(r, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], r.IntN(3), r.IntN(3), r.IntN(3), ab[0], ab[1])
				if ab[1] == 0 {
					for i := range g.c {
						g.c[i] = float32(math.NaN())
					}
				}
				want := g.run(sgemmModel)
				got := g.run(Sgemm)
				// Padding between rows of C must be untouched.
				for i := range want {
					if i%g.ldc >= g.n && math.Float32bits(got[i]) != math.Float32bits(g.c[i]) {
						t.Fatalf("%v: BLAS wrote padding element %d", g, i)
					}
				}
				if !closeTo(t, "openblas vs go", g, got, want) {
					return
				}
			}
		}
	}
}
