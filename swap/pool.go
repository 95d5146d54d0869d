package swap

import (
	"errors"

	"github.com/taonet/taonet/fixed"
)

// Swap pallet constants (runtime/src/lib.rs, pallets/swap/src/pallet/mod.rs).
const (
	DefaultFeeRate        uint16 = 33                    // FeeRate default, ≈ 0.05 %
	MaxFeeRate            uint16 = 10_000                // SwapMaxFeeRate, ≈ 15.26 %
	MinimumReserve        uint64 = 1_000_000             // SwapMinimumReserve
	MaxInputReserveFactor uint64 = 1_000                 // MAX_SWAP_INPUT_RESERVE_MULTIPLIER
	MinPriceRao           uint64 = 1_000                 // min_price_inner: default sell limit (rao per alpha)
	MaxPriceRao           uint64 = 1_000_000_000_000_000 // max_price_inner: default buy limit
)

// Named swap errors (pallet_subtensor_swap::Error).
var (
	ErrPriceLimitExceeded    = errors.New("PriceLimitExceeded: the price is already beyond the limit")
	ErrReservesTooLow        = errors.New("ReservesTooLow: the pool cannot pay out")
	ErrSwapInputTooLarge     = errors.New("SwapInputTooLarge: input above 1000x its reserve")
	ErrInsufficientLiquidity = errors.New("InsufficientLiquidity: output above the reserve")
	ErrReservesOutOfBalance  = errors.New("ReservesOutOfBalance: cannot derive pool weights")
)

// Pool is one subnet's reserves as the swap sees them.
type Pool struct {
	TAO      uint64 // SubnetTAO: the TAO reserve y
	Alpha    uint64 // SubnetAlphaIn: the alpha reserve x
	Balancer Balancer
	FeeRate  uint16
	// MinReserve is the smallest output reserve a swap may draw on (the runtime's
	// SwapMinimumReserve, MinimumReserve; upstream's pallet mock uses 1).
	MinReserve uint64
}

// Result is a swap's outcome (SwapResult): PaidIn is the input that enters the
// reserve (fee excluded), Fee the part of the input taken as fee, PaidOut the output.
// Input − PaidIn − Fee is the refund of a partial fill.
type Result struct {
	PaidIn  uint64
	PaidOut uint64
	Fee     uint64
}

// LimitPrice converts a price limit in rao per alpha to U64F64 TAO per alpha
// (SwapEngine::swap: price_limit / 1e9, safe division).
func LimitPrice(rao uint64) fixed.U64F64 { return u64f(rao).SafeDiv(u64f(1_000_000_000)) }

// Price is the current price in TAO per alpha: 0 when the alpha reserve is empty.
func (p Pool) Price() fixed.U64F64 {
	if p.Alpha == 0 {
		return fixed.U64F64{}
	}
	return p.Balancer.Price(p.Alpha, p.TAO)
}

// fee is calculate_fee_amount: floor(amount · rate/65535).
func (p Pool) fee(amount uint64, dropFees bool) uint64 {
	if dropFees {
		return 0
	}
	rate := u64f(uint64(p.FeeRate)).SafeDiv(u64f(65535))
	return u64f(amount).SaturatingMul(rate).SaturatingToU64()
}

// limitFee is the fee recomputed on a partial fill: delta · rate/(65535 − rate).
func (p Pool) limitFee(delta uint64, dropFees bool) uint64 {
	var rate fixed.U64F64
	if !dropFees {
		rate = u64f(uint64(p.FeeRate))
	}
	f := rate.SafeDiv(u64f(65535).SaturatingSub(rate))
	return u64f(delta).SaturatingMul(f).SaturatingToU64()
}

// alphaOut is the buy-side convert_deltas: alpha paid for dy TAO.
func (p Pool) alphaOut(dy uint64) uint64 {
	e := p.Balancer.ExpQuoteBase(p.TAO, dy)
	return u64f(p.Alpha).SaturatingMul(u64f(1).SaturatingSub(e)).SaturatingToU64()
}

// taoOut is the sell-side convert_deltas: TAO paid for dx alpha.
func (p Pool) taoOut(dx uint64) uint64 {
	e := p.Balancer.ExpBaseQuote(p.Alpha, dx)
	return u64f(p.TAO).SaturatingMul(u64f(1).SaturatingSub(e)).SaturatingToU64()
}

// BuyAlpha quotes swapping tao TAO for alpha with a limit price (GetAlphaForTao).
func (p Pool) BuyAlpha(tao uint64, limit fixed.U64F64, dropFees bool) (Result, error) {
	return p.swap(tao, limit, dropFees, true)
}

// SellAlpha quotes swapping alpha for TAO with a limit price (GetTaoForAlpha).
func (p Pool) SellAlpha(alpha uint64, limit fixed.U64F64, dropFees bool) (Result, error) {
	return p.swap(alpha, limit, dropFees, false)
}

// swap is do_swap + swap_inner + BasicSwapStep for either direction.
func (p Pool) swap(amount uint64, limit fixed.U64F64, dropFees, buy bool) (Result, error) {
	reserveIn, reserveOut := p.Alpha, p.TAO
	if buy {
		reserveIn, reserveOut = p.TAO, p.Alpha
	}
	if satSub(amount, p.fee(amount, dropFees)) > satMul(reserveIn, MaxInputReserveFactor) {
		return Result{}, ErrSwapInputTooLarge
	}
	if reserveOut < p.MinReserve {
		return Result{}, ErrReservesTooLow
	}
	cur := p.Price()
	if c := cur.Cmp(limit); (buy && c >= 0) || (!buy && c <= 0) {
		return Result{}, ErrPriceLimitExceeded
	}
	fee := p.fee(amount, dropFees)
	req := satSub(amount, fee)
	var target fixed.U64F64
	if buy {
		target = p.Balancer.Price(satSub(p.Alpha, p.alphaOut(req)), satAdd(p.TAO, req))
	} else {
		target = p.Balancer.Price(satAdd(p.Alpha, req), satSub(p.TAO, p.taoOut(req)))
	}
	delta := req
	if c := target.Cmp(limit); (buy && c > 0) || (!buy && c < 0) {
		// Partial fill: only what moves the price to the limit.
		if buy {
			delta = p.Balancer.QuoteDeltaIn(cur, limit, p.TAO)
		} else {
			delta = p.Balancer.BaseDeltaIn(cur, limit, p.Alpha)
		}
		fee = p.limitFee(delta, dropFees)
	}
	var out uint64
	if buy {
		out = p.alphaOut(delta)
	} else {
		out = p.taoOut(delta)
	}
	if delta != 0 && out == 0 {
		return Result{}, ErrReservesTooLow
	}
	if reserveOut < out {
		return Result{}, ErrInsufficientLiquidity
	}
	return Result{PaidIn: delta, PaidOut: out, Fee: fee}, nil
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}
