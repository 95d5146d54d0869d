package chain

import (
	"fmt"
	"math/bits"
	"strconv"

	"github.com/taonet/taonet/yuma"
)

// maxSupply is the 21M TAO cap in rao (halving schedule of block_emission.rs).
const maxSupply = 21_000_000_000_000_000

// BlockEmission is the rao minted this block: Genesis.BlockEmission / 2^k with
// k = floor(log2(1 / (1 − circulating/21e15))), computed exactly in integers;
// 0 once circulating ≥ 21e15. Circulating = minted − burned (upstream TotalIssuance
// shrinks when rao is burned or recycled).
func (s *State) BlockEmission() uint64 {
	x := s.issuance - s.burned()
	if x >= maxSupply {
		return 0
	}
	rest := uint64(maxSupply) - x
	k := 0
	for k < 63 && rest<<(k+1) <= maxSupply && rest<<(k+1)>>(k+1) == rest {
		k++
	}
	return s.cfg.BlockEmission >> k
}

func (s *State) burned() uint64 { return s.regBurned + s.feesBurned + s.recycled }

// mulDiv returns floor(a*b/c) for c > 0 and a*b/c < 2^64.
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return maxU64
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// fracMul is substrate-fixed I64F64: floor(floor(num·2^64/den) · v / 2^64), for num ≤ den.
func fracMul(num, den, v uint64) uint64 {
	if den == 0 {
		return 0
	}
	if num >= den {
		return v
	}
	p, _ := bits.Div64(num, 0, den)
	hi, _ := bits.Mul64(p, v)
	return hi
}

// EndBlock runs the block step: the block emission is split equally among subnets
// with tempo > 0 (the first emission mod k subnets by netuid get one extra rao);
// each subnet's owner cut (SubnetOwnerCut/65535, floor) goes to the owner coldkey's
// balance at once and the rest accumulates as the subnet's pending emission; then
// every subnet whose epoch is due at this height ((height+netuid+1) % (tempo+1) == 0)
// runs yuma.Epoch on its pending emission and pays it out as stake.
func (s *State) EndBlock() []Event {
	if s.dt != nil {
		return s.endBlockDTAO()
	}
	var ev []Event
	var emitting []*subnet
	for _, netuid := range s.sortedNetuids() {
		if sn := s.subnets[netuid]; sn.hp.Tempo > 0 {
			emitting = append(emitting, sn)
		}
	}
	if total := s.BlockEmission(); total > 0 && len(emitting) > 0 {
		k := uint64(len(emitting))
		for i, sn := range emitting {
			amt := total / k
			if uint64(i) < total%k {
				amt++
			}
			s.issuance += amt
			cut := mulDiv(amt, uint64(s.cfg.SubnetOwnerCut), 65535)
			s.acct(sn.ownerColdkey).balance += cut
			sn.pending += amt - cut
		}
	}
	for _, sn := range emitting {
		if epochDue(s.height, sn.netuid, sn.hp.Tempo) {
			ev = append(ev, s.runEpoch(sn))
		}
	}
	return ev
}

// epochInput builds the yuma input of a subnet at the current height.
func (s *State) epochInput(sn *subnet) yuma.Input {
	hp := &sn.hp
	owner := -1
	if uid, ok := sn.uids[sn.ownerHotkey]; ok {
		owner = int(uid)
	}
	in := yuma.Input{
		Params: yuma.Params{
			Block:                 s.height,
			Tempo:                 hp.Tempo,
			LastMechanismStep:     0, // classic bond mask: last_tempo = block − tempo
			ActivityCutoff:        uint64(hp.ActivityCutoff),
			Kappa:                 hp.Kappa,
			BondsPenalty:          hp.BondsPenalty,
			BondsMovingAverage:    hp.BondsMovingAvg,
			Yuma3:                 hp.Yuma3Enabled,
			LiquidAlpha:           hp.LiquidAlphaEnabled,
			AlphaLow:              hp.AlphaLow,
			AlphaHigh:             hp.AlphaHigh,
			AlphaSigmoidSteepness: hp.AlphaSigmoidSteepness,
			MaxAllowedValidators:  hp.MaxValidators,
			StakeThreshold:        hp.StakeThreshold,
			OwnerUID:              owner,
			CommitReveal:          hp.CommitRevealWeightsEnabled,
		},
		Neurons:  make([]yuma.Neuron, len(sn.neurons)),
		Emission: sn.pending,
	}
	cur := EpochIndex(s.height, sn.netuid, hp.Tempo)
	for i, n := range sn.neurons {
		in.Neurons[i] = yuma.Neuron{
			Stake:               s.stakeWeight(sn.netuid, n.hotkey),
			LastUpdate:          n.lastUpdate,
			BlockAtRegistration: n.regBlock,
			ValidatorPermit:     n.permit,
			Weights:             n.weights,
			Bonds:               n.bonds,
		}
		if hp.CommitRevealWeightsEnabled {
			// Earliest unexpired commit (the queue is in commit order).
			if live, _ := liveCommits(sn.commits[n.hotkey], cur, hp.CommitRevealPeriod); len(live) > 0 {
				in.Neurons[i].CommitBlock = live[0].block
			}
		}
	}
	return in
}

