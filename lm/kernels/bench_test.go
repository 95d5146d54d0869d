package kernels

import (
	"math/rand/v2"
	"testing"
)

// benchShapes are the square sizes and the GPT-2 124M shapes at B·T = 1024:
// QKV/attention-out/MLP projections (Conv1D weights [in,out]), the tied LM
// head (wte is [V,C], so transB) and the backward products (dX = dY·Wᵀ,
// dW = Xᵀ·dY).
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"512^3", false, false, 512, 512, 512},
	{"1024^3", false, false, 1024, 1024, 1024},
	{"2048^3", false, false, 2048, 2048, 2048},
	{"fc_1024x3072x768", false, false, 1024, 3072, 768},
	{"proj_1024x768x3072", false, false, 1024, 768, 3072},
	{"attn_1024x768x768", false, false, 1024, 768, 768},
	{"lmhead_1024x50257x768_tB", false, true, 1024, 50257, 768},
	{"bwd_dX_1024x768x3072_tB", false, true, 1024, 768, 3072},
	{"bwd_dW_768x3072x1024_tA", true, false, 768, 3072, 1024},
	{"bwd_lmhead_dW_50257x768x1024_tA", true, false, 50257, 768, 1024},
	{"gen_fc_1x3072x768", false, false, 1, 3072, 768},
	{"gen_fc_4x3072x768", false, false, 4, 3072, 768},
	{"gen_lmhead_1x50257x768_tB", false, true, 1, 50257, 768},
	{"gen_linear_1x3072x768_tB", false, true, 1, 3072, 768},
}

func benchSgemm(b *testing.B, f func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, bm []float32, ldb int, beta float32, c []float32, ldc int)) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a := randSlice(r, s.m*s.k)
			bm := randSlice(r, s.k*s.n)
			c := make([]float32, s.m*s.n)
			lda, ldb := s.k, s.n
			if s.transA {
				lda = s.m
			}
			if s.transB {
				ldb = s.k
			}
			b.ResetTimer()
			for b.Loop() {
				f(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemm measures the deterministic Go path (the CPU's best kernel,
// Threads() goroutines).
func BenchmarkSgemm(b *testing.B) {
	benchSgemm(b, func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, bm []float32, ldb int, beta float32, c []float32, ldc int) {
		sgemmGo(currentKernel(), Threads(), transA, transB, m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc)
	})
}

// BenchmarkSgemmBLAS measures OpenBLAS through purego when it is installed.
func BenchmarkSgemmBLAS(b *testing.B) {
	lib, err := loadBLAS(DefaultBLASLibrary)
	if err != nil {
		b.Skipf("no BLAS: %v", err)
	}
	benchSgemm(b, lib.sgemm)
}

// BenchmarkSgemmKernels compares the micro-kernels at 512³ on one thread.
func BenchmarkSgemmKernels(b *testing.B) {
	for _, kn := range hostKernels() {
		b.Run(kn.name, func(b *testing.B) {
			const n = 512
			r := rand.New(rand.NewPCG(1, 1))
			a, bm, c := randSlice(r, n*n), randSlice(r, n*n), make([]float32, n*n)
			for b.Loop() {
				sgemmGo(kn, 1, false, false, n, n, n, 1, a, n, bm, n, 0, c, n)
			}
			b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
