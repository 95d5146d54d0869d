//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// kernel14x32 is the AVX-512F micro-kernel (28 zmm accumulators).
//
//go:noescape
func kernel14x32(kc int, a, b, c *float32, ldc int, init *float32, ldi int)

// kernel6x16 is the AVX2+FMA micro-kernel (12 ymm accumulators).
//
//go:noescape
func kernel6x16(kc int, a, b, c *float32, ldc int, init *float32, ldi int)

// rowKernel64x512 and rowKernel64x256 update one 64-wide row of C from an
// unpacked B (AVX-512F and AVX2+FMA): the small-m (matrix-vector) path.
//
//go:noescape
func rowKernel64x512(k int, a, b *float32, ldb int, c *float32)

//go:noescape
func rowKernel64x256(k int, a, b *float32, ldb int, c *float32)

func rowAVX512(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[(k-1)*ldb+63]
	_ = c[63]
	rowKernel64x512(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
}

func rowAVX2(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[(k-1)*ldb+63]
	_ = c[63]
	rowKernel64x256(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
}

// rowKernelT64x512 and rowKernelT32x256 are the small-m kernels for
// op(B) = Bᵀ: they gather B's rows (strided) instead of packing them.
//
//go:noescape
func rowKernelT64x512(k int, a, b *float32, ldb int, c *float32)

//go:noescape
func rowKernelT32x256(k int, a, b *float32, ldb int, c *float32)

// rowKernelT64tr is the faster Bᵀ row kernel (AVX-512F+VL): 8×8 register
// transposes instead of gathers.
//
//go:noescape
func rowKernelT64tr(k int, a, b *float32, ldb int, c *float32)

func rowTTrAVX512(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[63*ldb+k-1]
	_ = c[63]
	rowKernelT64tr(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
}

func rowTAVX512(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[63*ldb+k-1]
	_ = c[63]
	rowKernelT64x512(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
}

func rowTAVX2(a, b []float32, ldb int, c []float32) {
	k := len(a)
	_ = b[63*ldb+k-1]
	_ = c[63]
	rowKernelT32x256(k, unsafe.SliceData(a), unsafe.SliceData(b), ldb, unsafe.SliceData(c))
	rowKernelT32x256(k, unsafe.SliceData(a), unsafe.SliceData(b[32*ldb:]), ldb, unsafe.SliceData(c[32:]))
}

func kernelAVX512(kc int, a, b, c []float32, ldc int, init []float32, ldi int) {
	_ = a[14*kc-1]
	_ = b[32*kc-1]
	_ = c[13*ldc+31]
	if init != nil {
		_ = init[13*ldi+31]
	}
	kernel14x32(signedKC(kc, init), unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, unsafe.SliceData(init), ldi)
}

func kernelAVX2(kc int, a, b, c []float32, ldc int, init []float32, ldi int) {
	_ = a[6*kc-1]
	_ = b[16*kc-1]
	_ = c[5*ldc+15]
	if init != nil {
		_ = init[5*ldi+15]
	}
	kernel6x16(signedKC(kc, init), unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, unsafe.SliceData(init), ldi)
}

var (
	avx512Kernel = kernel{name: "avx512", mr: 14, nr: 32, kc: 384, nc: 384, fn: kernelAVX512, row: rowAVX512, rowT: rowTAVX512}
	avx2Kernel   = kernel{name: "avx2", mr: 6, nr: 16, kc: 256, nc: 512, fn: kernelAVX2, row: rowAVX2, rowT: rowTAVX2}
)

func init() {
	// Set once before any use: hostKernels may run concurrently (SetImpl).
	if cpu.X86.HasAVX512VL {
		avx512Kernel.rowT = rowTTrAVX512
	}
}

// hostKernels lists the kernels this CPU can run, fastest first; the last is
// always the portable one.
func hostKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, &avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, &avx2Kernel)
	}
	return append(ks, &goKernel)
}
