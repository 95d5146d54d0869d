package swap

import (
	"math"
	"math/big"
	"testing"

	"github.com/taonet/taonet/fixed"
)

// f64 converts a U64F64 to float64 for tolerance checks in tests only.
func f64(v fixed.U64F64) float64 {
	hi, lo := v.Bits()
	return float64(hi) + float64(lo)/18446744073709551616.0
}

// fromF64 is U64F64::from_num(f64) for the literals upstream tests use: round to
// nearest (exact for the values used here, which are far from ties).
func fromF64(x float64) fixed.U64F64 {
	r := new(big.Float).SetPrec(200).SetFloat64(x)
	r.Mul(r, new(big.Float).SetInt(new(big.Int).Lsh(big.NewInt(1), 64)))
	r.Add(r, big.NewFloat(0.5))
	i, _ := r.Int(nil)
	v, _ := fixed.U64F64FromBig(i)
	return v
}

func perq(p, q uint64) uint64 {
	return PerquintillFromRational(new(big.Int).SetUint64(p), new(big.Int).SetUint64(q))
}

// TestDeltaInUpstream reproduces balancer.rs test_calculate_quote_delta_in,
// test_calculate_base_delta_in and their _impossible variants, whose assertions are
// exact (assert_eq! on the rao).
func TestDeltaInUpstream(t *testing.T) {
	b := Balancer{Quote: perq(250_000_000_000, 1_000_000_000_000)}
	cases := []struct {
		src      string
		buy      bool
		cur, tgt float64
		want     uint64
	}{
		{"balancer.rs test_calculate_quote_delta_in", true, 0.1, 0.2, 681_792_830},
		{"balancer.rs test_calculate_base_delta_in", false, 0.2, 0.1, 189_207_115},
		{"balancer.rs test_calculate_quote_delta_in_impossible", true, 0.1, 0.05, 0},
		{"balancer.rs test_calculate_base_delta_in_impossible", false, 0.1, 0.2, 0},
	}
	for _, c := range cases {
		var got uint64
		if c.buy {
			got = b.QuoteDeltaIn(fromF64(c.cur), fromF64(c.tgt), 1_000_000_000)
		} else {
			got = b.BaseDeltaIn(fromF64(c.cur), fromF64(c.tgt), 1_000_000_000)
		}
		if got != c.want {
			t.Errorf("%s: got %d, want %d", c.src, got, c.want)
		}
	}
}

// TestMulPerquintillRoundUpstream is balancer.rs test_mul_round_* (exact).
func TestMulPerquintillRoundUpstream(t *testing.T) {
	half, third := perq(1, 2), perq(1, 3)
	cases := []struct {
		src  string
		p    uint64
		v    uint64
		want uint64
	}{
		{"test_mul_round_zero_and_one", 0, 1_000_000, 0},
		{"test_mul_round_zero_and_one", Accuracy, 1_000_000, 1_000_000},
		{"test_mul_round_half_behaviour", half, 0, 0},
		{"test_mul_round_half_behaviour", half, 1, 1},
		{"test_mul_round_half_behaviour", half, 2, 1},
		{"test_mul_round_half_behaviour", half, 3, 2},
		{"test_mul_round_half_behaviour", half, 4, 2},
		{"test_mul_round_half_behaviour", half, 5, 3},
		{"test_mul_round_half_behaviour", half, 1023, 512},
		{"test_mul_round_half_behaviour", half, 1025, 513},
		{"test_mul_round_third_behaviour", third, 3, 1},
		{"test_mul_round_third_behaviour", third, 4, 1},
		{"test_mul_round_third_behaviour", third, 5, 2},
		{"test_mul_round_third_behaviour", third, 6, 2},
		{"test_mul_round_large_values_simple_rational", perq(7, 10), 1_000_000_000_000_000_000, 700_000_000_000_000_000},
	}
	for _, c := range cases {
		if got := mulPerquintillRound(c.p, new(big.Int).SetUint64(c.v)); got.Uint64() != c.want {
			t.Errorf("%s: %d·%d = %v, want %d", c.src, c.p, c.v, got, c.want)
		}
	}
	if got := mulPerquintillRound(Accuracy, maxU128); got.Cmp(maxU128) != 0 {
		t.Errorf("test_mul_round_max_value_with_one: %v", got)
	}
}

