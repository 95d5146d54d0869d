package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
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
	gemm(currentKernel(), Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// SgemmBias computes C = bias + alpha·op(A)·op(B), adding bias [n] to every
// row of C: the result of Sgemm with beta = 1 on a C whose every row holds
// bias, bit for bit (each element's FMA chain starts from bias[j]), without
// writing and re-reading C first. Arguments are as for Sgemm; bias must hold
// at least n values.
func SgemmBias(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	if err := CheckSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	if len(bias) < n {
		panic(fmt.Errorf("kernels: sgemm: bias has %d values, needs %d", len(bias), n))
	}
	if m == 0 || n == 0 {
		return
	}
	if bl := activeBLAS.Load(); k == 0 || alpha == 0 || bl != nil {
		fillRows(m, n, bias, c, ldc)
		Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, 1, c, ldc)
		return
	}
	gemm(currentKernel(), Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, 1, c, ldc, bias)
}

// fillRows copies bias[:n] into each of C's m rows.
func fillRows(m, n int, bias, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		copy(c[i*ldc:i*ldc+n], bias[:n])
	}
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
	gemm(kn, nthreads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
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
			row[j] = float32(row[j] * beta)
		}
	}
}

var threads atomic.Int64

// SetThreads sets how many goroutines Sgemm may use and returns the previous
// setting, so that SetThreads(prev) restores it; n <= 0 (and a returned 0)
// means the default, runtime.GOMAXPROCS(0) at call time. Results do not
// depend on it.
func SetThreads(n int) int {
	return int(threads.Swap(int64(max(n, 0))))
}

// Threads returns how many goroutines Sgemm uses.
func Threads() int {
	if t := threads.Load(); t > 0 {
		return int(t)
	}
	return runtime.GOMAXPROCS(0)
}

// microKernel computes the mr×nr tile C = I + Ã·B̃ as kc chained FMAs per
// element in increasing p, each chain starting from its element of I: the
// tile at init, rows ldi apart (init = c, ldi = ldc accumulates into C; ldi =
// 0 repeats one row, a bias), or +0 when init is nil (C is then not read; the
// same bits as starting from a cleared C). a holds kc groups of mr values (a
// packed panel of alpha·op(A)), b kc groups of nr values (a packed panel of
// op(B)); c is the tile's top-left element, rows ldc apart, and must hold
// (mr-1)*ldc+nr values.
type microKernel func(kc int, a, b, c []float32, ldc int, init []float32, ldi int)

// signedKC is how the assembly kernels learn that init is nil: kc < 0 means
// start from zero and run -kc steps.
func signedKC(kc int, init []float32) int {
	if init == nil {
		return -kc
	}
	return kc
}

// kernel describes one micro-kernel and the cache blocking that suits it: a
// kc×mr panel of A stays in L1 while kc×nr panels of B stream from a kc×nc
// block kept in L2.
type kernel struct {
	name   string
	mr, nr int
	kc, nc int
	fn     microKernel
	row    rowKernel // nil: small m also goes through packing
	rowT   rowKernel // like row but reads Bᵀ: c[j] chains a[p]·b[j*ldb+p]
}

// rowKernel computes c[j] = fma chain over p < len(a) of a[p]·b[p*ldb+j],
// starting from c[j], for j < rowWidth; B is read in place (no packing), which
// is what a matrix-vector product needs.
type rowKernel func(a, b []float32, ldb int, c []float32)

// rowWidth is the number of C columns a rowKernel updates.
const rowWidth = 64

// maxRowM is the largest m that takes the row-kernel path.
const maxRowM = 4

// goKernel is the portable fallback; it is exact-FMA, so its results equal the
// assembly kernels' bit for bit.
var goKernel = kernel{name: "go", mr: goMR, nr: goNR, kc: 256, nc: 256, fn: kernelGo}

// forcedKernel, when set by SetImpl, overrides CPU dispatch.
var forcedKernel atomic.Pointer[kernel]

