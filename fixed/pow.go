package fixed

import "math/big"

// PowRatioScaled returns floor-ish (baseNum/baseDen)^(expNum/expDen) · scale with
// exactly the integer algorithm of safe-bigmath's SafeInt::pow_ratio_scaled at the
// revision subtensor pins (013c4998): the weighted-pool swap engine of subtensor's
// swap pallet prices every stake and unstake with it, so a swap here must follow
// the same integer steps to give the same rao.
//
// The steps: reduce the exponent by its gcd; if both exponent parts fit in 32 bits
// and are ≤ 1024, the exact path returns floor((num^p · scale^q / den^p)^(1/q)) by
// bisection; otherwise the fixed-point path computes ln of numerator and
// denominator with normalized mantissas, multiplies by p/q (floor), and sums the exp
// series, both with 24 guard bits and an early stop once the rounded value stops
// changing. It reports false where upstream returns None (zero denominators,
// negative inputs).
func PowRatioScaled(baseNum, baseDen, expNum, expDen *big.Int, precision uint32, scale *big.Int) (*big.Int, bool) {
	if baseDen.Sign() == 0 || expDen.Sign() == 0 {
		return nil, false
	}
	if baseNum.Sign() == 0 {
		return new(big.Int), true
	}
	if scale.Sign() < 0 || baseNum.Sign() < 0 || baseDen.Sign() < 0 || expNum.Sign() < 0 || expDen.Sign() < 0 {
		return nil, false
	}
	if expNum.Sign() == 0 {
		return new(big.Int).Set(scale), true
	}
	p, q := new(big.Int).Set(expNum), new(big.Int).Set(expDen)
	if g := new(big.Int).GCD(nil, nil, p, q); g.Cmp(bigOne) > 0 {
		p.Quo(p, g)
		q.Quo(q, g)
	}
	if p.BitLen() <= 32 && q.BitLen() <= 32 && p.Uint64() <= maxExactExponent && q.Uint64() <= maxExactExponent {
		return powExact(baseNum, baseDen, uint(p.Uint64()), uint(q.Uint64()), scale), true
	}
	return powSeries(baseNum, baseDen, p, q, precision, scale), true
}

// maxExactExponent is safe-bigmath's MAX_EXACT_EXPONENT.
const maxExactExponent = 1024

// defaultMaxIters is safe-bigmath's DEFAULT_MAX_ITERS.
const defaultMaxIters = 4096

// powExact is the exact path: the floor q-th root of num^p · scale^q / den^p.
func powExact(num, den *big.Int, p, q uint, scale *big.Int) *big.Int {
	tn := new(big.Int).Exp(num, big.NewInt(int64(p)), nil)
	tn.Mul(tn, new(big.Int).Exp(scale, big.NewInt(int64(q)), nil))
	td := new(big.Int).Exp(den, big.NewInt(int64(p)), nil)
	return nthRootRatioFloor(tn, td, q)
}

// nthRootRatioFloor is the largest r with r^q · den ≤ num (doubling, then bisection).
func nthRootRatioFloor(num, den *big.Int, q uint) *big.Int {
	if q == 0 {
		return new(big.Int)
	}
	if q == 1 {
		// The largest r with r·den ≤ num is the floor quotient (same result as
		// the bisection, without it).
		return new(big.Int).Quo(num, den)
	}
	qb := big.NewInt(int64(q))
	fits := func(r *big.Int) bool {
		v := new(big.Int).Exp(r, qb, nil)
		return v.Mul(v, den).Cmp(num) <= 0
	}
	low, high := new(big.Int), big.NewInt(1)
	for fits(high) {
		high.Lsh(high, 1)
	}
	for low.Cmp(high) < 0 {
		mid := new(big.Int).Add(low, high)
		mid.Add(mid, bigOne).Rsh(mid, 1)
		if fits(mid) {
			low = mid
		} else {
			high = mid.Sub(mid, bigOne)
		}
	}
	return low
}

