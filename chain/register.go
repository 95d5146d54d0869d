package chain

import (
	"math/big"
	"strconv"
)

func (s *State) doBurnedRegister(coldkey string, c *BurnedRegister, fee uint64) ([]Event, error) {
	// Checks in upstream order (classic do_burned_registration).
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	hp := &sn.hp
	if !hp.RegistrationAllowed {
		return nil, fail(CodeRegistrationDisabled, "registration is disabled on subnet %d", c.Netuid)
	}
	if sn.regsThisBlock >= hp.MaxRegsPerBlock {
		return nil, fail(CodeTooManyRegistrationsBlock, "subnet %d already has %d registrations this block (max %d)",
			c.Netuid, sn.regsThisBlock, hp.MaxRegsPerBlock)
	}
	if uint32(sn.regsInterval) >= 3*uint32(hp.TargetRegsPerInterval) {
		return nil, fail(CodeTooManyRegistrationsInterv, "subnet %d already has %d registrations this interval (max %d)",
			c.Netuid, sn.regsInterval, 3*uint32(hp.TargetRegsPerInterval))
	}
	if _, ok := sn.uids[c.Hotkey]; ok {
		return nil, fail(CodeHotkeyAlreadyRegistered, "hotkey %s is already registered on subnet %d", c.Hotkey, c.Netuid)
	}
	burn := hp.Burn
	if bal := s.balance(coldkey); !canPay(bal, burn, fee) {
		return nil, fail(CodeInsufficientBalance, "balance %d cannot pay the burn %d + fee %d", bal, burn, fee)
	}
	if o, ok := s.owners[c.Hotkey]; ok && o != coldkey {
		return nil, fail(CodeNonAssociatedColdkey, "hotkey %s is owned by coldkey %s", c.Hotkey, o)
	}
	full := len(sn.neurons) >= int(hp.MaxAllowedUids)
	var pruneUID uint16
	if full {
		uid, ok := s.neuronToPrune(sn)
		if !ok {
			return nil, fail(CodeNoNeuronIDAvailable, "subnet %d is full and has no prunable neuron", c.Netuid)
		}
		pruneUID = uid
	}
	burnSwap, err := s.quoteRegistrationBurn(c.Netuid, burn)
	if err != nil {
		return nil, err
	}
	// All checks passed: mutate.
	s.acct(coldkey).balance -= burn
	s.applyRegistrationBurn(c.Netuid, burn, burnSwap)
	s.owners[c.Hotkey] = coldkey
	var uid uint16
	ev := []Event{}
	if full {
		old := sn.neurons[pruneUID].hotkey
		s.replaceNeuron(sn, pruneUID, c.Hotkey)
		uid = pruneUID
		ev = append(ev, event("neuron_deregistered", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)), "hotkey", old))
	} else {
		uid = s.appendNeuron(sn, c.Hotkey)
	}
	sn.regsThisBlock++
	sn.regsInterval++
	ev = append(ev, event("neuron_registered", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)),
		"hotkey", c.Hotkey, "coldkey", coldkey, "burn", u64s(burn)))
	return ev, nil
}

// immune reports whether a neuron is inside its immunity period.
func (s *State) immune(sn *subnet, n *neuron) bool {
	return satSub(s.height, n.regBlock) < uint64(sn.hp.ImmunityPeriod)
}

// neuronToPrune is classic get_neuron_to_prune: the lowest pruning score among
// non-immune uids (ties: earlier registration, then lower uid); if every uid is
// immune, the same choice among immune uids. The owner hotkey is never pruned.
func (s *State) neuronToPrune(sn *subnet) (uint16, bool) {
	type best struct {
		score uint16
		reg   uint64
		uid   int
	}
	non := best{0xffff, maxU64, -1}
	imm := best{0xffff, maxU64, -1}
	for uid, n := range sn.neurons {
		if n.hotkey == sn.ownerHotkey {
			continue
		}
		b := &non
		if s.immune(sn, n) {
			b = &imm
		}
		if b.score > n.pruning || (b.score == n.pruning && b.reg > n.regBlock) {
			*b = best{n.pruning, n.regBlock, uid}
		}
	}
	pick := non.uid
	if pick < 0 {
		pick = imm.uid
	}
	if pick < 0 {
		return 0, false
	}
	// Upstream marks the chosen uid so a second registration in the block picks another.
	sn.neurons[pick].pruning = 0xffff
	return uint16(pick), true
}

