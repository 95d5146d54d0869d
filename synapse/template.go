package synapse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// requestTemplate holds the parts of a request that are the same for every target of
// a fan-out (name, timeout, body hash, required_hash_fields, the payload, the fixed
// headers), encoded once per fan-out, so a request only encodes its terminal infos.
// Its output is byte-for-byte what encodeBody and encodeHeaders produce
// (TestRequestTemplateMatchesEncoders).
type requestTemplate struct {
	// bodyHead ends with `"dendrite":`; bodyTail starts after the axon object.
	bodyHead, bodyTail []byte
	// fixed are the name, timeout and input_obj headers; bodyHash is the header-safe
	// computed_body_hash value.
	fixed    []fixedHeader
	bodyHash string
}

type fixedHeader struct{ key, value string }

// terminalsMarker is where the terminal infos sit in an envelope encoded with zero
// terminals. It cannot occur earlier: a JSON string never holds an unescaped quote.
const terminalsMarker = `"dendrite":{},"axon":{}`

func newRequestTemplate(sc *schema, r *Request, payload []byte) (*requestTemplate, error) {
	zero := *r
	zero.Dendrite, zero.Axon = TerminalInfo{}, TerminalInfo{}
	body, err := encodeBody(sc, &zero, payload)
	if err != nil {
		return nil, err
	}
	i := bytes.Index(body, []byte(terminalsMarker))
	if i < 0 {
		return nil, fmt.Errorf("synapse: envelope lacks the terminal infos")
	}
	t := &requestTemplate{
		bodyHead: body[:i+len(`"dendrite":`)],
		bodyTail: body[i+len(terminalsMarker):],
		bodyHash: headerSafe(r.BodyHash),
	}
	t.add(hdrName, headerSafe(r.Name))
	t.add(hdrTimeout, PyFloat(r.Timeout))
	for _, f := range sc.fields {
		if k, ok := sc.inputObjKey[f.wire]; ok {
			t.add(k, sc.inputObj[f.wire])
		}
	}
	return t, nil
}

func (t *requestTemplate) add(k, v string) {
	t.fixed = append(t.fixed, fixedHeader{k, v})
}

// body encodes the request body with r's terminal infos.
func (t *requestTemplate) body(r *Request) ([]byte, error) {
	b := make([]byte, 0, len(t.bodyHead)+len(t.bodyTail)+512)
	b = append(b, t.bodyHead...)
	b, err := appendTerminalJSON(b, &r.Dendrite)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"axon":`...)
	if b, err = appendTerminalJSON(b, &r.Axon); err != nil {
		return nil, err
	}
	return append(b, t.bodyTail...), nil
}

// appendTerminalJSON appends json.Marshal(t) without reflection for what requests
// carry; a process time (float formatting) goes through encoding/json.
func appendTerminalJSON(b []byte, t *TerminalInfo) ([]byte, error) {
	if t.ProcessTime != 0 {
		j, err := json.Marshal(t)
		if err != nil {
			return nil, fmt.Errorf("synapse: encode envelope: %w", err)
		}
		return append(b, j...), nil
	}
	b = append(b, '{')
	start := len(b)
	field := func(name string) {
		if len(b) > start {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	intField := func(name string, v int64) {
		if v != 0 {
			field(name)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	strField := func(name, v string) {
		if v != "" {
			field(name)
			b = appendJSONString(b, v)
		}
	}
	intField("status_code", int64(t.StatusCode))
	strField("status_message", t.StatusMessage)
	strField("ip", t.IP)
	intField("port", int64(t.Port))
	intField("version", int64(t.Version))
	intField("nonce", t.Nonce)
	strField("uuid", t.UUID)
	strField("hotkey", t.Hotkey)
	strField("signature", t.Signature)
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json writes it. Printable ASCII other than
// the characters json escapes (quote, backslash and, as HTML-safe, < > &) is copied;
// anything else takes encoding/json's path.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// headers writes the same header set as encodeHeaders into an empty h.
func (t *requestTemplate) headers(h http.Header, r *Request, totalSize int64) {
	hv := headerVals{vals: make([]string, 0, len(t.fixed)+23)}
	for _, f := range t.fixed {
		hv.set(h, f.key, f.value)
	}
	encodeTerminal(h, &hv, axonKeys, &r.Axon)
	encodeTerminal(h, &hv, dendriteKeys, &r.Dendrite)
	size := hv.size
	hv.set(h, hdrHeaderSize, strconv.Itoa(size))
	hv.set(h, hdrTotalSize, strconv.FormatInt(totalSize, 10))
	hv.set(h, hdrBodyHash, t.bodyHash)
}
