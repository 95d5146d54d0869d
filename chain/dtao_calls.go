package chain

// Wire encoding of the dTAO staking calls (see the package doc for the envelope).

// Type implements Call.
func (*AddStakeLimit) Type() CallType { return CallAddStakeLimit }

// CallName implements Call.
func (*AddStakeLimit) CallName() string { return "add_stake_limit" }
func (c *AddStakeLimit) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u16(c.Netuid)
	w.u64(c.Amount)
	w.u64(c.LimitPrice)
	w.boolean(c.AllowPartial)
}

// Type implements Call.
func (*RemoveStakeLimit) Type() CallType { return CallRemoveStakeLimit }

// CallName implements Call.
func (*RemoveStakeLimit) CallName() string { return "remove_stake_limit" }
func (c *RemoveStakeLimit) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u16(c.Netuid)
	w.u64(c.Amount)
	w.u64(c.LimitPrice)
	w.boolean(c.AllowPartial)
}

// Type implements Call.
func (*MoveStake) Type() CallType { return CallMoveStake }

// CallName implements Call.
func (*MoveStake) CallName() string { return "move_stake" }
func (c *MoveStake) encodeBody(w *writer) {
	w.str(c.OriginHotkey)
	w.str(c.DestHotkey)
	w.u16(c.OriginNetuid)
	w.u16(c.DestNetuid)
	w.u64(c.Amount)
}

// Type implements Call.
func (*TransferStake) Type() CallType { return CallTransferStake }

// CallName implements Call.
func (*TransferStake) CallName() string { return "transfer_stake" }
func (c *TransferStake) encodeBody(w *writer) {
	w.str(c.DestColdkey)
	w.str(c.Hotkey)
	w.u16(c.OriginNetuid)
	w.u16(c.DestNetuid)
	w.u64(c.Amount)
}

// Type implements Call.
func (*SwapStake) Type() CallType { return CallSwapStake }

// CallName implements Call.
func (*SwapStake) CallName() string { return "swap_stake" }
func (c *SwapStake) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u16(c.OriginNetuid)
	w.u16(c.DestNetuid)
	w.u64(c.Amount)
}

// paysFeeFromUnstake reports whether a call may pay the flat fee out of the TAO it
// unstakes (so a coldkey that staked everything can still unstake).
func paysFeeFromUnstake(c Call) bool {
	switch c.(type) {
	case *RemoveStake, *RemoveStakeLimit:
		return true
	}
	return false
}

// Type implements Call.
func (*DecreaseTake) Type() CallType { return CallDecreaseTake }

// CallName implements Call.
func (*DecreaseTake) CallName() string { return "decrease_take" }
func (c *DecreaseTake) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u16(c.Take)
}

// Type implements Call.
func (*IncreaseTake) Type() CallType { return CallIncreaseTake }

// CallName implements Call.
func (*IncreaseTake) CallName() string { return "increase_take" }
func (c *IncreaseTake) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u16(c.Take)
}
