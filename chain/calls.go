package chain

import (
	"strconv"

	"github.com/taonet/taonet/keys"
)

func checkAddr(what, addr string) error {
	if _, err := keys.SS58Decode(addr); err != nil {
		return fail(CodeInvalidAddress, "%s: %v", what, err)
	}
	return nil
}

func (s *State) doTransfer(from string, c *Transfer, fee uint64) ([]Event, error) {
	if err := checkAddr("dest", c.Dest); err != nil {
		return nil, err
	}
	if c.Amount == 0 {
		return nil, fail(CodeInvalidAmount, "amount must be > 0")
	}
	if bal := s.balance(from); !canPay(bal, c.Amount, fee) {
		return nil, fail(CodeInsufficientBalance, "balance %d cannot pay %d + fee %d", bal, c.Amount, fee)
	}
	s.acct(from).balance -= c.Amount
	s.acct(c.Dest).balance += c.Amount
	return []Event{event("transfer", "from", from, "to", c.Dest, "amount", u64s(c.Amount))}, nil
}

// addStake credits amount to (hotkey, coldkey) stake.
func (s *State) addStake(hotkey, coldkey string, amount uint64) {
	if amount == 0 {
		return
	}
	m := s.stake[hotkey]
	if m == nil {
		m = map[string]uint64{}
		s.stake[hotkey] = m
	}
	m[coldkey] += amount
	s.hotStake[hotkey] += amount
}

func (s *State) stakeOf(hotkey, coldkey string) uint64 { return s.stake[hotkey][coldkey] }

func (s *State) doAddStake(coldkey string, c *AddStake, fee uint64) ([]Event, error) {
	if s.dt != nil {
		return nil, fail(CodeWrongEconomics, "this chain runs dynamic TAO: stake with add_stake_limit and a netuid")
	}
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	if c.Amount == 0 {
		return nil, fail(CodeInvalidAmount, "amount must be > 0")
	}
	if _, ok := s.owners[c.Hotkey]; !ok {
		return nil, fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", c.Hotkey)
	}
	if bal := s.balance(coldkey); !canPay(bal, c.Amount, fee) {
		return nil, fail(CodeInsufficientBalance, "balance %d cannot stake %d + fee %d", bal, c.Amount, fee)
	}
	s.acct(coldkey).balance -= c.Amount
	s.addStake(c.Hotkey, coldkey, c.Amount)
	return []Event{event("stake_added", "coldkey", coldkey, "hotkey", c.Hotkey, "amount", u64s(c.Amount))}, nil
}

func (s *State) doRemoveStake(coldkey string, c *RemoveStake, fee uint64) ([]Event, error) {
	if s.dt != nil {
		return nil, fail(CodeWrongEconomics, "this chain runs dynamic TAO: unstake with remove_stake_limit and a netuid")
	}
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	if c.Amount == 0 {
		return nil, fail(CodeInvalidAmount, "amount must be > 0")
	}
	if _, ok := s.owners[c.Hotkey]; !ok {
		return nil, fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", c.Hotkey)
	}
	have := s.stakeOf(c.Hotkey, coldkey)
	if have < c.Amount {
		return nil, fail(CodeNotEnoughStakeToWithdraw, "stake of %s on %s is %d, cannot remove %d", coldkey, c.Hotkey, have, c.Amount)
	}
	if bal := s.balance(coldkey); bal+c.Amount < fee {
		return nil, fail(CodeInsufficientBalance, "balance %d plus the unstaked %d cannot pay the fee %d", bal, c.Amount, fee)
	}
	m := s.stake[c.Hotkey]
	m[coldkey] -= c.Amount
	if m[coldkey] == 0 {
		delete(m, coldkey)
		if len(m) == 0 {
			delete(s.stake, c.Hotkey)
		}
	}
	s.hotStake[c.Hotkey] -= c.Amount
	if s.hotStake[c.Hotkey] == 0 {
		delete(s.hotStake, c.Hotkey)
	}
	s.acct(coldkey).balance += c.Amount
	return []Event{event("stake_removed", "coldkey", coldkey, "hotkey", c.Hotkey, "amount", u64s(c.Amount))}, nil
}

// LockCost is the current subnet lock cost (classic get_network_lock_cost): twice
// the last lock, decaying linearly over NetworkLockReductionInterval blocks, never
// below NetworkMinLockCost.
func (s *State) LockCost() uint64 {
	mult := uint64(2)
	if s.lastLockAt == 0 {
		mult = 1
	}
	cost := satMul(s.lastLock, mult)
	if iv := s.cfg.NetworkLockReductionInterval; iv > 0 && s.height > s.lastLockAt {
		cost = satSub(cost, satMul(s.lastLock/iv, s.height-s.lastLockAt))
	}
	if cost < s.cfg.NetworkMinLockCost {
		cost = s.cfg.NetworkMinLockCost
	}
	return cost
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func (s *State) doCreateSubnet(coldkey string, c *CreateSubnet, fee uint64) ([]Event, error) {
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	if o, ok := s.owners[c.Hotkey]; ok && o != coldkey {
		return nil, fail(CodeNonAssociatedColdkey, "hotkey %s is owned by coldkey %s", c.Hotkey, o)
	}
	netuid, ok := s.freeNetuid()
	if !ok {
		return nil, fail(CodeTooManySubnets, "all %d subnets are taken", s.cfg.MaxSubnets)
	}
	lock := s.LockCost()
	if bal := s.balance(coldkey); !canPay(bal, lock, fee) {
		return nil, fail(CodeInsufficientBalance, "balance %d cannot pay the lock %d + fee %d", bal, lock, fee)
	}
	s.acct(coldkey).balance -= lock
	s.lastLock, s.lastLockAt = lock, s.height
	s.addSubnet(netuid, coldkey, c.Hotkey, lock, s.cfg.SubnetDefaults)
	return []Event{event("network_added", "netuid", strconv.Itoa(int(netuid)), "owner", coldkey,
		"hotkey", c.Hotkey, "lock", u64s(lock))}, nil
}
