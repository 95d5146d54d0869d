package chain

import (
	"errors"
	"strconv"

	"github.com/taonet/taonet/fixed"
	"github.com/taonet/taonet/swap"
)

// Staking under dynamic TAO (upstream staking/add_stake.rs, remove_stake.rs,
// move_stake.rs, stake_utils.rs). Every call validates and quotes its swaps on the
// unchanged state first and mutates only once all checks have passed, so a failed
// transaction changes nothing (upstream gets the same from transactional storage).

var (
	maxPrice = swap.LimitPrice(swap.MaxPriceRao) // default buy limit
	minPrice = swap.LimitPrice(swap.MinPriceRao) // default sell limit
)

// swapCode maps the swap engine's named errors to result codes.
func swapCode(err error) *txError {
	switch {
	case errors.Is(err, swap.ErrPriceLimitExceeded):
		return fail(CodePriceLimitExceeded, "%v", err)
	case errors.Is(err, swap.ErrSwapInputTooLarge):
		return fail(CodeSwapInputTooLarge, "%v", err)
	case errors.Is(err, swap.ErrReservesTooLow):
		return fail(CodeReservesTooLow, "%v", err)
	default:
		return fail(CodeInsufficientLiquidity, "%v", err)
	}
}

func (s *State) needDTAO() error {
	if s.dt == nil {
		return fail(CodeWrongEconomics, "dynamic TAO staking calls need a dtao chain; this chain runs classic economics (use add_stake/remove_stake)")
	}
	return nil
}

func (s *State) subnetExists(netuid uint16) bool {
	return netuid == rootNetuid || s.dt.pools[netuid] != nil
}

// quoteBuy simulates swapping tao for alpha (root: 1:1, no fee).
func (s *State) quoteBuy(netuid uint16, tao uint64, limit fixed.U64F64, dropFees bool) (swap.Result, error) {
	if netuid == rootNetuid {
		return swap.Result{PaidIn: tao, PaidOut: tao}, nil
	}
	return s.dt.pools[netuid].swapPool().BuyAlpha(tao, limit, dropFees)
}

// quoteSell simulates swapping alpha for TAO (root: 1:1, no fee).
func (s *State) quoteSell(netuid uint16, alpha uint64, limit fixed.U64F64, dropFees bool) (swap.Result, error) {
	if netuid == rootNetuid {
		return swap.Result{PaidIn: alpha, PaidOut: alpha}, nil
	}
	return s.dt.pools[netuid].swapPool().SellAlpha(alpha, limit, dropFees)
}

// applyBuy is swap_tao_for_alpha's bookkeeping: the TAO paid in enters the reserve,
// the alpha paid out leaves the reserve and becomes outstanding; the TAO fee (the
// block author's upstream; this chain has none in state) is burned.
func (s *State) applyBuy(netuid uint16, r swap.Result) {
	if netuid == rootNetuid {
		s.dt.rootTAO += r.PaidIn
		return
	}
	p := s.dt.pools[netuid]
	p.tao += r.PaidIn
	p.alphaIn -= r.PaidOut
	p.alphaOut += r.PaidOut
	s.feesBurned += r.Fee
}

// applySell is swap_alpha_for_tao's bookkeeping; the alpha fee is burned
// (burn_subnet_alpha: it stays counted in AlphaOut).
func (s *State) applySell(netuid uint16, r swap.Result) {
	if netuid == rootNetuid {
		s.dt.rootTAO -= r.PaidOut
		return
	}
	p := s.dt.pools[netuid]
	p.alphaIn += r.PaidIn
	p.alphaOut -= r.PaidIn
	p.tao -= r.PaidOut
	p.alphaBurned += r.Fee
}

// feeOf is approx_fee_amount: the swap fee on amount (0 on root).
func (s *State) feeOf(netuid uint16, amount uint64) uint64 {
	if netuid == rootNetuid {
		return 0
	}
	p := s.dt.pools[netuid].swapPool()
	return fixed.U64F64FromU64(amount).SaturatingMul(fixed.U64F64FromRatio(uint64(p.FeeRate), 65535)).SaturatingToU64()
}

// maxAmountAdd is get_max_amount_add: the TAO (with fee) that moves the price to limit.
func (s *State) maxAmountAdd(netuid uint16, limitRao uint64) (uint64, error) {
	if netuid == rootNetuid {
		if limitRao >= 1_000_000_000 {
			return maxU64, nil
		}
		return 0, nil
	}
	r, err := s.quoteBuy(netuid, satMul(s.dt.pools[netuid].tao, 1000), swap.LimitPrice(limitRao), false)
	if err != nil {
		return 0, swapCode(err)
	}
	return satAdd(r.PaidIn, r.Fee), nil
}

