package fixed

import (
	"math"
	"math/bits"
)

// I32F32 is a signed fixed-point number with 32 integer and 32 fractional bits,
// stored as its raw int64 bit pattern (value = raw / 2^32).
type I32F32 int64

// Frequently used I32F32 constants.
const (
	Zero32 I32F32 = 0
	One32  I32F32 = 1 << 32
	Half32 I32F32 = 1 << 31
	Max32  I32F32 = math.MaxInt64
	Min32  I32F32 = math.MinInt64
)

const frac32Mask = 1<<32 - 1

// FromBits32 returns the I32F32 whose raw bits are b.
func FromBits32(b int64) I32F32 { return I32F32(b) }

// Bits returns the raw int64 representation.
func (a I32F32) Bits() int64 { return int64(a) }

// I32FromInt converts an integer exactly, saturating when it does not fit
// (substrate_fixed saturating_from_num).
func I32FromInt(x int64) I32F32 {
	if x > math.MaxInt32 {
		return Max32
	}
	if x < math.MinInt32 {
		return Min32
	}
	return I32F32(x << 32)
}

// I32FromUint converts an unsigned integer exactly, saturating at Max32.
func I32FromUint(x uint64) I32F32 {
	if x > math.MaxInt32 {
		return Max32
	}
	return I32F32(x << 32)
}

// Add is the wrapping sum (Rust release-mode `+`, used by upstream's sums).
func (a I32F32) Add(b I32F32) I32F32 { return a + b }

// Sub is the wrapping difference.
func (a I32F32) Sub(b I32F32) I32F32 { return a - b }

// CheckedAdd returns a+b and false on overflow.
func (a I32F32) CheckedAdd(b I32F32) (I32F32, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

// CheckedSub returns a-b and false on overflow.
func (a I32F32) CheckedSub(b I32F32) (I32F32, bool) {
	d := a - b
	if (a >= 0) != (b >= 0) && (d >= 0) != (a >= 0) {
		return 0, false
	}
	return d, true
}

// SaturatingAdd returns a+b clamped to [Min32, Max32].
func (a I32F32) SaturatingAdd(b I32F32) I32F32 {
	if s, ok := a.CheckedAdd(b); ok {
		return s
	}
	if b > 0 {
		return Max32
	}
	return Min32
}

// SaturatingSub returns a-b clamped to [Min32, Max32].
func (a I32F32) SaturatingSub(b I32F32) I32F32 {
	if d, ok := a.CheckedSub(b); ok {
		return d
	}
	if b < 0 {
		return Max32
	}
	return Min32
}

// mul128 returns the signed 128-bit product of a and b as (hi, lo).
func mul128(a, b int64) (int64, uint64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if a < 0 {
		hi -= uint64(b)
	}
	if b < 0 {
		hi -= uint64(a)
	}
	return int64(hi), lo
}

// mulShift returns floor(a*b / 2^32) and whether it fits in int64.
func mulShift(a, b int64) (int64, bool) {
	hi, lo := mul128(a, b)
	r := int64(uint64(hi)<<32 | lo>>32)
	// the shifted 128-bit value fits iff its top 64 bits are r's sign extension
	return r, hi>>32 == r>>63
}

// CheckedMul returns floor(a*b) and false on overflow.
func (a I32F32) CheckedMul(b I32F32) (I32F32, bool) {
	r, ok := mulShift(int64(a), int64(b))
	if !ok {
		return 0, false
	}
	return I32F32(r), true
}

// Mul is the floor product; on overflow it wraps like Rust release `*`.
func (a I32F32) Mul(b I32F32) I32F32 {
	r, _ := mulShift(int64(a), int64(b))
	return I32F32(r)
}

// SaturatingMul returns the floor product clamped to [Min32, Max32].
func (a I32F32) SaturatingMul(b I32F32) I32F32 {
	if r, ok := a.CheckedMul(b); ok {
		return r
	}
	if (a < 0) != (b < 0) {
		return Min32
	}
	return Max32
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x) // also right for MinInt64 (wraps to 2^63)
	}
	return uint64(x)
}

