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
	p := float64(a) * float64(b)
	s := p + float64(c)
	r := float32(s)
	// In the normal float32 range a halfway point has exactly the bit pattern
	// 1000…0 in the 29 float64 mantissa bits float32 lacks.
	bits := math.Float64bits(s)
	if bits&(1<<29-1) != 1<<28 && r != 0 && math.Abs(s) >= 0x1p-126 && math.Abs(s) < 0x1p127 {
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

// kernelGo is the portable micro-kernel (mr×nr from len(a)/kc and len(b)/kc):
// the same FMA chain per element as the assembly kernels.
func kernelGo(kc int, a, b, c []float32, ldc int) {
	mr, nr := len(a)/kc, len(b)/kc
	var acc [16 * 32]float32
	for i := 0; i < mr; i++ {
		copy(acc[i*nr:(i+1)*nr], c[i*ldc:i*ldc+nr])
	}
	for p := 0; p < kc; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for i, av := range ap {
			row := acc[i*nr : i*nr+nr]
			for j, bv := range bp {
				row[j] = fma32(av, bv, row[j])
			}
		}
	}
	for i := 0; i < mr; i++ {
		copy(c[i*ldc:i*ldc+nr], acc[i*nr:(i+1)*nr])
	}
}
