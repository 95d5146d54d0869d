package chain

import (
	"strconv"

	"github.com/taonet/taonet/fixed"
)

// stakeWeight is a hotkey's stake in a subnet's epoch: classic, its total TAO
// stake; dTAO, get_stake_weights_for_network without parent/child keys:
// alpha stake + tao_weight × root stake (U96F32, floored to rao).
func (s *State) stakeWeight(netuid uint16, hotkey string) uint64 {
	if s.dt == nil {
		return s.hotStake[hotkey]
	}
	root := fixed.U96F32FromU64(s.dt.hotkeyAlpha(rootNetuid, hotkey)).SaturatingMul(s.taoWeight())
	return root.SaturatingAdd(fixed.U96F32FromU64(s.dt.hotkeyAlpha(netuid, hotkey))).SaturatingToU64()
}

// runEpochDTAO is drain_pending + distribute_emission for one subnet: the epoch
// runs on server + validator + root pending alpha and its per-uid incentive and
// dividends become stake (distributeDTAO). If the epoch fails nothing changes and
// the alpha stays pending.
func (s *State) runEpochDTAO(sn *subnet) Event {
	p := s.dt.pools[sn.netuid]
	netuid := strconv.Itoa(int(sn.netuid))
	total := p.pendServer + p.pendValidator + p.pendRoot
	failed := func(err error) Event {
		return event("epoch_failed", "netuid", netuid, "block", u64s(s.height), "error", err.Error())
	}
	in := s.epochInput(sn)
	in.Emission = total
	out, err := epochFunc(in)
	if err != nil {
		return failed(err)
	}
	if _, err := checkEpochOutput(sn, &out, total); err != nil {
		return failed(err)
	}
	recordEpochOutput(sn, &out)
	server, validator, root, owner := p.pendServer, p.pendValidator, p.pendRoot, p.pendOwner
	p.pendServer, p.pendValidator, p.pendRoot, p.pendOwner = 0, 0, 0, 0
	var incentiveSum uint64
	for _, v := range out.ServerEmission {
		incentiveSum += v
	}
	if incentiveSum == 0 {
		validator += server
		server = 0
	}
	paid := s.distributeDTAO(sn, p, &epochPay{incentive: out.ServerEmission, dividend: out.ValidatorEmission,
		validator: validator, root: root, owner: owner})
	// What the distribution did not place (rounding, or server alpha when no miner
	// earned) stays in AlphaOut unowned, as upstream; it is counted as burned.
	p.alphaBurned += server + validator + root + owner - paid
	sn.lastEpoch = s.height
	return event("epoch", "netuid", netuid, "block", u64s(s.height), "emission", u64s(total+owner),
		"paid", u64s(paid), "n", strconv.Itoa(len(sn.neurons)))
}

// epochPay is one epoch's distribution input.
type epochPay struct {
	incentive, dividend    []uint64 // per uid, from the epoch
	validator, root, owner uint64   // pending alpha to share
}

// distributeDTAO is calculate_dividend_and_incentive_distribution +
// distribute_dividends_and_incentives; it returns the alpha it credited (or burned).
func (s *State) distributeDTAO(sn *subnet, p *pool, e *epochPay) uint64 {
	var placed uint64
	// Owner cut, staked to the owner hotkey.
	s.dt.credit(sn.netuid, sn.ownerHotkey, sn.ownerColdkey, e.owner)
	placed += e.owner
	placed += s.payIncentives(sn, p, e.incentive)
	alphaDivs, rootDivs := s.splitDividends(sn, e)
	for i, nr := range sn.neurons {
		hk := nr.hotkey
		take := fixed.U96F32FromRatio(uint64(s.delegateTake(hk)), 65535)
		if a := alphaDivs[i]; !a.IsZero() {
			t := take.SaturatingMul(a)
			s.dt.credit(sn.netuid, hk, s.owners[hk], t.SaturatingToU64())
			placed += t.SaturatingToU64()
			placed += s.creditProRata(sn.netuid, sn.netuid, hk, a.SaturatingSub(t).SaturatingToU64())
		}
		if r := rootDivs[i]; !r.IsZero() {
			t := take.SaturatingMul(r)
			s.dt.credit(sn.netuid, hk, s.owners[hk], t.SaturatingToU64())
			placed += t.SaturatingToU64()
			placed += s.creditProRata(rootNetuid, sn.netuid, hk, r.SaturatingSub(t).SaturatingToU64())
		}
	}
	return placed
}

