//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// packT16 writes d[p*dstride+x] = rows[x][p] for p < kc and the lanes x set
// in wmask, times alpha on the lanes set in rmask when scale is non-zero (one
// rounded multiply, as the pure-Go packers do; padding stays +0), 16 p at a time through a register transpose
// (AVX-512F).
//
//go:noescape
func packT16(d *float32, dstride int, rows *[16]*float32, kc int, wmask, rmask uint64, alpha float32, scale uint64)

// zeroRow stands in for the rows past a panel's edge: packT16 reads it as
// zeros for the padding lanes.
var zeroRow [maxPackT]float32

// maxPackT is the longest run (kc) packTransposed takes.
const maxPackT = 512

var hasPackT = cpu.X86.HasAVX512F

// packTransposed writes d[p*stride+x] = fl(alpha·src[x*ld+p]) (a plain copy
// when alpha is 1) for p < kc and x < rows, and zeros for rows ≤ x < stride:
// the transposing half of packing, a data move whose result is the same bits
// as the pure-Go loops. It reports false (doing nothing) when the CPU lacks
// AVX-512 or kc is too long; the caller then packs in Go.
func packTransposed(d []float32, stride int, src []float32, ld, rows, kc int, alpha float32) bool {
	if !hasPackT || kc > maxPackT || kc == 0 {
		return false
	}
	_ = d[(kc-1)*stride+stride-1]
	if rows > 0 {
		_ = src[(rows-1)*ld+kc-1]
	}
	scale := uint64(0)
	if alpha != 1 {
		scale = 1
	}
	var ptrs [16]*float32
	for x0 := 0; x0 < stride; x0 += 16 {
		for x := range ptrs {
			if x0+x < rows {
				ptrs[x] = &src[(x0+x)*ld]
			} else {
				ptrs[x] = &zeroRow[0]
			}
		}
		width, real := min(16, stride-x0), min(16, max(rows-x0, 0))
		packT16((*float32)(unsafe.Pointer(&d[x0])), stride, &ptrs, kc, 1<<width-1, 1<<real-1, alpha, scale)
	}
	return true
}

// packRuns16 writes d[p*dstride+x] = src[p*ld+x] for p < kc and the lanes x
// set in smask, reading only the lanes set in lmask (the others are zero).
//
//go:noescape
func packRuns16(d *float32, dstride int, src *float32, ld int, kc int, lmask, smask uint64)

// packRuns writes d[p*stride+x] = src[p*ld+x] for p < kc and x < width, and
// zeros for width ≤ x < stride: the non-transposing half of packing (a data
// move), one masked vector load and store per run instead of a memmove call.
// It reports false (doing nothing) when the CPU lacks AVX-512.
func packRuns(d []float32, stride int, src []float32, ld, width, kc int) bool {
	if !hasPackT || kc == 0 {
		return false
	}
	_ = d[(kc-1)*stride+stride-1]
	if width > 0 {
		_ = src[(kc-1)*ld+width-1]
	}
	for x0 := 0; x0 < stride; x0 += 16 {
		lanes, real := min(16, stride-x0), min(16, max(width-x0, 0))
		s := &zeroRow[0]
		ls := 0 // a zero run: read nothing, advance nowhere
		if real > 0 {
			s, ls = &src[x0], ld
		}
		packRuns16((*float32)(unsafe.Pointer(&d[x0])), stride, s, ls, kc, 1<<real-1, 1<<lanes-1)
	}
	return true
}
