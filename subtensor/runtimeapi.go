package subtensor

import (
	"context"
	"errors"
	"fmt"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/scale"
)

// ErrNoRuntimeAPI is returned (wrapped) by RuntimeCall when the runtime's
// metadata has no runtime API section (v14): the caller reads storage instead.
var ErrNoRuntimeAPI = errors.New("the runtime's metadata declares no runtime APIs (metadata v14)")

// RuntimeCall calls runtime API method api.method (e.g. "NeuronInfoRuntimeApi",
// "get_neurons_lite") at block at through state_call. The method's input and
// output types come from the runtime's v15 metadata: args are encoded as the
// declared inputs in order (any value metadata.Encode accepts) and the answer
// is decoded as the declared output, all of it. Runtimes whose answer is a
// Vec<u8> wrapping a SCALE struct (older subtensor) yield that []byte.
func (c *Client) RuntimeCall(ctx context.Context, at Head, api, method string, args ...any) (metadata.Value, error) {
	rt, err := c.RuntimeAt(ctx, at)
	if err != nil {
		return nil, err
	}
	m, input, err := runtimeCallInput(rt.Meta, api, method, args)
	if err != nil {
		return nil, err
	}
	raw, err := c.StateCall(ctx, at, api+"_"+method, input)
	if err != nil {
		return nil, fmt.Errorf("subtensor: runtime API %s_%s: %w", api, method, err)
	}
	v, err := rt.Meta.DecodeAll(m.Output, raw)
	if err != nil {
		return nil, fmt.Errorf("subtensor: runtime API %s_%s answered %d bytes that are not its declared output: %w", api, method, len(raw), err)
	}
	return v, nil
}

// runtimeCallInput finds api.method in m and encodes args as its inputs.
func runtimeCallInput(m *metadata.Metadata, api, method string, args []any) (*metadata.APIMethod, []byte, error) {
	if len(m.APIs) == 0 {
		return nil, nil, fmt.Errorf("subtensor: runtime API %s_%s: %w", api, method, ErrNoRuntimeAPI)
	}
	am, err := m.API(api, method)
	if err != nil {
		return nil, nil, fmt.Errorf("subtensor: %w", err)
	}
	if len(args) != len(am.Inputs) {
		return nil, nil, fmt.Errorf("subtensor: runtime API %s_%s takes %d arguments (%s), got %d", api, method, len(am.Inputs), inputNames(am), len(args))
	}
	var e scale.Encoder
	for i, in := range am.Inputs {
		if err := m.EncodeValue(&e, in.Type, args[i]); err != nil {
			return nil, nil, fmt.Errorf("subtensor: runtime API %s_%s argument %q: %w", api, method, in.Name, err)
		}
	}
	return am, e.Bytes(), nil
}

func inputNames(am *metadata.APIMethod) string {
	s := ""
	for i, in := range am.Inputs {
		if i > 0 {
			s += ", "
		}
		s += in.Name
	}
	if s == "" {
		return "none"
	}
	return s
}
