package node

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
)

// TestSetEconomics: the genesis option switches economics, and a bad value is a
// clear error.
func TestSetEconomics(t *testing.T) {
	st, err := BuildAppState("taonet-x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{chain.EconomicsDTAO, chain.EconomicsClassic} {
		out, err := SetEconomics(st, e)
		if err != nil {
			t.Fatal(err)
		}
		var g chain.Genesis
		if err := json.Unmarshal(out, &g); err != nil || g.Economics != e {
			t.Fatalf("economics %q: got %+v %v", e, g.Economics, err)
		}
		s, err := chain.NewState(g)
		if err != nil || s.DTAO() != (e == chain.EconomicsDTAO) {
			t.Fatalf("state for %q: dtao=%v err=%v", e, s != nil && s.DTAO(), err)
		}
	}
	if _, err := SetEconomics(st, "flat"); err == nil || !strings.Contains(err.Error(), "want dtao or classic") {
		t.Fatalf("bad economics: %v", err)
	}
}
