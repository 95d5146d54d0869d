package client

import (
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
)

// TestMetagraphTableDTAO: a dTAO metagraph prints its pool and alpha units.
func TestMetagraphTableDTAO(t *testing.T) {
	m := &chain.Metagraph{Netuid: 1, N: 1, Hotkeys: []string{"h"}, Stake: []uint64{2_500_000_000},
		Pool: &chain.PoolInfo{Price: 1_500_000_000, TaoIn: 150_000_000_000, AlphaIn: 100_000_000_000, AlphaOut: 7_000_000_000}}
	var b strings.Builder
	if err := WriteMetagraphTable(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Pool: price 1.5 τ/α, 150 τ and 100 α in the pool, 7 α outstanding", "STAKE(α)", "EMISSION(α)", "2.5"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}
