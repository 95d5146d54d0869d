package swap

import (
	"errors"
	"math"
	"testing"

	"github.com/taonet/taonet/fixed"
)

// mockPool is the pallet mock's subnet: default weights and fee, MinimumReserves 1.
func mockPool(tao, alpha uint64) Pool {
	return Pool{TAO: tao, Alpha: alpha, Balancer: DefaultBalancer(), FeeRate: DefaultFeeRate, MinReserve: 1}
}

// TestSwapBasicUpstream is tests.rs test_swap_basic: price 0.25 pool, equal
// weights; output within 1 rao of the f64 formula, paid-in = amount − fee, and the
// price moves the right way.
func TestSwapBasicUpstream(t *testing.T) {
	cases := []struct {
		buy    bool
		amount uint64
		limit  float64
	}{
		{true, 1_000, 1000}, {true, 2_000, 1000}, {true, 123_456, 1000},
		{false, 1_000, 0.0001}, {false, 2_000, 0.0001}, {false, 123_456, 0.0001},
		{true, 1_000_000_000, 1000}, {true, 10_000_000_000, 1000},
	}
	for _, c := range cases {
		p := mockPool(1_000_000_000, 4_000_000_000)
		fee := uint64(float64(c.amount) * 33 / 65535)
		x, y := float64(p.Alpha), float64(p.TAO)
		var want float64
		var r Result
		var err error
		if c.buy {
			want = x * (1 - y/(y+float64(c.amount-fee)))
			r, err = p.BuyAlpha(c.amount, fromF64(c.limit), false)
		} else {
			want = y * (1 - x/(x+float64(c.amount-fee)))
			r, err = p.SellAlpha(c.amount, fromF64(c.limit), false)
		}
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if d := math.Abs(float64(r.PaidOut) - float64(uint64(want))); d > 1 {
			t.Errorf("%v: out %d want %d", c, r.PaidOut, uint64(want))
		}
		if d := int64(r.PaidIn) - int64(c.amount-fee); d > 1 || d < -1 {
			t.Errorf("%v: paid in %d want %d", c, r.PaidIn, c.amount-fee)
		}
		before := p.Price()
		if c.buy {
			p.TAO += r.PaidIn
			p.Alpha -= r.PaidOut
		} else {
			p.Alpha += r.PaidIn
			p.TAO -= r.PaidOut
		}
		if grew := p.Price().Cmp(before) >= 0; grew != c.buy {
			t.Errorf("%v: price moved the wrong way", c)
		}
	}
}

// TestSwapInputReserveLimitUpstream is tests.rs test_swap_rejects_input_over_1000x_input_reserve
// and test_swap_allows_input_at_1000x_input_reserve (fees dropped).
func TestSwapInputReserveLimitUpstream(t *testing.T) {
	p := mockPool(1_000, 1_000)
	minP, maxP := LimitPrice(MinPriceRao), LimitPrice(MaxPriceRao)
	if _, err := p.SellAlpha(1_000_001, minP, true); !errors.Is(err, ErrSwapInputTooLarge) {
		t.Errorf("sell 1000x+1: %v", err)
	}
	if _, err := p.BuyAlpha(1_000_001, maxP, true); !errors.Is(err, ErrSwapInputTooLarge) {
		t.Errorf("buy 1000x+1: %v", err)
	}
	if _, err := p.SellAlpha(1_000_000, minP, true); err != nil {
		t.Errorf("sell 1000x: %v", err)
	}
	if _, err := p.BuyAlpha(1_000_000, maxP, true); err != nil {
		t.Errorf("buy 1000x: %v", err)
	}
}

// TestSwapPrecisionEdgeUpstream is tests.rs test_swap_precision_edge_case.
func TestSwapPrecisionEdgeUpstream(t *testing.T) {
	for _, c := range [][3]uint64{{1_000, 1_000, 999_500}, {1_000_000, 1_000_000, 999_500_000}} {
		p := mockPool(c[0], c[1])
		r, err := p.SellAlpha(c[2], LimitPrice(MinPriceRao), false)
		if err != nil || r.PaidOut == 0 {
			t.Errorf("%v: %+v %v", c, r, err)
		}
	}
}

