package fixed

import (
	"math"
	"math/big"
	"math/bits"
)

// The 128-bit formats are stored as a two's-complement (signed) or plain
// (unsigned) hi/lo pair. Multiply and divide go through math/big, except for the
// fast paths the epoch uses; none of them is on a per-weight hot path.

var (
	bigOne       = big.NewInt(1)
	maxI128      = new(big.Int).Sub(new(big.Int).Lsh(bigOne, 127), bigOne)
	minI128      = new(big.Int).Neg(new(big.Int).Lsh(bigOne, 127))
	maxU128      = new(big.Int).Sub(new(big.Int).Lsh(bigOne, 128), bigOne)
	maxU64Big    = new(big.Int).SetUint64(math.MaxUint64)
	twoPow128Big = new(big.Int).Lsh(bigOne, 128)
)

// s128 is a signed 128-bit integer.
type s128 struct {
	hi int64
	lo uint64
}

func (x s128) big() *big.Int {
	b := new(big.Int).SetUint64(uint64(x.hi))
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(x.lo))
	if x.hi < 0 {
		b.Sub(b, twoPow128Big)
	}
	return b
}

// s128FromBig converts b, reporting whether it fits.
func s128FromBig(b *big.Int) (s128, bool) {
	if b.Cmp(maxI128) > 0 || b.Cmp(minI128) < 0 {
		return s128{}, false
	}
	t := new(big.Int).Set(b)
	if t.Sign() < 0 {
		t.Add(t, twoPow128Big)
	}
	lo := new(big.Int).And(t, maxU64Big).Uint64()
	hi := new(big.Int).Rsh(t, 64).Uint64()
	return s128{int64(hi), lo}, true
}

func s128FromInt(x int64) s128 { return s128{x >> 63, uint64(x)} }

func (x s128) add(y s128) s128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	return s128{int64(uint64(x.hi) + uint64(y.hi) + c), lo}
}

func (x s128) sub(y s128) s128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	return s128{int64(uint64(x.hi) - uint64(y.hi) - b), lo}
}

