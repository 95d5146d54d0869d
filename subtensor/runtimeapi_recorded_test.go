package subtensor

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestRecordedRuntimeCalls replays real finney state_call answers the
// Bittensor SDK recorded for its tests (local SDK mirror only, as
// TestRecordedFinneyData) through the scripted node running the SDK's
// recorded v15 finney metadata: RuntimeCall sends the argument bytes the SDK
// sent, decodes each answer whole by the declared output type, and yields
// what the SDK's tests assert (test_metagraph: 1024 neurons of netuid 1;
// test_get_neuron_for_pubkey_and_subnet: the hotkey 5Cf4LPRv…).
func TestRecordedRuntimeCalls(t *testing.T) {
	opaque, err := decodeHex(string(sdkFile(t, "tests/helpers/integration_websocket_at_version.txt")))
	if err != nil {
		t.Fatal(err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is needed to read the SDK's Python recordings")
	}
	cmd := exec.Command(py, "-c", pyToJSON)
	cmd.Stdin = bytes.NewReader(sdkFile(t, "tests/helpers/integration_websocket_data.py"))
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("reading the recordings: %v", err)
	}
	var rec map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(js, &rec); err != nil {
		t.Fatal(err)
	}
	srv := v15Server(t, opaque)
	srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neurons_lite", recordedCall(t, rec, "metagraph", `["NeuronInfoRuntimeApi_get_neurons_lite", "0100", "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"]`))
	srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neuron", recordedCall(t, rec, "get_neuron_for_pubkey_and_subnet", `["NeuronInfoRuntimeApi_get_neuron", "0e001d00", null]`))
	var genesis [32]byte
	genesis[0] = 0x15
	c := dial(t, srv.URL, hexOf(genesis[:]))
	ctx := context.Background()
	head, err := c.BestHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.RuntimeCall(ctx, head, "NeuronInfoRuntimeApi", "get_neurons_lite", uint64(1))
	if err != nil {
		t.Fatal(err)
	}
	neurons, ok := v.([]metadata.Value)
	if !ok || len(neurons) != 1024 {
		t.Fatalf("get_neurons_lite(1): %T of %d, want 1024 neurons", v, len(neurons))
	}
	for i, n := range neurons {
		nc, ok := n.(*metadata.Composite)
		netuid, _ := nc.Get("netuid")
		uid, _ := nc.Get("uid")
		if !ok || netuid != uint64(1) || uid != uint64(i) {
			t.Fatalf("neuron %d: netuid %v uid %v", i, netuid, uid)
		}
	}
	v, err = c.RuntimeCall(ctx, head, "NeuronInfoRuntimeApi", "get_neuron", uint64(14), uint64(29))
	if err != nil {
		t.Fatal(err)
	}
	some, ok := v.(*metadata.VariantValue)
	if !ok || some.Name != "Some" {
		t.Fatalf("get_neuron(14, 29) = %v", v)
	}
	hk, _ := some.Fields[0].Value.(*metadata.Composite).Get("hotkey")
	if got := ss58(accountBytes(t, hk)); got != "5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV" {
		t.Errorf("get_neuron(14, 29) hotkey %s", got)
	}
	calls := srv.StateCalls()
	if len(calls) != 3 || hexOf(calls[1].Args) != "0x0100" || hexOf(calls[2].Args) != "0x0e001d00" {
		t.Errorf("args sent %+v, the SDK sent 0x0100 and 0x0e001d00", calls)
	}
}

// v15Server starts a scripted node on the v15 metadata that
// Metadata_metadata_at_version(15) answered with (opaque).
func v15Server(t *testing.T, opaque []byte) *substratetest.Server {
	t.Helper()
	if len(opaque) < 2 || opaque[0] != 1 {
		t.Fatal("not Some(metadata)")
	}
	blob, err := metadataFromOpaque(opaque)
	if err != nil {
		t.Fatal(err)
	}
	var genesis [32]byte
	genesis[0] = 0x15
	srv, err := substratetest.New(genesis, substratetest.Runtime{SpecName: "node", SpecVersion: 268, TxVersion: 2, Metadata: blob})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetRuntimeCall("Metadata_metadata_at_version", opaque)
	return srv
}

func recordedCall(t *testing.T, rec map[string]map[string]map[string]json.RawMessage, test, params string) []byte {
	t.Helper()
	var r struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal(rec[test]["state_call"][params], &r); err != nil {
		t.Fatalf("%s: no recorded state_call %s", test, params)
	}
	b, err := decodeHex(r.Result)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func accountBytes(t *testing.T, v metadata.Value) [32]byte {
	t.Helper()
	var a [32]byte
	if c, ok := v.(*metadata.Composite); ok && len(c.Fields) == 1 {
		v = c.Fields[0].Value
	}
	b, ok := v.([]byte)
	if !ok || len(b) != 32 {
		t.Fatalf("not an AccountId32: %v", v)
	}
	copy(a[:], b)
	return a
}