// TestConvertDeltasUpstream is tests.rs test_convert_deltas: both directions within
// 2 rao of the f64 formula.
func TestConvertDeltasUpstream(t *testing.T) {
	for _, wq := range []float64{0.5, 0.50000001, 0.49999999, 0.1, 0.9} {
		for _, r := range [][2]uint64{{1500, 1000}, {1, 1000000}, {1000000, 1}} {
			for _, d := range []uint64{1, 10000, 1000000, math.MaxUint64} {
				p := mockPool(r[0], r[1])
				p.Balancer = Balancer{Quote: perq(uint64(wq*1e9), 1e9)}
				y, x, df := float64(r[0]), float64(r[1]), float64(d)
				sell := y * (1 - math.Pow(x/(x+df), (1-wq)/wq))
				buy := x * (1 - math.Pow(y/(y+df), wq/(1-wq)))
				if g := p.taoOut(d); math.Abs(float64(g)-float64(uint64(sell))) > 2 {
					t.Errorf("sell w %v %v d %d: %d want %d", wq, r, d, g, uint64(sell))
				}
				if g := p.alphaOut(d); math.Abs(float64(g)-float64(uint64(buy))) > 2 {
					t.Errorf("buy w %v %v d %d: %d want %d", wq, r, d, g, uint64(buy))
				}
			}
		}
	}
}

// TestPriceLimit covers PriceLimitExceeded and the partial fill: a buy that would
// pass the limit swaps only up to it, and the price ends at the limit (within the
// rounding of one rao of input).
func TestPriceLimit(t *testing.T) {
	p := mockPool(1_000_000_000_000, 4_000_000_000_000) // price 0.25
	if _, err := p.BuyAlpha(1_000_000, fromF64(0.25), false); !errors.Is(err, ErrPriceLimitExceeded) {
		t.Errorf("buy at limit = price: %v", err)
	}
	if _, err := p.SellAlpha(1_000_000, fromF64(0.3), false); !errors.Is(err, ErrPriceLimitExceeded) {
		t.Errorf("sell with limit above price: %v", err)
	}
	amount := uint64(1_000_000_000_000)
	limit := fromF64(0.3)
	r, err := p.BuyAlpha(amount, limit, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.PaidIn+r.Fee >= amount {
		t.Fatalf("not a partial fill: %+v", r)
	}
	q := p
	q.TAO += r.PaidIn
	q.Alpha -= r.PaidOut
	if got := f64(q.Price()); math.Abs(got-0.3) > 1e-6 {
		t.Errorf("price after partial fill %.9f, want 0.3", got)
	}
	// The same partial sell.
	r, err = p.SellAlpha(amount*4, fromF64(0.2), false)
	if err != nil || r.PaidIn+r.Fee >= amount*4 {
		t.Fatalf("sell partial: %+v %v", r, err)
	}
	q = p
	q.Alpha += r.PaidIn
	q.TAO -= r.PaidOut
	if got := f64(q.Price()); math.Abs(got-0.2) > 1e-6 {
		t.Errorf("price after partial sell %.9f, want 0.2", got)
	}
}

// TestReservesTooLow: the runtime minimum reserve refuses swaps on thin pools.
func TestReservesTooLow(t *testing.T) {
	p := mockPool(1_000, 999_999)
	p.MinReserve = MinimumReserve
	if _, err := p.BuyAlpha(100, LimitPrice(MaxPriceRao), false); !errors.Is(err, ErrReservesTooLow) {
		t.Errorf("%v", err)
	}
}

// TestUpdateWeightsKeepsPrice: disproportionate injection changes the weights, not
// the price (balancer.rs doc; tests.rs test_adjust_protocol_liquidity_happy checks
// the same within 1e-9 relative).
func TestUpdateWeightsKeepsPrice(t *testing.T) {
	for _, c := range [][4]uint64{
		{1_000_000_000_000, 4_000_000_000_000, 1_000_000_000, 1_000_000_000},
		{21_000_000_000_000, 10_000_000_000_000, 500_000_000, 1_000_000_000},
		{5_000_000_000, 7_000_000_000_000, 2_000_000, 3_000_000_000},
	} {
		b := DefaultBalancer()
		before := f64(b.Price(c[1], c[0]))
		if err := b.UpdateWeightsForAddedLiquidity(c[0], c[1], c[2], c[3]); err != nil {
			t.Fatal(err)
		}
		after := f64(b.Price(c[1]+c[3], c[0]+c[2]))
		if math.Abs(after-before)/before > 1e-9 {
			t.Errorf("%v: price %.12f → %.12f", c, before, after)
		}
	}
	_ = fixed.U64F64{}
}

// BenchmarkBuyAlpha measures one stake quote: equal weights take safe-bigmath's
// exact path (exponent 1), skewed weights its ln/exp series.
func BenchmarkBuyAlpha(b *testing.B) {
	for _, c := range []struct {
		name  string
		quote uint64
	}{{"equal_weights", Accuracy / 2}, {"skewed_weights", 510_000_000_000_000_000}} {
		b.Run(c.name, func(b *testing.B) {
			p := mockPool(1_000_000_000_000, 4_000_000_000_000)
			p.Balancer = Balancer{Quote: c.quote}
			for i := 0; i < b.N; i++ {
				if _, err := p.BuyAlpha(10_000_000_000, LimitPrice(MaxPriceRao), false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
