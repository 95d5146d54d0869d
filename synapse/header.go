package synapse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/taonet/taonet/synapse/h1"
)

// TerminalInfo describes one end of a call (Python's bittensor TerminalInfo). A zero
// field means "None" in Python: it is not sent as a header and is omitted from JSON.
type TerminalInfo struct {
	StatusCode    int     `json:"status_code,omitempty"`
	StatusMessage string  `json:"status_message,omitempty"`
	ProcessTime   float64 `json:"process_time,omitempty"` // seconds
	IP            string  `json:"ip,omitempty"`
	Port          int     `json:"port,omitempty"`
	Version       int     `json:"version,omitempty"`
	Nonce         int64   `json:"nonce,omitempty"`
	UUID          string  `json:"uuid,omitempty"`
	Hotkey        string  `json:"hotkey,omitempty"` // ss58
	Signature     string  `json:"signature,omitempty"`
}

// Request is the header-only view of a synapse that the Axon builds before it reads the
// body; blacklist and priority functions see it, and handlers get it alongside the
// decoded payload. The dendrite's hotkey is authenticated only after verification.
type Request struct {
	Name       string
	Timeout    float64 // seconds, as sent
	TotalSize  int64
	HeaderSize int64
	BodyHash   string // computed_body_hash header
	Dendrite   TerminalInfo
	Axon       TerminalInfo
	// RemoteAddr is the TCP peer address of the caller.
	RemoteAddr string
}

// Header names as upstream writes them (lower case: Python's header parser matches
// the prefixes case-sensitively, so they are written exactly like this).
const (
	hdrName        = "name"
	hdrTimeout     = "timeout"
	hdrHeaderSize  = "header_size"
	hdrTotalSize   = "total_size"
	hdrBodyHash    = "computed_body_hash"
	prefixAxon     = "bt_header_axon_"
	prefixDendrite = "bt_header_dendrite_"
	prefixInputObj = "bt_header_input_obj_"
)

// DefaultTimeout is the Python Synapse default timeout in seconds.
const DefaultTimeout = 12.0

// terminalKeys are the header names of the TerminalInfo fields under one prefix,
// built once so encoding a request does not concatenate ten strings.
type terminalKeys struct {
	statusCode, statusMessage, processTime, ip, port, version, nonce, uuid, hotkey, signature string
}

func newTerminalKeys(prefix string) *terminalKeys {
	return &terminalKeys{
		statusCode: prefix + "status_code", statusMessage: prefix + "status_message",
		processTime: prefix + "process_time", ip: prefix + "ip", port: prefix + "port",
		version: prefix + "version", nonce: prefix + "nonce", uuid: prefix + "uuid",
		hotkey: prefix + "hotkey", signature: prefix + "signature",
	}
}

var (
	axonKeys     = newTerminalKeys(prefixAxon)
	dendriteKeys = newTerminalKeys(prefixDendrite)
)

// headerVals hands out one-element value slices from a single backing array, so a
// header set costs one allocation for its values instead of one per header.
// It also counts the header_size share (key + value + 4) of what it set.
type headerVals struct {
	vals []string
	size int
}

func (hv *headerVals) set(h http.Header, k, v string) {
	if len(hv.vals) == cap(hv.vals) {
		hv.vals = make([]string, 0, 8)
	}
	hv.vals = append(hv.vals, v)
	n := len(hv.vals)
	h[k] = hv.vals[n-1 : n : n]
	hv.size += len(k) + len(v) + 4
}

