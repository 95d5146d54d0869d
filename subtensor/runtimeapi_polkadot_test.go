package subtensor

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// TestTypedRuntimeAPIMatchesPolkadot: @polkadot/types, given subtensor's
// runtime API types written in interop/polkadot/runtimeapi.mjs from the
// upstream Rust structs, builds NeuronInfoLite, SubnetHyperparams and
// SubnetState values (compact boundaries, u128 addresses, Vec of
// (AccountId, Compact<u64>) tuples, nested vectors) and encodes them the way
// v14 subtensor runtimes answer: a Vec<u8> wrapping the value, empty for
// None. The scripted node runs the finney spec-219 v14 metadata (no runtime
// API section) and answers state_calls with those bytes; our typed readers,
// through the built-in registry, must read exactly what @polkadot/types
// decodes back, every field. The bare (unwrapped) form is read as well.
func TestTypedRuntimeAPIMatchesPolkadot(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	neurons := []any{polkadotNeuron(rng, 0, 0), polkadotNeuron(rng, 1, 3), polkadotNeuron(rng, 65535, 1)}
	hp := polkadotHyperparams(rng)
	state := polkadotSubnetState(rng, 3)
	req := map[string]any{"encode": []map[string]any{
		{"type": "Vec<NeuronInfoLite>", "value": neurons, "wrap": true},
		{"type": "NeuronInfoLite", "value": neurons[1], "wrap": true},
		{"type": "SubnetHyperparams", "value": hp, "wrap": true},
		{"type": "SubnetState", "value": state, "wrap": true},
		{"type": "Option<SubnetHyperparams>", "value": hp, "wrap": false},
		{"type": "Vec<NeuronInfoLite>", "value": neurons, "wrap": false},
		{"type": "Option<SubnetState>", "value": nil, "wrap": false},
	}}
	var ans struct {
		Encode []struct {
			Hex   string          `json:"hex"`
			Value json.RawMessage `json:"value"`
		} `json:"encode"`
	}
	if err := json.Unmarshal(fixture.TypedAPI(t, req), &ans); err != nil || len(ans.Encode) != 7 {
		t.Fatalf("runtimeapi.mjs: %v (%d answers)", err, len(ans.Encode))
	}
	r := replay(t, fixture.Finney)
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	ctx := context.Background()
	head, err := c.BestHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(i int, method string) {
		r.Srv.SetRuntimeCall(method, hexBytes(t, ans.Encode[i].Hex))
	}
	check := func(i int, what string, got any) {
		t.Helper()
		samePrimitive(t, what, got, ans.Encode[i].Value)
	}

	serve(0, "NeuronInfoRuntimeApi_get_neurons_lite")
	ns, err := c.NeuronsLite(ctx, head, 1)
	if err != nil {
		t.Fatal(err)
	}
	check(0, "get_neurons_lite (Vec<u8>)", ns)
	serve(1, "NeuronInfoRuntimeApi_get_neuron_lite")
	n, err := c.NeuronLite(ctx, head, 1, 1)
	if err != nil || n == nil {
		t.Fatalf("get_neuron_lite: %v, %v", n, err)
	}
	check(1, "get_neuron_lite (Vec<u8>)", n)
	serve(2, "SubnetInfoRuntimeApi_get_subnet_hyperparams")
	h, err := c.SubnetHyperparamsAPI(ctx, head, 1)
	if err != nil || h == nil || h.V2 {
		t.Fatalf("get_subnet_hyperparams: %+v, %v", h, err)
	}
	check(2, "get_subnet_hyperparams (Vec<u8>)", h)
	serve(3, "SubnetInfoRuntimeApi_get_subnet_state")
	st, err := c.SubnetStateAPI(ctx, head, 1)
	if err != nil || st == nil {
		t.Fatalf("get_subnet_state: %+v, %v", st, err)
	}
	check(3, "get_subnet_state (Vec<u8>)", st)

	// The bare forms: Option<T> and Vec<T> without the Vec<u8> layer.
	serve(4, "SubnetInfoRuntimeApi_get_subnet_hyperparams")
	if h, err = c.SubnetHyperparamsAPI(ctx, head, 1); err != nil {
		t.Fatal(err)
	}
	check(4, "get_subnet_hyperparams (Option)", h)
	serve(5, "NeuronInfoRuntimeApi_get_neurons_lite")
	if ns, err = c.NeuronsLite(ctx, head, 1); err != nil {
		t.Fatal(err)
	}
	check(5, "get_neurons_lite (Vec)", ns)
	serve(6, "SubnetInfoRuntimeApi_get_subnet_state")
	if st, err := c.SubnetStateAPI(ctx, head, 1); err != nil || st != nil {
		t.Errorf("Option None: %+v, %v", st, err)
	}
	// The empty Vec<u8> v14 runtimes answer for a missing value is None.
	r.Srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neuron_lite", []byte{0})
	if n, err := c.NeuronLite(ctx, head, 1, 9); err != nil || n != nil {
		t.Errorf("empty Vec<u8>: %+v, %v", n, err)
	}
	for _, call := range r.Srv.StateCalls() {
		got := hex.EncodeToString(call.Args)
		if want := "0100"; got != want && !(call.Method == "NeuronInfoRuntimeApi_get_neuron_lite" && (got == "01000100" || got == "01000900")) {
			t.Errorf("%s sent %s, want u16 netuid 1 (and u16 uid)", call.Method, got)
		}
	}

	// An answer that is not the type: a clear error naming method and runtime.
	r.Srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neurons_lite", []byte{0x08, 0xff, 0xff})
	_, err = c.NeuronsLite(ctx, head, 1)
	var de *APIDecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "NeuronInfoRuntimeApi_get_neurons_lite of runtime spec 219") {
		t.Errorf("undecodable answer: %v, want an APIDecodeError naming the method and spec 219", err)
	}
	// A method outside the built-in registry, on a v14 runtime: unavailable.
	_, err = c.runtimeValue(ctx, head, mustRuntime(t, c, head), "SubnetInfoRuntimeApi", "get_metagraph", []any{uint64(1)})
	if !errors.Is(err, ErrAPIUnavailable) {
		t.Errorf("a method outside the built-in registry on v14: %v, want ErrAPIUnavailable", err)
	}
}

