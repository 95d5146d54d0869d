package subtensor

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/taonet/taonet/subtensor/metadata"
)

// The built-in runtime API registry: the methods the typed readers call, as
// subtensor runtimes implement them without declaring them in metadata.
//
// Runtimes that serve only v14 metadata (finney spec 208 of late 2024 through
// spec 219, test network spec 224 of January 2025: the metadata shipped by
// @bitgo/sdk-coin-tao and recorded by the Bittensor SDK) declare no runtime
// APIs, and their methods answer a Vec<u8> wrapping the SCALE encoding of the
// value (an empty Vec for None). This registry states those inner types, the
// way the Bittensor SDK's custom type registry did for the same runtimes. It
// is used only when the runtime's metadata does not declare the method; a
// runtime with v15 metadata is always decoded by its own declared types.
//
// Sources (opentensor/subtensor): the structs below are copied field for
// field from pallets/subtensor/src/rpc_info/neuron_info.rs (NeuronInfoLite),
// subnet_info.rs (SubnetHyperparams), show_subnet.rs (SubnetState) and
// src/lib.rs (AxonInfo, PrometheusInfo) at commit 4550edd1b (spec 208) and
// d91dc3c8e (spec 224; SubnetState first appears in that runtime), where they
// are identical; the method signatures from pallets/subtensor/runtime-api/
// src/lib.rs and runtime/src/lib.rs at the same commits. NetUid and the
// balance newtypes of later runtimes encode as the u16/u64 given here.

// builtinStructs are the struct types the methods' outputs use, by name.
var builtinStructs = map[string]string{
	"AxonInfo":       "block: u64, version: u32, ip: u128, port: u16, ip_type: u8, protocol: u8, placeholder1: u8, placeholder2: u8",
	"PrometheusInfo": "block: u64, version: u32, ip: u128, port: u16, ip_type: u8",
	"NeuronInfoLite": "hotkey: AccountId, coldkey: AccountId, uid: Compact<u16>, netuid: Compact<u16>, active: bool, " +
		"axon_info: AxonInfo, prometheus_info: PrometheusInfo, stake: Vec<(AccountId, Compact<u64>)>, rank: Compact<u16>, " +
		"emission: Compact<u64>, incentive: Compact<u16>, consensus: Compact<u16>, trust: Compact<u16>, " +
		"validator_trust: Compact<u16>, dividends: Compact<u16>, last_update: Compact<u64>, validator_permit: bool, " +
		"pruning_score: Compact<u16>",
	"SubnetHyperparams": "rho: Compact<u16>, kappa: Compact<u16>, immunity_period: Compact<u16>, " +
		"min_allowed_weights: Compact<u16>, max_weights_limit: Compact<u16>, tempo: Compact<u16>, " +
		"min_difficulty: Compact<u64>, max_difficulty: Compact<u64>, weights_version: Compact<u64>, " +
		"weights_rate_limit: Compact<u64>, adjustment_interval: Compact<u16>, activity_cutoff: Compact<u16>, " +
		"registration_allowed: bool, target_regs_per_interval: Compact<u16>, min_burn: Compact<u64>, " +
		"max_burn: Compact<u64>, bonds_moving_avg: Compact<u64>, max_regs_per_block: Compact<u16>, " +
		"serving_rate_limit: Compact<u64>, max_validators: Compact<u16>, adjustment_alpha: Compact<u64>, " +
		"difficulty: Compact<u64>, commit_reveal_weights_interval: Compact<u64>, commit_reveal_weights_enabled: bool, " +
		"alpha_high: Compact<u16>, alpha_low: Compact<u16>, liquid_alpha_enabled: bool",
	"SubnetState": "netuid: Compact<u16>, hotkeys: Vec<AccountId>, coldkeys: Vec<AccountId>, active: Vec<bool>, " +
		"validator_permit: Vec<bool>, pruning_score: Vec<Compact<u16>>, last_update: Vec<Compact<u64>>, " +
		"emission: Vec<Compact<u64>>, dividends: Vec<Compact<u16>>, incentives: Vec<Compact<u16>>, " +
		"consensus: Vec<Compact<u16>>, trust: Vec<Compact<u16>>, rank: Vec<Compact<u16>>, " +
		"block_at_registration: Vec<Compact<u64>>, alpha_stake: Vec<Compact<u64>>, tao_stake: Vec<Compact<u64>>, " +
		"total_stake: Vec<Compact<u64>>, emission_history: Vec<Vec<Compact<u64>>>",
}