// runEpoch runs one subnet's epoch and distributes its pending emission. If the
// epoch fails, nothing changes and the emission stays pending.
func (s *State) runEpoch(sn *subnet) Event {
	netuid := strconv.Itoa(int(sn.netuid))
	failed := func(err error) Event {
		return event("epoch_failed", "netuid", netuid, "block", u64s(s.height), "error", err.Error())
	}
	if epochFunc == nil {
		return failed(fmt.Errorf("no epoch function"))
	}
	in := s.epochInput(sn)
	out, err := epochFunc(in)
	if err != nil {
		return failed(err)
	}
	paid, err := checkEpochOutput(sn, &out, sn.pending)
	if err != nil {
		return failed(err)
	}
	recordEpochOutput(sn, &out)
	n := len(sn.neurons)
	for i, nr := range sn.neurons {
		s.emitThroughHotkey(nr.hotkey, out.ServerEmission[i], out.ValidatorEmission[i])
	}
	s.recycled += sn.pending - paid
	pending := sn.pending
	sn.pending = 0
	sn.lastEpoch = s.height
	return event("epoch", "netuid", netuid, "block", u64s(s.height), "emission", u64s(pending),
		"paid", u64s(paid), "recycled", u64s(pending-paid), "n", strconv.Itoa(n))
}

// checkEpochOutput checks the epoch returned one entry per uid and paid at most
// the pending emission; it returns what it paid.
func checkEpochOutput(sn *subnet, out *yuma.Output, pending uint64) (uint64, error) {
	n := len(sn.neurons)
	if len(out.Active) != n || len(out.Consensus) != n || len(out.Incentive) != n || len(out.Dividends) != n ||
		len(out.ValidatorTrust) != n || len(out.ValidatorPermit) != n || len(out.Bonds) != n ||
		len(out.ServerEmission) != n || len(out.ValidatorEmission) != n || len(out.Emission) != n {
		return 0, fmt.Errorf("epoch output does not have %d entries", n)
	}
	var paid uint64
	for i := 0; i < n; i++ {
		for _, v := range []uint64{out.ServerEmission[i], out.ValidatorEmission[i]} {
			if paid+v < paid {
				return 0, fmt.Errorf("epoch emission overflows")
			}
			paid += v
		}
	}
	if paid > pending {
		return 0, fmt.Errorf("epoch pays %d rao but %d are pending", paid, pending)
	}
	return paid, nil
}

// recordEpochOutput stores the epoch's per-uid results on the neurons; the pruning
// score is the emission max-upscaled to u16 (round half up).
func recordEpochOutput(sn *subnet, out *yuma.Output) {
	var maxE uint64
	for _, e := range out.Emission {
		maxE = max(maxE, e)
	}
	for i, nr := range sn.neurons {
		nr.active = out.Active[i]
		nr.consensus = out.Consensus[i]
		nr.incentive = out.Incentive[i]
		nr.dividends = out.Dividends[i]
		nr.vtrust = out.ValidatorTrust[i]
		nr.permit = out.ValidatorPermit[i]
		nr.bonds = append([]yuma.Entry(nil), out.Bonds[i]...)
		nr.emission = out.Emission[i]
		nr.pruning = 0
		if maxE > 0 {
			nr.pruning = uint16(min(mulDiv(out.Emission[i], 65535, maxE)+roundBit(out.Emission[i], 65535, maxE), 65535))
		}
	}
}

// roundBit is 1 when a*b/c has a fractional part ≥ 1/2 (round half up).
func roundBit(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0
	}
	_, rem := bits.Div64(hi, lo, c)
	if rem >= c-rem {
		return 1
	}
	return 0
}

// emitThroughHotkey is classic emit_inflation_through_hotkey_account: the hotkey
// owner takes DelegateTake of the validator emission; the rest is shared among all
// coldkeys staked on the hotkey pro rata (I64F64, floor), the rounding remainder and
// the server (miner) emission go to the owner's stake.
func (s *State) emitThroughHotkey(hotkey string, server, validator uint64) {
	owner := s.owners[hotkey]
	if validator > 0 {
		total := s.hotStake[hotkey]
		take := fracMul(uint64(s.cfg.DelegateTake), 65535, validator)
		rest := validator - take
		remaining := rest
		if total > 0 {
			stakers := s.stake[hotkey]
			shares := make(map[string]uint64, len(stakers))
			for _, ck := range sortedKeys(stakers) {
				sh := fracMul(stakers[ck], total, rest)
				shares[ck] = sh
				remaining -= sh
			}
			for _, ck := range sortedKeys(shares) {
				s.addStake(hotkey, ck, shares[ck])
			}
		}
		s.addStake(hotkey, owner, take+remaining)
	}
	s.addStake(hotkey, owner, server)
}
