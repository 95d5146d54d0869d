package subtensor

import (
	"fmt"
	"testing"

	"github.com/taonet/taonet/subtensor/metadata"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// TestDispatchErrorNamesMatchPolkadotAPI: every SubtensorModule error, as a
// DispatchError::Module that @polkadot/api encodes, decodes and is named by
// us exactly as @polkadot/api's registry.findMetaError names it.
func TestDispatchErrorNamesMatchPolkadotAPI(t *testing.T) {
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		m, err := metadata.Decode(fixture.Load(t, net).Metadata)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := m.Pallet("SubtensorModule")
		et, _ := m.Types.Type(*p.Errors)
		deT, ok := m.Types.FindByPath("sp_runtime::DispatchError")
		if !ok {
			t.Fatal("no sp_runtime::DispatchError in the registry")
		}
		var reqs []map[string]any
		for _, v := range et.Variants {
			e := fmt.Sprintf("0x%02x000000", v.Index)
			reqs = append(reqs,
				map[string]any{"op": "encodeType", "net": string(net), "type": "DispatchError", "value": map[string]any{"Module": map[string]any{"index": p.Index, "error": e}}},
				map[string]any{"op": "errorName", "net": string(net), "index": p.Index, "error": e})
		}
		ans := fixture.Polkadot(t, reqs)
		for i, v := range et.Variants {
			val, err := m.DecodeAll(deT.ID, fixture.Hex(t, ans[2*i]))
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			de := NameDispatchError(m, val)
			var theirs string
			_ = jsonString(ans[2*i+1], &theirs)
			// @polkadot/api names sections camelCase ("subtensorModule.X").
			if ours := "subtensorModule." + de.Name; ours != theirs || de.Pallet != "SubtensorModule" {
				t.Errorf("%s: ours %s::%s, @polkadot/api %s", net, de.Pallet, de.Name, theirs)
			}
		}
		if len(et.Variants) < 50 {
			t.Errorf("%s: only %d SubtensorModule errors", net, len(et.Variants))
		}
	}
}
