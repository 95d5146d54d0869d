package subtensor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// TestMetagraphViaRuntimeAPI: the metagraph and hyperparameters read through
// the runtime APIs equal the storage reads, on the finney (spec 219) and test
// network (spec 224) v14 metadata. First the node offers no runtime API:
// the client falls back to storage (the state @polkadot/api encoded, as in
// TestReadsFromPolkadotEncodedState). Then the node answers get_neurons_lite,
// get_subnet_state and get_subnet_hyperparams with values @polkadot/types
// encoded (Vec<u8>-wrapped, as those runtimes answer) from that same state:
// the metagraph must come out identical, field for field, from the API
// answers. Last, an answer the built-in registry cannot decode: a warning
// naming the method and spec version, and the storage read again.
func TestMetagraphViaRuntimeAPI(t *testing.T) {
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		t.Run(string(net), func(t *testing.T) {
			r := replay(t, net)
			c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
			ctx := context.Background()
			fromStorage, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(r.Srv.StateCalls()); n != 0 {
				t.Fatalf("%d scripted state_calls answered before any was scripted", n)
			}
			for method, answer := range fixture.MetagraphAnswers(t, fromStorage) {
				r.Srv.SetRuntimeCall(method, answer)
			}
			var warned []string
			Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
			t.Cleanup(func() { Warnf = defaultWarnf })
			viaAPI, err := c.Metagraph(ctx, 3)
			if err != nil || len(warned) != 0 {
				t.Fatalf("%v; warnings %q", err, warned)
			}
			viaAPI.Block = fromStorage.Block
			diffStruct(t, "metagraph via runtime APIs", *viaAPI, *fromStorage)
			var methods []string
			for _, call := range r.Srv.StateCalls() {
				methods = append(methods, call.Method)
			}
			if got := strings.Join(methods, ","); got != "NeuronInfoRuntimeApi_get_neurons_lite,SubnetInfoRuntimeApi_get_subnet_state,SubnetInfoRuntimeApi_get_subnet_hyperparams" {
				t.Errorf("runtime API calls %s", got)
			}
			hpAPI, _, err := c.Hyperparameters(ctx, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			diffStruct(t, "hyperparameters via runtime API", *hpAPI, fromStorage.Hyperparams)

			r.Srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neurons_lite", []byte{0x0c, 0x04, 0xff, 0xff})
			again, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			again.Block = fromStorage.Block
			diffStruct(t, "metagraph after an undecodable answer", *again, *fromStorage)
			if len(warned) != 1 || !strings.Contains(warned[0], "NeuronInfoRuntimeApi_get_neurons_lite of runtime spec "+r.Mat.SpecVersion) || !strings.Contains(warned[0], "reading storage instead") {
				t.Errorf("warnings %q", warned)
			}
		})
	}
}