// SetImpl makes the Go path use the named micro-kernel ("avx512", "avx2",
// "neon", "go") instead of the fastest one this CPU supports, or restores the
// default for "". Results do not change (every kernel computes the same FMA
// chains); it exists for benchmarks and debugging.
func SetImpl(name string) error {
	if name == "" {
		forcedKernel.Store(nil)
		return nil
	}
	var names []string
	for _, k := range hostKernels() {
		if k.name == name {
			forcedKernel.Store(k)
			return nil
		}
		names = append(names, k.name)
	}
	return fmt.Errorf("kernels: kernel %q not available on this machine (have %v)", name, names)
}

func currentKernel() *kernel {
	if k := forcedKernel.Load(); k != nil {
		return k
	}
	return bestKernel
}

// Impl names the micro-kernel the Go path uses on this machine: "avx512",
// "avx2" (amd64), "neon" (arm64) or "go" (portable).
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

// superM is the height of a row super-block: it bounds the packed A block
// (superM×kc per kc slice) for huge operands such as the 50257-row gradient
// of the LM head.
const superM = 2048

// minWorkPerThread is the smallest number of multiply-adds worth handing to
// another goroutine; smaller products (per-head attention inside an already
// parallel loop, say) run on the calling goroutine.
var minWorkPerThread int64 = 1 << 20

// maxPackedA bounds how many floats of packed A a product holds at once.
// When all kc slices of a row super-block fit, they are packed in one go and
// every compute task runs through all of them without a barrier in between.
var maxPackedA = 1 << 22

