package subtensor

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/scale"
)

// Typed runtime API reads, as the Bittensor SDK makes them. Each reader asks
// the runtime at the given block, decoding by the runtime's own v15 metadata
// when it declares the method and by the built-in registry
// (runtimeapi_registry.go) when its metadata is v14. Whether a runtime offers
// a method is detected, never assumed from its spec version:
//   - v15 metadata: the method is declared, or the runtime lacks it;
//   - v14 metadata: the state_call is answered, or the node rejects it
//     (a runtime without the method) — ErrAPIUnavailable either way.
// An answer that does not decode is an *APIDecodeError naming the method and
// the runtime's spec version.

// ErrAPIUnavailable is returned (wrapped) when the runtime does not offer a
// runtime API method; callers read storage instead.
var ErrAPIUnavailable = errors.New("the runtime does not offer this runtime API method")

// APIDecodeError is a runtime API answer that is not the method's type.
type APIDecodeError struct {
	Method   string // "Api_method"
	Spec     uint32 // the runtime's spec version
	Declared bool   // decoded by the metadata's declared type (else the built-in registry)
	// Unfit says the answer decoded but a value does not fit this client's Go
	// type (a runtime that widened a field): the client's limit, not the node's.
	Unfit bool
	Len   int // answer length in bytes
	Err   error
}

func (e *APIDecodeError) Error() string {
	if e.Unfit {
		return fmt.Sprintf("subtensor: runtime API %s of runtime spec %d answered a value this client's typed reader cannot hold: %v", e.Method, e.Spec, e.Err)
	}
	by := "the built-in registry's type for v14 runtimes"
	if e.Declared {
		by = "the type its metadata declares"
	}
	return fmt.Sprintf("subtensor: runtime API %s of runtime spec %d answered %d bytes that do not decode as %s: %v", e.Method, e.Spec, e.Len, by, e.Err)
}

func (e *APIDecodeError) Unwrap() error { return e.Err }

// AxonInfoAPI is subtensor's AxonInfo as runtime APIs return it.
type AxonInfoAPI struct {
	Block        uint64   `scale:"block" json:"block"`
	Version      uint32   `scale:"version" json:"version"`
	IP           *big.Int `scale:"ip" json:"ip"`
	Port         uint16   `scale:"port" json:"port"`
	IPType       uint8    `scale:"ip_type" json:"ip_type"`
	Protocol     uint8    `scale:"protocol" json:"protocol"`
	Placeholder1 uint8    `scale:"placeholder1" json:"placeholder1"`
	Placeholder2 uint8    `scale:"placeholder2" json:"placeholder2"`
}

// PrometheusInfoAPI is subtensor's PrometheusInfo.
type PrometheusInfoAPI struct {
	Block   uint64   `scale:"block" json:"block"`
	Version uint32   `scale:"version" json:"version"`
	IP      *big.Int `scale:"ip" json:"ip"`
	Port    uint16   `scale:"port" json:"port"`
	IPType  uint8    `scale:"ip_type" json:"ip_type"`
}

// StakeOf is one (coldkey, amount) entry of a neuron's stake list.
type StakeOf struct {
	Coldkey string `scale:"0" json:"coldkey"`
	Amount  uint64 `scale:"1" json:"amount"`
}

// NeuronInfoLite is NeuronInfoRuntimeApi's NeuronInfoLite (accounts as ss58).
type NeuronInfoLite struct {
	Hotkey          string            `scale:"hotkey" json:"hotkey"`
	Coldkey         string            `scale:"coldkey" json:"coldkey"`
	UID             uint16            `scale:"uid" json:"uid"`
	Netuid          uint16            `scale:"netuid" json:"netuid"`
	Active          bool              `scale:"active" json:"active"`
	AxonInfo        AxonInfoAPI       `scale:"axon_info" json:"axon_info"`
	PrometheusInfo  PrometheusInfoAPI `scale:"prometheus_info" json:"prometheus_info"`
	Stake           []StakeOf         `scale:"stake" json:"stake"`
	Rank            uint16            `scale:"rank" json:"rank"`
	Emission        uint64            `scale:"emission" json:"emission"`
	Incentive       uint16            `scale:"incentive" json:"incentive"`
	Consensus       uint16            `scale:"consensus" json:"consensus"`
	Trust           uint16            `scale:"trust" json:"trust"`
	ValidatorTrust  uint16            `scale:"validator_trust" json:"validator_trust"`
	Dividends       uint16            `scale:"dividends" json:"dividends"`
	LastUpdate      uint64            `scale:"last_update" json:"last_update"`
	ValidatorPermit bool              `scale:"validator_permit" json:"validator_permit"`
	PruningScore    uint16            `scale:"pruning_score" json:"pruning_score"`
}