// maxAmountRemove is get_max_amount_remove: the alpha (with fee) that moves the price down to limit.
func (s *State) maxAmountRemove(netuid uint16, limitRao uint64) (uint64, error) {
	if netuid == rootNetuid {
		if limitRao <= 1_000_000_000 {
			return maxU64, nil
		}
		return 0, nil
	}
	r, err := s.quoteSell(netuid, satMul(s.dt.pools[netuid].alphaIn, 1000), swap.LimitPrice(limitRao), false)
	if err != nil {
		return 0, swapCode(err)
	}
	return satAdd(r.PaidIn, r.Fee), nil
}

func (s *State) doAddStakeLimit(coldkey string, c *AddStakeLimit, fee uint64) ([]Event, error) {
	if err := s.needDTAO(); err != nil {
		return nil, err
	}
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	if !s.subnetExists(c.Netuid) {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	if c.Netuid != rootNetuid && c.Amount > satMul(s.dt.pools[c.Netuid].tao, 1000) {
		return nil, fail(CodeInsufficientLiquidity, "stake %d above 1000x the pool's TAO reserve", c.Amount)
	}
	limit, maxAmount := maxPrice, c.Amount
	if c.LimitPrice != 0 {
		m, err := s.maxAmountAdd(c.Netuid, c.LimitPrice)
		if err != nil {
			return nil, err
		}
		limit, maxAmount = swap.LimitPrice(c.LimitPrice), m
	}
	stake, err := s.validateAddStake(coldkey, c.Hotkey, c.Netuid, c.Amount, maxAmount, c.AllowPartial, fee)
	if err != nil {
		return nil, err
	}
	r, err := s.quoteBuy(c.Netuid, stake, limit, false)
	if err != nil {
		return nil, swapCode(err)
	}
	if r.PaidOut == 0 {
		return nil, fail(CodeAmountTooLow, "the swap of %d rao pays no alpha", stake)
	}
	s.acct(coldkey).balance -= r.PaidIn + r.Fee
	s.applyBuy(c.Netuid, r)
	s.dt.credit(c.Netuid, c.Hotkey, coldkey, r.PaidOut)
	return []Event{stakeEvent("stake_added", coldkey, c.Hotkey, c.Netuid, r.PaidIn+r.Fee, r.PaidOut, r.Fee)}, nil
}

// validateAddStake is validate_add_stake; it returns the TAO to stake (the amount,
// or the limit's maximum for a partial fill).
func (s *State) validateAddStake(coldkey, hotkey string, netuid uint16, amount, maxAmount uint64, partial bool, fee uint64) (uint64, error) {
	minFee := s.feeOf(netuid, DefaultMinStake)
	if r, err := s.quoteBuy(netuid, DefaultMinStake, maxPrice, false); err == nil {
		minFee = r.Fee
	}
	if amount < DefaultMinStake+minFee {
		return 0, fail(CodeAmountTooLow, "stake %d below the minimum %d (0.002 TAO plus the swap fee)", amount, DefaultMinStake+minFee)
	}
	stake := amount
	if !partial && amount > maxAmount {
		return 0, fail(CodeSlippageTooHigh, "stake %d would move the price past the limit (at most %d fits)", amount, maxAmount)
	}
	stake = min(stake, maxAmount)
	if bal := s.balance(coldkey); !canPay(bal, stake, fee) {
		return 0, fail(CodeInsufficientBalance, "balance %d cannot stake %d + fee %d", bal, stake, fee)
	}
	if _, ok := s.owners[hotkey]; !ok {
		return 0, fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", hotkey)
	}
	r, err := s.quoteBuy(netuid, stake, maxPrice, false)
	if err != nil {
		return 0, fail(CodeInsufficientLiquidity, "%v", err)
	}
	if r.PaidIn < DefaultMinStake {
		return 0, fail(CodeAmountTooLow, "only %d rao would be swapped, below the minimum stake %d", r.PaidIn, DefaultMinStake)
	}
	if r.PaidOut == 0 {
		return 0, fail(CodeInsufficientLiquidity, "the pool pays no alpha for %d rao", stake)
	}
	return stake, nil
}

func (s *State) doRemoveStakeLimit(coldkey string, c *RemoveStakeLimit, fee uint64) ([]Event, error) {
	if err := s.needDTAO(); err != nil {
		return nil, err
	}
	if err := checkAddr("hotkey", c.Hotkey); err != nil {
		return nil, err
	}
	if !s.subnetExists(c.Netuid) {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	alpha := min(c.Amount, s.dt.stakeAlpha(c.Netuid, c.Hotkey, coldkey))
	if c.Netuid != rootNetuid && alpha > satMul(s.dt.pools[c.Netuid].alphaIn, 1000) {
		return nil, fail(CodeInsufficientLiquidity, "unstake %d above 1000x the pool's alpha reserve", alpha)
	}
	limit, maxAmount := minPrice, alpha
	if c.LimitPrice != 0 {
		m, err := s.maxAmountRemove(c.Netuid, c.LimitPrice)
		if err != nil {
			return nil, err
		}
		limit, maxAmount = swap.LimitPrice(c.LimitPrice), m
	}
	if err := s.validateRemoveStake(coldkey, c.Hotkey, c.Netuid, alpha, maxAmount, c.AllowPartial); err != nil {
		return nil, err
	}
	alpha = min(alpha, maxAmount)
	r, err := s.quoteSell(c.Netuid, alpha, limit, false)
	if err != nil {
		return nil, swapCode(err)
	}
	if bal := s.balance(coldkey); satAdd(bal, r.PaidOut) < fee {
		return nil, fail(CodeInsufficientBalance, "balance %d plus the unstaked %d cannot pay the fee %d", bal, r.PaidOut, fee)
	}
	s.dt.debit(c.Netuid, c.Hotkey, coldkey, r.PaidIn+r.Fee)
	s.applySell(c.Netuid, r)
	s.acct(coldkey).balance += r.PaidOut
	return []Event{stakeEvent("stake_removed", coldkey, c.Hotkey, c.Netuid, r.PaidOut, r.PaidIn+r.Fee, r.Fee)}, nil
}

// validateRemoveStake is validate_remove_stake.
func (s *State) validateRemoveStake(coldkey, hotkey string, netuid uint16, alpha, maxAmount uint64, partial bool) error {
	if alpha == 0 {
		return fail(CodeAmountTooLow, "nothing to unstake: %s holds no alpha on %s in subnet %d", coldkey, hotkey, netuid)
	}
	remaining := s.dt.stakeAlpha(netuid, hotkey, coldkey) - alpha
	r, err := s.quoteSell(netuid, alpha, minPrice, false)
	if err != nil {
		return fail(CodeInsufficientLiquidity, "%v", err)
	}
	if remaining != 0 && r.PaidOut < DefaultMinStake {
		return fail(CodeAmountTooLow, "unstaking %d alpha pays %d rao, below the minimum %d (unstake everything instead)", alpha, r.PaidOut, DefaultMinStake)
	}
	if !partial && alpha > maxAmount {
		return fail(CodeSlippageTooHigh, "unstake %d would move the price past the limit (at most %d fits)", alpha, maxAmount)
	}
	if _, ok := s.owners[hotkey]; !ok {
		return fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", hotkey)
	}
	return nil
}

// doTransition is transition_stake_internal (move_stake, transfer_stake,
// swap_stake without limits): within one subnet the alpha changes hands without a
// swap; across subnets it is sold on the origin pool and the TAO bought into the
// destination (the fee is dropped on one side so a move pays it once).
func (s *State) doTransition(origCk, destCk, origHk, destHk string, origNet, destNet uint16, amount, fee uint64, name string) ([]Event, error) {
	if err := s.needDTAO(); err != nil {
		return nil, err
	}
	for _, a := range []struct{ what, v string }{{"destination coldkey", destCk}, {"origin hotkey", origHk}, {"destination hotkey", destHk}} {
		if err := checkAddr(a.what, a.v); err != nil {
			return nil, err
		}
	}
	alpha := min(amount, s.dt.stakeAlpha(origNet, origHk, origCk))
	if origCk == destCk && origHk == destHk && origNet == destNet {
		return nil, fail(CodeSameNetuid, "origin and destination are the same (subnet %d)", origNet)
	}
	for _, n := range []uint16{origNet, destNet} {
		if !s.subnetExists(n) {
			return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", n)
		}
	}
	for _, hk := range []string{origHk, destHk} {
		if _, ok := s.owners[hk]; !ok {
			return nil, fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", hk)
		}
	}
	ev := event(name, "origin_coldkey", origCk, "destination_coldkey", destCk, "origin_hotkey", origHk,
		"destination_hotkey", destHk, "origin_netuid", strconv.Itoa(int(origNet)), "destination_netuid", strconv.Itoa(int(destNet)))
	if origNet == destNet {
		tao := fixed.U64F64FromU64(alpha).SaturatingMul(s.price(origNet)).SaturatingToU64()
		if tao < DefaultMinStake {
			return nil, fail(CodeAmountTooLow, "moving %d alpha (worth %d rao) is below the minimum stake %d", alpha, tao, DefaultMinStake)
		}
		s.dt.debit(origNet, origHk, origCk, alpha)
		s.dt.credit(destNet, destHk, destCk, alpha)
		ev.Attrs = append(ev.Attrs, Attr{"alpha", u64s(alpha)}, Attr{"tao", u64s(tao)})
		return []Event{ev}, nil
	}
	if sim, err := s.quoteSell(origNet, alpha, minPrice, false); err != nil {
		return nil, fail(CodeInsufficientLiquidity, "%v", err)
	} else if sim.PaidOut <= DefaultMinStake {
		return nil, fail(CodeAmountTooLow, "moving %d alpha pays %d rao, not above the minimum stake %d", alpha, sim.PaidOut, DefaultMinStake)
	}
	dropOrigin := origNet == rootNetuid
	out, err := s.quoteSell(origNet, alpha, minPrice, dropOrigin)
	if err != nil {
		return nil, swapCode(err)
	}
	var in swap.Result
	restake := out.PaidOut >= DefaultMinStake
	if restake {
		if in, err = s.quoteBuy(destNet, out.PaidOut, maxPrice, !dropOrigin); err != nil {
			return nil, swapCode(err)
		}
		if in.PaidOut == 0 {
			return nil, fail(CodeAmountTooLow, "the destination pool pays no alpha for %d rao", out.PaidOut)
		}
	}
	s.dt.debit(origNet, origHk, origCk, out.PaidIn+out.Fee)
	s.applySell(origNet, out)
	tao := out.PaidOut
	if restake {
		s.applyBuy(destNet, in)
		s.dt.credit(destNet, destHk, destCk, in.PaidOut)
		// A partial fill's unswapped TAO goes to the destination coldkey.
		tao -= in.PaidIn + in.Fee
	}
	s.acct(destCk).balance += tao
	ev.Attrs = append(ev.Attrs, Attr{"alpha", u64s(out.PaidIn + out.Fee)}, Attr{"tao", u64s(out.PaidOut)},
		Attr{"destination_alpha", u64s(in.PaidOut)})
	return []Event{ev}, nil
}

// price is the current alpha price of a subnet (1 on root).
func (s *State) price(netuid uint16) fixed.U64F64 {
	if netuid == rootNetuid {
		return fixed.U64F64FromU64(1)
	}
	return s.dt.pools[netuid].price()
}

func stakeEvent(typ, coldkey, hotkey string, netuid uint16, tao, alpha, swapFee uint64) Event {
	return event(typ, "coldkey", coldkey, "hotkey", hotkey, "netuid", strconv.Itoa(int(netuid)),
		"tao", u64s(tao), "alpha", u64s(alpha), "swap_fee", u64s(swapFee))
}

// quoteRegistrationBurn simulates do_register's burn swap (dTAO): the burn buys
// alpha at the default limit with fees. Classic chains need no swap.
func (s *State) quoteRegistrationBurn(netuid uint16, burn uint64) (swap.Result, error) {
	if s.dt == nil || burn == 0 {
		return swap.Result{}, nil
	}
	r, err := s.quoteBuy(netuid, burn, maxPrice, false)
	if err != nil {
		return swap.Result{}, swapCode(err)
	}
	return r, nil
}

// applyRegistrationBurn burns the registration cost: classic recycles the TAO;
// dTAO puts it into the pool and recycles the alpha it bought (SubnetAlphaOut −=
// burned alpha), burning the swap fee.
func (s *State) applyRegistrationBurn(netuid uint16, burn uint64, r swap.Result) {
	if s.dt == nil {
		s.regBurned += burn
		return
	}
	s.applyBuy(netuid, r)
	p := s.dt.pools[netuid]
	p.alphaOut -= r.PaidOut
	p.alphaRecycled += r.PaidOut
	// TAO neither swapped nor taken as fee (a partial fill; not reachable at the
	// default limit) is burned like the fee.
	s.feesBurned += burn - r.PaidIn - r.Fee
}
