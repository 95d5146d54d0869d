package chain

import (
	"math"
	"testing"

	"github.com/taonet/taonet/fixed"
	"github.com/taonet/taonet/swap"
)

// dtaoEnv is a dTAO chain with two subnets (netuids 1, 2) owned by Alice/Bob.
func dtaoEnv(tb testing.TB) *env {
	e := newEnv(tb, func(g *Genesis) { g.Economics = EconomicsDTAO })
	e.subnet("Alice", "AliceHot")
	e.subnet("Bob", "BobHot")
	return e
}

func (e *env) checkDTAO() {
	e.tb.Helper()
	e.checkIssuance()
	for _, a := range e.s.AlphaAccounts() {
		if err := a.Check(); err != nil {
			e.tb.Fatalf("alpha accounting: %v", err)
		}
	}
}

// TestEmissionForIssuance: the log2 path of get_block_emission_for_issuance agrees
// with the exact integer halving rule everywhere except where the I96F32 rounding
// of 1/(1 − x/21e15) crosses a power of two, and halves at 10.5M, 15.75M, ... TAO.
func TestEmissionForIssuance(t *testing.T) {
	cases := []struct{ issuance, want uint64 }{
		{0, 1_000_000_000},
		{10_499_999_999_999_999, 1_000_000_000},
		{10_500_000_000_000_000, 500_000_000},
		{15_749_999_999_999_999, 500_000_000},
		{15_750_000_000_000_000, 250_000_000},
		{20_999_999_000_000_000, 59}, // 1/(1−x) = 21e6, k = 24
		{21_000_000_000_000_000, 0},
		{maxU64, 0},
	}
	for _, c := range cases {
		if got := emissionForIssuance(c.issuance, 1_000_000_000); got != c.want {
			t.Errorf("emission at issuance %d = %d, want %d", c.issuance, got, c.want)
		}
	}
}

// TestCoinbaseTaoIssuanceBase is coinbase.rs test_coinbase_tao_issuance_base: one
// subnet with moving price 1 and root stake large enough that the injection cap
// does not bind takes the whole emission into its TAO reserve.
func TestCoinbaseTaoIssuanceBase(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	s := e.s
	p := s.dt.pools[id]
	p.movingPrice = fixed.I96F32FromInt(1)
	fullInjectionRootStake(s)
	before := p.tao
	left := s.emitToSubnets([]uint16{id}, 1_234_567)
	if p.tao != before+1_234_567 || left != 0 {
		t.Fatalf("SubnetTAO %d (want %d), credit left %d", p.tao, before+1_234_567, left)
	}
}

// TestCoinbaseAlphaIssuanceBase is coinbase.rs test_coinbase_alpha_issuance_base:
// two subnets at price 1 with equal moving prices share 1 000 000 rao; each gets
// 500 000 TAO in and 500 000 alpha in.
func TestCoinbaseAlphaIssuanceBase(t *testing.T) {
	e := dtaoEnv(t)
	s := e.s
	for _, id := range []uint16{1, 2} {
		p := s.dt.pools[id]
		p.tao, p.alphaIn, p.movingPrice = 1_000_000, 1_000_000, fixed.I96F32FromInt(1)
	}
	fullInjectionRootStake(s)
	s.emitToSubnets([]uint16{1, 2}, 1_000_000)
	for _, id := range []uint16{1, 2} {
		if p := s.dt.pools[id]; p.alphaIn != 1_500_000 || p.tao != 1_500_000 {
			t.Errorf("subnet %d: alpha in %d, tao %d; want 1 500 000 each", id, p.alphaIn, p.tao)
		}
	}
}

// TestUpdateMovingPrice is coinbase.rs test_update_moving_price_initial and
// test_update_moving_price_after_time (moving alpha 0.5, price 1).
func TestUpdateMovingPrice(t *testing.T) {
	saved := movingAlpha
	defer func() { movingAlpha = saved }()
	movingAlpha = fixed.U64F64FromBits(0, 1<<63)
	for _, c := range []struct {
		height   uint64
		want, ep float64
		src      string
	}{
		{510, 0, 0.001, "test_update_moving_price_initial"},
		{144_000_500, 0.5, 0.001, "test_update_moving_price_after_time"},
	} {
		e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
		id := e.subnet("Alice", "AliceHot")
		p := e.s.dt.pools[id]
		p.tao, p.alphaIn, p.firstEmission = 1_000_000, 1_000_000, 500
		e.s.height = c.height
		e.s.updateMovingPrice(p)
		hi, lo := p.movingPrice.Bits()
		got := float64(hi)*4294967296 + float64(lo)/4294967296
		if math.Abs(got-c.want) >= c.ep {
			t.Errorf("%s: moving price %v, want %v", c.src, got, c.want)
		}
	}
}

