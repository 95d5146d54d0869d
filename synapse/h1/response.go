package h1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unsafe"
)

// Field is one response header as received.
type Field struct{ Name, Value string }

// Header is a response's header fields in wire order.
type Header []Field

// Get returns the value of the first field named name (case-insensitive), or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// HTTP returns the fields as an http.Header (canonical keys, values in order; nil for
// nil), for code that shows or forwards them.
func (h Header) HTTP() http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for _, f := range h {
		k := http.CanonicalHeaderKey(f.Name)
		out[k] = append(out[k], f.Value)
	}
	return out
}

// Response is a response head and its body.
type Response struct {
	StatusCode int
	Header     Header
	// ContentLength is the declared body length, -1 for chunked or close-delimited.
	ContentLength int64
	// Body reads the body; Close must be called. The connection is reused only when
	// the body was read to the end.
	Body io.ReadCloser
}

// ErrMalformed wraps every parse failure.
var ErrMalformed = errors.New("h1: malformed response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// maxInterim bounds the 1xx responses skipped before the final one.
const maxInterim = 5

// head is a parsed response head.
type head struct {
	status    int
	header    Header
	length    int64 // -1: not declared
	chunked   bool
	keepAlive bool
	noBody    bool
}

// readHead reads a response head from br, skipping interim 1xx responses. maxBytes
// bounds each head; scratch is reused across calls on one connection. An io.EOF
// means the connection ended before the first byte.
func readHead(br *bufio.Reader, scratch *[]byte, maxBytes int) (head, error) {
	return readHeadInto(br, scratch, nil, maxBytes)
}

// readHeadInto is readHead; with fields non-nil, the head's fields go into *fields
// (its array reused from head to head) as views of the raw head rather than copies,
// valid only until the next read from br or use of scratch.
func readHeadInto(br *bufio.Reader, scratch *[]byte, fields *Header, maxBytes int) (head, error) {
	for range maxInterim + 1 {
		raw, err := readHeadRaw(br, scratch, maxBytes)
		if err != nil {
			return head{}, err
		}
		var h head
		if fields == nil {
			h, err = parseHead(raw)
		} else {
			if h, err = parseHeadViewBytes(raw, (*fields)[:0]); err == nil {
				*fields = h.header[:0]
			}
		}
		if err != nil {
			return head{}, err
		}
		if h.status >= 200 {
			return h, nil
		}
	}
	return head{}, malformed("more than %d interim responses", maxInterim)
}

// readHeadRaw returns the bytes up to and including the blank line that ends a head.
// They are br's buffer or scratch, so they are valid only until the next read from
// br or use of scratch: parseHead copies what it keeps.
func readHeadRaw(br *bufio.Reader, scratch *[]byte, maxBytes int) ([]byte, error) {
	if head, ok, err := bufferedHead(br, maxBytes); ok || err != nil {
		return head, err
	}
	buf := (*scratch)[:0]
	defer func() { *scratch = buf[:0] }()
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > maxBytes {
			return nil, malformed("head longer than %d bytes", maxBytes)
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line := buf[lineStart:]; len(line) == 2 && line[0] == '\r' {
			if lineStart == 0 {
				return nil, malformed("empty status line")
			}
			return buf, nil
		}
		lineStart = len(buf)
	}
}

// readHeadBytes is readHeadRaw as a string of its own, which the fields parsed from
// it may share (the server keeps a request's head so).
func readHeadBytes(br *bufio.Reader, scratch *[]byte, maxBytes int) (string, error) {
	b, err := readHeadRaw(br, scratch, maxBytes)
	return string(b), err
}

// bufferedHead takes a whole head straight from br's buffer when one arrived in the
// first read, as a response head from an axon does: one scan for the blank line
// instead of a ReadSlice call and a copy per line. ok is false when the head is not
// all buffered, is too long or starts with a blank line; the line-by-line reader then
// reads or rejects it exactly as before. An error is the first read's. The head is
// br's buffer, valid until the next read from br.
func bufferedHead(br *bufio.Reader, maxBytes int) ([]byte, bool, error) {
	if _, err := br.Peek(1); err != nil {
		return nil, false, err
	}
	b, _ := br.Peek(br.Buffered())
	if b[0] == '\r' || b[0] == '\n' {
		return nil, false, nil
	}
	// The head ends at the first line that is exactly CRLF, i.e. after "\n\r\n".
	i := bytes.Index(b, []byte("\n\r\n"))
	if i < 0 || i+3 > maxBytes {
		return nil, false, nil
	}
	head := b[: i+3 : i+3]
	_, _ = br.Discard(i + 3)
	return head, true, nil
}

// parseHead parses a complete head (status line, fields, blank line) in place and
// copies out only what the response keeps: the field values, and the names other
// than the usual ones, into one string.
func parseHead(raw []byte) (head, error) {
	// The fields parsed from raw point into it until keepFields moves them, and no
	// error message keeps a piece of it (malformed formats a copy).
	h, err := parseHeadViewBytes(raw, nil)
	if err != nil {
		return head{}, err
	}
	keepFields(h.header, raw)
	return h, nil
}

// parseHeadViewBytes is parseHeadViewInto over raw's bytes: the fields point into
// raw, which the caller must not change while it uses them.
func parseHeadViewBytes(raw []byte, fields Header) (head, error) {
	if len(raw) == 0 {
		return head{}, malformed("line not terminated by CRLF")
	}
	return parseHeadViewInto(unsafe.String(&raw[0], len(raw)), fields)
}

// parseHeadViewInto parses a complete head, appending its fields (substrings of
// raw) to fields, or to a new slice of the right size when fields is nil.
func parseHeadViewInto(raw string, fields Header) (head, error) {
	line, rest, err := nextLine(raw)
	if err != nil {
		return head{}, err
	}
	h := head{length: -1}
	proto11, err := parseStatusLine(line, &h)
	if err != nil {
		return head{}, err
	}
	h.keepAlive = proto11
	if fields == nil {
		n := strings.Count(rest, "\n") - 1
		fields = make(Header, 0, max(n, 0))
	}
	h.header = fields
	var te, cl bool
	for {
		line, rest, err = nextLine(rest)
		if err != nil {
			return head{}, err
		}
		if line == "" {
			break
		}
		f, err := parseField(line)
		if err != nil {
			return head{}, err
		}
		h.header = append(h.header, f)
		switch {
		case strings.EqualFold(f.Name, "Content-Length"):
			n, err := parseContentLength(f.Value)
			if err != nil {
				return head{}, err
			}
			if cl && n != h.length {
				return head{}, malformed("conflicting Content-Length values")
			}
			cl, h.length = true, n
		case strings.EqualFold(f.Name, "Transfer-Encoding"):
			if te || !strings.EqualFold(f.Value, "chunked") {
				return head{}, malformed("unsupported Transfer-Encoding %q", f.Value)
			}
			te = true
		case strings.EqualFold(f.Name, "Connection"):
			for tok := range strings.SplitSeq(f.Value, ",") {
				if strings.EqualFold(strings.TrimSpace(tok), "close") {
					h.keepAlive = false
				}
			}
		}
	}
	if rest != "" {
		return head{}, malformed("bytes after the head")
	}
	if te && cl {
		return head{}, malformed("both Transfer-Encoding and Content-Length")
	}
	if te && !proto11 {
		return head{}, malformed("Transfer-Encoding in an HTTP/1.0 response")
	}
	h.chunked = te
	if h.status == http.StatusNoContent || h.status == http.StatusNotModified || h.status < 200 {
		h.noBody, h.chunked, h.length = true, false, 0
	}
	if !h.noBody && !te && !cl {
		h.keepAlive = false // close-delimited
	}
	return h, nil
}

// keepFields moves the names and values of fields out of raw, the buffer they were
// parsed from: the usual names become constants (knownName), everything else is
// copied into one new string.
func keepFields(fields Header, raw []byte) {
	n := 0
	for i := range fields {
		f := &fields[i]
		if name, ok := knownName(f.Name); ok {
			f.Name = name
		} else {
			n += len(f.Name)
		}
		n += len(f.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		if inside(f.Name, raw) {
			b.WriteString(f.Name)
		}
		b.WriteString(f.Value)
	}
	// Substrings only now: the builder's string is final once everything is written.
	kept := b.String()
	off := 0
	take := func(s string) string {
		s, off = kept[off:off+len(s)], off+len(s)
		return s
	}
	for i := range fields {
		f := &fields[i]
		if inside(f.Name, raw) {
			f.Name = take(f.Name)
		}
		f.Value = take(f.Value)
	}
}

// inside reports whether s is a non-empty piece of raw.
func inside(s string, raw []byte) bool {
	if s == "" || len(raw) == 0 {
		return false
	}
	p, base := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&raw[0]))
	return p >= base && p-base < uintptr(len(raw))
}