// builtinMethod is one runtime API method as v14-only runtimes implement it.
type builtinMethod struct {
	Inputs []string // input types in order
	// Inner is the type the answer's Vec<u8> wraps; Optional says an empty
	// Vec<u8> means None (the runtime's "vec![]" for a missing value).
	Inner    string
	Optional bool
}

// builtinMethods are keyed "Api_method" as state_call names them.
var builtinMethods = map[string]builtinMethod{
	"NeuronInfoRuntimeApi_get_neurons_lite":       {Inputs: []string{"u16"}, Inner: "Vec<NeuronInfoLite>"},
	"NeuronInfoRuntimeApi_get_neuron_lite":        {Inputs: []string{"u16", "u16"}, Inner: "NeuronInfoLite", Optional: true},
	"SubnetInfoRuntimeApi_get_subnet_hyperparams": {Inputs: []string{"u16"}, Inner: "SubnetHyperparams", Optional: true},
	"SubnetInfoRuntimeApi_get_subnet_state":       {Inputs: []string{"u16"}, Inner: "SubnetState", Optional: true},
}

// builtin is the registry built from builtinStructs, once.
var builtin = sync.OnceValues(func() (*builtinRegistry, error) {
	b := &typeBuilder{ids: map[string]uint32{}}
	r := &builtinRegistry{inner: map[string]uint32{}, inputs: map[string][]uint32{}}
	for name, m := range builtinMethods {
		id, err := b.id(m.Inner)
		if err != nil {
			return nil, fmt.Errorf("built-in runtime API %s: %w", name, err)
		}
		r.inner[name] = id
		for _, in := range m.Inputs {
			iid, err := b.id(in)
			if err != nil {
				return nil, fmt.Errorf("built-in runtime API %s: %w", name, err)
			}
			r.inputs[name] = append(r.inputs[name], iid)
		}
	}
	reg, err := metadata.NewRegistry(b.types)
	if err != nil {
		return nil, err
	}
	r.meta = &metadata.Metadata{Types: reg}
	return r, nil
})

// builtinRegistry is the built registry: a Metadata holding only types, so
// values decode exactly as declared runtime API outputs do.
type builtinRegistry struct {
	meta   *metadata.Metadata
	inner  map[string]uint32
	inputs map[string][]uint32
}

// typeBuilder turns type expressions (u16, Compact<u64>, Vec<T>, Option<T>,
// (A, B), [u8; 32], AccountId, a builtinStructs name) into registry types.
type typeBuilder struct {
	types []metadata.Type
	ids   map[string]uint32 // by canonical expression
}

func (b *typeBuilder) add(t metadata.Type) uint32 {
	b.types = append(b.types, t)
	return uint32(len(b.types) - 1)
}

var prims = map[string]metadata.Primitive{
	"bool": metadata.PrimBool, "u8": metadata.PrimU8, "u16": metadata.PrimU16, "u32": metadata.PrimU32,
	"u64": metadata.PrimU64, "u128": metadata.PrimU128, "i16": metadata.PrimI16, "i32": metadata.PrimI32,
	"i64": metadata.PrimI64, "i128": metadata.PrimI128,
}

// id returns the type id of expression expr, building it the first time.
func (b *typeBuilder) id(expr string) (uint32, error) {
	p := &typeParser{toks: tokenize(expr)}
	id, err := p.typ(b)
	if err == nil && p.pos != len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	if err != nil {
		return 0, fmt.Errorf("type %q: %w", expr, err)
	}
	return id, nil
}

func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case strings.IndexByte("<>()[],;:", c) >= 0:
			out = append(out, string(c))
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte("<>()[],;: ", s[j]) < 0 {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

type typeParser struct {
	toks []string
	pos  int
}

func (p *typeParser) next() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	p.pos++
	return p.toks[p.pos-1]
}

