package fixed

import "math/big"

// Log2 is substrate-fixed 0.6's transcendental::log2 for I96F32 (subtensor's
// block_emission.rs computes the halving exponent with it): for x < 1 it returns
// −log2_inner(1/x) (checked divide); log2_inner halves the operand with a
// round-half-up right shift (`rs`) while it is ≥ 2, counting one raw unit per
// halving, then produces one fractional bit per squaring (floor multiply), shifting
// the count into the integer part. It reports false for x ≤ 0 or an overflowing
// inverse, as upstream's Err.
func (a I96F32) Log2() (I96F32, bool) {
	x := a.raw.big()
	if x.Sign() <= 0 {
		return I96F32{}, false
	}
	one := new(big.Int).Lsh(bigOne, 32)
	if x.Cmp(one) < 0 {
		inv, ok := I96F32FromU64(1).CheckedDiv(a)
		if !ok {
			return I96F32{}, false
		}
		r := log2Inner(inv.raw.big())
		r.Neg(r)
		v, _ := s128FromBig(r)
		return I96F32{v}, true
	}
	v, _ := s128FromBig(log2Inner(x))
	return I96F32{v}, true
}

// log2Inner works on raw I96F32 bits (32 fractional bits), x ≥ 1.
func log2Inner(x *big.Int) *big.Int {
	const frac = 32
	x = new(big.Int).Set(x)
	one := new(big.Int).Lsh(bigOne, frac)
	two := new(big.Int).Lsh(bigOne, frac+1)
	rs := func(v *big.Int) *big.Int {
		low := v.Bit(0)
		v.Rsh(v, 1)
		if low == 1 {
			v.Add(v, bigOne)
		}
		return v
	}
	result := new(big.Int)
	for x.Cmp(two) >= 0 {
		result.Add(result, bigOne)
		rs(x)
	}
	if x.Cmp(one) == 0 {
		// Upstream returns D::from_num(result): the halving count as a number.
		return result.Lsh(result, frac)
	}
	for i := 0; i < frac; i++ {
		x.Mul(x, x).Rsh(x, frac)
		result.Lsh(result, 1)
		if x.Cmp(two) >= 0 {
			result.Or(result, bigOne)
			rs(x)
		}
	}
	return result
}

// Floor rounds toward −∞ to a whole number.
func (a I96F32) Floor() I96F32 { return I96F32{s128{a.raw.hi, a.raw.lo &^ (1<<32 - 1)}} }

// I96F32FromInt converts x exactly.
func I96F32FromInt(x int64) I96F32 { return I96F32{s128FromInt(x).shl(32)} }