// divShift returns trunc(a * 2^32 / b); ok is false on a zero divisor or overflow.
func divShift(a, b int64) (int64, bool) {
	if b == 0 {
		return 0, false
	}
	ua, ub := abs64(a), abs64(b)
	hi, lo := ua>>32, ua<<32
	if hi >= ub {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, ub)
	if (a < 0) != (b < 0) {
		if q > 1<<63 {
			return 0, false
		}
		return -int64(q), true
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// CheckedDiv returns a/b truncated toward zero, false on zero divisor or overflow.
func (a I32F32) CheckedDiv(b I32F32) (I32F32, bool) {
	q, ok := divShift(int64(a), int64(b))
	return I32F32(q), ok
}

// SafeDiv is subtensor's safe_div: the truncated quotient, or 0 when the divisor is
// zero or the quotient overflows (it never saturates).
func (a I32F32) SafeDiv(b I32F32) I32F32 {
	q, ok := divShift(int64(a), int64(b))
	if !ok {
		return 0
	}
	return I32F32(q)
}

// SaturatingDiv returns the truncated quotient clamped to [Min32, Max32]; a zero
// divisor (a panic upstream) yields Max32 or Min32 by the sign of a, or 0 for 0/0.
func (a I32F32) SaturatingDiv(b I32F32) I32F32 {
	if q, ok := divShift(int64(a), int64(b)); ok {
		return I32F32(q)
	}
	if a == 0 {
		return 0
	}
	if (a < 0) != (b < 0) && b != 0 {
		return Min32
	}
	if b == 0 && a < 0 {
		return Min32
	}
	return Max32
}

// Neg returns -a (wrapping for Min32).
func (a I32F32) Neg() I32F32 { return -a }

// Min returns the smaller of a and b.
func (a I32F32) Min(b I32F32) I32F32 {
	if b < a {
		return b
	}
	return a
}

// Max returns the larger of a and b.
func (a I32F32) Max(b I32F32) I32F32 {
	if b > a {
		return b
	}
	return a
}

// Clamp returns a limited to [lo, hi].
func (a I32F32) Clamp(lo, hi I32F32) I32F32 {
	if a < lo {
		return lo
	}
	if a > hi {
		return hi
	}
	return a
}

// Floor returns the integer part rounded toward -inf, as an integer.
func (a I32F32) Floor() int64 { return int64(a) >> 32 }

// Round rounds to the nearest integer, ties away from zero, saturating.
func (a I32F32) Round() I32F32 {
	if a >= 0 {
		if a > Max32-Half32 {
			return Max32 &^ frac32Mask
		}
		return (a + Half32) &^ frac32Mask
	}
	if a <= Min32+Half32 {
		return Min32
	}
	return -((-a + Half32) &^ frac32Mask)
}

// SaturatingToU64 floors to an integer and clamps to [0, MaxUint64].
func (a I32F32) SaturatingToU64() uint64 {
	if a < 0 {
		return 0
	}
	return uint64(a) >> 32
}

// SaturatingToU16 floors to an integer and clamps to [0, 65535].
func (a I32F32) SaturatingToU16() uint16 {
	if a < 0 {
		return 0
	}
	v := uint64(a) >> 32
	if v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(v)
}

// U16ProportionToFixed is subtensor's u16_proportion_to_fixed: x / 65535 with a
// truncating divide.
func U16ProportionToFixed(x uint16) I32F32 {
	return I32F32(int64(x) << 32).SafeDiv(I32F32(65535 << 32))
}

// FixedProportionToU16 is subtensor's fixed_proportion_to_u16:
// floor(x * 65535) saturated to [0, 65535].
func FixedProportionToU16(x I32F32) uint16 {
	return x.SaturatingMul(I32F32(65535 << 32)).SaturatingToU16()
}

// U16ToFixed is subtensor's u16_to_fixed: the integer x as I32F32.
func U16ToFixed(x uint16) I32F32 { return I32F32(int64(x) << 32) }

// FromFloat64 converts with round-to-nearest, ties to even (substrate_fixed
// from_num on floats), saturating. For tests and literals only: the epoch never
// uses floats.
func FromFloat64(f float64) I32F32 {
	v := math.RoundToEven(f * (1 << 32))
	if v >= math.MaxInt64 {
		return Max32
	}
	if v <= math.MinInt64 {
		return Min32
	}
	return I32F32(int64(v))
}

// FromFloat32 converts an f32 literal exactly as Rust's I32F32::from_num(f32).
func FromFloat32(f float32) I32F32 { return FromFloat64(float64(f)) }

// Float64 returns the nearest float64, for display and tests only.
func (a I32F32) Float64() float64 { return float64(a) / (1 << 32) }