func (x s128) cmp(y s128) int {
	switch {
	case x.hi < y.hi:
		return -1
	case x.hi > y.hi:
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

func (x s128) isZero() bool { return x.hi == 0 && x.lo == 0 }

// shr is the arithmetic (floor) shift right, 0 < n < 64.
func (x s128) shr(n uint) s128 {
	return s128{x.hi >> n, x.lo>>n | uint64(x.hi)<<(64-n)}
}

// shl is the shift left, 0 < n < 64 (wrapping).
func (x s128) shl(n uint) s128 {
	return s128{int64(uint64(x.hi)<<n | x.lo>>(64-n)), x.lo << n}
}

// signedMulShift returns floor(x*y / 2^frac) if it fits in 128 bits.
func signedMulShift(x, y s128, frac uint) (s128, bool) {
	p := new(big.Int).Mul(x.big(), y.big())
	p.Rsh(p, frac) // floor for negatives too
	return s128FromBig(p)
}

// signedDivShift returns trunc(x * 2^frac / y); false on zero divisor or overflow.
func signedDivShift(x, y s128, frac uint) (s128, bool) {
	if y.isZero() {
		return s128{}, false
	}
	n := new(big.Int).Lsh(x.big(), frac)
	n.Quo(n, y.big()) // truncates toward zero
	return s128FromBig(n)
}

func saturateS128(b *big.Int) s128 {
	if b.Sign() < 0 {
		r, _ := s128FromBig(minI128)
		return r
	}
	r, _ := s128FromBig(maxI128)
	return r
}

// I64F64 is a signed fixed-point number with 64 integer and 64 fractional bits.
type I64F64 struct{ raw s128 }

// I64F64FromU64 converts x exactly, saturating above the 63-bit integer range.
func I64F64FromU64(x uint64) I64F64 {
	if x > math.MaxInt64 {
		return I64F64{s128{math.MaxInt64, math.MaxUint64}}
	}
	return I64F64{s128{int64(x), 0}}
}

// I64F64FromInt converts x exactly.
func I64F64FromInt(x int64) I64F64 { return I64F64{s128{x, 0}} }

// I64F64FromBits builds a value from its raw hi/lo bits.
func I64F64FromBits(hi int64, lo uint64) I64F64 { return I64F64{s128{hi, lo}} }

// Bits returns the raw hi/lo bits.
func (a I64F64) Bits() (int64, uint64) { return a.raw.hi, a.raw.lo }

// Add is the wrapping sum.
func (a I64F64) Add(b I64F64) I64F64 { return I64F64{a.raw.add(b.raw)} }

// Sub is the wrapping difference.
func (a I64F64) Sub(b I64F64) I64F64 { return I64F64{a.raw.sub(b.raw)} }

// Cmp compares a and b (-1, 0, 1).
func (a I64F64) Cmp(b I64F64) int { return a.raw.cmp(b.raw) }

// IsZero reports whether a == 0.
func (a I64F64) IsZero() bool { return a.raw.isZero() }

// CheckedMul returns the floor product, false on overflow.
func (a I64F64) CheckedMul(b I64F64) (I64F64, bool) {
	r, ok := signedMulShift(a.raw, b.raw, 64)
	return I64F64{r}, ok
}

// CheckedDiv returns the truncated quotient, false on zero divisor or overflow.
func (a I64F64) CheckedDiv(b I64F64) (I64F64, bool) {
	r, ok := signedDivShift(a.raw, b.raw, 64)
	return I64F64{r}, ok
}

// SafeDiv returns the truncated quotient, or 0 on zero divisor or overflow.
func (a I64F64) SafeDiv(b I64F64) I64F64 {
	r, ok := a.CheckedDiv(b)
	if !ok {
		return I64F64{}
	}
	return r
}

// SaturatingDiv returns the truncated quotient, saturating on overflow (and, for a
// zero divisor, by the sign of a).
func (a I64F64) SaturatingDiv(b I64F64) I64F64 {
	if r, ok := a.CheckedDiv(b); ok {
		return r
	}
	if a.IsZero() {
		return I64F64{}
	}
	neg := (a.raw.hi < 0) != (b.raw.hi < 0)
	if b.IsZero() {
		neg = a.raw.hi < 0
	}
	if neg {
		return I64F64{saturateS128(big.NewInt(-1))}
	}
	return I64F64{saturateS128(big.NewInt(1))}
}

// SaturatingToU64 floors and clamps to [0, MaxUint64] (fixed64_to_u64).
func (a I64F64) SaturatingToU64() uint64 {
	if a.raw.hi < 0 {
		return 0
	}
	return uint64(a.raw.hi)
}

// ToI32F32 converts by dropping 32 fractional bits (floor), saturating.
func (a I64F64) ToI32F32() I32F32 {
	s := a.raw.shr(32)
	if s.hi != int64(s.lo)>>63 {
		if a.raw.hi < 0 {
			return Min32
		}
		return Max32
	}
	return I32F32(int64(s.lo))
}

// I64F64FromI32F32 widens exactly.
func I64F64FromI32F32(x I32F32) I64F64 { return I64F64{s128FromInt(int64(x)).shl(32)} }

// I96F32 is a signed fixed-point number with 96 integer and 32 fractional bits.
type I96F32 struct{ raw s128 }

// I96F32FromU64 converts x exactly.
func I96F32FromU64(x uint64) I96F32 { return I96F32{s128{int64(x >> 32), x << 32}} }

// I96F32FromI32F32 widens exactly (same fractional bits).
func I96F32FromI32F32(x I32F32) I96F32 { return I96F32{s128FromInt(int64(x))} }

// I96F32FromBits builds a value from its raw hi/lo bits.
func I96F32FromBits(hi int64, lo uint64) I96F32 { return I96F32{s128{hi, lo}} }

// Bits returns the raw hi/lo bits.
func (a I96F32) Bits() (int64, uint64) { return a.raw.hi, a.raw.lo }

// Add is the wrapping sum.
func (a I96F32) Add(b I96F32) I96F32 { return I96F32{a.raw.add(b.raw)} }

// Sub is the wrapping difference.
func (a I96F32) Sub(b I96F32) I96F32 { return I96F32{a.raw.sub(b.raw)} }

// Cmp compares a and b.
func (a I96F32) Cmp(b I96F32) int { return a.raw.cmp(b.raw) }

// CheckedMul returns the floor product, false on overflow.
func (a I96F32) CheckedMul(b I96F32) (I96F32, bool) {
	// fast path: both non-negative and below 2^64 (the epoch's share × rao case)
	if a.raw.hi == 0 && b.raw.hi == 0 {
		hi, lo := bits.Mul64(a.raw.lo, b.raw.lo)
		return I96F32{s128{int64(hi >> 32), hi<<32 | lo>>32}}, true
	}
	r, ok := signedMulShift(a.raw, b.raw, 32)
	return I96F32{r}, ok
}

// SaturatingMul returns the floor product clamped to the I96F32 range.
func (a I96F32) SaturatingMul(b I96F32) I96F32 {
	if r, ok := a.CheckedMul(b); ok {
		return r
	}
	if (a.raw.hi < 0) != (b.raw.hi < 0) {
		return I96F32{saturateS128(big.NewInt(-1))}
	}
	return I96F32{saturateS128(big.NewInt(1))}
}

// CheckedDiv returns the truncated quotient, false on zero divisor or overflow.
func (a I96F32) CheckedDiv(b I96F32) (I96F32, bool) {
	r, ok := signedDivShift(a.raw, b.raw, 32)
	return I96F32{r}, ok
}

// SafeDiv returns the truncated quotient or 0 on zero divisor or overflow.
func (a I96F32) SafeDiv(b I96F32) I96F32 {
	r, ok := a.CheckedDiv(b)
	if !ok {
		return I96F32{}
	}
	return r
}

// SaturatingToU64 floors and clamps to [0, MaxUint64].
func (a I96F32) SaturatingToU64() uint64 {
	if a.raw.hi < 0 {
		return 0
	}
	if uint64(a.raw.hi)>>32 != 0 {
		return math.MaxUint64
	}
	return uint64(a.raw.hi)<<32 | a.raw.lo>>32
}

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

func (x u128) big() *big.Int {
	b := new(big.Int).SetUint64(x.hi)
	return b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(x.lo))
}

func u128FromBig(b *big.Int) (u128, bool) {
	if b.Sign() < 0 || b.Cmp(maxU128) > 0 {
		return u128{}, false
	}
	return u128{new(big.Int).Rsh(b, 64).Uint64(), new(big.Int).And(b, maxU64Big).Uint64()}, true
}

func unsignedMulShift(x, y u128, frac uint) (u128, bool) {
	p := new(big.Int).Mul(x.big(), y.big())
	return u128FromBig(p.Rsh(p, frac))
}

func unsignedDivShift(x, y u128, frac uint) (u128, bool) {
	if y.hi == 0 && y.lo == 0 {
		return u128{}, false
	}
	n := new(big.Int).Lsh(x.big(), frac)
	return u128FromBig(n.Quo(n, y.big()))
}

func u128Add(x, y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c2 := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c2 == 0
}

func u128Sub(x, y u128) (u128, bool) {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, b2 := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}, b2 == 0
}