// encodeTerminal adds bt_header_{prefix}* headers for every non-zero field, in
// TerminalInfo field order.
func encodeTerminal(h http.Header, hv *headerVals, keys *terminalKeys, t *TerminalInfo) {
	if t.StatusCode != 0 {
		hv.set(h, keys.statusCode, strconv.Itoa(t.StatusCode))
	}
	if t.StatusMessage != "" {
		hv.set(h, keys.statusMessage, headerSafe(t.StatusMessage))
	}
	if t.ProcessTime != 0 {
		hv.set(h, keys.processTime, PyFloat(t.ProcessTime))
	}
	if t.IP != "" {
		hv.set(h, keys.ip, headerSafe(t.IP))
	}
	if t.Port != 0 {
		hv.set(h, keys.port, strconv.Itoa(t.Port))
	}
	if t.Version != 0 {
		hv.set(h, keys.version, strconv.Itoa(t.Version))
	}
	if t.Nonce != 0 {
		hv.set(h, keys.nonce, strconv.FormatInt(t.Nonce, 10))
	}
	if t.UUID != "" {
		hv.set(h, keys.uuid, headerSafe(t.UUID))
	}
	if t.Hotkey != "" {
		hv.set(h, keys.hotkey, headerSafe(t.Hotkey))
	}
	if t.Signature != "" {
		hv.set(h, keys.signature, headerSafe(t.Signature))
	}
}

// headerSafe drops bytes that cannot appear in an HTTP header value (net/http would
// otherwise refuse to send the whole request or response).
func headerSafe(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c < 0x20 && c != '\t' || c == 0x7f) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// encodeHeaders writes the full to_headers() set of a synapse: name, timeout, axon and
// dendrite terminal fields, input_obj for required payload fields, sizes and body hash.
func encodeHeaders(h http.Header, sc *schema, r *Request, totalSize int64) {
	hv := headerVals{vals: make([]string, 0, 28)}
	hv.set(h, hdrName, headerSafe(r.Name))
	hv.set(h, hdrTimeout, PyFloat(r.Timeout))
	encodeTerminal(h, &hv, axonKeys, &r.Axon)
	encodeTerminal(h, &hv, dendriteKeys, &r.Dendrite)
	if sc != nil {
		for _, f := range sc.fields {
			if k, ok := sc.inputObjKey[f.wire]; ok {
				hv.set(h, k, sc.inputObj[f.wire])
			}
		}
	}
	size := 0
	for k, vs := range h {
		for _, v := range vs {
			size += len(k) + len(v) + 4
		}
	}
	hv.set(h, hdrHeaderSize, strconv.Itoa(size))
	hv.set(h, hdrTotalSize, strconv.FormatInt(totalSize, 10))
	hv.set(h, hdrBodyHash, headerSafe(r.BodyHash))
}

// HeaderError is a header that could not be parsed.
type HeaderError struct {
	Header string
	Value  string
	Err    error
}

// Error names the header and a prefix of its value.
func (e *HeaderError) Error() string {
	v := e.Value
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return fmt.Sprintf("header %s=%q: %v", e.Header, v, e.Err)
}

// Unwrap returns the parse error.
func (e *HeaderError) Unwrap() error { return e.Err }

