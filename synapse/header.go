package synapse

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
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

// headerEncoder collects a response's or request's synapse headers and stores them
// in an http.Header with two allocations in all: one backing array for the
// one-element value slices and one string holding every formatted number (ports,
// nonces, sizes, floats); header_size is counted as headers are added. That
// replaces a string per number, a slice per header and a pass over the map. It lives
// on the caller's stack (no method keeps a pointer into it).
type headerEncoder struct {
	fields [maxEncodedHeaders]encodedField
	n      int
	extra  []encodedField // past the fixed set (many input_obj headers)
	size   int            // header_size share (key + value + 4) of the fields so far
	num    [320]byte      // formatted numbers: at most 12 of at most 24 bytes, + 32 spare
	numLen int
}

// maxEncodedHeaders is every header encodeHeaders can set (name, timeout, 10 + 10
// terminal fields, the three size/hash headers) plus Content-Type and
// Content-Length; input_obj headers beyond those go to extra.
const maxEncodedHeaders = 27

// maxNumLen bounds a formatted number (an int64 or a PyFloat such as
// "-1.2345678901234567e-308").
const maxNumLen = 24

// encodedField is a header: a string value, or bytes [lo, hi) of the number buffer.
type encodedField struct {
	key    string
	val    string
	lo, hi int
}

func (e *headerEncoder) add(k, v string) {
	e.size += len(k) + len(v) + 4
	e.push(encodedField{key: k, val: v})
}

func (e *headerEncoder) push(f encodedField) {
	if e.n == len(e.fields) {
		e.extra = append(e.extra, f)
		return
	}
	e.fields[e.n] = f
	e.n++
}

func (e *headerEncoder) addInt(k string, v int64) {
	lo := e.numLen
	if len(e.num)-lo < maxNumLen {
		e.add(k, strconv.FormatInt(v, 10)) // never with encodeHeaders' set; kept safe
		return
	}
	e.addNum(k, lo, len(strconv.AppendInt(e.num[lo:lo], v, 10)))
}

func (e *headerEncoder) addFloat(k string, v float64) {
	lo := e.numLen
	if len(e.num)-lo < maxNumLen {
		e.add(k, PyFloat(v))
		return
	}
	e.addNum(k, lo, len(appendPyFloat(e.num[lo:lo], v)))
}

// addNum adds the n bytes just formatted at e.num[lo:].
func (e *headerEncoder) addNum(k string, lo, n int) {
	e.numLen = lo + n
	e.size += len(k) + n + 4
	e.push(encodedField{key: k, lo: lo, hi: lo + n})
}

// store assigns the collected headers to h, one map assignment each.
func (e *headerEncoder) store(h http.Header) {
	nums := string(e.num[:e.numLen])
	vals := make([]string, e.n+len(e.extra))
	for i := range vals {
		var f *encodedField
		if i < e.n {
			f = &e.fields[i]
		} else {
			f = &e.extra[i-e.n]
		}
		if f.hi > f.lo {
			vals[i] = nums[f.lo:f.hi]
		} else {
			vals[i] = f.val
		}
		h[f.key] = vals[i : i+1 : i+1]
	}
}

// writeTo writes the collected headers as fields of an h1 response, the numbers
// straight from e.num: no header map and no string of numbers.
func (e *headerEncoder) writeTo(w *h1.ResponseWriter) {
	for i := range e.n {
		e.writeField(w, &e.fields[i])
	}
	for i := range e.extra {
		e.writeField(w, &e.extra[i])
	}
}

func (e *headerEncoder) writeField(w *h1.ResponseWriter, f *encodedField) {
	if f.hi > f.lo {
		w.WriteFieldBytes(f.key, e.num[f.lo:f.hi])
	} else {
		w.WriteField(f.key, f.val)
	}
}

// has reports whether k is among the collected fields.
func (e *headerEncoder) has(k string) bool {
	for i := range e.n {
		if e.fields[i].key == k {
			return true
		}
	}
	for i := range e.extra {
		if e.extra[i].key == k {
			return true
		}
	}
	return false
}

// encodeTerminal adds bt_header_{prefix}* headers for every non-zero field, in
// TerminalInfo field order.
func encodeTerminal(e *headerEncoder, keys *terminalKeys, t *TerminalInfo) {
	if t.StatusCode != 0 {
		e.addInt(keys.statusCode, int64(t.StatusCode))
	}
	if t.StatusMessage != "" {
		e.add(keys.statusMessage, headerSafe(t.StatusMessage))
	}
	if t.ProcessTime != 0 {
		e.addFloat(keys.processTime, t.ProcessTime)
	}
	if t.IP != "" {
		e.add(keys.ip, headerSafe(t.IP))
	}
	if t.Port != 0 {
		e.addInt(keys.port, int64(t.Port))
	}
	if t.Version != 0 {
		e.addInt(keys.version, int64(t.Version))
	}
	if t.Nonce != 0 {
		e.addInt(keys.nonce, t.Nonce)
	}
	if t.UUID != "" {
		e.add(keys.uuid, headerSafe(t.UUID))
	}
	if t.Hotkey != "" {
		e.add(keys.hotkey, headerSafe(t.Hotkey))
	}
	if t.Signature != "" {
		e.add(keys.signature, headerSafe(t.Signature))
	}
}

// headerSafe drops bytes that cannot appear in an HTTP header value (net/http would
// otherwise refuse to send the whole request or response).
func headerSafe(s string) string {
	if headerClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; !headerBad[c] {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// headerClean reports that s has no byte headerBad refuses. It tests eight bytes at a
// time (a response carries ~700 bytes of such values) and only a word that may hold
// one looks at its bytes: "some byte < 0x20" and "some byte == 0x7f" have no false
// negatives, and the tab that the first also flags is sorted out byte by byte.
func headerClean(s string) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		d := x ^ 0x7f*ones
		if (x-0x20*ones)&^x&high|(d-ones)&^d&high != 0 {
			for j := i; j < i+8; j++ {
				if headerBad[s[j]] {
					return false
				}
			}
		}
	}
	for ; i < len(s); i++ {
		if headerBad[s[i]] {
			return false
		}
	}
	return true
}

