package synapse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/taonet/taonet/synapse/h1"
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
	wire     wireHead
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
	if err := t.buildWire(r.Name); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *requestTemplate) add(k, v string) {
	t.fixed = append(t.fixed, fixedHeader{k, v})
}

// body encodes the request body with r's terminal infos.
func (t *requestTemplate) body(r *Request) ([]byte, error) {
	return t.appendBody(make([]byte, 0, len(t.bodyHead)+len(t.bodyTail)+512), r)
}

// appendBody appends the request body with r's terminal infos to b.
func (t *requestTemplate) appendBody(b []byte, r *Request) ([]byte, error) {
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

// appendTerminalJSON appends json.Marshal(t) without reflection.
func appendTerminalJSON(b []byte, t *TerminalInfo) ([]byte, error) {
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
	if t.ProcessTime != 0 {
		field("process_time")
		var err error
		if b, err = appendJSONFloat(b, t.ProcessTime); err != nil {
			return nil, err
		}
	}
	strField("ip", t.IP)
	intField("port", int64(t.Port))
	intField("version", int64(t.Version))
	intField("nonce", t.Nonce)
	strField("uuid", t.UUID)
	strField("hotkey", t.Hotkey)
	strField("signature", t.Signature)
	return append(b, '}'), nil
}

// appendJSONFloat appends f as encoding/json writes a float64 (shortest digits,
// exponent form below 1e-6 and from 1e21, "e-07" shortened to "e-7").
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("synapse: encode envelope: unsupported float %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendEnvelopeBody appends exactly what encodeBody returns, without reflection:
// the axon encodes every response with it (TestEnvelopeBodyMatchesEncodeBody,
// FuzzEnvelopeBody).
func appendEnvelopeBody(b []byte, sc *schema, r *Request, payload []byte) ([]byte, error) {
	var err error
	b = append(b, `{"name":`...)
	b = appendJSONString(b, r.Name)
	b = append(b, `,"timeout":`...)
	if b, err = appendJSONFloat(b, r.Timeout); err != nil {
		return nil, err
	}
	b = append(b, `,"total_size":`...)
	b = strconv.AppendInt(b, r.TotalSize, 10)
	b = append(b, `,"header_size":`...)
	b = strconv.AppendInt(b, r.HeaderSize, 10)
	b = append(b, `,"dendrite":`...)
	if b, err = appendTerminalJSON(b, &r.Dendrite); err != nil {
		return nil, err
	}
	b = append(b, `,"axon":`...)
	if b, err = appendTerminalJSON(b, &r.Axon); err != nil {
		return nil, err
	}
	b = append(b, `,"computed_body_hash":`...)
	b = appendJSONString(b, r.BodyHash)
	b = append(b, `,"required_hash_fields":[`...)
	for i, f := range sc.hashFields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f)
	}
	b = append(b, ']')
	if inner := bytes.TrimSpace(payload[1 : len(payload)-1]); len(inner) > 0 {
		b = append(b, ',')
		b = append(b, inner...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json writes it. Printable ASCII other than
// the characters json escapes (quote, backslash and, as HTML-safe, < > &) is copied;
// anything else takes encoding/json's path.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain[c] reports whether encoding/json copies byte c into a string unchanged:
// printable ASCII other than the quote, backslash and the HTML-escaped < > &. A table
// lookup per byte is a third of the comparisons of spelling the test out, and the
// axon runs ~600 bytes of strings through it per response.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// The request on the wire: the template also holds the HTTP/1.1 head with everything
// that is the same for every target, so a request is the request line and Host,
// Content-Length, the terminal-info and size headers, and the body, appended into one
// buffer and written with one write. Its headers are exactly encodeHeaders' set
// (TestWireRequestMatchesEncoders reads it back with net/http).

// wireHead is the fixed part of the request head.
type wireHead struct {
	path  string // "POST /{name} HTTP/1.1\r\nHost: "
	fixed []byte // "\r\nContent-Type: application/json\r\n" + fixed synapse headers + body hash
	// fixedSize is the header_size share of the fixed synapse headers.
	fixedSize int
}

func (t *requestTemplate) buildWire(name string) error {
	t.wire.path = "POST /" + name + " HTTP/1.1\r\nHost: "
	b := []byte("\r\nContent-Type: application/json\r\n")
	for _, f := range t.fixed {
		if !validHeaderName(f.key) {
			return fmt.Errorf("synapse: header name %q is not an HTTP token", f.key)
		}
		b = appendHeaderLine(b, f.key, f.value)
		t.wire.fixedSize += len(f.key) + len(f.value) + 4
	}
	t.wire.fixed = appendHeaderLine(b, hdrBodyHash, t.bodyHash)
	return nil
}

// appendRequest appends the whole request (head and body) for host ("ip:port").
func (t *requestTemplate) appendRequest(b []byte, host string, r *Request, body []byte) []byte {
	b = append(b, t.wire.path...)
	b = append(b, host...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, t.wire.fixed...)
	size := t.wire.fixedSize
	b, size = appendTerminalHeaders(b, size, axonKeys, &r.Axon)
	b, size = appendTerminalHeaders(b, size, dendriteKeys, &r.Dendrite)
	b = append(b, hdrHeaderSize+": "...)
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, "\r\n"+hdrTotalSize+": "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// appendTerminalHeaders writes encodeTerminal's headers as lines and adds their
// header_size share to size.
func appendTerminalHeaders(b []byte, size int, keys *terminalKeys, t *TerminalInfo) ([]byte, int) {
	intLine := func(k string, v int64) {
		if v != 0 {
			start := len(b)
			b = append(b, k...)
			b = append(b, ':', ' ')
			b = strconv.AppendInt(b, v, 10)
			b = append(b, '\r', '\n')
			size += len(b) - start // key + ": " + value + CRLF = key + value + 4
		}
	}
	strLine := func(k, v string) {
		if v != "" {
			v = headerSafe(v)
			b = appendHeaderLine(b, k, v)
			size += len(k) + len(v) + 4
		}
	}
	intLine(keys.statusCode, int64(t.StatusCode))
	strLine(keys.statusMessage, t.StatusMessage)
	if t.ProcessTime != 0 {
		strLine(keys.processTime, PyFloat(t.ProcessTime))
	}
	strLine(keys.ip, t.IP)
	intLine(keys.port, int64(t.Port))
	intLine(keys.version, int64(t.Version))
	intLine(keys.nonce, t.Nonce)
	strLine(keys.uuid, t.UUID)
	strLine(keys.hotkey, t.Hotkey)
	strLine(keys.signature, t.Signature)
	return b, size
}

// appendHeaderLine appends "k: v\r\n"; v must be header-safe. Leading and trailing
// blanks of v would be trimmed by any reader, as net/http's client trims them.
func appendHeaderLine(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ':', ' ')
	b = append(b, h1.TrimOWS(v)...)
	return append(b, '\r', '\n')
}

// validHeaderName reports an RFC 9110 token.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHost reports a host:port made of the characters of IP literals and DNS names,
// so a metagraph entry cannot inject header lines through the Host header.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-:_[]%", c) >= 0) {
			return false
		}
	}
	return true
}
