package kernels

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// BLASEnv is the environment variable that opts into a run-time BLAS when the
// package is first used: "openblas" loads DefaultBLASLibrary, any other
// non-empty value except "off" is taken as the library's path.
const BLASEnv = "TAONET_BLAS"

// DefaultBLASLibrary is the shared library UseBLAS("") loads (Debian package
// libopenblas0-pthread).
const DefaultBLASLibrary = "libopenblas.so.0"

// blasLib is a loaded CBLAS library.
type blasLib struct {
	path     string
	gemm     func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	setNum   func(n int32) // nil when the library has no openblas_set_num_threads
	mu       sync.Mutex
	nthreads int
}

var activeBLAS atomic.Pointer[blasLib]

// UseBLAS loads a CBLAS shared library at run time (no cgo needed) and makes
// Sgemm call its cblas_sgemm from now on; path "" means DefaultBLASLibrary.
// On error (library or symbol missing, unsupported platform) the Go path stays
// active and the error says why.
//
// A BLAS picks kernels per CPU, version and thread count, so its results can
// differ in the last bits between machines and runs: never enable it where
// peers must agree on exact values (validators computing losses).
func UseBLAS(path string) error {
	if path == "" {
		path = DefaultBLASLibrary
	}
	lib, err := loadBLAS(path)
	if err != nil {
		return err
	}
	activeBLAS.Store(lib)
	return nil
}

// DisableBLAS makes Sgemm use the deterministic Go path again.
func DisableBLAS() { activeBLAS.Store(nil) }

// BLAS returns the path of the BLAS library Sgemm uses, or "" when it uses the
// deterministic Go path.
func BLAS() string {
	if lib := activeBLAS.Load(); lib != nil {
		return lib.path
	}
	return ""
}

func init() {
	v := os.Getenv(BLASEnv)
	switch v {
	case "", "off", "0", "go":
		return
	case "openblas":
		v = DefaultBLASLibrary
	}
	if err := UseBLAS(v); err != nil {
		fmt.Fprintf(os.Stderr, "taonet: %s=%s ignored, using the Go matmul: %v\n", BLASEnv, os.Getenv(BLASEnv), err)
	}
}

const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// maxBLASInt is the largest size or stride a 32-bit-integer BLAS accepts.
const maxBLASInt = 1<<31 - 1

func (l *blasLib) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if max(m, n, k, lda, ldb, ldc) > maxBLASInt {
		// Too large for LP64 CBLAS: the Go path handles it.
		gemm(currentKernel(), Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
		return
	}
	if l.setNum != nil {
		t := Threads()
		l.mu.Lock()
		if t != l.nthreads {
			l.setNum(int32(t))
			l.nthreads = t
		}
		l.mu.Unlock()
	}
	ta, tb := int32(cblasNoTrans), int32(cblasNoTrans)
	if transA {
		ta = cblasTrans
	}
	if transB {
		tb = cblasTrans
	}
	if beta == 0 {
		// BLAS implementations differ on whether beta == 0 reads C; make NaN
		// garbage irrelevant as the Go path does.
		scaleC(m, n, 0, c, ldc)
	}
	l.gemm(cblasRowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, &a[0], int32(lda), &b[0], int32(ldb), beta, &c[0], int32(ldc))
}
