package fixed

import (
	"math/big"
	"testing"
	"time"
)

func bi(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return v
}

// TestPowRatioScaledGolden reproduces the exact expectations of safe-bigmath's own
// tests (src/integer.rs at 013c4998, the revision subtensor pins) and of subtensor's
// balancer tests (pallets/swap/src/pallet/balancer.rs).
func TestPowRatioScaledGolden(t *testing.T) {
	const perq = "1000000000000000000"
	cases := []struct {
		src            string
		num, den, p, q string
		precision      uint32
		scale, want    string
	}{
		{"safe-bigmath integer.rs doc example of pow_ratio_scaled", "2", "3", "1", "2", 0, "1000", "816"},
		{"safe-bigmath integer.rs test_perquintill_power (exact path)", "21000000000000000", "28000000000000000",
			"600000000000000000", "400000000000000000", 256, perq, "649519052838328985"},
		{"subtensor balancer.rs test_perquintill_power (precision 4096)", "21000000000000000", "28000000000000000",
			"600000000000000000", "400000000000000000", 4096, perq, "649519052838328985"},
		{"safe-bigmath pow_ratio_scaled_handles_large_weight_denominators case 1", "21000000000000000", "21000000000000100",
			"500000000000000000", "500000000000000000", 256, perq, "999999999999995238"},
		{"safe-bigmath pow_ratio_scaled_handles_large_weight_denominators case 2 (series path)", "21000000000000000", "21000000000000100",
			"499999999999500000", "500000000000500000", 256, perq, "999999999999995238"},
		{"safe-bigmath pow_ratio_scaled_handles_large_weight_denominators case 3 (series path)", "21000000000000000", "21000000000000100",
			"500000000000250000", "499999999999750000", 256, perq, "999999999999995238"},
		{"safe-bigmath pow_ratio_scaled_converges_on_boundary_weights", "21000000000000000", "21000000000000001",
			"499999999500000000", "500000000500000000", 256, perq, "999999999999999952"},
	}
	for _, c := range cases {
		start := time.Now()
		got, ok := PowRatioScaled(bi(c.num), bi(c.den), bi(c.p), bi(c.q), c.precision, bi(c.scale))
		if !ok || got.String() != c.want {
			t.Errorf("%s: got %v (ok %v), want %s", c.src, got, ok, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v", c.src, d)
		}
	}
}

// TestPowRatioScaledBounds covers upstream's None cases and shortcuts.
func TestPowRatioScaledBounds(t *testing.T) {
	one, zero := big.NewInt(1), big.NewInt(0)
	if _, ok := PowRatioScaled(one, zero, one, one, 64, one); ok {
		t.Error("zero base denominator must fail")
	}
	if _, ok := PowRatioScaled(one, one, one, zero, 64, one); ok {
		t.Error("zero exponent denominator must fail")
	}
	if _, ok := PowRatioScaled(big.NewInt(-1), one, one, one, 64, one); ok {
		t.Error("negative base must fail")
	}
	if r, ok := PowRatioScaled(zero, one, one, one, 64, big.NewInt(7)); !ok || r.Sign() != 0 {
		t.Errorf("zero base: %v %v", r, ok)
	}
	if r, ok := PowRatioScaled(big.NewInt(3), big.NewInt(5), zero, one, 64, big.NewInt(7)); !ok || r.Int64() != 7 {
		t.Errorf("zero exponent gives the scale: %v %v", r, ok)
	}
	// Exact path agrees with a direct computation: (3/4)^(2/1) · 1e6 = 562500.
	if r, ok := PowRatioScaled(big.NewInt(3), big.NewInt(4), big.NewInt(2), one, 64, big.NewInt(1_000_000)); !ok || r.Int64() != 562500 {
		t.Errorf("(3/4)^2: %v", r)
	}
	// Crafted gcd values terminate quickly (safe-bigmath pow_ratio_scaled_with_crafted_gcd_values).
	start := time.Now()
	PowRatioScaled(bi("2100000000000000000000000"), bi("210000000000000000000000"), big.NewInt(499), big.NewInt(1538820023), 256, bi("1000000000000000000"))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("crafted gcd took %v", d)
	}
}

// TestLog2 checks substrate-fixed's log2 on I96F32: exact at powers of two, the
// documented values of its own test (log2_works), and the sign for x < 1.
func TestLog2(t *testing.T) {
	for k := int64(0); k < 60; k++ {
		got, ok := I96F32FromInt(1 << k).Log2()
		if !ok || got.Cmp(I96F32FromInt(k)) != 0 {
			t.Fatalf("log2(2^%d) = %v", k, got)
		}
	}
	if _, ok := I96F32FromInt(0).Log2(); ok {
		t.Error("log2(0) must fail")
	}
	// 3.33333 and 0.11111 as I96F32 (round to nearest, as from_num of a float).
	x := I96F32FromBits(0, 14316543517) // 3.33333 · 2^32 rounded
	got, _ := x.Log2()
	hi, lo := got.Bits()
	v := float64(int64(hi))*4294967296*4294967296 + float64(lo)
	if d := v/4294967296 - 1.73696; d > 1e-5 || d < -1e-5 {
		t.Errorf("log2(3.33333) = %v", v/4294967296)
	}
	y := I96F32FromBits(0, 477218588) // ≈ 0.11111 · 2^32
	got, _ = y.Log2()
	if got.Cmp(I96F32FromInt(-3)) >= 0 || got.Cmp(I96F32FromInt(-4)) <= 0 {
		t.Errorf("log2(0.11111) = %v, want ≈ −3.17", got)
	}
}
