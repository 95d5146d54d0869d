package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major float32 matrices,
// where op(X) is X or Xᵀ as transA/transB say. op(A) is m×k, op(B) is k×n and C
// is m×n; lda, ldb and ldc are the row strides of A, B and C as stored.
//
// This is the contract every matmul path implements. The result of one output
// element must not depend on the number of threads (fixed summation order), so
// that validators on different machines compute identical losses.
//
// The deterministic Go path (the default: assembly on amd64, pure Go elsewhere)
// computes every element as one fixed chain of single-precision fused
// multiply-adds in increasing p, all results rounded to float32 as IEEE 754
// says:
//
//	acc = 0 (beta == 0), C[i,j] (beta == 1), or fl(beta·C[i,j]) otherwise
//	for p = 0 .. k-1: acc = fma(fl(alpha·op(A)[i,p]), op(B)[p,j], acc)
//	C[i,j] = acc
//
// so the result is identical whatever the thread count, cache blocking, CPU
// (AVX-512, AVX2+FMA, or the pure-Go fallback, which emulates a correctly
// rounded float32 FMA) or architecture. It is not bit-identical to sgemmRef or
// to a BLAS (which round alpha·sum once at the end and may sum in other orders);
// it agrees with them to float32 accuracy. With beta == 0, C is overwritten
// without being read (NaN in C does not propagate); with alpha == 0 or k == 0,
// A and B are not read and C = beta·C.
//
// When a BLAS was enabled with UseBLAS, Sgemm calls it instead; results then
// depend on the library, its version, the CPU and the thread count.
//
// Invalid arguments (negative sizes, strides smaller than a row, slices too
// short for the given sizes and strides) are programming errors and panic with
// the error CheckSgemm returns; use CheckSgemm first for sizes that come from
// outside input.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := CheckSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if bl := activeBLAS.Load(); bl != nil {
		bl.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(currentKernel(), Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmGo is Sgemm on the Go path with a given kernel and thread count, for
// tests and benchmarks; arguments must be valid.
func sgemmGo(kn *kernel, nthreads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	gemm(kn, nthreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// CheckSgemm reports whether Sgemm's arguments describe valid matrices: sizes
// not negative, each stride at least the stored row length, and each slice long
// enough to hold its matrix. It returns nil when Sgemm would not panic.
func CheckSgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) error {
	if m < 0 || n < 0 || k < 0 {
		return fmt.Errorf("kernels: sgemm: negative size m=%d n=%d k=%d", m, n, k)
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if err := checkMatrix("A", ar, ac, a, lda); err != nil {
		return err
	}
	if err := checkMatrix("B", br, bc, b, ldb); err != nil {
		return err
	}
	return checkMatrix("C", m, n, c, ldc)
}

func checkMatrix(name string, rows, cols int, x []float32, ld int) error {
	if ld < max(cols, 1) {
		return fmt.Errorf("kernels: sgemm: stride of %s is %d, less than its row length %d", name, ld, max(cols, 1))
	}
	if rows == 0 || cols == 0 {
		return nil
	}
	// Compare in a way that cannot overflow: need (rows-1)*ld + cols <= len(x).
	if rows-1 > (len(x)-cols)/ld || len(x) < cols {
		return fmt.Errorf("kernels: sgemm: %s is %d×%d with stride %d, needs %d elements, slice has %d", name, rows, cols, ld, (rows-1)*ld+cols, len(x))
	}
	return nil
}

// scaleC sets C = beta·C over an m×n block; beta == 0 writes zeros without
// reading C.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

var threads atomic.Int64

// SetThreads sets how many goroutines Sgemm may use and returns the previous
// setting; n <= 0 restores the default, runtime.GOMAXPROCS(0) at call time.
// Results do not depend on it.
func SetThreads(n int) int {
	prev := threads.Swap(int64(max(n, 0)))
	if prev == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return int(prev)
}

// Threads returns how many goroutines Sgemm uses.
func Threads() int {
	if t := threads.Load(); t > 0 {
		return int(t)
	}
	return runtime.GOMAXPROCS(0)
}

// microKernel computes the mr×nr tile C = C + Ã·B̃ as kc chained FMAs per
// element in increasing p: a holds kc groups of mr values (a packed panel of
// alpha·op(A)), b kc groups of nr values (a packed panel of op(B)); c is the
// tile's top-left element, rows ldc apart, and must hold (mr-1)*ldc+nr values.
type microKernel func(kc int, a, b, c []float32, ldc int)

// kernel describes one micro-kernel and the cache blocking that suits it: a
// kc×mr panel of A stays in L1 while kc×nr panels of B stream from a kc×nc
// block kept in L2.
type kernel struct {
	name   string
	mr, nr int
	kc, nc int
	fn     microKernel
}

// goKernel is the portable fallback; it is exact-FMA, so its results equal the
// assembly kernels' bit for bit.
var goKernel = kernel{name: "go", mr: 4, nr: 8, kc: 256, nc: 256, fn: kernelGo}

// forcedKernel, when set (tests, benchmarks), overrides CPU dispatch.
var forcedKernel atomic.Pointer[kernel]

func currentKernel() *kernel {
	if k := forcedKernel.Load(); k != nil {
		return k
	}
	return bestKernel
}

// Impl names the micro-kernel the Go path uses on this machine: "avx512",
// "avx2" or "go".
func Impl() string { return currentKernel().name }

// workspace is one worker's packing buffers.
type workspace struct{ a, b []float32 }

var workspaces sync.Pool

func getWorkspace(na, nb int) *workspace {
	w, _ := workspaces.Get().(*workspace)
	if w == nil {
		w = &workspace{}
	}
	if cap(w.a) < na {
		w.a = make([]float32, na)
	}
	if cap(w.b) < nb {
		w.b = make([]float32, nb)
	}
	w.a, w.b = w.a[:na], w.b[:nb]
	return w
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// gemm runs the blocked algorithm. The output is cut into independent
// rectangular jobs (each one packs its own panels), which goroutines take from
// an atomic counter; the per-element FMA chain never crosses jobs, so the
// partition (and thus the thread count) cannot change results.
func gemm(kn *kernel, nthreads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := kn.mr, kn.nr
	// Job grid: full rows of C are split only when there are fewer column
	// chunks than workers want.
	cm := m
	cn := min(n, kn.nc)
	if nthreads > 1 {
		for ceilDiv(m, cm)*ceilDiv(n, cn) < 2*nthreads {
			if cm >= cn && cm > mr {
				cm = (cm + 1) / 2
			} else if cn > nr {
				cn = (cn + 1) / 2
			} else if cm > mr {
				cm = (cm + 1) / 2
			} else {
				break
			}
		}
	}
	cm = min(ceilDiv(cm, mr)*mr, ceilDiv(m, mr)*mr)
	cn = min(ceilDiv(cn, nr)*nr, ceilDiv(n, nr)*nr)
	jm, jn := ceilDiv(m, cm), ceilDiv(n, cn)
	jobs := jm * jn
	kc := min(k, kn.kc)
	na, nb := cm*kc, cn*kc

	run := func(job int) {
		w := getWorkspace(na, nb)
		defer workspaces.Put(w)
		i0 := (job / jn) * cm
		j0 := (job % jn) * cn
		gemmBlock(kn, transA, transB, i0, min(m, i0+cm), j0, min(n, j0+cn), k, alpha, a, lda, b, ldb, beta, c, ldc, w)
	}
	workers := min(nthreads, jobs)
	if workers <= 1 {
		for j := 0; j < jobs; j++ {
			run(j)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		for {
			j := int(next.Add(1)) - 1
			if j >= jobs {
				return
			}
			run(j)
		}
	}
	wg.Add(workers - 1)
	for t := 1; t < workers; t++ {
		go func() { defer wg.Done(); work() }()
	}
	work()
	wg.Wait()
}

// gemmBlock computes rows i0..i1 and columns j0..j1 of C.
func gemmBlock(kn *kernel, transA, transB bool, i0, i1, j0, j1, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, w *workspace) {
	mr, nr := kn.mr, kn.nr
	rows, cols := i1-i0, j1-j0
	scaleC(rows, cols, beta, c[i0*ldc+j0:], ldc)
	pa := ceilDiv(rows, mr)
	pb := ceilDiv(cols, nr)
	var edge [32 * 32]float32
	for p0 := 0; p0 < k; p0 += kn.kc {
		kc := min(kn.kc, k-p0)
		packB(w.b, transB, b, ldb, j0, cols, p0, kc, nr)
		packA(w.a, transA, alpha, a, lda, i0, rows, p0, kc, mr)
		for r := 0; r < pa; r++ {
			ap := w.a[r*kc*mr : (r+1)*kc*mr]
			ii := i0 + r*mr
			h := min(mr, i1-ii)
			for q := 0; q < pb; q++ {
				bp := w.b[q*kc*nr : (q+1)*kc*nr]
				jj := j0 + q*nr
				wd := min(nr, j1-jj)
				if h == mr && wd == nr {
					kn.fn(kc, ap, bp, c[ii*ldc+jj:], ldc)
					continue
				}
				// Edge tile: run the full kernel on a scratch tile.
				for x := 0; x < h; x++ {
					copy(edge[x*nr:x*nr+wd], c[(ii+x)*ldc+jj:(ii+x)*ldc+jj+wd])
				}
				kn.fn(kc, ap, bp, edge[:mr*nr], nr)
				for x := 0; x < h; x++ {
					copy(c[(ii+x)*ldc+jj:(ii+x)*ldc+jj+wd], edge[x*nr:x*nr+wd])
				}
			}
		}
	}
}

// packA writes rows i0..i0+rows of fl(alpha·op(A)), columns p0..p0+kc, as
// ceil(rows/mr) panels of kc groups of mr values, zero-padded.
func packA(dst []float32, trans bool, alpha float32, a []float32, lda, i0, rows, p0, kc, mr int) {
	panels := ceilDiv(rows, mr)
	for r := 0; r < panels; r++ {
		d := dst[r*kc*mr : (r+1)*kc*mr]
		h := min(mr, rows-r*mr)
		base := i0 + r*mr
		if trans {
			// op(A)[i,p] = a[p*lda+i]: each p is a contiguous run of h values.
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+base : (p0+p)*lda+base+h]
				g := d[p*mr : p*mr+mr]
				if alpha == 1 {
					copy(g, src)
				} else {
					for x, v := range src {
						g[x] = alpha * v
					}
				}
				clear(g[h:])
			}
			continue
		}
		for x := 0; x < h; x++ {
			src := a[(base+x)*lda+p0 : (base+x)*lda+p0+kc]
			if alpha == 1 {
				for p, v := range src {
					d[p*mr+x] = v
				}
			} else {
				for p, v := range src {
					d[p*mr+x] = alpha * v
				}
			}
		}
		for x := h; x < mr; x++ {
			for p := 0; p < kc; p++ {
				d[p*mr+x] = 0
			}
		}
	}
}

// packB writes columns j0..j0+cols of op(B), rows p0..p0+kc, as
// ceil(cols/nr) panels of kc groups of nr values, zero-padded.
func packB(dst []float32, trans bool, b []float32, ldb, j0, cols, p0, kc, nr int) {
	panels := ceilDiv(cols, nr)
	for q := 0; q < panels; q++ {
		d := dst[q*kc*nr : (q+1)*kc*nr]
		wd := min(nr, cols-q*nr)
		base := j0 + q*nr
		if !trans {
			for p := 0; p < kc; p++ {
				g := d[p*nr : p*nr+nr]
				copy(g, b[(p0+p)*ldb+base:(p0+p)*ldb+base+wd])
				clear(g[wd:])
			}
			continue
		}
		// op(B)[p,j] = b[j*ldb+p]: each column is a contiguous run of kc values.
		for x := 0; x < wd; x++ {
			src := b[(base+x)*ldb+p0 : (base+x)*ldb+p0+kc]
			for p, v := range src {
				d[p*nr+x] = v
			}
		}
		for x := wd; x < nr; x++ {
			for p := 0; p < kc; p++ {
				d[p*nr+x] = 0
			}
		}
	}
}

// sgemmRef is the obviously-correct reference the fast paths are tested against.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum float32
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
				sum += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * sum
			} else {
				c[i*ldc+j] = alpha*sum + beta*c[i*ldc+j]
			}
		}
	}
}

// bestKernel is the fastest micro-kernel the CPU supports.
var bestKernel = hostKernels()[0]
