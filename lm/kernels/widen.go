package kernels

import (
	"encoding/binary"
	"math"
)

// WidenBF16 writes len(dst) little-endian bfloat16 values from src into dst
// as float32. bfloat16 is the top half of a float32, so widening is exact.
func WidenBF16(dst []float32, src []byte) {
	_ = src[2*len(dst)-1]
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
	}
}

// WidenF16 writes len(dst) little-endian IEEE half-precision values from src
// into dst as float32 (exact: every half is a float32).
func WidenF16(dst []float32, src []byte) {
	_ = src[2*len(dst)-1]
	for i := range dst {
		dst[i] = halfToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// halfToFloat32 converts the bits of an IEEE 754 binary16 value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f && man == 0: // ±Inf
		return math.Float32frombits(sign | 0xff<<23)
	case exp == 0x1f: // NaN, quieted as the hardware conversion does
		return math.Float32frombits(sign | 0xff<<23 | 0x400000 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal half: normalize into a float32 exponent.
	e := uint32(113)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}
