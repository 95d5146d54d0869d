package chain

import (
	"github.com/taonet/taonet/fixed"
	"github.com/taonet/taonet/swap"
)

// Economics modes (Genesis.Economics).
const (
	// EconomicsClassic is pre-2025 subtensor: emission split equally, TAO stake per
	// hotkey. The empty string means classic too, so older genesis files keep
	// their meaning.
	EconomicsClassic = "classic"
	// EconomicsDTAO is dynamic TAO: per-subnet TAO/alpha pools, alpha stake, the
	// current coinbase (see dtao_coinbase.go).
	EconomicsDTAO = "dtao"
)

// Upstream dTAO constants (runtime/src/lib.rs, pallets/subtensor/src/lib.rs).
const (
	// DefaultTaoWeight is SubtensorInitialTaoWeight (≈ 0.0527 of u64::MAX).
	DefaultTaoWeight uint64 = 971_718_665_099_567_868
	// DefaultMinStake is DefaultMinStake: 0.002 TAO.
	DefaultMinStake uint64 = 2_000_000
	// emaPriceHalvingBlocks is InitialEmaPriceHalvingPeriod (4 weeks).
	emaPriceHalvingBlocks uint64 = 201_600
	// rootNetuid holds TAO stake (stable mechanism: 1 alpha = 1 TAO).
	rootNetuid uint16 = 0
)

// movingAlpha is DefaultMovingAlpha, I96F32::saturating_from_num(0.000003): the
// float rounds to the nearest 2^-32, raw 12885.
var movingAlpha = fixed.I96F32FromBits(0, 12885).ToU64F64()

// pool is one subnet's dTAO accounting (the upstream storage item in each comment).
type pool struct {
	tao           uint64       // SubnetTAO: TAO reserve
	alphaIn       uint64       // SubnetAlphaIn: alpha reserve
	alphaOut      uint64       // SubnetAlphaOut: outstanding alpha
	quote         uint64       // SwapBalancer quote weight (Perquintill parts)
	feeRate       uint16       // FeeRate
	movingPrice   fixed.I96F32 // SubnetMovingPrice
	firstEmission uint64       // FirstEmissionBlockNumber (creation block + 1: no start_call here)
	minerBurned   fixed.U96F32 // MinerBurned: withheld share of last epoch's incentive
	pendServer    uint64       // PendingServerEmission
	pendValidator uint64       // PendingValidatorEmission
	pendRoot      uint64       // PendingRootAlphaDivs
	pendOwner     uint64       // PendingOwnerCut
	protocolAlpha uint64       // SubnetProtocolAlpha: alpha bought with excess TAO
	alphaBurned   uint64       // alpha burned (stays in AlphaOut, as burn_subnet_alpha)
	alphaMinted   uint64       // every alpha ever minted into In or Out
	alphaRecycled uint64       // alpha removed from issuance (recycle_subnet_alpha, burned registrations)
	taoInEmission uint64       // SubnetTaoInEmission of the last block
	alphaInEmis   uint64       // SubnetAlphaInEmission of the last block
	alphaOutEmis  uint64       // SubnetAlphaOutEmission of the last block
	excessTao     uint64       // SubnetExcessTao of the last block
}

// dtaoState is the part of the state only dynamic TAO has.
type dtaoState struct {
	taoWeight uint64
	// alpha is stake per netuid → hotkey → coldkey (netuid 0 is root TAO stake).
	alpha   map[uint16]map[string]map[string]uint64
	pools   map[uint16]*pool // netuid ≥ 1
	rootTAO uint64           // SubnetTAO[0]: TAO staked on root
	// takes are the delegate takes set by decrease/increase_take (Delegates and
	// LastTxBlockDelegateTake); an absent hotkey has Genesis.DelegateTake.
	takes map[string]delegateTake
}

type delegateTake struct {
	take      uint16
	lastBlock uint64
}

func newDTAOState(taoWeight uint64) *dtaoState {
	return &dtaoState{taoWeight: taoWeight, alpha: map[uint16]map[string]map[string]uint64{}, pools: map[uint16]*pool{},
		takes: map[string]delegateTake{}}
}