// TestRootProportion is coinbase.rs test_root_proportion (exact, U96F32).
func TestRootProportion(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO; g.TaoWeight = 3_320_413_933_267_719_290 })
	id := e.subnet("Alice", "AliceHot")
	p := e.s.dt.pools[id]
	e.s.dt.rootTAO = 1_000_000_000_000
	p.alphaIn, p.alphaOut = 100_000_000_000, 0
	tw := fixed.U96F32FromRatio(3_320_413_933_267_719_290, maxU64)
	rt := tw.SaturatingMul(fixed.U96F32FromU64(1_000_000_000_000))
	want := rt.SafeDiv(rt.SaturatingAdd(fixed.U96F32FromU64(100_000_000_000)))
	if got := e.s.rootProportion(p); got.Cmp(want) != 0 {
		t.Fatalf("root proportion %v want %v", got, want)
	}
}

// drain runs distribute_emission on a subnet with the given pending amounts.
func drain(e *env, id uint16, server, validator, root, owner uint64) {
	p := e.s.dt.pools[id]
	// The pending alpha is part of AlphaOut, as after emit_to_subnets.
	p.alphaOut += server + validator + root + owner
	p.alphaMinted += server + validator + root + owner
	p.pendServer, p.pendValidator, p.pendRoot, p.pendOwner = server, validator, root, owner
	e.s.runEpochDTAO(e.s.subnets[id])
}

func closeTo(t *testing.T, what string, want, got, eps uint64) {
	t.Helper()
	if d := int64(want) - int64(got); d > int64(eps) || d < -int64(eps) {
		t.Errorf("%s: got %d, want %d ± %d", what, got, want, eps)
	}
}

// TestDrainSingleStaker is coinbase.rs test_drain_base_with_subnet_with_single_staker_registered:
// the only staked neuron gets all pending alpha (within 10).
func TestDrainSingleStaker(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	hk, ck := addr(t, "H1"), addr(t, "Charlie")
	e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: hk})
	e.s.dt.credit(id, hk, ck, 1_000_000_000)
	e.s.dt.pools[id].alphaOut += 1_000_000_000
	e.s.dt.pools[id].alphaMinted += 1_000_000_000
	drain(e, id, 500_000_000, 500_000_000, 0, 0)
	closeTo(t, "stake after", 2_000_000_000, e.s.dt.stakeAlpha(id, hk, ck), 10)
	e.checkDTAO()
}

// TestDrainTwoStakers is coinbase.rs test_drain_base_with_subnet_with_two_stakers_registered:
// equal stakes share the pending alpha equally (within 10).
func TestDrainTwoStakers(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	ck := addr(t, "Charlie")
	var hks []string
	for _, n := range []string{"H1", "H2"} {
		hk := addr(t, n)
		hks = append(hks, hk)
		e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: hk})
		e.s.dt.credit(id, hk, ck, 1_000_000_000)
		e.s.dt.pools[id].alphaOut += 1_000_000_000
		e.s.dt.pools[id].alphaMinted += 1_000_000_000
	}
	drain(e, id, 500_000_000, 500_000_000, 0, 0)
	for _, hk := range hks {
		closeTo(t, "stake after", 1_500_000_000, e.s.dt.stakeAlpha(id, hk, ck), 10)
	}
	e.checkDTAO()
}

// TestDrainRootWeight is coinbase.rs test_drain_base_with_subnet_with_single_staker_registered_root_weight:
// with tao_weight 1 and zero take, the alpha dividends and the root alpha all land
// on the subnet stake; the root stake is unchanged.
func TestDrainRootWeight(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO; g.TaoWeight = maxU64; g.DelegateTake = 0 })
	id := e.subnet("Alice", "AliceHot")
	hk, ck := addr(t, "H1"), addr(t, "Charlie")
	e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: hk})
	e.s.dt.credit(rootNetuid, hk, ck, 1_000_000_000)
	e.s.dt.rootTAO += 1_000_000_000
	e.s.issuance += 1_000_000_000
	e.s.dt.credit(id, hk, ck, 1_000_000_000)
	e.s.dt.pools[id].alphaOut += 1_000_000_000
	e.s.dt.pools[id].alphaMinted += 1_000_000_000
	drain(e, id, 500_000_000, 500_000_000, 1_000_000_000, 0)
	closeTo(t, "root stake after", 1_000_000_000, e.s.dt.stakeAlpha(rootNetuid, hk, ck), 10)
	// Upstream: alpha stake = before + pending alpha (root alpha is claimable later);
	// here the root alpha is paid to the root stakers as subnet alpha at once.
	closeTo(t, "stake after", 3_000_000_000, e.s.dt.stakeAlpha(id, hk, ck), 10)
	e.checkDTAO()
}

