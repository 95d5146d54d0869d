package node

import (
	"encoding/json"
	"testing"

	"github.com/taonet/taonet/chain"
)

func TestBuildAppState(t *testing.T) {
	alice := "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	b, err := BuildAppState("my-chain", []byte(`{"tx_fee": 7}`), []string{alice + "=1000"})
	if err != nil {
		t.Fatal(err)
	}
	var g chain.Genesis
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if g.ChainID != "my-chain" || g.TxFee != 7 || len(g.Accounts) != 1 || g.Accounts[0].Balance != 1000 ||
		g.BlockEmission != chain.DefaultGenesis().BlockEmission {
		t.Fatalf("genesis %+v", g)
	}
	for _, bad := range []string{"x=1", alice, alice + "=-1", alice + "=1.5"} {
		if _, err := BuildAppState("", nil, []string{bad}); err == nil {
			t.Errorf("alloc %q accepted", bad)
		}
	}
	if _, err := BuildAppState("", []byte(`{"nope":1}`), nil); err == nil {
		t.Error("unknown genesis field accepted")
	}
}

func TestChainFactoryChainID(t *testing.T) {
	m, err := ChainFactory{}.FromGenesis("abc", []byte(`{"tx_fee":1}`))
	if err != nil {
		t.Fatal(err)
	}
	// The chain id comes from the document when the app state has none.
	if id := m.(*ChainMachine).S.ChainID(); id != "abc" {
		t.Fatalf("chain id %q", id)
	}
	if _, err := (ChainFactory{}).FromGenesis("abc", []byte(`{"chain_id":"xyz"}`)); err == nil {
		t.Fatal("mismatched chain ids accepted")
	}
	if _, err := (ChainFactory{}).FromGenesis("abc", []byte(`{"chain_id":"abc"}`)); err != nil {
		t.Fatal(err)
	}
}
