package subtensor

import (
	"reflect"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor/metadata"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

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

// TestRootProportionParts: subtensor's root_proportion in U96F32, in parts
// per 1e9. The middle case is the replayed state's (its derivation is in
// substratetest.NewReplay); the float value is 60402684.56, the fixed-point
// truncations give 60402684.
func TestRootProportionParts(t *testing.T) {
	const maxU64 = ^uint64(0)
	for _, c := range []struct{ root, weight, issuance, want uint64 }{
		{0, 0, 0, 0},                                  // 0/0: checked_div fails, 0
		{5_000_000_000_000, 0, 7, 0},                  // TaoWeight 0: root has no say
		{5_000_000_000_000, maxU64, 0, 1_000_000_000}, // no alpha issued: all root
		{5_000_000_000_000, 3_320_413_933_267_719_290, 14_000_000_000_000, 60_402_684},
		{1, maxU64, 1, 500_000_000}, // equal weight: one half
	} {
		if got := RootProportionParts(c.root, c.weight, c.issuance); got != c.want {
			t.Errorf("RootProportionParts(%d, %d, %d) = %d, want %d", c.root, c.weight, c.issuance, got, c.want)
		}
	}
}

// TestPendingEmissionNames: the pending-emission items are picked by what
// the runtime stores: spec 224 (test network) has PendingEmission and
// PendingAlphaSwapped; the SDK's recorded finney spec 343 metadata (where a
// local mirror has it) has PendingServerEmission, PendingValidatorEmission
// and PendingRootAlphaDivs. Every item picked exists in that runtime.
func TestPendingEmissionNames(t *testing.T) {
	names := func(m *metadata.Metadata) []string {
		var out []string
		for _, r := range pendingReads(m, 1, &chain.PoolInfo{}) {
			if !m.HasStorage(r.Pallet, r.Item) {
				t.Errorf("%s.%s picked but not in the runtime", r.Pallet, r.Item)
			}
			out = append(out, r.Item)
		}
		return out
	}
	m224, err := metadata.Decode(fixture.Load(t, fixture.Testnet).Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(m224); !reflect.DeepEqual(got, []string{"PendingEmission", "PendingAlphaSwapped"}) {
		t.Errorf("spec 224: %v", got)
	}
	m343, err := metadata.Decode(sdkFile(t, "tests/helpers/integration_websocket_metadata.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(m343); !reflect.DeepEqual(got, []string{"PendingServerEmission", "PendingValidatorEmission", "PendingRootAlphaDivs"}) {
		t.Errorf("spec 343: %v", got)
	}
}
