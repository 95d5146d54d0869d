package subtensor

import (
	"fmt"
	"strings"

	"github.com/taonet/taonet/subtensor/metadata"
)

// Event is one runtime event, named from metadata.
type Event struct {
	Pallet string         `json:"pallet"`
	Name   string         `json:"name"`
	Phase  string         `json:"phase"`           // ApplyExtrinsic, Finalization, Initialization
	Index  int            `json:"index,omitempty"` // the extrinsic index for ApplyExtrinsic
	Fields metadata.Value `json:"-"`
}

// DispatchError is a failed extrinsic's error, named from metadata.
type DispatchError struct {
	Pallet string // "" for non-module errors (BadOrigin, Token, Arithmetic, ...)
	Name   string
	Docs   string
}

func (e *DispatchError) Error() string {
	name := e.Name
	if e.Pallet != "" {
		name = e.Pallet + "::" + e.Name
	}
	if e.Docs != "" {
		return fmt.Sprintf("dispatch error %s: %s", name, e.Docs)
	}
	return "dispatch error " + name
}

// DecodeEvents decodes a System.Events storage value.
func DecodeEvents(m *metadata.Metadata, raw []byte) ([]Event, error) {
	_, e, err := m.Storage("System", "Events")
	if err != nil {
		return nil, err
	}
	v, err := m.DecodeStorage(e, raw)
	if err != nil {
		return nil, err
	}
	recs, err := metadata.AsSlice(v)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(recs))
	for _, r := range recs {
		ev, err := eventOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// eventOf converts an EventRecord {phase, event: RuntimeEvent::Pallet(Event::Name{..}), topics}.
func eventOf(r metadata.Value) (Event, error) {
	var ev Event
	phase, err := metadata.FieldOf(r, "phase")
	if err != nil {
		return ev, err
	}
	pv, ok := phase.(*metadata.VariantValue)
	if !ok {
		return ev, fmt.Errorf("subtensor: event phase %T", phase)
	}
	ev.Phase = pv.Name
	if pv.Name == "ApplyExtrinsic" && len(pv.Fields) == 1 {
		i, _ := metadata.AsUint64(pv.Fields[0].Value)
		ev.Index = int(i)
	}
	outer, err := metadata.FieldOf(r, "event")
	if err != nil {
		return ev, err
	}
	ov, ok := outer.(*metadata.VariantValue)
	if !ok || len(ov.Fields) != 1 {
		return ev, fmt.Errorf("subtensor: runtime event is not Pallet(Event)")
	}
	inner, ok := ov.Fields[0].Value.(*metadata.VariantValue)
	if !ok {
		return ev, fmt.Errorf("subtensor: %s event is not an enum", ov.Name)
	}
	ev.Pallet, ev.Name, ev.Fields = ov.Name, inner.Name, inner
	return ev, nil
}

// NameDispatchError names a DispatchError value from metadata: Module errors
// by their pallet's error enum (e.g. SubtensorModule::SettingWeightsTooFast),
// the others by their variant (BadOrigin, Token::FundsUnavailable, ...).
func NameDispatchError(m *metadata.Metadata, v metadata.Value) *DispatchError {
	dv, ok := v.(*metadata.VariantValue)
	if !ok {
		return &DispatchError{Name: fmt.Sprint(v)}
	}
	if dv.Name != "Module" || len(dv.Fields) != 1 {
		name := dv.Name
		if len(dv.Fields) == 1 {
			if sub, ok := dv.Fields[0].Value.(*metadata.VariantValue); ok {
				name += "::" + sub.Name
			}
		}
		return &DispatchError{Name: name}
	}
	idxV, err1 := metadata.FieldOf(dv.Fields[0].Value, "index")
	errV, err2 := metadata.FieldOf(dv.Fields[0].Value, "error")
	if err1 != nil || err2 != nil {
		return &DispatchError{Name: "Module"}
	}
	idx, _ := metadata.AsUint64(idxV)
	var code uint64
	if b, err := metadata.AsBytes(errV); err == nil && len(b) > 0 {
		code = uint64(b[0]) // [u8; 4]: the first byte is the error's variant index
	} else {
		code, _ = metadata.AsUint64(errV) // older runtimes: u8
	}
	p, err := m.PalletByIndex(uint8(idx))
	if err != nil || p.Errors == nil {
		return &DispatchError{Name: fmt.Sprintf("Module(index %d, error %d)", idx, code)}
	}
	t, err := m.Types.Type(*p.Errors)
	if err != nil {
		return &DispatchError{Pallet: p.Name, Name: fmt.Sprintf("error %d", code)}
	}
	variant, ok := t.VariantByIndex(uint8(code))
	if !ok {
		return &DispatchError{Pallet: p.Name, Name: fmt.Sprintf("error %d", code)}
	}
	return &DispatchError{Pallet: p.Name, Name: variant.Name, Docs: strings.TrimSpace(strings.Join(variant.Docs, " "))}
}

// outcome finds extrinsic index's result among a block's events: nil for
// ExtrinsicSuccess, the named error for ExtrinsicFailed.
func outcome(m *metadata.Metadata, events []Event, index int) (found bool, err error) {
	for _, ev := range events {
		if ev.Phase != "ApplyExtrinsic" || ev.Index != index || ev.Pallet != "System" {
			continue
		}
		switch ev.Name {
		case "ExtrinsicSuccess":
			return true, nil
		case "ExtrinsicFailed":
			de, ferr := metadata.FieldOf(ev.Fields, "dispatch_error")
			if ferr != nil {
				return true, &DispatchError{Name: "ExtrinsicFailed"}
			}
			return true, NameDispatchError(m, de)
		}
	}
	return false, nil
}