// powSeries is the fixed-point ln/exp path.
func powSeries(num, den, p, q *big.Int, precision uint32, scale *big.Int) *big.Int {
	scaleBits := uint32(scale.BitLen())
	req := max(precision, 32, satAdd32(scaleBits, 8))
	const guardBits = 24
	internal := satAdd32(req, guardBits)
	maxIters := min(defaultMaxIters, int(internal)+128)
	if maxIters < 1 {
		maxIters = 1
	}
	target := new(big.Int).Lsh(bigOne, uint(req))
	guard := new(big.Int).Lsh(bigOne, guardBits)
	iscale := new(big.Int).Lsh(target, guardBits)

	negHalf := new(big.Int).Rsh(iscale, 1)
	negHalf.Neg(negHalf)
	lnTwo := ln1pFixed(negHalf, iscale, guard, maxIters)
	lnTwo.Neg(lnTwo)

	lnBase := lnBig(num, internal, iscale, guard, lnTwo, maxIters)
	lnBase.Sub(lnBase, lnBig(den, internal, iscale, guard, lnTwo, maxIters))
	lnScaled := floorDiv(lnBase.Mul(lnBase, p), q)
	e := expFixed(lnScaled, iscale, guard, maxIters)
	r := roundToPrecision(e, guard)
	return floorDiv(r.Mul(r, scale), target)
}

func satAdd32(a, b uint32) uint32 {
	if a+b < a {
		return ^uint32(0)
	}
	return a + b
}

// floorDiv is num_integer's div_floor (rounds toward −∞).
func floorDiv(a, b *big.Int) *big.Int {
	q, m := new(big.Int).DivMod(a, b, new(big.Int))
	// DivMod is Euclidean: for b > 0 it is the floor; for b < 0 fix it up.
	if b.Sign() < 0 && m.Sign() != 0 {
		q.Add(q, bigOne)
	}
	return q
}

// roundToPrecision drops the guard bits, rounding half away from zero (the
// remainder of a truncating division decides).
func roundToPrecision(v, guard *big.Int) *big.Int {
	t, r := new(big.Int).QuoRem(v, guard, new(big.Int))
	if r.Sign() != 0 {
		twice := new(big.Int).Abs(r)
		twice.Lsh(twice, 1)
		if twice.Cmp(new(big.Int).Abs(guard)) >= 0 {
			t.Add(t, big.NewInt(int64(r.Sign())))
		}
	}
	return t
}

// ln1pFixed is the Taylor series of ln(1+x) in fixed point with scale s; it stops
// when a term vanishes, drops below the guard, or the rounded sum stops changing.
func ln1pFixed(x, s, guard *big.Int, maxIters int) *big.Int {
	term := new(big.Int).Set(x)
	res := new(big.Int).Set(term)
	prev := roundToPrecision(res, guard)
	absGuard := new(big.Int).Abs(guard)
	for n := 2; n <= maxIters; n++ {
		term = floorDiv(term.Mul(term, x), s)
		if term.Sign() == 0 {
			break
		}
		next := floorDiv(term, big.NewInt(int64(uint32(n))))
		if next.Sign() == 0 {
			break
		}
		if n%2 == 0 {
			res.Sub(res, next)
		} else {
			res.Add(res, next)
		}
		rounded := roundToPrecision(res, guard)
		if new(big.Int).Abs(next).Cmp(absGuard) < 0 || rounded.Cmp(prev) == 0 {
			break
		}
		prev = rounded
	}
	return res
}

// expFixed is the Taylor series of exp(x) in fixed point with scale s.
func expFixed(x, s, guard *big.Int, maxIters int) *big.Int {
	term := new(big.Int).Set(s)
	res := new(big.Int).Set(term)
	prev := roundToPrecision(res, guard)
	absGuard := new(big.Int).Abs(guard)
	for n := 1; n <= maxIters; n++ {
		d := new(big.Int).Mul(s, big.NewInt(int64(uint32(n))))
		term = floorDiv(term.Mul(term, x), d)
		if term.Sign() == 0 {
			break
		}
		res.Add(res, term)
		rounded := roundToPrecision(res, guard)
		if new(big.Int).Abs(term).Cmp(absGuard) < 0 || rounded.Cmp(prev) == 0 {
			break
		}
		prev = rounded
	}
	return res
}

// lnBig is ln(v) for v > 0: the mantissa normalized into [0.5, 1.5) in fixed point
// with `prec` fractional bits, ln1p of (mantissa − 1), plus shift · ln 2.
func lnBig(v *big.Int, prec uint32, iscale, guard, lnTwo *big.Int, maxIters int) *big.Int {
	if v.Sign() == 0 {
		return new(big.Int)
	}
	shift := uint(v.BitLen() - 1)
	m := new(big.Int).Lsh(v, uint(prec))
	m.Rsh(m, shift)
	half := new(big.Int).Rsh(iscale, 1)
	if m.Cmp(half.Add(half, iscale)) >= 0 {
		m.Rsh(m, 1)
		shift++
	}
	l := ln1pFixed(m.Sub(m, iscale), iscale, guard, maxIters)
	return l.Add(l, new(big.Int).Mul(lnTwo, new(big.Int).SetUint64(uint64(shift))))
}