// knownName returns the constant for a header name an axon sends in every response
// (spelled exactly so), so that a response does not copy it.
func knownName(name string) (string, bool) {
	switch name {
	case "Content-Length":
		return "Content-Length", true
	case "Content-Type":
		return "Content-Type", true
	case "Date":
		return "Date", true
	case "name":
		return "name", true
	case "timeout":
		return "timeout", true
	case "header_size":
		return "header_size", true
	case "total_size":
		return "total_size", true
	case "computed_body_hash":
		return "computed_body_hash", true
	case "bt_header_axon_status_code":
		return "bt_header_axon_status_code", true
	case "bt_header_axon_status_message":
		return "bt_header_axon_status_message", true
	case "bt_header_axon_process_time":
		return "bt_header_axon_process_time", true
	case "bt_header_axon_ip":
		return "bt_header_axon_ip", true
	case "bt_header_axon_port":
		return "bt_header_axon_port", true
	case "bt_header_axon_version":
		return "bt_header_axon_version", true
	case "bt_header_axon_nonce":
		return "bt_header_axon_nonce", true
	case "bt_header_axon_uuid":
		return "bt_header_axon_uuid", true
	case "bt_header_axon_hotkey":
		return "bt_header_axon_hotkey", true
	case "bt_header_axon_signature":
		return "bt_header_axon_signature", true
	case "bt_header_dendrite_status_code":
		return "bt_header_dendrite_status_code", true
	case "bt_header_dendrite_status_message":
		return "bt_header_dendrite_status_message", true
	case "bt_header_dendrite_process_time":
		return "bt_header_dendrite_process_time", true
	case "bt_header_dendrite_ip":
		return "bt_header_dendrite_ip", true
	case "bt_header_dendrite_port":
		return "bt_header_dendrite_port", true
	case "bt_header_dendrite_version":
		return "bt_header_dendrite_version", true
	case "bt_header_dendrite_nonce":
		return "bt_header_dendrite_nonce", true
	case "bt_header_dendrite_uuid":
		return "bt_header_dendrite_uuid", true
	case "bt_header_dendrite_hotkey":
		return "bt_header_dendrite_hotkey", true
	case "bt_header_dendrite_signature":
		return "bt_header_dendrite_signature", true
	}
	return "", false
}

