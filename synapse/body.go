package synapse

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("synapse: decode %s: %w", sc.name, err)
	}
	return nil
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
