package kernels

import "math"

// fma32 returns a·b + c rounded once to float32 (IEEE 754 fusedMultiplyAdd in
// binary32, round to nearest even), which is what VFMADD*PS computes. Go has no
// float32 FMA, and float32(math.FMA(...)) rounds twice, so: the product of two
// float32 is exact in float64, the float64 sum s is correctly rounded, and
// rounding s to float32 is then right unless s lies exactly halfway between two
// float32 values while the true sum does not; that rare case is settled by the
// sign of the sum's exact rounding error.
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact
	s := p + float64(c)
	r := float32(s)
	// In the normal float32 range a halfway point has exactly the bit pattern
	// 1000…0 in the 29 float64 mantissa bits float32 lacks.
	if fma32Fast(s) {
		return r
	}
	return fma32Slow(p, float64(c), s, r)
}

// fma32Slow handles halfway cases, subnormal results and overflow.
func fma32Slow(p, c, s float64, r float32) float32 {
	if float64(r) == s || math.IsNaN(s) || math.IsInf(s, 0) {
		return r
	}
	// Exact error of s = p + c (TwoSum).
	bv := s - p
	av := s - bv
	e := (p - av) + (c - bv)
	if e == 0 {
		return r
	}
	var lo, hi float64
	if math.IsInf(float64(r), 0) {
		// s rounded past the largest float32; the boundary is halfway between
		// MaxFloat32 and 2^128.
		lo = math.Copysign(math.MaxFloat32, s)
		hi = math.Copysign(0x1p128, s)
	} else {
		lo = float64(r)
		if float64(r) < s {
			hi = float64(math.Nextafter32(r, float32(math.Inf(1))))
		} else {
			hi = float64(math.Nextafter32(r, float32(math.Inf(-1))))
		}
	}
	if s != (lo+hi)/2 {
		return r
	}
	// s is a halfway point but the exact sum is not: round toward the side of e.
	lo, hi = min(lo, hi), max(lo, hi)
	if e > 0 {
		return float32(hi)
	}
	return float32(lo)
}

// goMR×goNR is the portable kernel's tile.
const goMR, goNR = 4, 8

// fma32Fast reports whether float32(s) is the correctly rounded float32 FMA
// when s is the float64 sum: |s| in the normal float32 range below 2^127 and s
// not exactly halfway between two float32 values.
func fma32Fast(s float64) bool {
	bits := math.Float64bits(s)
	return (bits>>52&0x7ff)-897 < 253 && bits&(1<<29-1) != 1<<28
}

// kernelGo is the portable goMR×goNR micro-kernel: the same FMA chain per
// element as the assembly kernels, with fma32's fast path inlined.
func kernelGo(kc int, a, b, c []float32, ldc int, init []float32, ldi int) {
	var acc [goMR][goNR]float32
	if init != nil {
		for i := range acc {
			copy(acc[i][:], init[i*ldi:i*ldi+goNR])
		}
	}
	a, b = a[:kc*goMR], b[:kc*goNR]
	for p := 0; p < kc; p++ {
		ap := (*[goMR]float32)(a[p*goMR:])
		bp := (*[goNR]float32)(b[p*goNR:])
		for i := range ap {
			av := float64(ap[i])
			row := &acc[i]
			for j := range bp {
				s := float64(av*float64(bp[j])) + float64(row[j]) // exact product
				if fma32Fast(s) {
					row[j] = float32(s)
				} else {
					row[j] = fma32(ap[i], bp[j], row[j])
				}
			}
		}
	}
	for i := range acc {
		copy(c[i*ldc:i*ldc+goNR], acc[i][:])
	}
}