// load64 reads s[i:i+8] as a little-endian word (one load once compiled).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// headerBad[c] reports a byte net/http refuses in a header value: controls other than
// the tab, and DEL. A table lookup per byte is cheaper than the comparisons spelled
// out over the ~700 bytes of values in a response.
var headerBad = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t'
	}
	t[0x7f] = true
	return t
}()

// encodeHeaders writes the full to_headers() set of a synapse: name, timeout, axon and
// dendrite terminal fields, input_obj for required payload fields, sizes and body hash.
func encodeHeaders(h http.Header, sc *schema, r *Request, totalSize int64) {
	var e headerEncoder
	e.encode(h, sc, r, totalSize)
	e.store(h)
}

// encode collects encodeHeaders' set; header_size counts every header h holds before
// it, as upstream's to_headers measures the dict it has built so far.
func (e *headerEncoder) encode(h http.Header, sc *schema, r *Request, totalSize int64) {
	e.add(hdrName, headerSafe(r.Name))
	e.addFloat(hdrTimeout, r.Timeout)
	encodeTerminal(e, axonKeys, &r.Axon)
	encodeTerminal(e, dendriteKeys, &r.Dendrite)
	if sc != nil {
		for _, f := range sc.fields {
			if k, ok := sc.inputObjKey[f.wire]; ok {
				e.add(k, sc.inputObj[f.wire])
			}
		}
	}
	size := e.size
	if len(h) > 0 {
		// Headers set before (or spilled past the fixed set): count h as it will be.
		size = 0
		for k, vs := range h {
			if !e.has(k) {
				for _, v := range vs {
					size += len(k) + len(v) + 4
				}
			}
		}
		size += e.size
	}
	e.addInt(hdrHeaderSize, int64(size))
	e.addInt(hdrTotalSize, totalSize)
	e.add(hdrBodyHash, headerSafe(r.BodyHash))
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

// parseFields is ParseHeaders over header fields in wire order, into r: the dendrite
// parses one set per response into a value on its stack, the axon a request's from
// h1's server (FuzzRequestFieldsMatchHeaderMap holds that to ParseHeaders). The first of duplicate
// fields wins, as http.Header's first value does; fields are applied last to first
// for that, so a malformed duplicate is an error here.
func (r *Request) parseFields(h h1.Header) error {
	*r = Request{Timeout: DefaultTimeout}
	for i := len(h) - 1; i >= 0; i-- {
		if err := r.setHeader(h[i].Name, h[i].Value); err != nil {
			return err
		}
	}
	return nil
}

// setHeader applies one header. Names match case-insensitively through a lower-case
// copy on the stack: net/http's server hands over "Bt_header_axon_nonce", and a
// response has ~27 of these per call.
func (r *Request) setHeader(k, v string) error {
	var buf [64]byte
	var lk []byte
	if len(k) <= len(buf) {
		lk = lowerASCII(&buf, k)
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
		err = checkInputObj(v)
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

// checkInputObj checks that v is base64 of valid JSON. The usual value (an empty
// required field, "W10=") is decoded on the stack rather than into a new slice.
func checkInputObj(v string) error {
	s := strings.TrimSpace(v)
	var raw []byte
	var err error
	if len(s) <= 128 {
		var src [128]byte
		var dst [96]byte // base64.StdEncoding.DecodedLen(128)
		n, derr := base64.StdEncoding.Decode(dst[:], src[:copy(src[:], s)])
		raw, err = dst[:n], derr
	} else {
		raw, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil {
		return err
	}
	if !json.Valid(raw) {
		return fmt.Errorf("not JSON")
	}
	return nil
}

// lowerASCII copies s (at most 64 bytes) into buf with ASCII upper-case letters
// lowered, as strings.ToLower does for ASCII (other bytes are kept: no header this
// package reads has any). It works on eight bytes at a time: a byte-wise loop was
// half of parsing a response's ~27 header fields.
func lowerASCII(buf *[64]byte, s string) []byte {
	n := copy(buf[:], s)
	for i := 0; i < n; i += 8 {
		w := binary.LittleEndian.Uint64(buf[i : i+8])
		binary.LittleEndian.PutUint64(buf[i:i+8], lowerWord(w))
	}
	return buf[:n]
}

// lowerWord lowers the ASCII upper-case letters among the eight bytes of x. Per byte,
// h is its low seven bits; h+0x3f has the top bit set iff h >= 'A', h+0x25 iff
// h > 'Z' (neither sum carries into the next byte); a byte with its own top bit set
// is not ASCII and stays. The letters get 0x20 added, the top bit shifted down.
func lowerWord(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	h := x &^ high
	geA := h + (0x80-'A')*ones
	gtZ := h + (0x80-'Z'-1)*ones
	upper := geA &^ gtZ &^ x & high
	return x | upper>>2
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
	if n, ok := plainDecimal(s); ok {
		return n, nil
	}
	return parsePyIntGeneral(s)
}

// parsePyIntGeneral is parsePyInt without plainDecimal's fast path for plain digits.
func parsePyIntGeneral(s string) (int64, error) {
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

// plainDecimal parses 1 to 19 ASCII digits that fit an int64: every number header
// as sent, without strconv's generality (a response carries about six). Anything
// else is left to the general path.
func plainDecimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var n uint64 // 19 digits stay below 1e19 < 2^64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + uint64(c)
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
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