// nextLine splits off one CRLF-terminated line.
func nextLine(s string) (line, rest string, err error) { return splitLine(s, malformed) }

// splitLine splits off one CRLF-terminated line, for response and request heads
// alike; fail builds the side's own error.
func splitLine(s string, fail func(format string, args ...any) error) (line, rest string, err error) {
	i := strings.IndexByte(s, '\n')
	if i < 1 || s[i-1] != '\r' {
		return "", "", fail("line not terminated by CRLF")
	}
	return s[:i-1], s[i+1:], nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason]" and reports HTTP/1.1.
func parseStatusLine(line string, h *head) (bool, error) {
	var proto11 bool
	switch {
	case strings.HasPrefix(line, "HTTP/1.1 "):
		proto11 = true
	case strings.HasPrefix(line, "HTTP/1.0 "):
	default:
		return false, malformed("status line %q", clip(line))
	}
	code := line[len("HTTP/1.x "):]
	reason := ""
	if len(code) > 3 {
		if code[3] != ' ' {
			return false, malformed("status line %q", clip(line))
		}
		code, reason = code[:3], code[4:]
	}
	if len(code) != 3 || code[0] < '1' || code[0] > '5' || !isDigit(code[1]) || !isDigit(code[2]) {
		return false, malformed("status code %q", clip(code))
	}
	for i := 0; i < len(reason); i++ {
		if !fieldValueByte(reason[i]) {
			return false, malformed("control byte in the reason phrase")
		}
	}
	h.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if h.status == http.StatusSwitchingProtocols {
		return false, malformed("unexpected 101 Switching Protocols")
	}
	return proto11, nil
}

// parseField parses "token ':' OWS value OWS".
func parseField(line string) (Field, error) {
	return splitField(line, malformed)
}

// splitField applies h1's field rules, shared by responses and requests: a token
// name before the colon, no control bytes in the value (trimmed of OWS). fail builds
// the side's own error (a malformed response, or a 400 for a request).
func splitField(line string, fail func(format string, args ...any) error) (Field, error) {
	colon := strings.IndexByte(line, ':')
	if colon <= 0 {
		return Field{}, fail("header line %q", clip(line))
	}
	name := line[:colon]
	for i := 0; i < len(name); i++ {
		if !tokenByte(name[i]) {
			return Field{}, fail("header name %q", clip(name))
		}
	}
	v := TrimOWS(line[colon+1:])
	for i := 0; i < len(v); i++ {
		if !fieldValueByte(v[i]) {
			return Field{}, fail("control byte in header %s", clip(name))
		}
	}
	return Field{Name: name, Value: v}, nil
}

// TrimOWS is strings.Trim(s, " \t"), the optional whitespace around a field value,
// without building a cutset per call (twice per header field of every response).
func TrimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// parseContentLength accepts 1*DIGIT without overflow.
func parseContentLength(v string) (int64, error) {
	if v == "" || len(v) > 18 {
		return 0, malformed("Content-Length %q", clip(v))
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return 0, malformed("Content-Length %q", clip(v))
		}
	}
	n, _ := strconv.ParseInt(v, 10, 64) // ≤ 18 digits: cannot overflow
	return n, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// tokenByte: RFC 9110 tchar.
func tokenByte(c byte) bool { return tchar[c] }

// tchar is the RFC 9110 tchar set as a table: header names are checked byte by byte.
var tchar = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || isDigit(b) || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
	}
	return t
}()

// fieldValueByte: VCHAR, obs-text, SP or HTAB.
func fieldValueByte(c byte) bool { return c == '\t' || c >= 0x20 && c != 0x7f }

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