// U64F64 is an unsigned fixed-point number with 64 integer and 64 fractional bits.
type U64F64 struct{ raw u128 }

// U64F64FromU64 converts x exactly.
func U64F64FromU64(x uint64) U64F64 { return U64F64{u128{x, 0}} }

// U64F64FromBits builds a value from raw bits.
func U64F64FromBits(hi, lo uint64) U64F64 { return U64F64{u128{hi, lo}} }

// Bits returns the raw hi/lo bits.
func (a U64F64) Bits() (uint64, uint64) { return a.raw.hi, a.raw.lo }

// SaturatingAdd returns a+b clamped to the maximum.
func (a U64F64) SaturatingAdd(b U64F64) U64F64 {
	if r, ok := u128Add(a.raw, b.raw); ok {
		return U64F64{r}
	}
	return U64F64{u128{math.MaxUint64, math.MaxUint64}}
}

// SaturatingSub returns a-b clamped at 0.
func (a U64F64) SaturatingSub(b U64F64) U64F64 {
	if r, ok := u128Sub(a.raw, b.raw); ok {
		return U64F64{r}
	}
	return U64F64{}
}

// CheckedMul returns the floor product, false on overflow.
func (a U64F64) CheckedMul(b U64F64) (U64F64, bool) {
	r, ok := unsignedMulShift(a.raw, b.raw, 64)
	return U64F64{r}, ok
}