func mustRuntime(t *testing.T, c *Client, head Head) *Runtime {
	t.Helper()
	rt, err := c.RuntimeAt(context.Background(), head)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func account(rng *rand.Rand) string {
	b := make([]byte, 32)
	rng.Read(b)
	return "0x" + hex.EncodeToString(b)
}

// compacts are the compact encoding's mode boundaries.
var compacts = []uint64{0, 63, 64, 16383, 16384, 1<<30 - 1, 1 << 30, 1<<64 - 1}

func polkadotNeuron(rng *rand.Rand, uid, stakes int) map[string]any {
	u16 := func() uint64 { return []uint64{0, 63, 64, 16383, 16384, 65535}[rng.Intn(6)] }
	u64 := func() string { return fmt.Sprint(compacts[rng.Intn(len(compacts))]) }
	var stake [][]any
	for i := 0; i < stakes; i++ {
		stake = append(stake, []any{account(rng), u64()})
	}
	ip := new(big.Int).Lsh(big.NewInt(int64(rng.Uint32())), 96)
	return map[string]any{
		"hotkey": account(rng), "coldkey": account(rng), "uid": uid, "netuid": u16(), "active": rng.Intn(2) == 1,
		"axon_info":       map[string]any{"block": u64(), "version": rng.Uint32(), "ip": ip.String(), "port": u16(), "ip_type": 6, "protocol": 4, "placeholder1": 1, "placeholder2": 255},
		"prometheus_info": map[string]any{"block": u64(), "version": 7, "ip": "3232235777", "port": 9090, "ip_type": 4},
		"stake":           stake, "rank": u16(), "emission": u64(), "incentive": u16(), "consensus": u16(), "trust": u16(),
		"validator_trust": u16(), "dividends": u16(), "last_update": u64(), "validator_permit": rng.Intn(2) == 1, "pruning_score": u16(),
	}
}

func polkadotHyperparams(rng *rand.Rand) map[string]any {
	out := map[string]any{}
	for i, f := range strings.Split("rho kappa immunity_period min_allowed_weights max_weights_limit tempo adjustment_interval activity_cutoff target_regs_per_interval max_regs_per_block max_validators alpha_high alpha_low", " ") {
		out[f] = []uint64{0, 63, 64, 16383, 16384, 65535}[i%6]
	}
	for i, f := range strings.Split("min_difficulty max_difficulty weights_version weights_rate_limit min_burn max_burn bonds_moving_avg serving_rate_limit adjustment_alpha difficulty commit_reveal_weights_interval", " ") {
		out[f] = fmt.Sprint(compacts[i%len(compacts)])
	}
	out["registration_allowed"], out["commit_reveal_weights_enabled"], out["liquid_alpha_enabled"] = true, false, true
	return out
}

func polkadotSubnetState(rng *rand.Rand, n int) map[string]any {
	out := map[string]any{"netuid": 277}
	var hot, cold []string
	var active, permit []bool
	for i := 0; i < n; i++ {
		hot, cold = append(hot, account(rng)), append(cold, account(rng))
		active, permit = append(active, i%2 == 0), append(permit, i%3 == 0)
	}
	out["hotkeys"], out["coldkeys"], out["active"], out["validator_permit"] = hot, cold, active, permit
	for _, f := range []string{"pruning_score", "dividends", "incentives", "consensus", "trust", "rank"} {
		var v []uint64
		for i := 0; i < n; i++ {
			v = append(v, []uint64{0, 64, 65535}[rng.Intn(3)])
		}
		out[f] = v
	}
	for _, f := range []string{"last_update", "emission", "block_at_registration", "alpha_stake", "tao_stake", "total_stake"} {
		var v []string
		for i := 0; i < n; i++ {
			v = append(v, fmt.Sprint(compacts[rng.Intn(len(compacts))]))
		}
		out[f] = v
	}
	out["emission_history"] = [][]string{{}, {"0", "18446744073709551615"}, {"16384"}}
	return out
}

// samePrimitive compares a typed reader's value with @polkadot/types'
// toPrimitive() of the same answer: every field polkadot shows must be
// there with the same value, and no other (field names compared without
// case or underscores, since polkadot camel-cases metadata types).
func samePrimitive(t *testing.T, what string, got any, polkadot json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(polkadot))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%s: polkadot answer: %v", what, err)
	}
	g, w := goPrimitive(reflect.ValueOf(got)), normPrimitive(want)
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		t.Errorf("%s: typed reader\n%.3000s\n@polkadot/types\n%.3000s", what, gj, wj)
	}
}