// FixedBits is a substrate-fixed number (I32F32, I96F32, ...) as its raw bits.
type FixedBits struct {
	Bits *big.Int `scale:"bits" json:"bits"`
}

// SubnetHyperparams is SubnetInfoRuntimeApi's SubnetHyperparams, or
// SubnetHyperparamsV2 when V2 is true (the fields after LiquidAlphaEnabled
// are V2's; nil on V1). CommitRevealPeriod was commit_reveal_weights_interval
// in runtimes before 2025.
type SubnetHyperparams struct {
	V2                         bool       `json:"-"`
	Rho                        uint16     `scale:"rho" json:"rho"`
	Kappa                      uint16     `scale:"kappa" json:"kappa"`
	ImmunityPeriod             uint16     `scale:"immunity_period" json:"immunity_period"`
	MinAllowedWeights          uint16     `scale:"min_allowed_weights" json:"min_allowed_weights"`
	MaxWeightsLimit            uint16     `scale:"max_weights_limit" json:"max_weights_limit"`
	Tempo                      uint16     `scale:"tempo" json:"tempo"`
	MinDifficulty              uint64     `scale:"min_difficulty" json:"min_difficulty"`
	MaxDifficulty              uint64     `scale:"max_difficulty" json:"max_difficulty"`
	WeightsVersion             uint64     `scale:"weights_version" json:"weights_version"`
	WeightsRateLimit           uint64     `scale:"weights_rate_limit" json:"weights_rate_limit"`
	AdjustmentInterval         uint16     `scale:"adjustment_interval" json:"adjustment_interval"`
	ActivityCutoff             uint16     `scale:"activity_cutoff" json:"activity_cutoff"`
	RegistrationAllowed        bool       `scale:"registration_allowed" json:"registration_allowed"`
	TargetRegsPerInterval      uint16     `scale:"target_regs_per_interval" json:"target_regs_per_interval"`
	MinBurn                    uint64     `scale:"min_burn" json:"min_burn"`
	MaxBurn                    uint64     `scale:"max_burn" json:"max_burn"`
	BondsMovingAvg             uint64     `scale:"bonds_moving_avg" json:"bonds_moving_avg"`
	MaxRegsPerBlock            uint16     `scale:"max_regs_per_block" json:"max_regs_per_block"`
	ServingRateLimit           uint64     `scale:"serving_rate_limit" json:"serving_rate_limit"`
	MaxValidators              uint16     `scale:"max_validators" json:"max_validators"`
	AdjustmentAlpha            uint64     `scale:"adjustment_alpha" json:"adjustment_alpha"`
	Difficulty                 uint64     `scale:"difficulty" json:"difficulty"`
	CommitRevealPeriod         uint64     `scale:"commit_reveal_period|commit_reveal_weights_interval" json:"commit_reveal_period"`
	CommitRevealWeightsEnabled bool       `scale:"commit_reveal_weights_enabled" json:"commit_reveal_weights_enabled"`
	AlphaHigh                  uint16     `scale:"alpha_high" json:"alpha_high"`
	AlphaLow                   uint16     `scale:"alpha_low" json:"alpha_low"`
	LiquidAlphaEnabled         bool       `scale:"liquid_alpha_enabled" json:"liquid_alpha_enabled"`
	AlphaSigmoidSteepness      *FixedBits `scale:"alpha_sigmoid_steepness" json:"alpha_sigmoid_steepness,omitempty"`
	YumaVersion                *uint16    `scale:"yuma_version" json:"yuma_version,omitempty"`
	SubnetIsActive             *bool      `scale:"subnet_is_active" json:"subnet_is_active,omitempty"`
	TransfersEnabled           *bool      `scale:"transfers_enabled" json:"transfers_enabled,omitempty"`
	BondsResetEnabled          *bool      `scale:"bonds_reset_enabled" json:"bonds_reset_enabled,omitempty"`
	UserLiquidityEnabled       *bool      `scale:"user_liquidity_enabled" json:"user_liquidity_enabled,omitempty"`
}

