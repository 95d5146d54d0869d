package chain

import (
	"errors"
	"math"
	"testing"

	"github.com/taonet/taonet/fixed"
)

// maxAmountCase is one row of staking.rs test_max_amount_add_dynamic /
// test_max_amount_remove_dynamic: reserves, limit price (rao per alpha) and the
// expected maximum (with the 0.05% fee) or the named error.
type maxAmountCase struct {
	tao, alpha, limit uint64
	want              uint64
	code              uint32 // 0: want applies
}

func runMaxAmount(t *testing.T, src string, cases []maxAmountCase, add bool, tolDiv uint64) {
	saved := poolMinReserve
	poolMinReserve = 100 // tests/mock.rs SwapMinimumReserve
	defer func() { poolMinReserve = saved }()
	for _, c := range cases {
		e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
		id := e.subnet("Alice", "AliceHot")
		p := e.s.dt.pools[id]
		p.tao, p.alphaIn = c.tao, c.alpha
		var got uint64
		var err error
		if add {
			got, err = e.s.maxAmountAdd(id, c.limit)
		} else {
			got, err = e.s.maxAmountRemove(id, c.limit)
		}
		if c.code != 0 {
			var te *txError
			if !errors.As(err, &te) || te.code != c.code {
				t.Errorf("%s %+v: got %d, %v; want %s", src, c, got, err, CodeName(c.code))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %+v: %v", src, c, err)
			continue
		}
		d := max(got, c.want) - min(got, c.want)
		if d > c.want/tolDiv {
			t.Errorf("%s %+v: got %d, want %d ± %d", src, c, got, c.want, c.want/tolDiv)
		}
	}
}

// TestMaxAmountAddDynamic is staking.rs test_max_amount_add_dynamic (its tolerance v/10000).
func TestMaxAmountAddDynamic(t *testing.T) {
	ple := CodePriceLimitExceeded
	runMaxAmount(t, "test_max_amount_add_dynamic", []maxAmountCase{
		{1_000_000_000, 1_000_000_000, 0, 0, ple},
		{100, 100, 1_100_000_000, 4, 0},
		{1_000, 1_000, 1_100_000_000, 48, 0},
		{10_000, 10_000, 1_100_000_000, 488, 0},
		{1_000_000, 1_000_000, 4_000_000_000, 1_000_500, 0},
		{1_000_000, 1_000_000, 9_000_000_000, 2_001_000, 0},
		{1_000_000, 1_000_000, 16_000_000_000, 3_001_500, 0},
		{1_000_000_000_000, 1_000_000_000_000, 16_000_000_000, 3_001_500_000_000, 0},
		{150_000_000_000, 100_000_000_000, 0, 0, ple},
		{150_000_000_000, 100_000_000_000, 100_000_000, 0, ple},
		{150_000_000_000, 100_000_000_000, 500_000_000, 0, ple},
		{150_000_000_000, 100_000_000_000, 1_499_999_999, 0, ple},
		{150_000_000_000, 100_000_000_000, 1_500_000_000, 0, ple},
		{150_000_000_000, 100_000_000_000, 1_500_000_001, 49, 0},
		{150_000_000_000, 100_000_000_000, 6_000_000_000, 150_075_000_000, 0},
		{maxU64 / 2, maxU64, maxU64, maxU64, 0},
	}, true, 10000)
}

// TestMaxAmountRemoveDynamic is staking.rs test_max_amount_remove_dynamic (its tolerance v/100).
func TestMaxAmountRemoveDynamic(t *testing.T) {
	ple := CodePriceLimitExceeded
	runMaxAmount(t, "test_max_amount_remove_dynamic", []maxAmountCase{
		{0, 1_000_000_000, 100, 0, CodeReservesTooLow},
		{1_000_000_000, 0, 100, 0, ple},
		{10_000_000_000, 10_000_000_000, 0, 10_000_000_000_000, 0},
		{1_000, 1_000, 0, 1_000_000, 0},
		{1_001, 1_001, 0, 1_001_000, 0},
		{1_001, 1_001, 1, 1_001_000, 0},
		{1_001, 1_001, 2, 1_001_000, 0},
		{1_001, 1_001, 1_001, 1_001_000, 0},
		{1_001, 1_001, 10_000, 17_472, 0},
		{1_001, 1_001, 100_000, 17_472, 0},
		{1_001, 1_001, 1_000_000, 17_472, 0},
		{1_001, 1_001, 10_000_000, 9_013, 0},
		{1_001, 1_001, 100_000_000, 2_165, 0},
		{1_000_000, 1_000_000, 250_000_000, 1_010_000, 0},
		{1_000_000, 1_000_000, 62_500_000, 3_030_000, 0},
		{1_000_000_000_000, 1_000_000_000_000, 62_500_000, 3_030_000_000_000, 0},
		{200_000_000_000, 100_000_000_000, 0, 100_000_000_000_000, 0},
		{200_000_000_000, 100_000_000_000, 500_000_000, 101_000_000_000, 0},
		{200_000_000_000, 100_000_000_000, 125_000_000, 303_000_000_000, 0},
		{200_000_000_000, 100_000_000_000, 2_000_000_000, 0, ple},
		{200_000_000_000, 100_000_000_000, 2_000_000_001, 0, ple},
		{200_000_000_000, 100_000_000_000, 1_999_999_999, 24, 0},
		{200_000_000_000, 100_000_000_000, 1_999_999_990, 250, 0},
		{21_000_000_000_000_000, 1_000_000, 21_000_000_000_000_000, 17_455_533, 0},
		{21_000_000_000_000_000, 1_000_000, maxU64, 67_000, 0},
		{21_000_000_000_000_000, 1_000_000_000_000_000_000, maxU64, 0, ple},
		{21_000_000_000_000_000, 1_000_000_000_000_000_000, 20_000_000, 24_700_000_000_000_000, 0},
		{21_000_000_000_000_000, 21_000_000_000_000_000, 999_999_999, 10_605_000, 0},
		{21_000_000_000_000_000, 21_000_000_000_000_000, 0, maxU64, 0},
	}, false, 100)
}

// stakeLimitEnv is the setup of staking.rs test_add_stake_limit_ok / _fill_or_kill:
// a pool at price 1.5 (150 TAO, 100 alpha) and a coldkey with 900 TAO.
func stakeLimitEnv(t *testing.T) (*env, uint16, string) {
	e := newEnv(t, func(g *Genesis) {
		g.Economics = EconomicsDTAO
		g.Accounts = append(g.Accounts, GenesisAccount{Address: addr(t, "Staker"), Balance: 900*tao + g.TxFee*2})
	})
	id := e.subnet("Alice", "AliceHot")
	p := e.s.dt.pools[id]
	e.s.issuance += 150*tao - p.tao // the forced reserve is minted, to keep the books
	p.tao, p.alphaIn = 150*tao, 100*tao
	p.alphaOut, p.alphaMinted = 0, 100*tao
	return e, id, addr(t, "AliceHot")
}

// TestAddStakeLimitOK is staking.rs test_add_stake_limit_ok: with limit 24 τ/α and
// partial fills, 900 TAO stakes only ≈ 450 TAO for ≈ 75 alpha and the price ends
// at ≈ 24 (upstream tolerances: 1/1000 and 0.001).
func TestAddStakeLimitOK(t *testing.T) {
	e, id, hk := stakeLimitEnv(t)
	e.ok("Staker", &AddStakeLimit{Hotkey: hk, Netuid: id, Amount: 900 * tao, LimitPrice: 24 * tao, AllowPartial: true})
	closeTo(t, "alpha staked", 75*tao, e.s.AlphaStake(id, hk, addr(t, "Staker")), 75*tao/1000)
	fee := e.s.feeOf(id, 450*tao)
	closeTo(t, "balance left", 450*tao-fee+e.s.cfg.TxFee, e.s.balance(addr(t, "Staker")), 450*tao/1000)
	if pr := e.s.poolInfo(id).Price; pr < 24*tao-tao/1000 || pr > 24*tao+tao/1000 {
		t.Fatalf("price %d, want ≈ 24 τ", pr)
	}
	e.checkDTAO()
}

// TestAddStakeLimitFillOrKill is staking.rs test_add_stake_limit_fill_or_kill.
func TestAddStakeLimitFillOrKill(t *testing.T) {
	e, id, hk := stakeLimitEnv(t)
	e.reject("Staker", &AddStakeLimit{Hotkey: hk, Netuid: id, Amount: 900 * tao, LimitPrice: 24 * tao}, CodeSlippageTooHigh)
	e.ok("Staker", &AddStakeLimit{Hotkey: hk, Netuid: id, Amount: 150 * tao, LimitPrice: 24 * tao})
}

// TestAddStakeLimitReserveCap is staking.rs test_add_stake_limit_rejects_input_over_swap_reserve_cap.
func TestAddStakeLimitReserveCap(t *testing.T) {
	e, id, hk := stakeLimitEnv(t)
	p := e.s.dt.pools[id]
	p.tao, p.alphaIn, p.alphaMinted = 1_000, 1_000_000_000, 1_000_000_000
	e.reject("Staker", &AddStakeLimit{Hotkey: hk, Netuid: id, Amount: 1_000_001, LimitPrice: maxU64 / 2, AllowPartial: true}, CodeInsufficientLiquidity)
}

// fullInjectionRootStake is coinbase.rs set_full_injection_root_stake: root_proportion ≈ 1.
func fullInjectionRootStake(s *State) {
	s.dt.rootTAO = 1_000_000_000_000_000_000
	s.dt.taoWeight = maxU64
}

func u96f(v fixed.U96F32) float64 {
	hi, lo := v.Bits()
	return float64(hi)*4294967296 + float64(lo)/4294967296
}

func within(t *testing.T, what string, got, want, eps float64) {
	t.Helper()
	if math.Abs(got-want) > eps {
		t.Errorf("%s: got %.6f, want %.6f ± %g", what, got, want, eps)
	}
}

// TestSubnetTermsCapped is coinbase.rs test_coinbase_subnet_terms_with_alpha_in_gt_alpha_emission:
// at price 0.01 the TAO emission would buy more alpha than root_proportion ×
// alpha emission, so alpha_in is capped, tao_in follows at the price and the rest
// is excess (upstream's tolerances).
func TestSubnetTermsCapped(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	p := e.s.dt.pools[id]
	p.tao, p.alphaIn, p.alphaOut = 1_000_000_000, 100_000_000_000, 0
	fullInjectionRootStake(e.s)
	alphaEm := fixed.U96F32FromU64(emissionForIssuance(p.issuance(), 1_000_000_000))
	price := p.price().ToU96F32()
	taoEm := alphaEm.SaturatingMul(price).SaturatingAdd(fixed.U96F32FromBits(0, 42949673)) // + 0.01
	capAlpha := e.s.rootProportion(p).SaturatingMul(alphaEm)
	tm := e.s.subnetTerms(p, taoEm)
	if v, _ := taoEm.CheckedDiv(price); v.Cmp(capAlpha) <= 0 {
		t.Fatal("setup: the cap does not bind")
	}
	within(t, "alpha_out", u96f(tm.alphaOut), u96f(alphaEm), 0.01)
	within(t, "alpha_in", u96f(tm.alphaIn), u96f(capAlpha), u96f(capAlpha)/1000)
	within(t, "tao_in", u96f(tm.taoIn), u96f(tm.alphaIn.SaturatingMul(price)), 0.01)
	within(t, "excess", u96f(tm.excess), u96f(taoEm)-u96f(tm.taoIn), 0.01)
}

// TestSubnetTermsUncapped is coinbase.rs test_coinbase_subnet_terms_with_alpha_in_lte_alpha_emission.
func TestSubnetTermsUncapped(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	p := e.s.dt.pools[id]
	p.tao, p.alphaIn, p.alphaOut = 1_000_000_000_000_000, 1_000_000_000_000_000, 0
	fullInjectionRootStake(e.s)
	alphaEm := fixed.U96F32FromU64(emissionForIssuance(p.issuance(), 1_000_000_000))
	taoEm := fixed.U96F32FromU64(34_566_756)
	price := p.price().ToU96F32()
	tm := e.s.subnetTerms(p, taoEm)
	within(t, "alpha_out", u96f(tm.alphaOut), u96f(alphaEm), 0.1)
	within(t, "alpha_in", u96f(tm.alphaIn), u96f(taoEm)/u96f(price), 0.01)
	within(t, "tao_in", u96f(tm.taoIn), u96f(taoEm), 0.01)
	within(t, "excess", u96f(tm.excess), 0, 0.01)
}

// TestInjectKeepsRatio is coinbase.rs test_coinbase_inject_and_maybe_swap_does_not_skew_reserves.
func TestInjectKeepsRatio(t *testing.T) {
	e := newEnv(t, func(g *Genesis) { g.Economics = EconomicsDTAO })
	id := e.subnet("Alice", "AliceHot")
	p := e.s.dt.pools[id]
	p.tao, p.alphaIn = 1_000_000_000_000_000, 1_000_000_000_000_000
	e.s.inject(p, subnetTerms{taoIn: fixed.U96F32FromU64(123), alphaIn: fixed.U96F32FromU64(456),
		excess: fixed.U96F32FromU64(789_100)}, 123+789_100)
	ratio := float64(p.alphaIn) / float64(p.tao)
	hi, lo := p.price().Bits()
	within(t, "alpha/tao vs price", ratio, float64(hi)+float64(lo)/18446744073709551616.0, 1.0)
}