// SaturatingMul returns the floor product clamped to the maximum.
func (a U64F64) SaturatingMul(b U64F64) U64F64 {
	if r, ok := a.CheckedMul(b); ok {
		return r
	}
	return U64F64{u128{math.MaxUint64, math.MaxUint64}}
}

// CheckedDiv returns the truncated quotient, false on zero divisor or overflow.
func (a U64F64) CheckedDiv(b U64F64) (U64F64, bool) {
	r, ok := unsignedDivShift(a.raw, b.raw, 64)
	return U64F64{r}, ok
}

// SafeDiv returns the truncated quotient, or 0 on zero divisor or overflow.
func (a U64F64) SafeDiv(b U64F64) U64F64 {
	r, _ := a.CheckedDiv(b)
	return r
}

// SaturatingToU64 floors to an integer (the integer part always fits).
func (a U64F64) SaturatingToU64() uint64 { return a.raw.hi }

// U96F32 is an unsigned fixed-point number with 96 integer and 32 fractional bits.
type U96F32 struct{ raw u128 }

// U96F32FromU64 converts x exactly.
func U96F32FromU64(x uint64) U96F32 { return U96F32{u128{x >> 32, x << 32}} }

// U96F32FromBits builds a value from raw bits.
func U96F32FromBits(hi, lo uint64) U96F32 { return U96F32{u128{hi, lo}} }

// Bits returns the raw hi/lo bits.
func (a U96F32) Bits() (uint64, uint64) { return a.raw.hi, a.raw.lo }

// SaturatingAdd returns a+b clamped to the maximum.
func (a U96F32) SaturatingAdd(b U96F32) U96F32 {
	if r, ok := u128Add(a.raw, b.raw); ok {
		return U96F32{r}
	}
	return U96F32{u128{math.MaxUint64, math.MaxUint64}}
}

// SaturatingSub returns a-b clamped at 0.
func (a U96F32) SaturatingSub(b U96F32) U96F32 {
	if r, ok := u128Sub(a.raw, b.raw); ok {
		return U96F32{r}
	}
	return U96F32{}
}

// CheckedMul returns the floor product, false on overflow.
func (a U96F32) CheckedMul(b U96F32) (U96F32, bool) {
	r, ok := unsignedMulShift(a.raw, b.raw, 32)
	return U96F32{r}, ok
}

// SaturatingMul returns the floor product clamped to the maximum.
func (a U96F32) SaturatingMul(b U96F32) U96F32 {
	if r, ok := a.CheckedMul(b); ok {
		return r
	}
	return U96F32{u128{math.MaxUint64, math.MaxUint64}}
}

// CheckedDiv returns the truncated quotient, false on zero divisor or overflow.
func (a U96F32) CheckedDiv(b U96F32) (U96F32, bool) {
	r, ok := unsignedDivShift(a.raw, b.raw, 32)
	return U96F32{r}, ok
}