// payIncentives stakes each miner's incentive to its hotkey owner; incentive
// earned by the subnet owner's own hotkeys is burned and its share recorded as
// MinerBurned.
func (s *State) payIncentives(sn *subnet, p *pool, incentive []uint64) uint64 {
	var total, withheld, placed uint64
	for i, nr := range sn.neurons {
		v := incentive[i]
		total += v
		if s.owners[nr.hotkey] == sn.ownerColdkey || nr.hotkey == sn.ownerHotkey {
			// Burned: the caller counts everything not placed as burned alpha.
			withheld += v
			continue
		}
		s.dt.credit(sn.netuid, nr.hotkey, s.owners[nr.hotkey], v)
		placed += v
	}
	p.minerBurned = u96Zero
	if v, ok := fixed.U96F32FromU64(withheld).CheckedDiv(fixed.U96F32FromU64(total)); ok {
		p.minerBurned = v
	}
	return placed
}

// splitDividends is calculate_dividend_distribution: each validator's epoch
// dividend splits into an alpha part and a root part in proportion to
// alpha_stake : tao_weight × root_stake; the pending validator alpha is shared by
// the alpha parts and the pending root alpha by the root parts.
func (s *State) splitDividends(sn *subnet, e *epochPay) ([]fixed.U96F32, []fixed.U96F32) {
	n := len(sn.neurons)
	alphaPart, rootPart := make([]fixed.U96F32, n), make([]fixed.U96F32, n)
	var alphaTotal, rootTotal fixed.U96F32
	tw := s.taoWeight()
	for i, nr := range sn.neurons {
		div := fixed.U96F32FromU64(e.dividend[i])
		if div.IsZero() {
			continue
		}
		alphaStake := fixed.U96F32FromU64(s.dt.hotkeyAlpha(sn.netuid, nr.hotkey))
		rootAlpha := fixed.U96F32FromU64(s.dt.hotkeyAlpha(rootNetuid, nr.hotkey)).SaturatingMul(tw)
		prop, ok := rootAlpha.CheckedDiv(alphaStake.SaturatingAdd(rootAlpha))
		if !ok {
			prop = u96Zero
		}
		rootPart[i] = div.SaturatingMul(prop)
		alphaPart[i] = div.SaturatingSub(rootPart[i])
		alphaTotal = alphaTotal.SaturatingAdd(alphaPart[i])
		rootTotal = rootTotal.SaturatingAdd(rootPart[i])
	}
	for i := range sn.neurons {
		alphaPart[i] = share(e.validator, alphaPart[i], alphaTotal)
		rootPart[i] = share(e.root, rootPart[i], rootTotal)
	}
	return alphaPart, rootPart
}

// share is pending · (part / total) in U96F32 (0 when total is 0).
func share(pending uint64, part, total fixed.U96F32) fixed.U96F32 {
	f, ok := part.CheckedDiv(total)
	if !ok {
		return u96Zero
	}
	return fixed.U96F32FromU64(pending).SaturatingMul(f)
}

// creditProRata adds amount alpha of subnet netuid to hotkey's stakers in
// proportion to their stake on subnet weightNet (the hotkey's alpha pool for
// alpha dividends; its root stakers for root dividends), floor each, the rounding
// remainder to the hotkey owner. Upstream keeps per-hotkey share pools and, for
// root dividends, claimable root alpha; this pays the same amounts at once.
func (s *State) creditProRata(weightNet, netuid uint16, hotkey string, amount uint64) uint64 {
	if amount == 0 {
		return 0
	}
	stakers := s.dt.alpha[weightNet][hotkey]
	var total uint64
	for _, v := range stakers {
		total += v
	}
	rest := amount
	if total > 0 {
		cks := sortedKeys(stakers)
		shares := make([]uint64, len(cks))
		for i, ck := range cks {
			shares[i] = mulDiv(amount, stakers[ck], total)
			rest -= shares[i]
		}
		for i, ck := range cks {
			s.dt.credit(netuid, hotkey, ck, shares[i])
		}
	}
	s.dt.credit(netuid, hotkey, s.owners[hotkey], rest)
	return amount
}
