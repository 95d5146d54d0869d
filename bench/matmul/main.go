// Command matmul compares taonet's deterministic Sgemm with the machine's
// OpenBLAS cblas_sgemm (loaded at run time through purego) on the same shapes,
// printing GFLOP/s (per wall-clock second and per CPU-second) for both and
// their ratios.
//
//	go run ./bench/matmul [-threads 2] [-time 1s] [-shapes all|square|lm] [-impl avx2] [-blas libopenblas.so.0]
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/taonet/taonet/lm/kernels"
)

type shape struct {
	name           string
	transA, transB bool
	m, n, k        int
	square         bool
}

// shapes: square sizes, GPT-2 124M training shapes at B·T = 1024, then
// generation (matrix-vector) shapes.
var shapes = []shape{
	{"512³", false, false, 512, 512, 512, true},
	{"1024³", false, false, 1024, 1024, 1024, true},
	{"2048³", false, false, 2048, 2048, 2048, true},
	{"qkv 1024×2304×768", false, false, 1024, 2304, 768, false},
	{"attn-proj 1024×768×768", false, false, 1024, 768, 768, false},
	{"mlp-fc 1024×3072×768", false, false, 1024, 3072, 768, false},
	{"mlp-proj 1024×768×3072", false, false, 1024, 768, 3072, false},
	{"lm-head 1024×50257×768 (Bᵀ)", false, true, 1024, 50257, 768, false},
	{"bwd dX 1024×768×3072 (Bᵀ)", false, true, 1024, 768, 3072, false},
	{"bwd dW 768×3072×1024 (Aᵀ)", true, false, 768, 3072, 1024, false},
	{"bwd lm-head dX 1024×768×50257", false, false, 1024, 768, 50257, false},
	{"bwd lm-head dW 50257×768×1024 (Aᵀ)", true, false, 50257, 768, 1024, false},
	{"gen mlp-fc 1×3072×768", false, false, 1, 3072, 768, false},
	{"gen mlp-fc 4×3072×768", false, false, 4, 3072, 768, false},
	{"gen lm-head 1×50257×768 (Bᵀ)", false, true, 1, 50257, 768, false},
	{"gen linear 1×3072×768 (Bᵀ)", false, true, 1, 3072, 768, false},
}

func main() {
	threads := flag.Int("threads", 2, "goroutines for Sgemm and OpenBLAS threads")
	minTime := flag.Duration("time", time.Second, "minimum measuring time per shape and path")
	which := flag.String("shapes", "all", "all, square or lm")
	blas := flag.String("blas", kernels.DefaultBLASLibrary, "BLAS shared library to compare with")
	impl := flag.String("impl", "", "force a Go micro-kernel (avx512, avx2, neon, go); default: the CPU's best")
	flag.Parse()
	if err := kernels.SetImpl(*impl); err != nil {
		fmt.Fprintln(os.Stderr, "matmul:", err)
		os.Exit(2)
	}
	if *which != "all" && *which != "square" && *which != "lm" {
		fmt.Fprintln(os.Stderr, "matmul: -shapes must be all, square or lm")
		os.Exit(2)
	}
	kernels.SetThreads(*threads)
	blasErr := kernels.UseBLAS(*blas)
	kernels.DisableBLAS()
	fmt.Printf("taonet Sgemm (kernel %s) vs %s, %d threads, GOMAXPROCS=%d, NumCPU=%d, load %s\n",
		kernels.Impl(), *blas, *threads, runtime.GOMAXPROCS(0), runtime.NumCPU(), loadAvg())
	if blasErr != nil {
		fmt.Printf("OpenBLAS unavailable (%v): only the Go path is measured\n", blasErr)
	}
	fmt.Println("GF/s: GFLOP per wall-clock second; GF/cpu-s: per CPU-second of the whole process (less disturbed by other load)")
	fmt.Printf("%-36s %10s %8s %10s %8s %7s %8s %10s\n", "shape (m×n×k)", "Go GF/s", "GF/cpu-s", "BLAS GF/s", "GF/cpu-s", "Go/BLAS", "(cpu-s)", "max rel Δ")
	for _, s := range shapes {
		if (*which == "square" && !s.square) || (*which == "lm" && s.square) {
			continue
		}
		r := rand.New(rand.NewPCG(1, 2))
		a := randn(r, s.m*s.k)
		b := randn(r, s.k*s.n)
		lda, ldb := s.k, s.n
		if s.transA {
			lda = s.m
		}
		if s.transB {
			ldb = s.k
		}
		cGo := make([]float32, s.m*s.n)
		// run returns GFLOP per wall-clock second and per CPU-second.
		run := func(c []float32) (float64, float64) {
			f := func() { kernels.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) }
			f() // warm up: page in buffers, spin up threads
			reps := 0
			start, cpu0 := time.Now(), cpuTime()
			for time.Since(start) < *minTime || reps < 2 {
				f()
				reps++
			}
			gflop := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(reps) / 1e9
			perCPU := 0.0
			if d := cpuTime() - cpu0; d > 0 {
				perCPU = gflop / d.Seconds()
			}
			return gflop / time.Since(start).Seconds(), perCPU
		}
		goGF, goCPU := run(cGo)
		line := fmt.Sprintf("%-36s %10.1f %8.1f", s.name, goGF, goCPU)
		bench := fmt.Sprintf("BENCH\t%s\tGo GFLOP/s=%.1f\tGo GFLOP/CPU-s=%.1f", s.name, goGF, goCPU)
		if blasErr == nil {
			cBLAS := make([]float32, s.m*s.n)
			if err := kernels.UseBLAS(*blas); err != nil {
				fmt.Fprintln(os.Stderr, "matmul:", err)
				os.Exit(1)
			}
			blasGF, blasCPU := run(cBLAS)
			kernels.DisableBLAS()
			line += fmt.Sprintf(" %10.1f %8.1f %7.2f %8.2f %10.2g", blasGF, blasCPU, goGF/blasGF, goCPU/blasCPU, maxRelDiff(cGo, cBLAS))
			bench += fmt.Sprintf("\tOpenBLAS GFLOP/s=%.1f\tGo/OpenBLAS=%.2fx\tGo/OpenBLAS per CPU-s=%.2fx\tmax rel diff=%.2g", blasGF, goGF/blasGF, goCPU/blasCPU, maxRelDiff(cGo, cBLAS))
		}
		fmt.Println(line)
		fmt.Println(bench) // the line bench/tables turns into a BENCHMARKS.md row
	}
	fmt.Printf("load at end %s\n", loadAvg())
}

func randn(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// maxRelDiff is max |x-y| / (max |y| over the matrix): a sanity check that
// both paths computed the same product.
func maxRelDiff(x, y []float32) float64 {
	var d, s float64
	for i := range x {
		d = math.Max(d, math.Abs(float64(x[i])-float64(y[i])))
		s = math.Max(s, math.Abs(float64(y[i])))
	}
	if s == 0 {
		return d
	}
	return d / s
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
