package subtensor

import (
	"context"
	"math/big"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/swap"
)

// raoPerTAO converts TAO-per-alpha prices to rao per alpha.
const raoPerTAO = 1_000_000_000

// readPool fills the subnet's dTAO pool (chain.PoolInfo) from the runtime's
// SubtensorModule storage, driven by its metadata: SubnetTAO, SubnetAlphaIn
// and SubnetAlphaOut must all exist (dynamic-TAO runtimes), otherwise the
// pool stays nil, as on classic chains. SubnetMovingPrice, SubnetMechanism
// and the per-block emissions are read where the runtime has them.
//
// Price is the runtime's get_alpha_price: 1 TAO on the root subnet and on
// stable-mechanism subnets (SubnetMechanism 0), 0 with no alpha in the pool,
// else SubnetTAO / SubnetAlphaIn in I96F32 (truncated to 32 fractional bits),
// reported as rao per alpha (floor). These runtimes price by constant product
// (x·y = k), the balancer with equal weights, so QuoteWeight is reported as
// one half (the taonet backend's default balancer).
func (c *Client) readPool(ctx context.Context, at Head, rt *Runtime, netuid uint16) (*chain.PoolInfo, error) {
	for _, item := range []string{"SubnetTAO", "SubnetAlphaIn", "SubnetAlphaOut"} {
		if !rt.Meta.HasStorage("SubtensorModule", item) {
			return nil, nil
		}
	}
	p := &chain.PoolInfo{QuoteWeight: swap.DefaultBalancer().Quote}
	mechanism := uint64(1) // dynamic, where the runtime does not say
	var moving *big.Int
	u64 := func(dst *uint64) func(metadata.Value) error {
		return func(v metadata.Value) error { *dst = bigToU64(v); return nil }
	}
	r := func(item string, optional bool, into func(metadata.Value) error) Read {
		return Read{Pallet: "SubtensorModule", Item: item, Keys: []any{netuid}, Optional: optional, Into: into}
	}
	reads := []Read{
		r("SubnetTAO", false, u64(&p.TaoIn)), r("SubnetAlphaIn", false, u64(&p.AlphaIn)), r("SubnetAlphaOut", false, u64(&p.AlphaOut)),
		r("SubnetMechanism", true, u64(&mechanism)),
		r("SubnetMovingPrice", true, func(v metadata.Value) error {
			var err error
			moving, err = fixedBits(v)
			return err
		}),
		r("SubnetTaoInEmission", true, u64(&p.TaoInEmission)),
		r("SubnetAlphaInEmission", true, u64(&p.AlphaInEmission)),
		r("SubnetAlphaOutEmission", true, u64(&p.AlphaOutEmission)),
	}
	if err := c.ReadMany(ctx, at, rt, reads); err != nil {
		return nil, err
	}
	p.Price = AlphaPriceRao(netuid, mechanism, p.TaoIn, p.AlphaIn)
	if moving != nil {
		p.MovingPrice = fixed32ToRao(moving)
	}
	return p, nil
}

// AlphaPriceRao is subtensor's get_alpha_price for a constant-product pool
// in rao per alpha: I96F32 tao / alpha_in (truncated) times 1e9, floored.
func AlphaPriceRao(netuid uint16, mechanism, tao, alphaIn uint64) uint64 {
	if netuid == 0 || mechanism == 0 {
		return raoPerTAO
	}
	if alphaIn == 0 {
		return 0
	}
	q := new(big.Int).Lsh(new(big.Int).SetUint64(tao), 32)
	q.Quo(q, new(big.Int).SetUint64(alphaIn))
	return fixed32ToRao(q)
}

// fixed32ToRao converts the bits of a signed fixed-point number with 32
// fractional bits (I96F32) to rao, floored; negatives give 0, overflow
// saturates.
func fixed32ToRao(bits *big.Int) uint64 {
	if bits.Sign() <= 0 {
		return 0
	}
	r := new(big.Int).Mul(bits, big.NewInt(raoPerTAO))
	r.Rsh(r, 32)
	if !r.IsUint64() {
		return ^uint64(0)
	}
	return r.Uint64()
}

// fixedBits takes the raw bits of a substrate-fixed value ({bits: i128}).
func fixedBits(v metadata.Value) (*big.Int, error) {
	if f, err := metadata.FieldOf(v, "bits"); err == nil {
		v = f
	}
	return metadata.AsBig(v)
}