// gemm runs the blocked algorithm. For each super-block of rows the workers
// pack the A panels of a group of kc slices (one panel per task), then
// compute rectangular groups of micro-tiles (gm panels of A by gn panels of B,
// one group per task, taken from an atomic counter): a task packs its own B
// panels for each kc slice into its worker's buffer and runs the micro-kernel
// over them. Each element's FMA chain runs through the kc slices in order and
// no task splits it, so neither the partition nor the thread count can change
// results. A non-nil bias (SgemmBias) starts every chain from bias[j]
// instead of from C (beta is then ignored).
func gemm(kn *kernel, nthreads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	mr, nr := kn.mr, kn.nr
	if work := int64(m) * int64(n) * int64(k); work/minWorkPerThread < int64(nthreads) {
		nthreads = int(max(1, work/minWorkPerThread))
	}
	if m <= maxRowM && bias != nil {
		// The row kernels accumulate into C: fill it with the bias first.
		fillRows(m, n, bias, c, ldc)
		bias, beta = nil, 1
	}
	if m <= maxRowM {
		if !transB && kn.row != nil {
			gemmRows(kn.row, false, nthreads, transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		// Gathers use 32-bit offsets of up to 63 rows.
		if transB && kn.rowT != nil && ldb < (1<<31-1)/64 {
			gemmRows(kn.rowT, true, nthreads, transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
	}
	kc := min(k, kn.kc)
	sm := min(ceilDiv(m, mr)*mr, superM/mr*mr)
	slices := ceilDiv(k, kc)
	group := max(1, min(slices, maxPackedA/(sm*kc)))
	pb := ceilDiv(n, nr)
	w := getWorkspace(sm*kc*group, 0)
	defer workspaces.Put(w)
	for i0 := 0; i0 < m; i0 += sm {
		rows := min(sm, m-i0)
		pa := ceilDiv(rows, mr)
		gm, gn := taskGrid(kn, nthreads, pa, pb)
		tm, tn := ceilDiv(pa, gm), ceilDiv(pb, gn)
		for s0 := 0; s0 < slices; s0 += group {
			s1 := min(slices, s0+group)
			parallel(nthreads, pa*(s1-s0), func(t int) {
				s, r := s0+t/pa, t%pa
				p0 := s * kc
				kcb := min(kc, k-p0)
				off := ((s-s0)*pa + r) * kc * mr
				packAPanel(w.a[off:off+kcb*mr], transA, alpha, a, lda, i0+r*mr, min(mr, rows-r*mr), p0, kcb, mr)
			})
			parallelScratch(nthreads, tm*tn, gn*kc*nr, func(bp []float32, t int) {
				r0, q0 := (t/tn)*gm, (t%tn)*gn
				r1, q1 := min(pa, r0+gm), min(pb, q0+gn)
				iEnd, j0, jEnd := min(i0+rows, i0+r1*mr), q0*nr, min(n, q1*nr)
				for s := s0; s < s1; s++ {
					p0 := s * kc
					kcb := min(kc, k-p0)
					for q := q0; q < q1; q++ {
						packBPanel(bp[(q-q0)*kcb*nr:(q-q0+1)*kcb*nr], transB, b, ldb, q*nr, min(nr, n-q*nr), p0, kcb, nr)
					}
					// The first slice's chains start from the bias, from zero
					// (beta == 0: C is not read), or from C scaled by beta;
					// later slices continue from C.
					start := startC
					switch {
					case s > 0:
					case bias != nil:
						start = startBias
					case beta == 0:
						start = startZero
					default:
						ii := i0 + r0*mr
						scaleC(iEnd-ii, jEnd-j0, beta, c[ii*ldc+j0:], ldc)
					}
					ap := w.a[(s-s0)*pa*kc*mr:]
					computeTiles(kn, kcb, kc*mr, ap, bp, r0, r1, q1-q0, i0, iEnd, j0, jEnd, c, ldc, start, bias)
				}
			})
		}
	}
}

// taskGrid sizes the groups of micro-tiles (gm panels of A by gn panels of
// B) that make one compute task: column groups of at most kn.nc (a kc×nc
// block of B stays in L2 while A panels pass through L1), narrowed down to
// about 192 columns and then split by rows until there are about four tasks
// per worker (so a worker slowed by other load is evened out), all of nearly
// equal size.
func taskGrid(kn *kernel, nthreads, pa, pb int) (gm, gn int) {
	gm, gn = pa, min(pb, max(kn.nc/kn.nr, 1))
	if nthreads > 1 {
		want := 4 * nthreads
		minGn := min(gn, ceilDiv(192, kn.nr))
		for ceilDiv(pb, gn) < want && gn > minGn {
			gn--
		}
		if tasks := ceilDiv(pb, gn); tasks < want {
			gm = max(ceilDiv(pa, ceilDiv(want, tasks)), min(pa, 4))
		}
	}
	return ceilDiv(pa, ceilDiv(pa, gm)), ceilDiv(pb, ceilDiv(pb, gn))
}

// gemmRows is the small-m path: each row of C is computed rowWidth columns at
// a time by a row kernel reading B in place (transB says which layout the
// kernel reads), column blocks spread over the workers. Same per-element FMA
// chain as the packed path.
func gemmRows(row rowKernel, transB bool, nthreads int, transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	scaleC(m, n, beta, c, ldc)
	// fl(alpha·op(A)) rows, contiguous.
	av := make([]float32, m*k)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			if transA {
				av[i*k+p] = float32(alpha * a[p*lda+i])
			} else {
				av[i*k+p] = float32(alpha * a[i*lda+p])
			}
		}
	}
	full := n / rowWidth
	const blocksPerTask = 4
	tasks := ceilDiv(full, blocksPerTask)
	parallel(nthreads, tasks+1, func(t int) {
		if t == tasks {
			// Columns past the last full block: B's tail columns copied into a
			// zero-padded rowWidth-wide scratch panel.
			j0, tail := full*rowWidth, n%rowWidth
			if tail == 0 {
				return
			}
			pb := make([]float32, k*rowWidth)
			ld := rowWidth
			if transB {
				// Rows j0.. of B, then zero rows up to rowWidth.
				ld = k
				for x := 0; x < tail; x++ {
					copy(pb[x*k:(x+1)*k], b[(j0+x)*ldb:(j0+x)*ldb+k])
				}
			} else {
				for p := 0; p < k; p++ {
					copy(pb[p*rowWidth:p*rowWidth+tail], b[p*ldb+j0:p*ldb+j0+tail])
				}
			}
			var crow [rowWidth]float32
			for i := 0; i < m; i++ {
				copy(crow[:tail], c[i*ldc+j0:i*ldc+j0+tail])
				row(av[i*k:(i+1)*k], pb, ld, crow[:])
				copy(c[i*ldc+j0:i*ldc+j0+tail], crow[:tail])
			}
			return
		}
		for blk := t * blocksPerTask; blk < min(full, (t+1)*blocksPerTask); blk++ {
			j0 := blk * rowWidth
			bb := b[j0:]
			if transB {
				bb = b[j0*ldb:]
			}
			for i := 0; i < m; i++ {
				row(av[i*k:(i+1)*k], bb, ldb, c[i*ldc+j0:])
			}
		}
	})
}

// ParallelFor runs fn(i) for i in [0,n) on up to Threads() goroutines (the
// caller's included) and returns when all are done. Each index must write only
// its own outputs, so results never depend on the number of workers or on
// scheduling. The model layers and the optimizer share it with Sgemm.
func ParallelFor(n int, fn func(i int)) { parallel(Threads(), n, fn) }

// parallel runs fn(0..tasks-1) on up to nthreads goroutines (the caller's
// included) and returns when all are done.
func parallel(nthreads, tasks int, fn func(int)) {
	runTasks(nthreads, tasks, func(next func() int) {
		for t := next(); t < tasks; t = next() {
			fn(t)
		}
	})
}

// parallelScratch is parallel with a scratch buffer of nb floats per worker,
// passed to every task that worker runs.
func parallelScratch(nthreads, tasks, nb int, fn func(buf []float32, t int)) {
	runTasks(nthreads, tasks, func(next func() int) {
		w := getWorkspace(0, nb)
		defer workspaces.Put(w)
		for t := next(); t < tasks; t = next() {
			fn(w.b, t)
		}
	})
}

// runTasks runs worker on min(nthreads, tasks) goroutines (the caller's
// included); next hands out task numbers 0, 1, ... in order.
func runTasks(nthreads, tasks int, worker func(next func() int)) {
	workers := min(nthreads, tasks)
	if workers <= 1 {
		t := 0
		worker(func() int { t++; return t - 1 })
		return
	}
	var n atomic.Int64
	next := func() int { return int(n.Add(1)) - 1 }
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for i := 1; i < workers; i++ {
		go func() { defer wg.Done(); worker(next) }()
	}
	worker(next)
	wg.Wait()
}

// tileStart says where the FMA chains of a kc slice start.
type tileStart int

const (
	startC    tileStart = iota // from C (accumulate)
	startZero                  // from +0, C not read
	startBias                  // from bias[j]
)

// computeTiles runs the micro-kernel over A panels r0..r1 (aStride floats
// apart in ap, panel 0 holding row i0) and the nq B panels of bp (panel 0
// holding column j0); rows ≥ iEnd and columns ≥ jEnd do not exist (edge tiles
// go through a scratch tile). start says where the chains start; bias is
// indexed by column of C.
func computeTiles(kn *kernel, kc, aStride int, ap, bp []float32, r0, r1, nq, i0, iEnd, j0, jEnd int, c []float32, ldc int, start tileStart, bias []float32) {
	mr, nr := kn.mr, kn.nr
	var edge [32 * 32]float32
	for r := r0; r < r1; r++ {
		a := ap[r*aStride : r*aStride+kc*mr]
		ii := i0 + r*mr
		h := min(mr, iEnd-ii)
		for q := 0; q < nq; q++ {
			b := bp[q*kc*nr : (q+1)*kc*nr]
			jj := j0 + q*nr
			wd := min(nr, jEnd-jj)
			if h == mr && wd == nr {
				ct := c[ii*ldc+jj:]
				switch start {
				case startC:
					kn.fn(kc, a, b, ct, ldc, ct, ldc)
				case startZero:
					kn.fn(kc, a, b, ct, ldc, nil, 0)
				default:
					kn.fn(kc, a, b, ct, ldc, bias[jj:jj+nr], 0)
				}
				continue
			}
			var init []float32
			switch start {
			case startC:
				for x := 0; x < h; x++ {
					copy(edge[x*nr:x*nr+wd], c[(ii+x)*ldc+jj:(ii+x)*ldc+jj+wd])
				}
				init = edge[:]
			case startBias:
				for x := 0; x < h; x++ {
					copy(edge[x*nr:x*nr+wd], bias[jj:jj+wd])
				}
				init = edge[:]
			}
			kn.fn(kc, a, b, edge[:mr*nr], nr, init, nr)
			for x := 0; x < h; x++ {
				copy(c[(ii+x)*ldc+jj:(ii+x)*ldc+jj+wd], edge[x*nr:x*nr+wd])
			}
		}
	}
}

// packAPanel writes rows i0..i0+h (h ≤ mr) of fl(alpha·op(A)), columns
// p0..p0+kc, as kc groups of mr values, zero-padded.
func packAPanel(d []float32, trans bool, alpha float32, a []float32, lda, i0, h, p0, kc, mr int) {
	if trans {
		// op(A)[i,p] = a[p*lda+i]: each p is a contiguous run of h values.
		if alpha == 1 && packRuns(d[:kc*mr], mr, a[p0*lda+i0:], lda, h, kc) {
			return
		}
		for p := 0; p < kc; p++ {
			src := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+h]
			g := d[p*mr : p*mr+mr]
			if alpha == 1 {
				copy(g, src)
			} else {
				for x, v := range src {
					g[x] = float32(alpha * v)
				}
			}
			clear(g[h:])
		}
		return
	}
	d = d[:kc*mr]
	if packTransposed(d, mr, a[i0*lda+p0:], lda, h, kc, alpha) {
		return
	}
	for x := 0; x < h; x++ {
		src := a[(i0+x)*lda+p0 : (i0+x)*lda+p0+kc]
		if alpha == 1 {
			scatter(d[x:], mr, src)
		} else {
			for p, v := range src {
				d[p*mr+x] = float32(alpha * v)
			}
		}
	}
	if h < mr {
		for p := 0; p < kc; p++ {
			clear(d[p*mr+h : p*mr+mr])
		}
	}
}

// scatter writes src[p] to d[p*stride] for every p; the caller guarantees
// (len(src)-1)*stride < len(d) (checked once here instead of per element).
func scatter(d []float32, stride int, src []float32) {
	if len(src) == 0 {
		return
	}
	_ = d[(len(src)-1)*stride]
	base := unsafe.Pointer(unsafe.SliceData(d))
	for p, v := range src {
		*(*float32)(unsafe.Add(base, uintptr(p*stride)*4)) = v
	}
}

// packBPanel writes columns j0..j0+wd (wd ≤ nr) of op(B), rows p0..p0+kc, as
// kc groups of nr values, zero-padded.
func packBPanel(d []float32, trans bool, b []float32, ldb, j0, wd, p0, kc, nr int) {
	if !trans {
		if packRuns(d[:kc*nr], nr, b[p0*ldb+j0:], ldb, wd, kc) {
			return
		}
		for p := 0; p < kc; p++ {
			g := d[p*nr : p*nr+nr]
			copy(g, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+wd])
			clear(g[wd:])
		}
		return
	}
	// op(B)[p,j] = b[j*ldb+p]: each column is a contiguous run of kc values.
	d = d[:kc*nr]
	if packTransposed(d, nr, b[j0*ldb+p0:], ldb, wd, kc, 1) {
		return
	}
	for x := 0; x < wd; x++ {
		scatter(d[x:], nr, b[(j0+x)*ldb+p0:(j0+x)*ldb+p0+kc])
	}
	if wd < nr {
		for p := 0; p < kc; p++ {
			clear(d[p*nr+wd : p*nr+nr])
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
				sum += float32(av * bv)
			}
			if beta == 0 {
				c[i*ldc+j] = float32(alpha * sum)
			} else {
				c[i*ldc+j] = float32(alpha*sum) + float32(beta*c[i*ldc+j])
			}
		}
	}
}

// bestKernel is the fastest micro-kernel the CPU supports.
var bestKernel = hostKernels()[0]
