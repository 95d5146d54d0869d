package subtensor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/taonet/taonet/subtensor/rpc"
)

// FuzzTypedDecoders: arbitrary answers to every built-in runtime API method
// never panic, and anything that does not decode is an *APIDecodeError
// naming the method and the runtime's spec version.
func FuzzTypedDecoders(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{4, 0})
	f.Add([]byte{1, 0x28, 0xfe, 0xff})
	f.Add([]byte{0x19, 1, 0x28, 0xfe, 0xff, 1, 0})
	f.Add(append([]byte{0x04}, make([]byte, 200)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name := range builtinMethods {
			v, err := decodeBuiltin(name, 4242, data, false)
			if err != nil {
				var de *APIDecodeError
				if !errors.As(err, &de) || de.Method != name || !strings.Contains(err.Error(), "spec 4242") {
					t.Fatalf("%s: %v is not a clear decode error", name, err)
				}
				continue
			}
			if v == nil {
				continue
			}
			var dst any
			switch name {
			case "NeuronInfoRuntimeApi_get_neurons_lite":
				dst = &[]NeuronInfoLite{}
			case "NeuronInfoRuntimeApi_get_neuron_lite":
				dst = &NeuronInfoLite{}
			case "SubnetInfoRuntimeApi_get_subnet_hyperparams":
				dst = &SubnetHyperparams{}
			case "SubnetInfoRuntimeApi_get_subnet_state":
				dst = &SubnetState{}
			default:
				t.Fatalf("no Go type for %s in this fuzzer", name)
			}
			// The registry's types and the Go types agree, so a decoded value
			// always converts (integer widths included).
			if err := fromValue(v, dst); err != nil {
				t.Fatalf("%s decoded but does not convert: %v", name, err)
			}
		}
	})
}

// TestAPIErrorsDecideFallback: which runtime API failures fall back to
// storage (and which warn), and which fail the read.
func TestAPIErrorsDecideFallback(t *testing.T) {
	var warned int
	Warnf = func(string, ...any) { warned++ }
	defer func() { Warnf = defaultWarnf }()
	cases := []struct {
		name           string
		err            error
		storage, fatal bool
		warn           bool
	}{
		{"answered", nil, false, false, false},
		{"not offered", fmt.Errorf("x: %w", ErrAPIUnavailable), true, false, false},
		{"v14 layout unknown", &APIDecodeError{Method: "A_b", Err: errors.New("short")}, true, false, true},
		{"declared type contradicted", &APIDecodeError{Method: "A_b", Declared: true, Err: errors.New("short")}, false, true, false},
		{"value does not fit the reader", &APIDecodeError{Method: "A_b", Declared: true, Unfit: true, Err: errors.New("big")}, true, false, true},
		{"node failed a declared call", fmt.Errorf("x: %w", &rpc.Error{Code: 4003, Message: "trap"}), true, false, true},
		{"transport", errors.New("connection refused"), false, true, false},
	}
	for _, c := range cases {
		warned = 0
		storage, err := apiOrStorage(c.err)
		if storage != c.storage || (err != nil) != c.fatal || (warned == 1) != c.warn {
			t.Errorf("%s: storage %v, err %v, warned %d", c.name, storage, err, warned)
		}
	}
	var small uint16
	if err := fromValue(uint64(70000), &small); err == nil || !strings.Contains(err.Error(), "does not fit uint16") {
		t.Errorf("70000 into a u16: %v", err)
	}
}