// goPrimitive renders a typed value as normPrimitive renders polkadot's:
// structs by their scale names (tuple structs as arrays), numbers as
// decimal text, nil pointers left out.
func goPrimitive(v reflect.Value) any {
	if v.Type() == bigType {
		if v.IsNil() {
			return "0"
		}
		return v.Interface().(*big.Int).String()
	}
	if v.Type() == reflect.TypeOf(CompactBytes(nil)) {
		out := make([]any, v.Len())
		for i := range out {
			out[i] = fmt.Sprint(v.Index(i).Uint())
		}
		return out
	}
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		return rawPrimitive(v.Bytes())
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return goPrimitive(v.Elem())
	case reflect.Bool, reflect.String:
		return v.Interface()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(v.Interface())
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = goPrimitive(v.Index(i))
		}
		return out
	case reflect.Struct:
		t := v.Type()
		obj, tuple := map[string]any{}, []any{}
		for i := 0; i < t.NumField(); i++ {
			tag, ok := t.Field(i).Tag.Lookup("scale")
			if !ok {
				continue
			}
			fv := goPrimitive(v.Field(i))
			if tag == fmt.Sprint(len(tuple)) {
				tuple = append(tuple, fv)
			} else if fv != nil {
				obj[normKey(strings.Split(tag, "|")[0])] = fv
			}
		}
		if len(tuple) > 0 {
			return tuple
		}
		return obj
	}
	return fmt.Sprintf("unhandled %s", v.Type())
}

func normKey(k string) string {
	k = strings.ToLower(strings.ReplaceAll(k, "_", ""))
	if k == "commitrevealweightsinterval" { // the field's name before 2025
		return "commitrevealperiod"
	}
	return k
}

func normPrimitive(v any) any {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case []any:
		for i := range v {
			v[i] = normPrimitive(v[i])
		}
		return v
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x != nil {
				out[normKey(k)] = normPrimitive(x)
			}
		}
		return out
	}
	return v
}

// rawPrimitive is @polkadot/types-codec Raw.toPrimitive: printable ASCII as
// text (unless the text reads as 0x-hex of unprintable bytes), else 0x-hex.
func rawPrimitive(b []byte) string {
	printable := func(b []byte) bool {
		for _, c := range b {
			if c < 32 || c > 126 {
				return false
			}
		}
		return true
	}
	if printable(b) {
		text := string(b)
		if !hexText.MatchString(text) {
			return text
		}
		if dec, err := hex.DecodeString(text[2:]); err == nil && printable(dec) {
			return text
		}
	}
	return "0x" + hex.EncodeToString(b)
}

var hexText = regexp.MustCompile(`^0x([0-9a-fA-F]{2})*$`)
