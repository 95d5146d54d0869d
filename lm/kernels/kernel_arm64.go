//go:build arm64 && !purego

package kernels

import "unsafe"

// kernel8x8NEON is the arm64 micro-kernel (16 q-register accumulators).
//
//go:noescape
func kernel8x8NEON(kc int, a, b, c *float32, ldc int, init *float32, ldi int)

func kernelNEON(kc int, a, b, c []float32, ldc int, init []float32, ldi int) {
	_ = a[8*kc-1]
	_ = b[8*kc-1]
	_ = c[7*ldc+7]
	if init != nil {
		_ = init[7*ldi+7]
	}
	kernel8x8NEON(signedKC(kc, init), unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, unsafe.SliceData(init), ldi)
}

// rowKernel32NEON is the small-m (matrix-vector) kernel: one 32-wide row of C
// from an unpacked B.
//
//go:noescape
func rowKernel32NEON(k int, a, b *float32, ldb int, c *float32)

func rowNEON(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[(k-1)*ldb+63]
	_ = c[63]
	rowKernel32NEON(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
	rowKernel32NEON(k, unsafe.SliceData(a), unsafe.SliceData(b[32:]), ldb, unsafe.SliceData(c[32:]))
}

var neonKernel = kernel{name: "neon", mr: 8, nr: 8, kc: 256, nc: 512, fn: kernelNEON, row: rowNEON}

// hostKernels lists the kernels this build can run, fastest first: NEON is
// part of every arm64 CPU.
func hostKernels() []*kernel { return []*kernel{&neonKernel, &goKernel} }
