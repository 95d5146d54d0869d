// Package swap is the TAO/alpha pool engine of dynamic TAO: subtensor's swap
// pallet (pallets/swap, the weighted "balancer" pool that replaced the
// Uniswap-v3-style ticks) on plain integers, bit for bit.
//
// A pool holds a TAO reserve y, an alpha reserve x and a quote weight w2 (stored as
// a Perquintill, parts per 10^18; the base weight is w1 = 1 − w2). The spot price
// in TAO per alpha is (w1/w2)·(y/x) in U64F64. Buying alpha with ∆y TAO pays out
// ∆x = x·(1 − (y/(y+∆y))^(w2/w1)); selling ∆x alpha pays out
// ∆y = y·(1 − (x/(x+∆x))^(w1/w2)). The powers use fixed.PowRatioScaled (the
// safe-bigmath algorithm subtensor pins), and every conversion, floor and
// saturation follows balancer.rs, swap_step.rs and impls.rs at subtensor main
// 14bc6f9f9:
//
//   - the fee (FeeRate/65535 of the input, default 33) is taken first;
//   - a price limit stops the swap early: if the whole amount would move the price
//     past the limit, only the input that moves it exactly to the limit is swapped
//     (a partial fill) and the fee is recomputed on that input;
//   - the swap is refused when the limit is already passed (PriceLimitExceeded),
//     the output reserve is below 1 000 000 (ReservesTooLow), the input exceeds
//     1 000× its reserve (SwapInputTooLarge), or the output would exceed the
//     reserve (InsufficientLiquidity);
//   - protocol injections that are not in proportion to the price move the weights
//     instead of the price (UpdateWeightsForAddedLiquidity), within [0.01, 0.99].
//
// The package holds no state: Quote computes a swap's result on given reserves and
// the caller (the chain) applies it.
package swap
