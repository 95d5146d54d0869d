package chain

import (
	"github.com/taonet/taonet/fixed"
	"github.com/taonet/taonet/swap"
)

// The dTAO block step: subtensor's run_coinbase (coinbase/run_coinbase.rs,
// subnet_emissions.rs, block_emission.rs) followed by the moving-price update, in
// U96F32/U64F64 arithmetic as upstream.

var (
	u96Zero = fixed.U96F32{}
	u96One  = fixed.U96F32FromU64(1)
	u96Half = fixed.U96F32FromBits(0, 1<<31) // asfloat!(0.5)
	u64One  = fixed.U64F64FromU64(1)
)

// emissionForIssuance is get_block_emission_for_issuance: base / 2^k with
// k = floor(log2(1 / (1 − issuance/21e15))) computed in I96F32 with substrate-fixed's
// log2; 0 at or above the 21M supply or when the arithmetic fails.
func emissionForIssuance(issuance, base uint64) uint64 {
	if issuance >= maxSupply {
		return 0
	}
	one := fixed.I96F32FromInt(1)
	supply := fixed.I96F32FromInt(2).SaturatingMul(fixed.I96F32FromU64(10_500_000_000_000_000))
	frac, ok := fixed.I96F32FromU64(issuance).CheckedDiv(supply)
	if !ok {
		return 0
	}
	inv, ok := one.CheckedDiv(one.Sub(frac))
	if !ok {
		return 0
	}
	res, ok := inv.Log2()
	if !ok {
		return 0
	}
	k := res.Floor().SaturatingToU64()
	mult := one
	for i := uint64(0); i < k && i < 200; i++ {
		mult = mult.SaturatingMul(fixed.I96F32FromInt(2))
	}
	return one.SafeDiv(mult).SaturatingMul(fixed.I96F32FromU64(base)).SaturatingToU64()
}

// taoWeight is get_tao_weight: TaoWeight / u64::MAX in U96F32.
func (s *State) taoWeight() fixed.U96F32 { return fixed.U96F32FromRatio(s.dt.taoWeight, maxU64) }

// movingPrice is get_moving_alpha_price as U64F64.
func (p *pool) movingPriceU64() fixed.U64F64 { return p.movingPrice.ToU64F64() }

// rootProportion is root_proportion: tao_weight·root_TAO / (tao_weight·root_TAO + alpha issuance).
func (s *State) rootProportion(p *pool) fixed.U96F32 {
	tw := fixed.U96F32FromU64(s.dt.rootTAO).SaturatingMul(s.taoWeight())
	r, ok := tw.CheckedDiv(tw.SaturatingAdd(fixed.U96F32FromU64(p.issuance())))
	if !ok {
		return u96Zero
	}
	return r
}

// emittingSubnets is get_subnets_to_emit_to: subnets past their first emission
// block with registration allowed (every subnet here has its subtoken enabled).
func (s *State) emittingSubnets() []uint16 {
	var out []uint16
	for _, id := range s.sortedNetuids() {
		p := s.dt.pools[id]
		if p != nil && p.firstEmission <= s.height && s.subnets[id].hp.RegistrationAllowed {
			out = append(out, id)
		}
	}
	return out
}

// shares is get_shares: moving-price shares, weighted by the share of miner
// emission not withheld last epoch (MinerBurned), renormalized.
func (s *State) shares(ids []uint16) []fixed.U64F64 {
	total := fixed.U64F64{}
	for _, id := range ids {
		total = total.SaturatingAdd(s.dt.pools[id].movingPriceU64())
	}
	price := make([]fixed.U64F64, len(ids))
	weighted := make([]fixed.U64F64, len(ids))
	wsum := fixed.U64F64{}
	for i, id := range ids {
		p := s.dt.pools[id]
		if v, ok := p.movingPriceU64().CheckedDiv(total); ok {
			price[i] = v
		}
		burned := p.minerBurned.ToU64F64().Min(u64One)
		weighted[i] = price[i].SaturatingMul(u64One.SaturatingSub(burned))
		wsum = wsum.SaturatingAdd(weighted[i])
	}
	if wsum.IsZero() {
		return price
	}
	for i := range weighted {
		weighted[i] = weighted[i].SafeDiv(wsum)
	}
	return weighted
}

// endBlockDTAO is the dTAO block step.
func (s *State) endBlockDTAO() []Event {
	ids := s.emittingSubnets()
	emission := emissionForIssuance(s.issuance-s.burned(), s.cfg.BlockEmission)
	s.issuance += emission
	credit := emission
	if len(ids) > 0 {
		credit = s.emitToSubnets(ids, emission)
	}
	s.recycled += credit
	var ev []Event
	for _, id := range s.sortedNetuids() {
		if sn := s.subnets[id]; sn.hp.Tempo > 0 && s.dt.pools[id] != nil && epochDue(s.height, id, sn.hp.Tempo) {
			ev = append(ev, s.runEpochDTAO(sn))
		}
	}
	for _, id := range sortedU16Keys(s.dt.pools) {
		if p := s.dt.pools[id]; p.firstEmission <= s.height {
			s.updateMovingPrice(p)
		}
	}
	return ev
}

// subnetTerms are one subnet's get_subnet_terms.
type subnetTerms struct {
	taoIn, alphaIn, alphaOut, excess fixed.U96F32
}

