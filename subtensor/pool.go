package subtensor

import (
	"context"
	"math/big"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/fixed"
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
//
// The pending emissions, protocol alpha, excess TAO and root proportion are
// filled from whichever of their storage items the runtime has (see
// pendingReads and RootProportionParts); the rest stay 0.
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
		r("SubnetExcessTao", true, u64(&p.ExcessTao)),
		r("SubnetProtocolAlpha", true, u64(&p.ProtocolAlpha)),
		r("PendingOwnerCut", true, u64(&p.PendingOwnerCut)),
	}
	reads = append(reads, pendingReads(rt.Meta, netuid, p)...)
	var rootTAO, taoWeight uint64
	hasTaoWeight := rt.Meta.HasStorage("SubtensorModule", "TaoWeight")
	if hasTaoWeight {
		reads = append(reads, Read{Pallet: "SubtensorModule", Item: "TaoWeight", Into: u64(&taoWeight)},
			Read{Pallet: "SubtensorModule", Item: "SubnetTAO", Keys: []any{uint16(0)}, Into: u64(&rootTAO)})
	}
	if err := c.ReadMany(ctx, at, rt, reads); err != nil {
		return nil, err
	}
	p.Price = AlphaPriceRao(netuid, mechanism, p.TaoIn, p.AlphaIn)
	if moving != nil {
		p.MovingPrice = fixed32ToRao(moving)
	}
	if hasTaoWeight {
		p.RootProportion = RootProportionParts(rootTAO, taoWeight, satAdd(p.AlphaIn, p.AlphaOut))
	}
	return p, nil
}

// pendingReads reads the emission a subnet accumulates until its epoch, by
// the names each runtime generation stores it under:
//
//   - PendingAlphaEmission (miners + validators): PendingServerEmission +
//     PendingValidatorEmission; on early dynamic-TAO runtimes (spec 224)
//     PendingEmission, which then held exactly that share.
//   - PendingRootEmission (the alpha paid to root stakers):
//     PendingRootAlphaDivs; on early runtimes PendingAlphaSwapped (the alpha
//     sold for the root dividends, whose TAO PendingRootDivs holds).
//
// On pre-dTAO runtimes the pool is nil and none of this is read.
func pendingReads(m *metadata.Metadata, netuid uint16, p *chain.PoolInfo) []Read {
	const st = "SubtensorModule"
	add := func(v metadata.Value) error {
		p.PendingAlphaEmission = satAdd(p.PendingAlphaEmission, bigToU64(v))
		return nil
	}
	r := func(item string, into func(metadata.Value) error) Read {
		return Read{Pallet: st, Item: item, Keys: []any{netuid}, Optional: true, Into: into}
	}
	root := func(v metadata.Value) error { p.PendingRootEmission = bigToU64(v); return nil }
	if m.HasStorage(st, "PendingServerEmission") || m.HasStorage(st, "PendingValidatorEmission") {
		return []Read{r("PendingServerEmission", add), r("PendingValidatorEmission", add), r("PendingRootAlphaDivs", root)}
	}
	return []Read{r("PendingEmission", add), r("PendingAlphaSwapped", root)}
}

// RootProportionParts is subtensor's root_proportion (coinbase/block_step.rs;
// spec yuma-consensus §5.2: tao_weight·root_TAO / (tao_weight·root_TAO +
// alpha_issuance)) in U96F32 as the runtime computes it — tao_weight is
// TaoWeight / u64::MAX, root_TAO is SubnetTAO[0], alpha_issuance is
// SubnetAlphaIn + SubnetAlphaOut; 0 when both are 0 — reported in parts per
// 1e9 (floor), as the taonet backend reports it.
func RootProportionParts(rootTAO, taoWeight, alphaIssuance uint64) uint64 {
	tw := fixed.U96F32FromU64(rootTAO).SaturatingMul(fixed.U96F32FromRatio(taoWeight, ^uint64(0)))
	rp, ok := tw.CheckedDiv(tw.SaturatingAdd(fixed.U96F32FromU64(alphaIssuance)))
	if !ok {
		return 0
	}
	return rp.SaturatingMul(fixed.U96F32FromU64(1_000_000_000)).SaturatingToU64()
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
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
