package swap

import (
	"errors"
	"math/big"

	"github.com/taonet/taonet/fixed"
)

// Accuracy is one in Perquintill parts (10^18).
const Accuracy uint64 = 1_000_000_000_000_000_000

// MinWeight is the smallest allowed weight (0.01).
const MinWeight = Accuracy / 100

// ErrInvalidWeight is balancer.rs BalancerError::InvalidValue.
var ErrInvalidWeight = errors.New("swap: pool weight outside [0.01, 0.99]")

var (
	bigAccuracy = new(big.Int).SetUint64(Accuracy)
	maxU128     = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	maxU64Big   = new(big.Int).SetUint64(^uint64(0))
)

// Balancer is the pool's quote (TAO) weight in Perquintill parts.
type Balancer struct {
	Quote uint64
}

// DefaultBalancer has equal weights (0.5/0.5), the pallet's storage default.
func DefaultBalancer() Balancer { return Balancer{Quote: Accuracy / 2} }

// NewBalancer checks both weights are at least MinWeight.
func NewBalancer(quote uint64) (Balancer, error) {
	if !weightsOK(quote) {
		return Balancer{}, ErrInvalidWeight
	}
	return Balancer{Quote: quote}, nil
}

func weightsOK(quote uint64) bool {
	if quote > Accuracy {
		return false
	}
	return Accuracy-quote >= MinWeight && quote >= MinWeight
}

// Base is the base (alpha) weight 1 − quote.
func (b Balancer) Base() uint64 {
	if b.Quote > Accuracy {
		return 0
	}
	return Accuracy - b.Quote
}

// PerquintillFromRational is Perquintill::from_rational: floor(p·10^18/q), one when
// p ≥ q or q = 0.
func PerquintillFromRational(p, q *big.Int) uint64 {
	if q.Sign() == 0 || p.Cmp(q) >= 0 {
		return Accuracy
	}
	v := new(big.Int).Mul(p, bigAccuracy)
	return v.Quo(v, q).Uint64()
}

func u64f(x uint64) fixed.U64F64 { return fixed.U64F64FromU64(x) }

// Price is calculate_price: (w1/w2)·(y/x) in U64F64, each division safe (0 on a
// zero divisor or an overflowing quotient), the product saturating.
func (b Balancer) Price(x, y uint64) fixed.U64F64 {
	w := u64f(b.Base()).SafeDiv(u64f(b.Quote))
	return w.SaturatingMul(u64f(y).SafeDiv(u64f(x)))
}

// expScaled is exp_scaled: (x/(x±dx))^(w1/w2) when baseQuote, else ^(w2/w1), as
// U64F64; capped at 1 when dx is added; 0 when x±dx is 0 or the power fails.
func (b Balancer) expScaled(x, dx uint64, negative, baseQuote bool) fixed.U64F64 {
	var xd uint64
	if negative {
		xd = satSub(x, dx)
	} else {
		xd = satAdd(x, dx)
	}
	if xd == 0 {
		return fixed.U64F64{}
	}
	w1 := new(big.Int).SetUint64(b.Base())
	w2 := new(big.Int).SetUint64(b.Quote)
	if !baseQuote {
		w1, w2 = w2, w1
	}
	r, ok := fixed.PowRatioScaled(new(big.Int).SetUint64(x), new(big.Int).SetUint64(xd), w1, w2, 256, bigAccuracy)
	if !ok || !r.IsUint64() {
		return fixed.U64F64{}
	}
	res := u64f(r.Uint64()).SafeDiv(u64f(Accuracy))
	if !negative {
		return res.Min(u64f(1))
	}
	return res
}

// ExpBaseQuote is (x/(x+dx))^(w1/w2), used when selling alpha.
func (b Balancer) ExpBaseQuote(x, dx uint64) fixed.U64F64 { return b.expScaled(x, dx, false, true) }

// ExpQuoteBase is (y/(y+dy))^(w2/w1), used when buying alpha.
func (b Balancer) ExpQuoteBase(y, dy uint64) fixed.U64F64 { return b.expScaled(y, dy, false, false) }

