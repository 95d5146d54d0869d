//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// kernel14x32 is the AVX-512F micro-kernel (28 zmm accumulators).
//
//go:noescape
func kernel14x32(kc int, a, b, c *float32, ldc int)

// kernel6x16 is the AVX2+FMA micro-kernel (12 ymm accumulators).
//
//go:noescape
func kernel6x16(kc int, a, b, c *float32, ldc int)

func kernelAVX512(kc int, a, b, c []float32, ldc int) {
	_ = a[14*kc-1]
	_ = b[32*kc-1]
	_ = c[13*ldc+31]
	kernel14x32(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc)
}

func kernelAVX2(kc int, a, b, c []float32, ldc int) {
	_ = a[6*kc-1]
	_ = b[16*kc-1]
	_ = c[5*ldc+15]
	kernel6x16(kc, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc)
}

var (
	avx512Kernel = kernel{name: "avx512", mr: 14, nr: 32, kc: 384, nc: 384, fn: kernelAVX512}
	avx2Kernel   = kernel{name: "avx2", mr: 6, nr: 16, kc: 256, nc: 512, fn: kernelAVX2}
)

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
