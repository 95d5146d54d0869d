package synapse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// envelope is the Synapse base-class part of the JSON body (pydantic model_dump).
type envelope struct {
	Name               string       `json:"name"`
	Timeout            float64      `json:"timeout"`
	TotalSize          int64        `json:"total_size"`
	HeaderSize         int64        `json:"header_size"`
	Dendrite           TerminalInfo `json:"dendrite"`
	Axon               TerminalInfo `json:"axon"`
	ComputedBodyHash   string       `json:"computed_body_hash"`
	RequiredHashFields []string     `json:"required_hash_fields"`
}

// marshalPayload encodes the synapse struct and checks it is a JSON object.
func marshalPayload(v any) ([]byte, error) {
	p, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("synapse: encode payload: %w", err)
	}
	if len(p) < 2 || p[0] != '{' {
		return nil, fmt.Errorf("synapse: payload does not encode as a JSON object")
	}
	return p, nil
}

// encodeBody produces the full synapse JSON: base fields followed by payload fields.
// payload is a JSON object produced by marshalPayload.
func encodeBody(sc *schema, r *Request, payload []byte) ([]byte, error) {
	env := envelope{
		Name: r.Name, Timeout: r.Timeout, TotalSize: r.TotalSize, HeaderSize: r.HeaderSize,
		Dendrite: r.Dendrite, Axon: r.Axon, ComputedBodyHash: r.BodyHash,
		RequiredHashFields: sc.hashFields,
	}
	if env.RequiredHashFields == nil {
		env.RequiredHashFields = []string{}
	}
	e, err := json.Marshal(&env)
	if err != nil {
		return nil, fmt.Errorf("synapse: encode envelope: %w", err)
	}
	var b bytes.Buffer
	b.Grow(len(e) + len(payload))
	b.Write(e[:len(e)-1]) // drop the closing brace
	if inner := bytes.TrimSpace(payload[1 : len(payload)-1]); len(inner) > 0 {
		b.WriteByte(',')
		b.Write(inner)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// DecodeBody parses a synapse JSON body into a new T. The base-class fields are checked
// for type but otherwise ignored (headers are authoritative); unknown fields are ignored
// as pydantic does; the top level must be one JSON object.
func DecodeBody[T any](body []byte) (*T, error) {
	sc, err := schemaOf[T]()
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := decodeInto(sc, body, v); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeInto(sc *schema, body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return fmt.Errorf("synapse: body is not a JSON object")
	}
	var err error
	switch {
	case sc.flat != nil:
		if sc.flat.decode(body, reflect.ValueOf(v).Elem()) {
			return nil
		}
		// The message is encoding/json's; a flat type's errors do not depend on the
		// value decoded into.
		if err = json.Unmarshal(body, reflect.New(sc.typ).Interface()); err == nil {
			err = errors.New("invalid JSON")
		}
	case sc.plainJSON:
		err = jsonv1.Unmarshal(body, v)
	default:
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		return fmt.Errorf("synapse: decode %s: %w", sc.name, err)
	}
	return nil
}

// stringOption reports a json:",string" field: the emulation accepts quoted numbers
// there that encoding/json rejects ("+0").
func stringOption(tag reflect.StructTag) bool {
	_, opts, _ := strings.Cut(tag.Get("json"), ",")
	for o := range strings.SplitSeq(opts, ",") {
		if o == "string" {
			return true
		}
	}
	return false
}

// Decoding a body with encoding/json costs a validity pre-scan of the whole body and
// then a second, reflective pass. Flat synapses have their own one-pass decoder
// (flatdecode.go). For other types, go-json-experiment's v1 package (the encoding/json
// emulation on top of its one-pass decoder, the code behind Go's encoding/json/v2)
// decodes the dendrite's typical response in about half the time. It is used
// only for synapse types built from the kinds whose decoding it reproduces exactly
// (FuzzDecodeMatchesEncodingJSON); a type with an interface, its own UnmarshalJSON or
// UnmarshalText, a ",string" field or encoding/json.Number anywhere keeps
// encoding/json.

var jsonNumber = reflect.TypeFor[json.Number]()

// plainJSONType reports whether t is made only of bools, numbers, strings, pointers,
// slices, arrays, string- or integer-keyed maps and structs of these (exported fields,
// none with the ",string" option).
func plainJSONType(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true // a recursive type: decided where it was first entered
	}
	seen[t] = true
	if t == jsonNumber || decodesItself(t) {
		return false
	}
	if scalarKind(t.Kind()) {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return plainJSONType(t.Elem(), seen)
	case reflect.Map:
		if k := t.Key().Kind(); k != reflect.String && !integerKind(k) {
			return false
		}
		return plainJSONType(t.Key(), seen) && plainJSONType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && !f.IsExported() || f.IsExported() && (stringOption(f.Tag) || !plainJSONType(f.Type, seen)) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// clonePayload deep-copies a synapse through its JSON encoding, so a per-call copy never
// shares slices or maps with the caller's value.
func clonePayload[T any](payload []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(payload, v); err != nil {
		return nil, fmt.Errorf("synapse: copy payload: %w", err)
	}
	return v, nil
}