func (p *typeParser) expect(tok string) error {
	if got := p.next(); got != tok {
		return fmt.Errorf("want %q, got %q", tok, got)
	}
	return nil
}

// typ parses one type and returns its id; canonical names memoize it.
func (p *typeParser) typ(b *typeBuilder) (uint32, error) {
	start := p.pos
	tok := p.next()
	var t metadata.Type
	switch {
	case tok == "(":
		t.Kind = metadata.KindTuple
		for {
			id, err := p.typ(b)
			if err != nil {
				return 0, err
			}
			t.Tuple = append(t.Tuple, id)
			if sep := p.next(); sep == ")" {
				break
			} else if sep != "," {
				return 0, fmt.Errorf("want , or ) in a tuple, got %q", sep)
			}
		}
	case tok == "[":
		elem, err := p.typ(b)
		if err != nil {
			return 0, err
		}
		if err := p.expect(";"); err != nil {
			return 0, err
		}
		n, err := strconv.ParseUint(p.next(), 10, 32)
		if err != nil {
			return 0, err
		}
		if err := p.expect("]"); err != nil {
			return 0, err
		}
		t = metadata.Type{Kind: metadata.KindArray, Elem: elem, Len: uint32(n)}
	case tok == "Compact" || tok == "Vec" || tok == "Option":
		if err := p.expect("<"); err != nil {
			return 0, err
		}
		elem, err := p.typ(b)
		if err != nil {
			return 0, err
		}
		if err := p.expect(">"); err != nil {
			return 0, err
		}
		switch tok {
		case "Compact":
			t = metadata.Type{Kind: metadata.KindCompact, Elem: elem}
		case "Vec":
			t = metadata.Type{Kind: metadata.KindSequence, Elem: elem}
		default:
			t = metadata.Type{Path: []string{"Option"}, Kind: metadata.KindVariant, Variants: []metadata.Variant{
				{Name: "None", Index: 0}, {Name: "Some", Index: 1, Fields: []metadata.Field{{Type: elem}}}}}
		}
	case tok == "AccountId":
		arr, err := b.id("[u8; 32]")
		if err != nil {
			return 0, err
		}
		t = metadata.Type{Path: []string{"sp_core", "crypto", "AccountId32"}, Kind: metadata.KindComposite, Fields: []metadata.Field{{Type: arr}}}
	default:
		if prim, ok := prims[tok]; ok {
			t = metadata.Type{Kind: metadata.KindPrimitive, Prim: prim}
		} else if _, ok := builtinStructs[tok]; ok {
			return b.structID(tok)
		} else {
			return 0, fmt.Errorf("unknown type %q", tok)
		}
	}
	key := strings.Join(p.toks[start:p.pos], "")
	if id, ok := b.ids[key]; ok {
		return id, nil
	}
	id := b.add(t)
	b.ids[key] = id
	return id, nil
}

// structID builds a named struct from builtinStructs; its id is reserved
// before its fields are built, so a struct may refer to itself.
func (b *typeBuilder) structID(name string) (uint32, error) {
	if id, ok := b.ids[name]; ok {
		return id, nil
	}
	id := b.add(metadata.Type{Path: []string{name}, Kind: metadata.KindComposite})
	b.ids[name] = id
	var fields []metadata.Field
	for _, f := range splitTop(builtinStructs[name]) {
		fname, ftype, ok := strings.Cut(f, ":")
		if !ok {
			return 0, fmt.Errorf("struct %s: field %q has no type", name, f)
		}
		fid, err := b.id(strings.TrimSpace(ftype))
		if err != nil {
			return 0, fmt.Errorf("struct %s field %s: %w", name, fname, err)
		}
		fields = append(fields, metadata.Field{Name: strings.TrimSpace(fname), Type: fid, TypeName: strings.TrimSpace(ftype)})
	}
	b.types[id].Fields = fields
	return id, nil
}

// splitTop splits a field list at the commas outside <>, () and [].
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '(', '[':
			depth++
		case '>', ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}
