package subtensor

import "testing"

// TestAlphaPriceRao: subtensor's get_alpha_price cases in rao per alpha. The
// I96F32 quotient truncates before the rao conversion, so 1/5 TAO is
// 199999999 rao (floor(floor(2^32/5)·1e9 / 2^32)), not the exact 200000000.
func TestAlphaPriceRao(t *testing.T) {
	for _, c := range []struct {
		netuid                  uint16
		mechanism, tao, alphaIn uint64
		want                    uint64
	}{
		{0, 1, 5, 7, 1_000_000_000}, // root: 1 TAO
		{3, 0, 5, 7, 1_000_000_000}, // stable mechanism: 1 TAO
		{3, 1, 5, 0, 0},             // no alpha in the pool
		{3, 1, 1, 5, 199_999_999},   // I96F32 truncation
		{3, 1, 7_000_000_000_000, 3_000_000_000_000, 2_333_333_333}, // 7/3 TAO
		{3, 1, ^uint64(0), 1, ^uint64(0)},                           // saturates
	} {
		if got := AlphaPriceRao(c.netuid, c.mechanism, c.tao, c.alphaIn); got != c.want {
			t.Errorf("AlphaPriceRao(%d, %d, %d, %d) = %d, want %d", c.netuid, c.mechanism, c.tao, c.alphaIn, got, c.want)
		}
	}
}