// SafeDiv returns the truncated quotient, or 0 on zero divisor or overflow.
func (a U96F32) SafeDiv(b U96F32) U96F32 {
	r, _ := a.CheckedDiv(b)
	return r
}

// SaturatingToU64 floors and clamps to MaxUint64.
func (a U96F32) SaturatingToU64() uint64 {
	if a.raw.hi>>32 != 0 {
		return math.MaxUint64
	}
	return a.raw.hi<<32 | a.raw.lo>>32
}

// Cmp compares a and b.
func (a U64F64) Cmp(b U64F64) int {
	switch {
	case a.raw.hi != b.raw.hi:
		if a.raw.hi < b.raw.hi {
			return -1
		}
		return 1
	case a.raw.lo != b.raw.lo:
		if a.raw.lo < b.raw.lo {
			return -1
		}
		return 1
	}
	return 0
}

// IsZero reports whether a is 0.
func (a U64F64) IsZero() bool { return a.raw.hi == 0 && a.raw.lo == 0 }

// Min returns the smaller of a and b.
func (a U64F64) Min(b U64F64) U64F64 {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Frac returns the fractional part.
func (a U64F64) Frac() U64F64 { return U64F64{u128{0, a.raw.lo}} }

// Big returns the raw 128-bit value (to_bits) as a big integer.
func (a U64F64) Big() *big.Int { return a.raw.big() }

// U64F64FromBig builds a value from raw bits, reporting whether they fit 128 bits.
func U64F64FromBig(b *big.Int) (U64F64, bool) {
	r, ok := u128FromBig(b)
	return U64F64{r}, ok
}

// SaturatingToU128 floors to an integer (saturating_to_num::<u128>; it always fits).
func (a U64F64) SaturatingToU128() *big.Int { return new(big.Int).SetUint64(a.raw.hi) }

// Cmp compares a and b.
func (a U96F32) Cmp(b U96F32) int { return U64F64{a.raw}.Cmp(U64F64{b.raw}) }

// IsZero reports whether a is 0.
func (a U96F32) IsZero() bool { return a.raw.hi == 0 && a.raw.lo == 0 }

// CheckedAdd returns a+b, false on overflow.
func (a U96F32) CheckedAdd(b U96F32) (U96F32, bool) {
	r, ok := u128Add(a.raw, b.raw)
	return U96F32{r}, ok
}

// U96F32FromRatio is U96F32(num).safe_div(U96F32(den)) for integers.
func U96F32FromRatio(num, den uint64) U96F32 { return U96F32FromU64(num).SafeDiv(U96F32FromU64(den)) }

// ToU64F64 converts exactly (saturating when the integer part exceeds 64 bits).
func (a U96F32) ToU64F64() U64F64 {
	if a.raw.hi>>32 != 0 {
		return U64F64{u128{math.MaxUint64, math.MaxUint64}}
	}
	return U64F64{u128{a.raw.hi<<32 | a.raw.lo>>32, a.raw.lo << 32}}
}

// ToU96F32 converts, dropping 32 fractional bits (floor).
func (a U64F64) ToU96F32() U96F32 { return U96F32{u128{a.raw.hi >> 32, a.raw.hi<<32 | a.raw.lo>>32}} }

// ToI96F32 converts, dropping 32 fractional bits (floor; the value always fits).
func (a U64F64) ToI96F32() I96F32 {
	return I96F32{s128{int64(a.raw.hi >> 32), a.raw.hi<<32 | a.raw.lo>>32}}
}

// ToU64F64 converts a non-negative I96F32 exactly, saturating (negative → 0).
func (a I96F32) ToU64F64() U64F64 {
	if a.raw.hi < 0 {
		return U64F64{}
	}
	return U96F32{u128{uint64(a.raw.hi), a.raw.lo}}.ToU64F64()
}

// U64F64FromRatio is U64F64(num).safe_div(U64F64(den)) for integers.
func U64F64FromRatio(num, den uint64) U64F64 { return U64F64FromU64(num).SafeDiv(U64F64FromU64(den)) }