// SubnetState is SubnetInfoRuntimeApi's SubnetState: per-uid vectors.
type SubnetState struct {
	Netuid              uint16     `scale:"netuid" json:"netuid"`
	Hotkeys             []string   `scale:"hotkeys" json:"hotkeys"`
	Coldkeys            []string   `scale:"coldkeys" json:"coldkeys"`
	Active              []bool     `scale:"active" json:"active"`
	ValidatorPermit     []bool     `scale:"validator_permit" json:"validator_permit"`
	PruningScore        []uint16   `scale:"pruning_score" json:"pruning_score"`
	LastUpdate          []uint64   `scale:"last_update" json:"last_update"`
	Emission            []uint64   `scale:"emission" json:"emission"`
	Dividends           []uint16   `scale:"dividends" json:"dividends"`
	Incentives          []uint16   `scale:"incentives" json:"incentives"`
	Consensus           []uint16   `scale:"consensus" json:"consensus"`
	Trust               []uint16   `scale:"trust" json:"trust"`
	Rank                []uint16   `scale:"rank" json:"rank"`
	BlockAtRegistration []uint64   `scale:"block_at_registration" json:"block_at_registration"`
	AlphaStake          []uint64   `scale:"alpha_stake" json:"alpha_stake"`
	TaoStake            []uint64   `scale:"tao_stake" json:"tao_stake"`
	TotalStake          []uint64   `scale:"total_stake" json:"total_stake"`
	EmissionHistory     [][]uint64 `scale:"emission_history" json:"emission_history"`
}

// NeuronsLite calls NeuronInfoRuntimeApi_get_neurons_lite(netuid) at block at.
func (c *Client) NeuronsLite(ctx context.Context, at Head, netuid uint16) ([]NeuronInfoLite, error) {
	var out []NeuronInfoLite
	err := c.typedCall(ctx, at, "NeuronInfoRuntimeApi", "get_neurons_lite", &out, uint64(netuid))
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []NeuronInfoLite{}
	}
	return out, nil
}

// NeuronLite calls NeuronInfoRuntimeApi_get_neuron_lite(netuid, uid); nil
// when there is no such neuron.
func (c *Client) NeuronLite(ctx context.Context, at Head, netuid, uid uint16) (*NeuronInfoLite, error) {
	var out *NeuronInfoLite
	err := c.typedCall(ctx, at, "NeuronInfoRuntimeApi", "get_neuron_lite", &out, uint64(netuid), uint64(uid))
	return out, err
}

// SubnetHyperparamsAPI calls SubnetInfoRuntimeApi_get_subnet_hyperparams_v2
// where the runtime offers it, else get_subnet_hyperparams; nil when the
// subnet does not exist.
func (c *Client) SubnetHyperparamsAPI(ctx context.Context, at Head, netuid uint16) (*SubnetHyperparams, error) {
	var out *SubnetHyperparams
	err := c.typedCall(ctx, at, "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2", &out, uint64(netuid))
	if err == nil {
		if out != nil {
			out.V2 = true
		}
		return out, nil
	}
	if !errors.Is(err, ErrAPIUnavailable) {
		return nil, err
	}
	err = c.typedCall(ctx, at, "SubnetInfoRuntimeApi", "get_subnet_hyperparams", &out, uint64(netuid))
	return out, err
}

// SubnetStateAPI calls SubnetInfoRuntimeApi_get_subnet_state(netuid); nil
// when the subnet does not exist.
func (c *Client) SubnetStateAPI(ctx context.Context, at Head, netuid uint16) (*SubnetState, error) {
	var out *SubnetState
	err := c.typedCall(ctx, at, "SubnetInfoRuntimeApi", "get_subnet_state", &out, uint64(netuid))
	return out, err
}

// typedCall makes runtime API call api_method with args (integers, or what
// metadata.Encode accepts for the declared inputs) and fills dst from the
// answer (left as is for None).
func (c *Client) typedCall(ctx context.Context, at Head, api, method string, dst any, args ...any) error {
	rt, err := c.RuntimeAt(ctx, at)
	if err != nil {
		return err
	}
	v, err := c.runtimeValue(ctx, at, rt, api, method, args)
	if err != nil || v == nil {
		return err
	}
	if err := fromValue(v, dst); err != nil {
		return &APIDecodeError{Method: api + "_" + method, Spec: rt.SpecVersion, Declared: len(rt.Meta.APIs) > 0, Unfit: true, Err: err}
	}
	return nil
}

