package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackMatchesGo checks the packers (AVX-512 assembly where the CPU has
// it) against the pure-Go loops bit for bit, padding included,
// on values that a careless copy would change: NaN payloads, -0, infinities,
// subnormals.
func TestPackMatchesGo(t *testing.T) {
	if !hasPackT {
		t.Skip("no assembly packer on this build or CPU")
	}
	r := rand.New(rand.NewPCG(5, 6))
	special := []float32{float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fa00001), math.Float32frombits(0xffc00123), math.Float32frombits(1), 1e-40}
	pack := func(asm bool, f func()) {
		saved := hasPackT
		hasPackT = asm
		defer func() { hasPackT = saved }()
		f()
	}
	for iter := 0; iter < 400; iter++ {
		stride := []int{4, 6, 8, 14, 16, 32}[r.IntN(6)]
		rows := 1 + r.IntN(stride)
		kc := 1 + r.IntN(maxPackT)
		ld := kc + r.IntN(5)
		p0 := r.IntN(3)
		ld += p0
		alpha := []float32{1, 1, 0.3, -2}[r.IntN(4)]
		src := make([]float32, (rows+1)*ld)
		for i := range src {
			if r.IntN(20) == 0 {
				src[i] = special[r.IntN(len(special))]
			} else {
				src[i] = float32(r.NormFloat64())
			}
		}
		got := make([]float32, kc*stride)
		want := make([]float32, kc*stride)
		for i := range got {
			got[i], want[i] = 7, 7 // every element must be written
		}
		check := func(what string) {
			t.Helper()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s stride=%d rows=%d kc=%d ld=%d alpha=%v: element %d (p=%d x=%d): got %#x want %#x",
						what, stride, rows, kc, ld, alpha, i, i/stride, i%stride, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
			for i := range got {
				got[i], want[i] = 7, 7
			}
		}
		pack(true, func() { packAPanel(got, false, alpha, src, ld, 0, rows, p0, kc, stride) })
		pack(false, func() { packAPanel(want, false, alpha, src, ld, 0, rows, p0, kc, stride) })
		check("packAPanel")
		pack(true, func() { packBPanel(got, true, src, ld, 0, rows, p0, kc, stride) })
		pack(false, func() { packBPanel(want, true, src, ld, 0, rows, p0, kc, stride) })
		check("packBPanel")
		// The other layouts: runs of rows values, kc of them, ld2 apart.
		ld2 := rows + r.IntN(5)
		runs := make([]float32, (p0+kc)*ld2+1)
		for i := range runs {
			runs[i] = src[r.IntN(len(src))]
		}
		pack(true, func() { packAPanel(got, true, alpha, runs, ld2, 0, rows, p0, kc, stride) })
		pack(false, func() { packAPanel(want, true, alpha, runs, ld2, 0, rows, p0, kc, stride) })
		check("packAPanel transposed")
		pack(true, func() { packBPanel(got, false, runs, ld2, 0, rows, p0, kc, stride) })
		pack(false, func() { packBPanel(want, false, runs, ld2, 0, rows, p0, kc, stride) })
		check("packBPanel not transposed")
	}
}