// DTAO reports whether the chain runs dynamic TAO.
func (s *State) DTAO() bool { return s.dt != nil }

// poolMinReserve is the runtime's SwapMinimumReserve (a variable only so tests can
// use the pallet mock's 100, as the upstream tests they port do).
var poolMinReserve = swap.MinimumReserve

func (p *pool) swapPool() swap.Pool {
	return swap.Pool{TAO: p.tao, Alpha: p.alphaIn, Balancer: swap.Balancer{Quote: p.quote}, FeeRate: p.feeRate,
		MinReserve: poolMinReserve}
}

func (p *pool) price() fixed.U64F64 { return p.swapPool().Price() }

func (p *pool) issuance() uint64 { return satAdd(p.alphaIn, p.alphaOut) }

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return maxU64
	}
	return a + b
}

// stakeAlpha is the alpha (coldkey, hotkey) holds on netuid.
func (d *dtaoState) stakeAlpha(netuid uint16, hotkey, coldkey string) uint64 {
	return d.alpha[netuid][hotkey][coldkey]
}

// hotkeyAlpha is TotalHotkeyAlpha: the sum over coldkeys.
func (d *dtaoState) hotkeyAlpha(netuid uint16, hotkey string) uint64 {
	var t uint64
	for _, v := range d.alpha[netuid][hotkey] {
		t = satAdd(t, v)
	}
	return t
}

func (d *dtaoState) credit(netuid uint16, hotkey, coldkey string, amount uint64) {
	if amount == 0 {
		return
	}
	hm := d.alpha[netuid]
	if hm == nil {
		hm = map[string]map[string]uint64{}
		d.alpha[netuid] = hm
	}
	cm := hm[hotkey]
	if cm == nil {
		cm = map[string]uint64{}
		hm[hotkey] = cm
	}
	cm[coldkey] = satAdd(cm[coldkey], amount)
}

// debit removes amount (≤ the stake, checked by callers) and drops empty entries so
// equal states encode equally.
func (d *dtaoState) debit(netuid uint16, hotkey, coldkey string, amount uint64) {
	if amount == 0 {
		return
	}
	cm := d.alpha[netuid][hotkey]
	cm[coldkey] -= amount
	if cm[coldkey] == 0 {
		delete(cm, coldkey)
		if len(cm) == 0 {
			delete(d.alpha[netuid], hotkey)
			if len(d.alpha[netuid]) == 0 {
				delete(d.alpha, netuid)
			}
		}
	}
}

// medianPrice is get_median_subnet_alpha_price over the existing subnets' current
// prices (ignoring zero prices; 1 when there is none).
func (s *State) medianPrice() fixed.U64F64 {
	var prices []fixed.U64F64
	for _, id := range s.sortedNetuids() {
		if p := s.dt.pools[id]; p != nil {
			if pr := p.price(); !pr.IsZero() {
				prices = append(prices, pr)
			}
		}
	}
	if len(prices) == 0 {
		return fixed.U64F64FromU64(1)
	}
	sortU64F64(prices)
	lo, hi := (len(prices)-1)/2, len(prices)/2
	if lo == hi {
		return prices[hi]
	}
	return prices[lo].SaturatingAdd(prices[hi]).SafeDiv(fixed.U64F64FromU64(2))
}

func sortU64F64(v []fixed.U64F64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j].Cmp(v[j-1]) < 0; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// initPool is register_network's pool setup: the TAO reserve is the lock (at least
// NetworkMinLockCost), the alpha reserve that TAO at the median subnet price, equal
// weights, the default fee. Called before the subnet is added to s.subnets.
func (s *State) initPool(netuid uint16, lock uint64) {
	t := max(lock, s.cfg.NetworkMinLockCost)
	a := fixed.U64F64FromU64(t).SafeDiv(s.medianPrice()).SaturatingToU64()
	s.dt.pools[netuid] = &pool{tao: t, alphaIn: a, quote: swap.DefaultBalancer().Quote,
		feeRate: swap.DefaultFeeRate, firstEmission: s.height + 1, alphaMinted: a}
}