// TestExpScaledUpstream is balancer.rs test_exp_scaled (within its 1e-9).
func TestExpScaledUpstream(t *testing.T) {
	cases := []struct {
		n, d, reserve, delta uint64
		baseQuote            bool
		want                 float64
	}{
		{5, 10, 100000, 100, true, 0.999000999000999},
		{1, 4, 500000, 5000, true, 0.970590147927644},
		{3, 4, 200000, 2000, false, 0.970590147927644},
		{9, 10, 13513642, 1673, false, 0.998886481979889},
		{773, 1000, 7_000_000_000, 10_000, true, 0.999999580484586},
	}
	for _, c := range cases {
		b, err := NewBalancer(perq(c.n, c.d))
		if err != nil {
			t.Fatal(err)
		}
		got := f64(b.expScaled(c.reserve, c.delta, false, c.baseQuote))
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("exp_scaled %v: got %.15f want %.15f", c, got, c.want)
		}
	}
}

// TestExpHappyPathUpstream is balancer.rs test_exp_base_quote_happy_path: dy within
// 0.001 rao of the f64 formula (1 rao above 1e14), for every weight and input.
func TestExpHappyPathUpstream(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 23×20 series powers")
	}
	weights := []uint64{
		perq(500_000_000_000, 1e12), perq(500_000_000_001, 1e12), perq(499_999_999_999, 1e12),
		perq(500_000_000_100, 1e12), perq(500_000_001_000, 1e12), perq(500_000_010_000, 1e12),
		perq(500_000_100_000, 1e12), perq(500_001_000_000, 1e12), perq(500_010_000_000, 1e12),
		perq(500_100_000_000, 1e12), perq(501_000_000_000, 1e12), perq(510_000_000_000, 1e12),
		perq(100_000_000_000, 1e12), perq(100_000_000_001, 1e12), perq(200_000_000_000, 1e12),
		perq(300_000_000_000, 1e12), perq(400_000_000_000, 1e12), perq(600_000_000_000, 1e12),
		perq(700_000_000_000, 1e12), perq(800_000_000_000, 1e12), perq(899_999_999_999, 1e12),
		perq(900_000_000_000, 1e12), 102_337_248_363_782_924,
	}
	inputs := [][3]uint64{
		{1_000, 1_000, 0}, {1_000, 1_000, 1}, {1_500, 1_000, 1},
		{1_000_000_000_000, 100_000_000_000_000, 100_000_000},
		{100_000_000_000, 100_000_000_000_000, 100_000_000},
		{100_000_000_000, 100_000_000_000_000, 1_000_000},
		{100_000_000_000, 100_000_000_000_000, 1_000_000_000_000},
		{1_000_000_000, 100_000_000_000_000, 1_000_000_000_000},
		{1_000_000, 100_000_000_000_000, 1_000_000_000_000},
		{1_000, 100_000_000_000_000, 1_000_000_000_000},
		{1_000, 100_000_000_000_000, 1_000_000_000},
		{1_000, 100_000_000_000_000, 1_000_000},
		{1_000, 100_000_000_000_000, 1_000},
		{1_000, 100_000_000_000_000, 100_000_000_000_000},
		{10, 100_000_000_000_000, 100_000_000_000_000},
		{1_000_000_000, 4_000_000_000, 1_000_000_000_000},
		{1_000_000_000_000, 1_000, 1_000_000_000_000},
		{5_628_038_062_729_553, 400_775_553, 14_446_633_907_665_582},
		{5_600_000_000_000_000, 400_000_000, 14_000_000_000_000_000},
	}
	one := fixed.U64F64FromU64(1)
	for _, wq := range weights {
		b, err := NewBalancer(wq)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			y, x, dx := in[0], in[1], in[2]
			e1, e2 := b.ExpBaseQuote(x, dx), b.ExpQuoteBase(x, dx)
			if dx > x*1000 {
				if e1.Cmp(one) > 0 || e2.Cmp(one) > 0 {
					t.Errorf("w %d %v: e above 1", wq, in)
				}
				continue
			}
			dy1 := f64(fixed.U64F64FromU64(y).SaturatingMul(one.SaturatingSub(e1)))
			dy2 := f64(fixed.U64F64FromU64(y).SaturatingMul(one.SaturatingSub(e2)))
			w1 := float64(b.Base()) / 1e18
			w2 := float64(b.Quote) / 1e18
			r := float64(x) / (float64(x) + float64(dx))
			want1 := float64(y) * (1 - math.Pow(r, w1/w2))
			want2 := float64(y) * (1 - math.Pow(r, w2/w1))
			eps1, eps2 := 0.001, 0.001
			if want1 > 1e14 {
				eps1 = 1
			}
			if want2 > 1e14 {
				eps2 = 1
			}
			if math.Abs(dy1-want1) > eps1 || math.Abs(dy2-want2) > eps2 {
				t.Errorf("w %d %v: dy %.4f/%.4f want %.4f/%.4f", wq, in, dy1, dy2, want1, want2)
			}
		}
	}
}