// TestIncentiveToOwnerIsBurned is coinbase.rs test_incentive_to_subnet_owner_is_burned:
// miner incentive earned by the subnet owner's hotkey is not staked.
func TestIncentiveToOwnerIsBurned(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	owner := addr(t, "AliceHot")
	before := e.s.dt.stakeAlpha(id, owner, addr(t, "Alice"))
	in := []uint64{1_000}
	n := e.s.distributeDTAO(e.s.subnets[id], e.s.dt.pools[id], &epochPay{incentive: in, dividend: []uint64{0}})
	if got := e.s.dt.stakeAlpha(id, owner, addr(t, "Alice")); got != before || n != 0 {
		t.Fatalf("owner incentive staked: %d → %d (placed %d)", before, got, n)
	}
	if e.s.dt.pools[id].minerBurned.Cmp(fixed.U96F32FromU64(1)) != 0 {
		t.Fatalf("MinerBurned %v, want 1", e.s.dt.pools[id].minerBurned)
	}
}

// TestDividendDistributionTotals is coinbase.rs test_calculate_dividend_distribution_totals
// (and the _only_tao / _no_tao_weight variants): the alpha and root dividend
// totals equal the pending amounts within 1 000.
func TestDividendDistributionTotals(t *testing.T) {
	for _, c := range []struct {
		src          string
		validator    uint64
		root         uint64
		taoWeightRaw uint64
	}{
		{"test_calculate_dividend_distribution_totals", 183_123_567_452, 837_120_949_872, 3_320_413_933_267_719_290},
		{"test_calculate_dividend_distribution_total_only_tao", 0, 837_120_949_872, 3_320_413_933_267_719_290},
		{"test_calculate_dividend_distribution_total_no_tao_weight", 183_123_567_452, 0, 0},
	} {
		e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
		id := e.subnet("Alice", "AliceHot")
		e.s.dt.taoWeight = c.taoWeightRaw
		e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: addr(t, "H1")})
		e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: addr(t, "H2")})
		sn := e.s.subnets[id]
		// uid 0 is the owner; uids 1, 2 are the two validators of the upstream test.
		e.s.dt.credit(id, addr(t, "H1"), addr(t, "Charlie"), 4_859_302)
		e.s.dt.credit(rootNetuid, addr(t, "H1"), addr(t, "Charlie"), 2_342_352)
		e.s.dt.credit(id, addr(t, "H2"), addr(t, "Charlie"), 23_423)
		e.s.dt.credit(rootNetuid, addr(t, "H2"), addr(t, "Charlie"), 859_273)
		a, r := e.s.splitDividends(sn, &epochPay{dividend: []uint64{0, 77_783_738, 19_283_940}, validator: c.validator, root: c.root})
		var ta, tr fixed.U96F32
		for i := range a {
			ta = ta.SaturatingAdd(a[i])
			tr = tr.SaturatingAdd(r[i])
		}
		closeTo(t, c.src+" alpha", c.validator, ta.SaturatingToU64(), 1000)
		closeTo(t, c.src+" root", c.root, tr.SaturatingToU64(), 1000)
	}
}