// replaceNeuron puts hotkey at uid (replace_neuron + clear_neuron): the old
// hotkey's membership and axon go, every per-uid value is reset, its weights and
// bonds rows are removed and every other row's weight on the uid is set to 0.
func (s *State) replaceNeuron(sn *subnet, uid uint16, hotkey string) {
	old := sn.neurons[uid]
	delete(sn.uids, old.hotkey)
	sn.neurons[uid] = &neuron{hotkey: hotkey, regBlock: s.height, lastUpdate: s.height, active: true, pruning: old.pruning}
	sn.uids[hotkey] = uid
	for _, n := range sn.neurons {
		for k := range n.weights {
			if n.weights[k].UID == uid {
				n.weights[k].Value = 0
			}
		}
	}
}

// adjustBurn is the burn half of classic adjust_registration_terms_for_networks with
// burn registrations only (no PoW): too many registrations raise the burn; an
// interval with none lowers it ("both down"); otherwise only the (absent) PoW
// difficulty would move, so the burn stays.
func adjustBurn(sn *subnet) {
	regs, target := sn.regsInterval, sn.hp.TargetRegsPerInterval
	if regs > target || regs == 0 {
		sn.hp.Burn = upgradedBurn(sn.hp.Burn, regs, target, sn.hp.AdjustmentAlpha, sn.hp.MinBurn, sn.hp.MaxBurn)
	}
}

// upgradedBurn is upstream upgraded_burn in U110F18 arithmetic:
// next = α·cur + (1−α)·cur·(regs+target)/(2·target), α = adjustment_alpha/u64::MAX,
// clamped to [min, max].
func upgradedBurn(cur uint64, regs, target uint16, adjAlpha, minBurn, maxBurn uint64) uint64 {
	if target == 0 {
		return cur // checkHyperparams forbids it; upstream would divide by zero
	}
	const frac = 18
	one := new(big.Int).Lsh(big.NewInt(1), frac)
	curF := new(big.Int).Lsh(new(big.Int).SetUint64(cur), frac)
	// updated = cur * (regs+target) / (2*target), each step in U110F18.
	updated := new(big.Int).Mul(curF, big.NewInt(int64(regs)+int64(target)))
	updated.Lsh(updated, frac)
	updated.Quo(updated, new(big.Int).Lsh(big.NewInt(2*int64(target)), frac))
	// alpha = adj / u64::MAX.
	alpha := new(big.Int).Lsh(new(big.Int).SetUint64(adjAlpha), frac)
	alpha.Lsh(alpha, frac)
	alpha.Quo(alpha, new(big.Int).Lsh(new(big.Int).SetUint64(maxU64), frac))
	a := new(big.Int).Mul(alpha, curF)
	a.Rsh(a, frac)
	b := new(big.Int).Sub(one, alpha)
	if b.Sign() < 0 {
		b.SetInt64(0)
	}
	b.Mul(b, updated)
	b.Rsh(b, frac)
	next := a.Add(a, b)
	maxF := new(big.Int).Lsh(new(big.Int).SetUint64(maxBurn), frac)
	minF := new(big.Int).Lsh(new(big.Int).SetUint64(minBurn), frac)
	if next.Cmp(maxF) >= 0 {
		return maxBurn
	}
	if next.Cmp(minF) <= 0 {
		return minBurn
	}
	return next.Rsh(next, frac).Uint64()
}
