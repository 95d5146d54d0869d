package subtensor

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/taonet/taonet/subtensor/metadata"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/scale"
)

// TestRuntimeCallMatchesPolkadot: runtime API calls over state_call against a
// scripted node running @polkadot/types-support's recorded v15 Substrate
// metadata (fetched through Metadata_metadata_at_version(15)). The node
// answers with bytes @polkadot/api encoded as each method's declared output;
// RuntimeCall must send the inputs @polkadot/api encodes for the declared
// input types and decode the values @polkadot/api reads back. The bittensor
// metadata at hand (finney spec 219, testnet spec 224) is v14, without a
// runtime API section: RuntimeCall says so with ErrNoRuntimeAPI.
func TestRuntimeCallMatchesPolkadot(t *testing.T) {
	account := bytes.Repeat([]byte{0xab}, 32)
	maxU128, _ := new(big.Int).SetString("340282366920938463463374607431768211455", 10)
	cases := []struct {
		spec fixture.RuntimeCallSpec
		args []any
	}{
		{fixture.RuntimeCallSpec{API: "Core", Method: "version", Inputs: []any{}, Output: map[string]any{
			"specName": "node-subtensor", "implName": "taonet-test", "authoringVersion": 1, "specVersion": 224,
			"implVersion": 1, "apis": [][]any{{"0xdf6acb689907609b", 5}, {"0x37e397fc7c91f5e4", 2}},
			"transactionVersion": 1, "stateVersion": 1,
		}}, nil},
		{fixture.RuntimeCallSpec{API: "NominationPoolsApi", Method: "points_to_balance",
			Inputs: []any{7, "1000000000000000000000"}, Output: maxU128.String()},
			[]any{uint64(7), big.NewInt(0).Mul(big.NewInt(1e12), big.NewInt(1e9))}},
		{fixture.RuntimeCallSpec{API: "StakingApi", Method: "eras_stakers_page_count",
			Inputs: []any{4242, "0x" + hex.EncodeToString(account)}, Output: 4294967295},
			[]any{uint64(4242), account}},
	}
	specs := make([]fixture.RuntimeCallSpec, len(cases))
	for i, c := range cases {
		specs[i] = c.spec
	}
	v15 := fixture.RuntimeCalls(t, specs)
	srv := v15Server(t, v15.Opaque, 268)
	var genesis [32]byte
	genesis[0] = 0x15
	for i, c := range cases {
		srv.SetRuntimeCall(c.spec.API+"_"+c.spec.Method, hexBytes(t, v15.Calls[i].Output))
	}
	c := dial(t, srv.URL, hexOf(genesis[:]))
	ctx := context.Background()
	head, err := c.BestHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		name := tc.spec.API + "_" + tc.spec.Method
		got, err := c.RuntimeCall(ctx, head, tc.spec.API, tc.spec.Method, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(v15.Calls[i].Value))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if g, w := primitive(t, got), numbersAsStrings(want); !reflect.DeepEqual(g, w) {
			t.Errorf("%s decoded %v, @polkadot/api reads %v", name, g, w)
		}
	}
	calls := srv.StateCalls()
	if len(calls) != 1+len(cases) || calls[0].Method != "Metadata_metadata_at_version" || !bytes.Equal(calls[0].Args, []byte{15, 0, 0, 0}) {
		t.Fatalf("state_calls %+v: want the v15 metadata fetch then one per case", calls)
	}
	for i, tc := range cases {
		if got, want := "0x"+hex.EncodeToString(calls[1+i].Args), v15.Calls[i].Input; got != want {
			t.Errorf("%s_%s sent args %s, @polkadot/api encodes %s", tc.spec.API, tc.spec.Method, got, want)
		}
	}

	_, err = c.RuntimeCall(ctx, head, "NeuronInfoRuntimeApi", "get_neurons_lite", uint64(3))
	if err == nil || !strings.Contains(err.Error(), "NeuronInfoRuntimeApi_get_neurons_lite") {
		t.Errorf("unknown runtime API: %v, want an error naming NeuronInfoRuntimeApi_get_neurons_lite", err)
	}
	_, err = c.RuntimeCall(ctx, head, "StakingApi", "nominations_quota")
	if err == nil || !strings.Contains(err.Error(), "takes 1 arguments (balance), got 0") {
		t.Errorf("missing argument: %v", err)
	}
	_, err = c.RuntimeCall(ctx, head, "StakingApi", "nominations_quota", "not a number")
	if err == nil || !strings.Contains(err.Error(), `argument "balance"`) {
		t.Errorf("bad argument: %v", err)
	}
	if n := len(srv.StateCalls()); n != 1+len(cases) {
		t.Errorf("bad calls reached the node: %d state_calls", n)
	}
	// A wrong-length answer is an error, not a silently truncated value.
	srv.SetRuntimeCall("StakingApi_eras_stakers_page_count", []byte{1, 2, 3, 4, 5})
	if _, err := c.RuntimeCall(ctx, head, "StakingApi", "eras_stakers_page_count", uint64(1), account); err == nil || !strings.Contains(err.Error(), "not its declared output") {
		t.Errorf("5-byte u32 answer: %v", err)
	}

	t.Run("v14", func(t *testing.T) {
		r := replay(t, fixture.Finney)
		c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
		head, err := c.BestHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.RuntimeCall(ctx, head, "SubnetInfoRuntimeApi", "get_subnet_hyperparams", uint64(3))
		if !errors.Is(err, ErrNoRuntimeAPI) || !strings.Contains(err.Error(), "SubnetInfoRuntimeApi_get_subnet_hyperparams") {
			t.Errorf("v14 runtime: %v, want ErrNoRuntimeAPI naming the method", err)
		}
	})
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// primitive maps a decoded value to the shape of @polkadot/types'
// toPrimitive(): structs as objects with camelCase keys, one-field tuple
// structs as their field, byte arrays as 0x-hex, numbers as decimal strings.
func primitive(t *testing.T, v metadata.Value) any {
	t.Helper()
	switch v := v.(type) {
	case bool, string:
		return v
	case uint64, int64, *big.Int:
		return fmt.Sprint(v)
	case []byte:
		return "0x" + hex.EncodeToString(v)
	case []metadata.Value:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = primitive(t, e)
		}
		return out
	case *metadata.Composite:
		if len(v.Fields) == 1 && v.Fields[0].Name == "" {
			return primitive(t, v.Fields[0].Value)
		}
		if len(v.Fields) > 0 && v.Fields[0].Name == "" {
			return primitive(t, metadata.Value(fieldValues(v.Fields)))
		}
		out := map[string]any{}
		for _, f := range v.Fields {
			out[camel(f.Name)] = primitive(t, f.Value)
		}
		return out
	}
	t.Fatalf("no primitive form for %T in this test", v)
	return nil
}

func fieldValues(fs []metadata.NamedValue) []metadata.Value {
	out := make([]metadata.Value, len(fs))
	for i, f := range fs {
		out[i] = f.Value
	}
	return out
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// numbersAsStrings turns json.Numbers into their text, as primitive does.
func numbersAsStrings(v any) any {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case []any:
		for i := range v {
			v[i] = numbersAsStrings(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = numbersAsStrings(v[k])
		}
	}
	return v
}

// metadataFromOpaque unwraps Option<OpaqueMetadata> into the metadata blob.
func metadataFromOpaque(opaque []byte) ([]byte, error) {
	d := scale.NewDecoder(opaque[1:])
	return d.ByteVec()
}