// TestStakeRoundTrip: add_stake_limit and remove_stake_limit move TAO and alpha
// exactly as the swap engine quotes, keep every account balanced, and the stake
// shows in the metagraph's alpha_stake.
func TestStakeRoundTrip(t *testing.T) {
	e := dtaoEnv(t)
	hk := addr(t, "AliceHot")
	p := e.s.dt.pools[1]
	q, err := p.swapPool().BuyAlpha(10*tao, maxPrice, false)
	if err != nil {
		t.Fatal(err)
	}
	bal := e.s.balance(addr(t, "Charlie"))
	e.ok("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 10 * tao})
	if got := e.s.AlphaStake(1, hk, addr(t, "Charlie")); got != q.PaidOut {
		t.Fatalf("alpha staked %d, quote %d", got, q.PaidOut)
	}
	if got := e.s.balance(addr(t, "Charlie")); got != bal-10*tao-e.s.cfg.TxFee {
		t.Fatalf("balance %d want %d", got, bal-10*tao-e.s.cfg.TxFee)
	}
	m, _ := e.s.Metagraph(1)
	if m.AlphaStake[0] < q.PaidOut || m.Pool == nil || m.Pool.Price == 0 {
		t.Fatalf("metagraph alpha_stake %v pool %+v", m.AlphaStake, m.Pool)
	}
	e.checkDTAO()
	alpha := e.s.AlphaStake(1, hk, addr(t, "Charlie"))
	e.ok("Charlie", &RemoveStakeLimit{Hotkey: hk, Netuid: 1, Amount: alpha})
	if e.s.AlphaStake(1, hk, addr(t, "Charlie")) != 0 {
		t.Fatal("stake left after unstaking everything")
	}
	if got := e.s.balance(addr(t, "Charlie")); got >= bal || got < bal-10*tao/100 {
		t.Fatalf("round trip lost too much or gained: %d → %d", bal, got)
	}
	e.checkDTAO()
	// Root stake is 1:1 TAO.
	e.ok("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 0, Amount: 5 * tao})
	if got := e.s.AlphaStake(0, hk, addr(t, "Charlie")); got != 5*tao {
		t.Fatalf("root stake %d", got)
	}
	e.ok("Charlie", &MoveStake{OriginHotkey: hk, DestHotkey: addr(t, "BobHot"), OriginNetuid: 0, DestNetuid: 2, Amount: 2 * tao})
	e.ok("Charlie", &TransferStake{DestColdkey: addr(t, "Dave"), Hotkey: hk, OriginNetuid: 0, DestNetuid: 0, Amount: tao})
	e.ok("Charlie", &SwapStake{Hotkey: hk, OriginNetuid: 0, DestNetuid: 1, Amount: tao})
	if got := e.s.AlphaStake(0, hk, addr(t, "Dave")); got != tao {
		t.Fatalf("transferred root stake %d", got)
	}
	e.checkDTAO()
}

// TestDTAOBadInput: each rejection names its error and changes nothing.
func TestDTAOBadInput(t *testing.T) {
	e := dtaoEnv(t)
	hk := addr(t, "AliceHot")
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 9, Amount: tao}, CodeSubnetNotFound)
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 1_000_000}, CodeAmountTooLow)
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: maxU64}, CodeInsufficientLiquidity)
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 20_000 * tao}, CodeInsufficientBalance)
	e.reject("Charlie", &AddStakeLimit{Hotkey: addr(t, "Nobody"), Netuid: 1, Amount: tao}, CodeHotkeyAccountNotExists)
	price := e.s.poolInfo(1).Price
	// A limit below the current price: the swap cannot start.
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: tao, LimitPrice: price / 2}, CodePriceLimitExceeded)
	// A limit just above it: the full amount would pass it, partial not allowed.
	e.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 50 * tao, LimitPrice: price + price/100}, CodeSlippageTooHigh)
	e.ok("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 50 * tao, LimitPrice: price + price/100, AllowPartial: true})
	if got := e.s.poolInfo(1).Price; got > price+price/100 {
		t.Fatalf("partial fill went past the limit: %d > %d", got, price+price/100)
	}
	e.reject("Charlie", &RemoveStakeLimit{Hotkey: hk, Netuid: 1, Amount: 0}, CodeAmountTooLow)
	e.reject("Dave", &RemoveStakeLimit{Hotkey: hk, Netuid: 1, Amount: tao}, CodeAmountTooLow)
	e.reject("Charlie", &RemoveStakeLimit{Hotkey: hk, Netuid: 1, Amount: 1000}, CodeAmountTooLow)
	e.reject("Charlie", &MoveStake{OriginHotkey: hk, DestHotkey: hk, OriginNetuid: 1, DestNetuid: 1, Amount: tao}, CodeSameNetuid)
	e.reject("Charlie", &SwapStake{Hotkey: hk, OriginNetuid: 1, DestNetuid: 7, Amount: tao}, CodeSubnetNotFound)
	e.reject("Charlie", &AddStake{Hotkey: hk, Amount: tao}, CodeWrongEconomics)
	e.reject("Charlie", &RemoveStake{Hotkey: hk, Amount: tao}, CodeWrongEconomics)
	c := newEnv(t, nil)
	c.reject("Charlie", &AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: tao}, CodeWrongEconomics)
}

