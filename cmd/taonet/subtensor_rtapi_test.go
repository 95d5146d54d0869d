package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestSubtensorCLIRuntimeAPI: `taonet metagraph --json` and `taonet subnet
// hyperparameters --json` print the same bytes whether the node offers no
// runtime API (storage reads, as in TestSubtensorCLI) or answers
// get_neurons_lite, get_subnet_state and get_subnet_hyperparams with the same
// state (@polkadot/types-encoded, Vec<u8>-wrapped as v14 runtimes answer),
// and the second reads do go through those calls.
func TestSubtensorCLIRuntimeAPI(t *testing.T) {
	r := substratetest.NewReplay(t, fixture.Testnet)
	ep := r.Srv.URL
	read := func() (string, string) {
		t.Helper()
		mg, _, err := runSplit(t, "metagraph", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--json")
		if err != nil {
			t.Fatal(err)
		}
		hp, _, err := runSplit(t, "subnet", "hyperparameters", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--json")
		if err != nil {
			t.Fatal(err)
		}
		return mg, hp
	}
	mgStorage, hpStorage := read()
	var mg chain.Metagraph
	if err := json.Unmarshal([]byte(mgStorage), &mg); err != nil || mg.N == 0 {
		t.Fatalf("metagraph JSON: %v", err)
	}
	for method, answer := range fixture.MetagraphAnswers(t, &mg) {
		r.Srv.SetRuntimeCall(method, answer)
	}
	mgAPI, hpAPI := read()
	if mgAPI != mgStorage {
		t.Errorf("metagraph JSON via runtime APIs\n%.600s\ndiffers from storage's\n%.600s", mgAPI, mgStorage)
	}
	if hpAPI != hpStorage {
		t.Errorf("hyperparameters JSON via runtime API\n%s\ndiffers from storage's\n%s", hpAPI, hpStorage)
	}
	var methods []string
	for _, c := range r.Srv.StateCalls() {
		methods = append(methods, c.Method)
	}
	if got := strings.Join(methods, ","); got != "NeuronInfoRuntimeApi_get_neurons_lite,SubnetInfoRuntimeApi_get_subnet_state,SubnetInfoRuntimeApi_get_subnet_hyperparams,SubnetInfoRuntimeApi_get_subnet_hyperparams" {
		t.Errorf("runtime API calls: %s", got)
	}
}