// deltaIn is the shared body of calculate_quote_delta_in / calculate_base_delta_in:
// reserve·((num/den)^(w/1) − 1), saturating, floored.
func deltaIn(num, den fixed.U64F64, w, reserve uint64) uint64 {
	r, ok := fixed.PowRatioScaled(num.Big(), den.Big(), new(big.Int).SetUint64(w), bigAccuracy, 1024, bigAccuracy)
	if !ok {
		return 0
	}
	var e fixed.U64F64
	switch {
	case r.IsUint64():
		e = u64f(r.Uint64())
	case r.Cmp(maxU64Big) > 0:
		e = u64f(^uint64(0))
	}
	f := e.SafeDiv(u64f(Accuracy)).SaturatingSub(u64f(1))
	return u64f(reserve).SaturatingMul(f).SaturatingToU64()
}

// QuoteDeltaIn is the TAO that moves the price from cur up to target:
// y·((target/cur)^w1 − 1) (0 when target ≤ cur).
func (b Balancer) QuoteDeltaIn(cur, target fixed.U64F64, taoReserve uint64) uint64 {
	return deltaIn(target, cur, b.Base(), taoReserve)
}

// BaseDeltaIn is the alpha that moves the price from cur down to target:
// x·((cur/target)^w2 − 1) (0 when target ≥ cur).
func (b Balancer) BaseDeltaIn(cur, target fixed.U64F64, alphaReserve uint64) uint64 {
	return deltaIn(cur, target, b.Quote, alphaReserve)
}

// mulPerquintillRound is mul_perquintill_round: round-half-up of value·p.
func mulPerquintillRound(p uint64, value *big.Int) *big.Int {
	n := new(big.Int).Mul(value, new(big.Int).SetUint64(p))
	n.Add(n, new(big.Int).SetUint64(Accuracy/2))
	n.Quo(n, bigAccuracy)
	if n.Cmp(maxU128) > 0 {
		return new(big.Int).Set(maxU128)
	}
	return n
}

func satMulU128(a, b uint64) *big.Int {
	// Two u64 values multiply to < 2^128, so only sums with a carry saturate.
	return new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
}

func satMulU128Big(a *big.Int, b uint64) *big.Int {
	v := new(big.Int).Mul(a, new(big.Int).SetUint64(b))
	if v.Cmp(maxU128) > 0 {
		return v.Set(maxU128)
	}
	return v
}

// UpdateWeightsForAddedLiquidity sets the quote weight so that adding (dTao,
// dAlpha) to reserves (tao, alpha) keeps the price: w2' = q2/(q1+q2) with
// q1 = round(w1·tao·(alpha+dAlpha)), q2 = round(w2·alpha·(tao+dTao)) in u128
// (saturating); 0.5 when both are 0. A weight outside [0.01, 0.99] is refused and
// b is unchanged.
func (b *Balancer) UpdateWeightsForAddedLiquidity(tao, alpha, dTao, dAlpha uint64) error {
	newTao := new(big.Int).Add(new(big.Int).SetUint64(tao), new(big.Int).SetUint64(dTao))
	newAlpha := new(big.Int).Add(new(big.Int).SetUint64(alpha), new(big.Int).SetUint64(dAlpha))
	q1 := mulPerquintillRound(b.Base(), satMulU128Big(newAlpha, tao))
	q2 := mulPerquintillRound(b.Quote, satMulU128Big(newTao, alpha))
	sum := new(big.Int).Add(q1, q2)
	if sum.Cmp(maxU128) > 0 {
		sum.Set(maxU128)
	}
	w := Accuracy / 2
	if sum.Sign() != 0 {
		w = PerquintillFromRational(q2, sum)
	}
	if !weightsOK(w) {
		return ErrInvalidWeight
	}
	b.Quote = w
	return nil
}

// WeightForPrice is maybe_initialize_palswap with a price: w2 = y/(p·x + y), with
// p·x split into its integer and fractional parts as upstream.
func WeightForPrice(price fixed.U64F64, tao, alpha uint64) (Balancer, error) {
	pxHigh := satMulU128(price.SaturatingToU64(), alpha)
	pxLow := u64f(alpha).SaturatingMul(price.Frac()).SaturatingToU128()
	sum := new(big.Int).Add(pxHigh, pxLow)
	sum.Add(sum, new(big.Int).SetUint64(tao))
	if sum.Cmp(maxU128) > 0 {
		sum.Set(maxU128)
	}
	if sum.Sign() == 0 {
		return Balancer{}, ErrReservesOutOfBalance
	}
	bal, err := NewBalancer(PerquintillFromRational(new(big.Int).SetUint64(tao), sum))
	if err != nil {
		return Balancer{}, ErrReservesOutOfBalance
	}
	return bal, nil
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