// TestWeightBounds is test_balancer_rejects_invalid_boundary_weights_without_panicking.
func TestWeightBounds(t *testing.T) {
	for _, q := range []uint64{0, 1, MinWeight - 1, Accuracy - MinWeight + 1, Accuracy} {
		if _, err := NewBalancer(q); err == nil {
			t.Errorf("quote %d accepted", q)
		}
	}
	for _, q := range []uint64{MinWeight, Accuracy / 2, Accuracy - MinWeight} {
		if _, err := NewBalancer(q); err != nil {
			t.Errorf("quote %d refused", q)
		}
	}
}

// TestExtremeInputsDoNotPanic is test_balancer_extreme_exp_inputs_do_not_panic,
// ..._price_and_limit_delta_corner_cases_... and ..._liquidity_weight_update_extremes_...
func TestExtremeInputsDoNotPanic(t *testing.T) {
	max := ^uint64(0)
	for _, q := range []uint64{MinWeight, Accuracy / 2, Accuracy - MinWeight} {
		b := Balancer{Quote: q}
		for _, in := range [][2]uint64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, max}, {max, 0}, {max, 1}, {max, max}} {
			b.ExpBaseQuote(in[0], in[1])
			b.ExpQuoteBase(in[0], in[1])
			b.expScaled(in[0], in[1], true, true)
			b.expScaled(in[0], in[1], true, false)
		}
	}
	b := Balancer{Quote: MinWeight}
	prices := []fixed.U64F64{{}, fixed.U64F64FromU64(1), fixed.U64F64FromU64(max)}
	for _, x := range []uint64{0, 1, max} {
		for _, y := range []uint64{0, 1, max} {
			b.Price(x, y)
		}
	}
	for _, c := range prices {
		for _, tg := range prices {
			for _, r := range []uint64{0, 1, max} {
				b.QuoteDeltaIn(c, tg, r)
				b.BaseDeltaIn(c, tg, r)
			}
		}
	}
	for _, in := range [][4]uint64{{0, 0, 0, 0}, {0, 0, max, max}, {0, max, max, 0}, {max, 0, 0, max}, {max, max, max, max}, {1, max, max, 1}, {max, 1, 1, max}} {
		d := DefaultBalancer()
		before := d
		if err := d.UpdateWeightsForAddedLiquidity(in[0], in[1], in[2], in[3]); err != nil && d != before {
			t.Errorf("failed update changed the weight: %v", in)
		}
	}
}

// TestPriceUpstream is balancer.rs test_price_* (within their tolerances).
func TestPriceUpstream(t *testing.T) {
	cases := []struct {
		src       string
		p, q      uint64
		x, y      uint64
		want, eps float64
	}{
		{"test_price_with_equal_weights_is_y_over_x", 1, 2, 2, 5, 2.5, 1e-12},
		{"test_price_scales_with_weight_ratio_two_to_one", 1, 3, 4, 10, 5, 1e-10},
		{"test_price_is_zero_when_y_is_zero", 3, 10, 10, 0, 0, 0},
		{"test_price_matches_formula_for_general_quote", 2, 5, 9, 25, 1.5 * 25 / 9, 1e-9},
		{"test_price_high_values_non_equal_weights", 3, 10, 21_000_000_000_000_000, 15_000_000_000_000_000, 7.0 / 3 * 15 / 21, 1e-9},
	}
	for _, c := range cases {
		b, _ := NewBalancer(perq(c.p, c.q))
		if got := f64(b.Price(c.x, c.y)); math.Abs(got-c.want) > c.eps {
			t.Errorf("%s: %.12f want %.12f", c.src, got, c.want)
		}
	}
}
