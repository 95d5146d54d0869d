package chain

import (
	"fmt"

	"github.com/taonet/taonet/fixed"
)

// priceRao is a U64F64 TAO-per-alpha price in rao per alpha (floor).
func priceRao(p fixed.U64F64) uint64 {
	return p.SaturatingMul(fixed.U64F64FromU64(1_000_000_000)).SaturatingToU64()
}

// stakeParts returns a hotkey's alpha stake on netuid, its root (TAO) stake, and
// the total stake weight the epoch uses (alpha + tao_weight × root). Classic chains
// report the TAO stake as both tao_stake and total_stake.
func (s *State) stakeParts(netuid uint16, hotkey string) (alpha, tao, total uint64) {
	if s.dt == nil {
		return 0, s.hotStake[hotkey], s.hotStake[hotkey]
	}
	return s.dt.hotkeyAlpha(netuid, hotkey), s.dt.hotkeyAlpha(rootNetuid, hotkey), s.stakeWeight(netuid, hotkey)
}

// poolInfo describes a subnet's pool (nil on classic chains or for unknown netuids).
func (s *State) poolInfo(netuid uint16) *PoolInfo {
	if s.dt == nil || s.dt.pools[netuid] == nil {
		return nil
	}
	p := s.dt.pools[netuid]
	rp := s.rootProportion(p).SaturatingMul(fixed.U96F32FromU64(1_000_000_000)).SaturatingToU64()
	return &PoolInfo{
		TaoIn: p.tao, AlphaIn: p.alphaIn, AlphaOut: p.alphaOut, Price: priceRao(p.price()),
		MovingPrice: priceRao(p.movingPriceU64()), QuoteWeight: p.quote, FeeRate: p.feeRate,
		TaoInEmission: p.taoInEmission, AlphaInEmission: p.alphaInEmis, AlphaOutEmission: p.alphaOutEmis,
		ExcessTao: p.excessTao, PendingAlphaEmission: p.pendServer + p.pendValidator,
		PendingRootEmission: p.pendRoot, PendingOwnerCut: p.pendOwner, ProtocolAlpha: p.protocolAlpha,
		AlphaBurned: p.alphaBurned, RootProportion: rp,
	}
}

// dtaoAccount fills an account's dTAO stakes: one entry per (netuid, hotkey) in
// alpha units; TotalStaked and HotkeyStake are their TAO value at current prices.
func (s *State) dtaoAccount(ai *AccountInfo) {
	for _, n := range sortedU16Keys(s.dt.alpha) {
		price := s.price(n)
		for _, hk := range sortedKeys(s.dt.alpha[n]) {
			cm := s.dt.alpha[n][hk]
			netuid := n
			if v, ok := cm[ai.Address]; ok {
				ai.Stakes = append(ai.Stakes, StakeEntry{Hotkey: hk, Coldkey: ai.Address, Amount: v, Netuid: &netuid})
				ai.TotalStaked = satAdd(ai.TotalStaked, fixed.U64F64FromU64(v).SaturatingMul(price).SaturatingToU64())
			}
			if hk == ai.Address {
				var t uint64
				for _, v := range cm {
					t = satAdd(t, v)
				}
				ai.HotkeyStake = satAdd(ai.HotkeyStake, fixed.U64F64FromU64(t).SaturatingMul(price).SaturatingToU64())
			}
		}
	}
}

// AlphaStake returns the alpha coldkey holds on hotkey in netuid (root: TAO).
func (s *State) AlphaStake(netuid uint16, hotkey, coldkey string) uint64 {
	if s.dt == nil {
		return 0
	}
	return s.dt.stakeAlpha(netuid, hotkey, coldkey)
}

// dtaoIssuance accounts for every rao on a dTAO chain: TAO sits in balances, in
// subnet pools and the root stake (Staked), or is burned; locks went into pools.
func (s *State) dtaoIssuance(ii IssuanceInfo) IssuanceInfo {
	for _, a := range s.accounts {
		ii.Balances += a.balance
	}
	ii.Staked = s.dt.rootTAO
	for _, p := range s.dt.pools {
		ii.Staked += p.tao
	}
	return ii
}

// AlphaAccount is one subnet's alpha accounting; CheckAlpha verifies it.
type AlphaAccount struct {
	Netuid   uint16 `json:"netuid"`
	Minted   uint64 `json:"minted"`
	Recycled uint64 `json:"recycled"`
	AlphaIn  uint64 `json:"alpha_in"`
	AlphaOut uint64 `json:"alpha_out"`
	Staked   uint64 `json:"staked"`
	Pending  uint64 `json:"pending"`
	Burned   uint64 `json:"burned"`
	Protocol uint64 `json:"protocol"`
}

// AlphaAccounts lists every subnet's alpha accounting (empty on classic chains).
func (s *State) AlphaAccounts() []AlphaAccount {
	var out []AlphaAccount
	if s.dt == nil {
		return out
	}
	for _, id := range sortedU16Keys(s.dt.pools) {
		p := s.dt.pools[id]
		a := AlphaAccount{Netuid: id, Minted: p.alphaMinted, Recycled: p.alphaRecycled, AlphaIn: p.alphaIn,
			AlphaOut: p.alphaOut, Pending: p.pendServer + p.pendValidator + p.pendRoot + p.pendOwner,
			Burned: p.alphaBurned, Protocol: p.protocolAlpha}
		for _, cm := range s.dt.alpha[id] {
			for _, v := range cm {
				a.Staked += v
			}
		}
		out = append(out, a)
	}
	return out
}

// Check verifies the two alpha identities: minted − recycled = in + out, and
// out = staked + pending + burned + protocol-owned.
func (a AlphaAccount) Check() error {
	if a.Minted-a.Recycled != a.AlphaIn+a.AlphaOut {
		return fmt.Errorf("subnet %d: minted %d − recycled %d ≠ alpha in %d + out %d", a.Netuid, a.Minted, a.Recycled, a.AlphaIn, a.AlphaOut)
	}
	if a.AlphaOut != a.Staked+a.Pending+a.Burned+a.Protocol {
		return fmt.Errorf("subnet %d: alpha out %d ≠ staked %d + pending %d + burned %d + protocol %d", a.Netuid, a.AlphaOut, a.Staked, a.Pending, a.Burned, a.Protocol)
	}
	return nil
}
