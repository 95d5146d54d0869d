//go:build amd64 && !purego

package kernels

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestRowTGather covers the gather-based Bᵀ row kernel, which the host only
// selects on AVX-512 CPUs without AVX-512VL.
func TestRowTGather(t *testing.T) {
	if !cpu.X86.HasAVX512F {
		t.Skip("no AVX-512F")
	}
	kn := avx512Kernel
	kn.rowT = rowTAVX512
	r := rand.New(rand.NewPCG(4, 4))
	for _, s := range [][3]int{{1, 200, 77}, {4, 130, 300}, {2, 64, 1}, {1, 1000, 9}} {
		g := newCase(r, false, true, s[0], s[1], s[2], 1, 2, 1, 0.5, 2)
		sameBits(t, "gather rowT", g, g.run(withKernel(&kn, 2)), g.run(sgemmModel))
	}
}
