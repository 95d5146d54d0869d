package subtensor

import (
	"errors"
	"strings"
	"testing"
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