// ParseHeaders builds the header-only view of a synapse from HTTP headers, as Python's
// Synapse.from_headers does: known keys are read, bt_header_axon_* and
// bt_header_dendrite_* fill the terminal infos (numbers parsed leniently like pydantic:
// surrounding spaces allowed, integral floats accepted for ints), bt_header_input_obj_*
// must be base64 JSON when present, unknown headers are ignored. A missing timeout is
// the default 12 s; a timeout that is not a finite non-negative number is an error.
func ParseHeaders(h http.Header) (*Request, error) {
	r := &Request{Timeout: DefaultTimeout}
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		if err := r.setHeader(k, vs[0]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parseFields is ParseHeaders over header fields in wire order. The first of
// duplicate fields wins, as http.Header's first value does; fields are applied last
// to first for that, so a malformed duplicate is an error here.
func parseFields(h h1.Header) (*Request, error) {
	r := &Request{Timeout: DefaultTimeout}
	for i := len(h) - 1; i >= 0; i-- {
		if err := r.setHeader(h[i].Name, h[i].Value); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// setHeader applies one header. Names match case-insensitively through a lower-case
// copy on the stack: net/http's server hands over "Bt_header_axon_nonce", and a
// response has ~27 of these per call.
func (r *Request) setHeader(k, v string) error {
	var buf [64]byte
	var lk []byte
	if len(k) <= len(buf) {
		lk = lowerASCII(buf[:0], k)
	} else {
		lk = []byte(strings.ToLower(k))
	}
	var err error
	switch {
	case bytes.HasPrefix(lk, []byte(prefixAxon)):
		err = setTerminal(&r.Axon, lk[len(prefixAxon):], v)
	case bytes.HasPrefix(lk, []byte(prefixDendrite)):
		err = setTerminal(&r.Dendrite, lk[len(prefixDendrite):], v)
	case bytes.HasPrefix(lk, []byte(prefixInputObj)):
		// Upstream decodes these only to build a valid header-only synapse; a value
		// that does not decode is skipped there too, but we insist on well-formed
		// base64 JSON so garbage cannot be smuggled through.
		raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if derr != nil {
			err = derr
		} else if !json.Valid(raw) {
			err = fmt.Errorf("not JSON")
		}
	default:
		switch string(lk) {
		case hdrName:
			r.Name = v
		case hdrTimeout:
			f, perr := parsePyFloat(v)
			if perr == nil && (math.IsNaN(f) || math.IsInf(f, 0) || f < 0) {
				perr = fmt.Errorf("timeout must be a finite non-negative number")
			}
			r.Timeout, err = f, perr
		case hdrHeaderSize:
			r.HeaderSize, err = parsePyInt(v)
		case hdrTotalSize:
			r.TotalSize, err = parsePyInt(v)
		case hdrBodyHash:
			r.BodyHash = v
		}
	}
	if err != nil {
		return &HeaderError{Header: string(lk), Value: v, Err: err}
	}
	return nil
}

// lowerASCII appends s with ASCII upper-case letters lowered, as strings.ToLower does
// for ASCII (other bytes are kept: no header this package reads has any).
func lowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func setTerminal(t *TerminalInfo, field []byte, v string) error {
	var err error
	switch string(field) {
	case "status_code":
		var n int64
		n, err = parsePyInt(v)
		if err == nil && (n < math.MinInt32 || n > math.MaxInt32) {
			err = fmt.Errorf("out of range")
		}
		t.StatusCode = int(n)
	case "status_message":
		t.StatusMessage = v
	case "process_time":
		t.ProcessTime, err = parsePyFloat(v)
	case "ip":
		t.IP = v
	case "port":
		var n int64
		n, err = parsePyInt(v)
		if err == nil && (n < 0 || n > 65535) {
			err = fmt.Errorf("port out of range")
		}
		t.Port = int(n)
	case "version":
		var n int64
		n, err = parsePyInt(v)
		if err == nil && (n < 0 || n > math.MaxInt32) {
			err = fmt.Errorf("version out of range")
		}
		t.Version = int(n)
	case "nonce":
		t.Nonce, err = parsePyInt(v)
	case "uuid":
		t.UUID = v
	case "hotkey":
		t.Hotkey = v
	case "signature":
		t.Signature = v
	}
	return err
}

// parsePyInt parses an int the way pydantic coerces a string: optional spaces and sign,
// decimal digits, or a float with no fractional part.
func parsePyInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 9.2e18 || math.IsNaN(f) {
		return 0, fmt.Errorf("not an integer")
	}
	return int64(f), nil
}

// parsePyFloat parses a float leniently: spaces, "inf", "nan" and integers allowed.
func parsePyFloat(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}

// TimeoutDuration converts the request's timeout to a duration.
func (r *Request) TimeoutDuration() time.Duration {
	return secondsToDuration(r.Timeout)
}

func secondsToDuration(s float64) time.Duration {
	if !(s > 0) {
		return 0
	}
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}