// emitToSubnets is emit_to_subnets (with get_subnet_block_emissions and
// inject_and_maybe_swap); it returns the credit left over, which is recycled.
func (s *State) emitToSubnets(ids []uint16, emission uint64) uint64 {
	shares := s.shares(ids)
	rootSell := fixed.U64F64{}
	for _, id := range ids {
		rootSell = rootSell.SaturatingAdd(s.dt.pools[id].movingPriceU64())
	}
	terms := make([]subnetTerms, len(ids))
	for i, id := range ids {
		taoEm := fixed.U64F64FromU64(emission).SaturatingMul(shares[i]).ToU96F32()
		terms[i] = s.subnetTerms(s.dt.pools[id], taoEm)
	}
	credit := emission
	for i, id := range ids {
		credit = s.inject(s.dt.pools[id], terms[i], credit)
	}
	cut := fixed.U96F32FromRatio(uint64(s.cfg.SubnetOwnerCut), 65535)
	for i, id := range ids {
		s.accruePending(s.dt.pools[id], terms[i].alphaOut, cut, rootSell.Cmp(u64One) > 0)
	}
	return credit
}

func (s *State) subnetTerms(p *pool, taoEm fixed.U96F32) subnetTerms {
	alphaEm := fixed.U96F32FromU64(emissionForIssuance(p.issuance(), s.cfg.BlockEmission))
	price := p.price().ToU96F32()
	t := subnetTerms{taoIn: taoEm, alphaOut: alphaEm}
	if v, ok := taoEm.CheckedDiv(price); ok {
		t.alphaIn = v
	}
	if capAlpha := s.rootProportion(p).SaturatingMul(alphaEm); t.alphaIn.Cmp(capAlpha) > 0 {
		t.alphaIn = capAlpha
		t.taoIn = t.alphaIn.SaturatingMul(price)
	}
	t.excess = taoEm.SaturatingSub(t.taoIn)
	return t
}

// inject is one subnet's part of inject_and_maybe_swap: the weights absorb the
// injection (or it is dropped when they would leave [0.01, 0.99]), excess TAO buys
// alpha for the protocol, then alpha and TAO enter the reserves.
func (s *State) inject(p *pool, t subnetTerms, credit uint64) uint64 {
	taoIn, alphaIn, excess := t.taoIn.SaturatingToU64(), t.alphaIn.SaturatingToU64(), t.excess.SaturatingToU64()
	bal := swap.Balancer{Quote: p.quote}
	if err := bal.UpdateWeightsForAddedLiquidity(p.tao, p.alphaIn, taoIn, alphaIn); err != nil {
		taoIn, alphaIn = 0, 0
	} else {
		p.quote = bal.Quote
	}
	p.excessTao, p.taoInEmission = 0, 0
	if excess > 0 && excess <= credit {
		if r, err := p.swapPool().BuyAlpha(excess, maxPrice, true); err == nil {
			credit -= r.PaidIn
			p.tao += r.PaidIn
			p.alphaIn -= r.PaidOut
			p.alphaOut += r.PaidOut
			p.protocolAlpha += r.PaidOut
			p.excessTao = r.PaidIn
		}
	}
	p.alphaInEmis = alphaIn
	p.alphaIn += alphaIn
	p.alphaMinted += alphaIn
	if taoIn > 0 && taoIn <= credit {
		credit -= taoIn
		p.tao += taoIn
		p.taoInEmission = taoIn
	}
	return credit
}

// accruePending is the alpha-out half of emit_to_subnets: mint the alpha emission,
// take the owner cut, split the rest half to miners and half to validators, of
// which root's proportion goes to root stakers when root sells (else is recycled).
// Rounding dust of the u64 conversions stays in AlphaOut unowned, as upstream; it
// is counted with burned alpha.
func (s *State) accruePending(p *pool, alphaOut, cut fixed.U96F32, rootSell bool) {
	created := alphaOut.SaturatingToU64()
	p.alphaOutEmis = created
	p.alphaOut += created
	p.alphaMinted += created
	owner := alphaOut.SaturatingMul(cut)
	rest := alphaOut.SaturatingSub(owner)
	root := s.rootProportion(p).SaturatingMul(rest).SaturatingMul(u96Half)
	server := rest.SaturatingMul(u96Half)
	validator := rest.SaturatingSub(server).SaturatingSub(root)
	o, sv, v, r := owner.SaturatingToU64(), server.SaturatingToU64(), validator.SaturatingToU64(), root.SaturatingToU64()
	p.pendOwner += o
	p.pendServer += sv
	p.pendValidator += v
	if rootSell {
		p.pendRoot += r
	} else {
		p.alphaOut -= r
		p.alphaRecycled += r
	}
	p.alphaBurned += created - min(created, o+sv+v+r)
}

// updateMovingPrice is update_moving_price: an EMA of the price (capped at 1)
// whose speed ramps up over EMAPriceHalvingBlocks after the first emission.
func (s *State) updateMovingPrice(p *pool) {
	since := fixed.U64F64FromU64(s.height - (p.firstEmission - 1))
	a := movingAlpha.SaturatingMul(since.SafeDiv(since.SaturatingAdd(fixed.U64F64FromU64(emaPriceHalvingBlocks))))
	cur := a.SaturatingMul(p.price().Min(u64One))
	old := u64One.SaturatingSub(a).SaturatingMul(p.movingPriceU64())
	p.movingPrice = cur.SaturatingAdd(old).ToI96F32()
}