// TestDTAOEncodeRoundTrip: a dTAO state decodes to the same bytes, and a classic
// state's encoding has no dTAO section.
func TestDTAOEncodeRoundTrip(t *testing.T) {
	e := dtaoEnv(t)
	e.ok("Charlie", &AddStakeLimit{Hotkey: addr(t, "AliceHot"), Netuid: 1, Amount: 3 * tao})
	e.blocks(25)
	b := e.s.Encode()
	d, err := DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Encode()) != string(b) || string(e.s.Clone().Encode()) != string(b) {
		t.Fatal("dTAO state does not round-trip")
	}
	if _, err := DecodeState(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

// TestDTAOLocalnetEmission: with dTAO both subnets get TAO injected, alpha emitted
// and their miners paid once their epochs run, and the accounting balances.
func TestDTAOSubnetsEmit(t *testing.T) {
	e := dtaoEnv(t)
	for _, id := range []uint16{1, 2} {
		e.ok("Charlie", &BurnedRegister{Netuid: id, Hotkey: addr(t, "M"+string(rune('0'+id)))})
	}
	e.blocks(40)
	e.checkDTAO()
	for _, id := range []uint16{1, 2} {
		pi := e.s.poolInfo(id)
		if pi.AlphaOut == 0 || pi.MovingPrice == 0 {
			t.Errorf("subnet %d: no emission: %+v", id, pi)
		}
	}
	_ = swap.DefaultFeeRate
}

// BenchmarkDTAOBlockStep32 is one dTAO block step (coinbase for 32 subnets with
// pools moved off equal weights, no epoch due).
func BenchmarkDTAOBlockStep32(b *testing.B) {
	e := newEnv(b, func(g *Genesis) {
		g.Economics = EconomicsDTAO
		g.MaxSubnets = 32
		g.NetworkMinLockCost = tao
		g.Accounts = append(g.Accounts, GenesisAccount{Address: addr(b, "Rich"), Balance: 1_000_000 * tao})
	})
	for i := 0; i < 32; i++ {
		e.ok("Rich", &CreateSubnet{Hotkey: addr(b, "Rich")})
	}
	e.ok("Rich", &AddStakeLimit{Hotkey: addr(b, "Rich"), Netuid: 0, Amount: 10_000 * tao})
	e.blocks(3)
	for _, id := range e.s.sortedNetuids() {
		e.hp(id, func(h *Hyperparams) { h.Tempo = 0 }) // no epochs: measure the coinbase alone
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.block()
	}
	b.StopTimer()
	e.checkDTAO()
}

// TestDelegateTake: decrease_take any time, increase_take up to 18% and rate
// limited, only by the hotkey's owner; the distribution uses the hotkey's take.
func TestDelegateTake(t *testing.T) {
	e := dtaoEnv(t)
	hk := addr(t, "AliceHot")
	e.reject("Bob", &DecreaseTake{Hotkey: hk, Take: 100}, CodeNonAssociatedColdkey)
	e.reject("Alice", &DecreaseTake{Hotkey: addr(t, "Nobody"), Take: 100}, CodeHotkeyAccountNotExists)
	e.block() // upstream ignores the rate limit when the last change was at block 0
	e.ok("Alice", &DecreaseTake{Hotkey: hk, Take: 1000})
	e.reject("Alice", &DecreaseTake{Hotkey: hk, Take: 1000}, CodeDelegateTakeTooLow)
	e.reject("Alice", &IncreaseTake{Hotkey: hk, Take: 900}, CodeDelegateTakeTooLow)
	e.reject("Alice", &IncreaseTake{Hotkey: hk, Take: 11_797}, CodeDelegateTakeTooHigh)
	e.block()
	e.reject("Alice", &IncreaseTake{Hotkey: hk, Take: 2000}, CodeDelegateTxRateLimit)
	e.s.height += delegateTakeRateLimitBlks
	e.ok("Alice", &IncreaseTake{Hotkey: hk, Take: 2000})
	if got := e.s.delegateTake(hk); got != 2000 {
		t.Fatalf("take %d", got)
	}
	c := newEnv(t, nil)
	c.reject("Alice", &DecreaseTake{Hotkey: hk, Take: 1}, CodeWrongEconomics)
	// Zero take: the validator's whole dividend goes pro rata to its stakers.
	e.ok("Alice", &DecreaseTake{Hotkey: hk, Take: 0})
	sn := e.s.subnets[1]
	e.s.dt.credit(1, hk, addr(t, "Dave"), 3_000)
	e.s.dt.credit(1, hk, addr(t, "Eve"), 1_000)
	e.s.distributeDTAO(sn, e.s.dt.pools[1], &epochPay{incentive: []uint64{0}, dividend: []uint64{1}, validator: 4_000})
	if d, ev := e.s.dt.stakeAlpha(1, hk, addr(t, "Dave")), e.s.dt.stakeAlpha(1, hk, addr(t, "Eve")); d != 6_000 || ev != 2_000 {
		t.Fatalf("pro rata with zero take: Dave %d, Eve %d", d, ev)
	}
}