// runtimeValue asks the runtime for api_method and decodes the answer: by
// the declared output type where the metadata declares the method, by the
// built-in registry where the metadata is v14. A Vec<u8> answer wraps the
// value (an empty one is None). It returns nil for None.
func (c *Client) runtimeValue(ctx context.Context, at Head, rt *Runtime, api, method string, args []any) (metadata.Value, error) {
	name := api + "_" + method
	if len(rt.Meta.APIs) > 0 {
		if _, err := rt.Meta.API(api, method); err != nil {
			return nil, fmt.Errorf("subtensor: runtime API %s (spec %d): %w", name, rt.SpecVersion, ErrAPIUnavailable)
		}
		m, input, err := runtimeCallInput(rt.Meta, api, method, args)
		if err != nil {
			return nil, err
		}
		raw, err := c.StateCall(ctx, at, name, input)
		if err != nil {
			return nil, fmt.Errorf("subtensor: runtime API %s (spec %d): %w", name, rt.SpecVersion, err)
		}
		v, err := rt.Meta.DecodeAll(m.Output, raw)
		if err != nil {
			return nil, &APIDecodeError{Method: name, Spec: rt.SpecVersion, Declared: true, Len: len(raw), Err: err}
		}
		if b, ok := v.([]byte); ok { // a runtime declaring Vec<u8>: the built-in type is inside
			return decodeBuiltin(name, rt.SpecVersion, b, true)
		}
		return unwrapOption(v), nil
	}
	reg, err := builtin()
	if err != nil {
		return nil, err
	}
	ins, ok := reg.inputs[name]
	if !ok || len(ins) != len(args) {
		return nil, fmt.Errorf("subtensor: runtime API %s is not in the built-in registry for v14 runtimes (spec %d): %w", name, rt.SpecVersion, ErrAPIUnavailable)
	}
	var e scale.Encoder
	for i, id := range ins {
		if err := reg.meta.EncodeValue(&e, id, args[i]); err != nil {
			return nil, fmt.Errorf("subtensor: runtime API %s argument %d: %w", name, i, err)
		}
	}
	raw, err := c.StateCall(ctx, at, name, e.Bytes())
	var rerr *rpc.Error
	if errors.As(err, &rerr) {
		// The node ran the call and the runtime refused it: it has no such method.
		return nil, fmt.Errorf("subtensor: runtime API %s (spec %d): %w (node: %v)", name, rt.SpecVersion, ErrAPIUnavailable, rerr)
	}
	if err != nil {
		return nil, fmt.Errorf("subtensor: runtime API %s: %w", name, err)
	}
	return decodeBuiltin(name, rt.SpecVersion, raw, false)
}

// decodeBuiltin decodes a v14 runtime's answer by the built-in registry:
// first as the Vec<u8> those runtimes wrap values in (wrapped says the
// metadata already removed that layer), then, for runtimes that answer the
// value directly, as the bare value (Option<T> for optional outputs).
func decodeBuiltin(name string, spec uint32, raw []byte, wrapped bool) (metadata.Value, error) {
	reg, err := builtin()
	if err != nil {
		return nil, err
	}
	id, ok := reg.inner[name]
	if !ok {
		return nil, &APIDecodeError{Method: name, Spec: spec, Declared: wrapped, Len: len(raw), Err: errors.New("the metadata declares Vec<u8> and the built-in registry has no type for this method")}
	}
	optional := builtinMethods[name].Optional
	inner := raw
	if !wrapped {
		d := scale.NewDecoder(raw)
		b, err := d.ByteVec()
		if err != nil || d.Remaining() != 0 {
			inner = nil
		} else {
			inner = b
		}
	}
	var firstErr error
	if inner != nil || wrapped {
		if len(inner) == 0 && optional {
			return nil, nil
		}
		v, err := reg.meta.DecodeAll(id, inner)
		if err == nil {
			return v, nil
		}
		firstErr = fmt.Errorf("as Vec<u8> wrapping %s: %w", builtinMethods[name].Inner, err)
		if wrapped {
			return nil, &APIDecodeError{Method: name, Spec: spec, Declared: true, Len: len(raw), Err: firstErr}
		}
	}
	v, err := decodeDirect(reg, id, raw, optional)
	if err == nil {
		return v, nil
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("as %s: %w", builtinMethods[name].Inner, err)
	}
	return nil, &APIDecodeError{Method: name, Spec: spec, Len: len(raw), Err: firstErr}
}

// decodeDirect decodes raw as the bare value: Option<T> (0x00 None, 0x01 T)
// when optional.
func decodeDirect(reg *builtinRegistry, id uint32, raw []byte, optional bool) (metadata.Value, error) {
	if !optional {
		return reg.meta.DecodeAll(id, raw)
	}
	if len(raw) == 0 || raw[0] > 1 {
		return nil, errors.New("not an Option")
	}
	if raw[0] == 0 {
		if len(raw) != 1 {
			return nil, fmt.Errorf("%d bytes after None", len(raw)-1)
		}
		return nil, nil
	}
	return reg.meta.DecodeAll(id, raw[1:])
}

// unwrapOption turns a decoded Option into its value (nil for None).
func unwrapOption(v metadata.Value) metadata.Value {
	vv, ok := v.(*metadata.VariantValue)
	if !ok {
		return v
	}
	switch {
	case vv.Name == "None" && len(vv.Fields) == 0:
		return nil
	case vv.Name == "Some" && len(vv.Fields) == 1:
		return vv.Fields[0].Value
	}
	return v
}
