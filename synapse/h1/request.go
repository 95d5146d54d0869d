package h1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unsafe"
)

// Request is one request as the server read it. The Request, its Header slice and
// its Body belong to the connection and are reused for the next request, so a
// handler must not keep them after it returns; the strings (method, target, path,
// field names and values) are the request's own and stay valid, unless the server
// has ReuseHead set: then they too are valid only until the handler returns.
type Request struct {
	Method string
	// Target is the request-target as sent; Path is its path, percent-decoded.
	Target, Path string
	// ProtoMinor is 1 for HTTP/1.1, 0 for HTTP/1.0.
	ProtoMinor int
	// Host is the Host field, or the authority of an absolute-form target.
	Host string
	// Header is every field in wire order, Host and the framing fields included.
	Header     Header
	RemoteAddr string
	// ContentLength is the declared body length: 0 without a body, -1 for chunked.
	ContentLength int64
	// Body reads the body. A request carrying "Expect: 100-continue" gets its
	// 100 Continue at the first Read, unless the response has already begun.
	Body io.Reader

	keepAlive      bool // the client allows another request on the connection
	expectContinue bool

	c      *serverConn // nil for a request not read by a Server
	ctx    context.Context
	cancel context.CancelFunc
}

// requestError is a request the server refuses before the handler sees it: the
// status and the reason sent back (with Connection: close).
type requestError struct {
	status int
	reason string
}

func (e *requestError) Error() string {
	return fmt.Sprintf("h1: %d %s: %s", e.status, http.StatusText(e.status), e.reason)
}

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, reason: fmt.Sprintf(format, args...)}
}

// readRequestHead returns the bytes of one request head, up to and including its
// blank line. A blank line where the request line belongs is refused here (RFC 9112
// allows skipping one; net/http's server does so only after a POST, and no client
// this server serves sends one); the remaining ErrMalformed of readHeadBytes is a
// head past maxBytes.
func readRequestHead(br *bufio.Reader, scratch *[]byte, maxBytes int) (string, error) {
	raw, err := readRequestHeadRaw(br, scratch, maxBytes)
	return string(raw), err
}

// readRequestHeadInto is readRequestHead with the head copied into *keep (its
// array reused from request to request) rather than into a string of its own: the
// string it returns is valid only until the next use of keep.
func readRequestHeadInto(br *bufio.Reader, scratch, keep *[]byte, maxBytes int) (string, error) {
	raw, err := readRequestHeadRaw(br, scratch, maxBytes)
	if err != nil || len(raw) == 0 {
		return "", err
	}
	*keep = append((*keep)[:0], raw...)
	return unsafe.String(&(*keep)[0], len(*keep)), nil
}

// readRequestHeadRaw is readRequestHead's bytes, valid until the next read from br
// or use of scratch.
func readRequestHeadRaw(br *bufio.Reader, scratch *[]byte, maxBytes int) ([]byte, error) {
	if _, err := br.Peek(1); err != nil {
		return nil, err
	}
	if err := checkBufferedLines(br); err != nil {
		return nil, err
	}
	raw, err := readHeadRaw(br, scratch, maxBytes)
	if errors.Is(err, ErrMalformed) {
		return nil, &requestError{status: http.StatusRequestHeaderFieldsTooLarge, reason: fmt.Sprintf("request head longer than %d bytes", maxBytes)}
	}
	return raw, err
}

// checkBufferedLines refuses at once a head (as far as it is buffered) that starts
// with a blank line or ends a line with a bare LF: readHeadBytes looks for the CRLF
// blank line only, so such a client would otherwise wait for the header timeout
// instead of hearing what is wrong.
func checkBufferedLines(br *bufio.Reader) error {
	b, _ := br.Peek(br.Buffered())
	if b[0] == '\r' || b[0] == '\n' {
		return badRequest("blank line before the request line")
	}
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return nil
		}
		if i+j == 0 || b[i+j-1] != '\r' {
			return badRequest("line not terminated by CRLF")
		}
		if j == 1 && i > 0 {
			return nil // the blank line: what follows is the body
		}
		i += j + 1
	}
	return nil
}

// parseRequest parses a complete head (request line, fields, blank line) into r,
// reusing r.Header's array.
func parseRequest(raw string, r *Request) error {
	line, rest, err := cutLine(raw)
	if err != nil {
		return err
	}
	if err := parseRequestLine(line, r); err != nil {
		return err
	}
	r.Header = r.Header[:0]
	for {
		line, rest, err = cutLine(rest)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		f, err := parseRequestField(line)
		if err != nil {
			return err
		}
		r.Header = append(r.Header, f)
	}
	if rest != "" {
		return badRequest("bytes after the head") // cannot happen: the head ends at its first blank line
	}
	return applyFields(r)
}

// cutLine splits off one CRLF-terminated line.
func cutLine(s string) (line, rest string, err error) { return splitLine(s, badRequest) }

// parseRequestLine parses "method SP request-target SP HTTP/1.x".
func parseRequestLine(line string, r *Request) error {
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || target == "" {
		return badRequest("request line %q", clip(line))
	}
	for i := 0; i < len(method); i++ {
		if !tokenByte(method[i]) {
			return badRequest("method %q", clip(method))
		}
	}
	switch version {
	case "HTTP/1.1":
		r.ProtoMinor = 1
	case "HTTP/1.0":
		r.ProtoMinor = 0
	default:
		if len(version) == 8 && strings.HasPrefix(version, "HTTP/") && isDigit(version[5]) && version[6] == '.' && isDigit(version[7]) {
			return &requestError{status: http.StatusHTTPVersionNotSupported, reason: "unsupported protocol version " + version}
		}
		return badRequest("HTTP version %q", clip(version))
	}
	r.Method, r.Target = method, target
	return parseTarget(r)
}

// parseTarget takes the path (and for the absolute form the authority) from the
// request-target: origin-form "/path?query", which every client sends to a server,
// or absolute-form "http://host/path?query", which RFC 9112 requires servers to
// accept. Bytes are visible ASCII only; escapes in the path are decoded.
func parseTarget(r *Request) error {
	t := r.Target
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return badRequest("request-target %q", clip(t))
		}
	}
	r.Host = ""
	if !strings.HasPrefix(t, "/") {
		rest, ok := cutScheme(t)
		if !ok {
			return badRequest("request-target %q is neither origin-form nor absolute-form", clip(t))
		}
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		if !validAuthority(rest[:end]) {
			return badRequest("authority %q", clip(rest[:end]))
		}
		r.Host, t = rest[:end], rest[end:]
	}
	path, _, _ := strings.Cut(t, "?")
	if strings.IndexByte(path, '%') >= 0 {
		p, err := url.PathUnescape(path)
		if err != nil {
			return badRequest("request-target %q: bad escape", clip(r.Target))
		}
		path = p
	}
	r.Path = path
	return nil
}

// cutScheme strips a lower-case "http://" or "https://".
func cutScheme(t string) (string, bool) {
	if rest, ok := strings.CutPrefix(t, "http://"); ok {
		return rest, true
	}
	return strings.CutPrefix(t, "https://")
}

// validAuthority accepts host[:port] with a registered name or IPv4 host (letters,
// digits, '-', '.', '_', '~') or a bracketed IPv6 literal, and a decimal port: the
// authorities clients put in absolute-form targets, without userinfo or escapes.
func validAuthority(a string) bool {
	host, port := a, ""
	if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.HasSuffix(a, "]") {
		host, port = a[:i], a[i+1:]
		if port == "" {
			return false
		}
		for i := 0; i < len(port); i++ {
			if !isDigit(port[i]) {
				return false
			}
		}
	}
	if strings.HasPrefix(host, "[") {
		inner, ok := strings.CutSuffix(host[1:], "]")
		if !ok || inner == "" {
			return false
		}
		for i := 0; i < len(inner); i++ {
			if c := inner[i]; !isDigit(c) && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') && c != ':' && c != '.' {
				return false
			}
		}
		return true
	}
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && strings.IndexByte("-._~", c) < 0 {
			return false
		}
	}
	return true
}

// parseRequestField parses "token ':' OWS value OWS" by h1's field rules (token
// names, no control bytes in values); a line starting with whitespace (obs-fold, a
// continuation of the previous field) is refused.
func parseRequestField(line string) (Field, error) {
	if line[0] == ' ' || line[0] == '\t' {
		return Field{}, badRequest("obs-fold: header line %q starts with whitespace", clip(line))
	}
	return splitField(line, badRequest)
}

// framing is what the fields say about the body and the connection.
type framing struct {
	length           int64 // -1: not declared
	chunked          bool
	hosts            int
	close, keepAlive bool // Connection tokens
	expect           string
}

// applyFields reads the fields that frame the body and govern the connection:
// Content-Length (one value, repeated consistently at most), Transfer-Encoding
// ("chunked" alone, HTTP/1.1 only, never with Content-Length), Host (exactly one on
// HTTP/1.1, as net/http's server insists), Connection and Expect.
func applyFields(r *Request) error {
	fr := framing{length: -1}
	for _, f := range r.Header {
		if err := fr.apply(r, f); err != nil {
			return err
		}
	}
	switch {
	case fr.chunked && fr.length >= 0:
		return badRequest("both Transfer-Encoding and Content-Length")
	case fr.chunked && r.ProtoMinor == 0:
		return badRequest("Transfer-Encoding in an HTTP/1.0 request")
	case fr.hosts > 1:
		return badRequest("too many Host headers")
	case fr.hosts == 0 && r.ProtoMinor == 1:
		return badRequest("missing required Host header")
	}
	switch {
	case fr.chunked:
		r.ContentLength = -1
	case fr.length >= 0:
		r.ContentLength = fr.length
	default:
		r.ContentLength = 0
	}
	r.keepAlive = !fr.close && (r.ProtoMinor == 1 || fr.keepAlive)
	r.expectContinue = false
	if fr.expect != "" {
		if !strings.EqualFold(fr.expect, "100-continue") {
			return &requestError{status: http.StatusExpectationFailed, reason: fmt.Sprintf("unsupported expectation %q", clip(fr.expect))}
		}
		r.expectContinue = r.ProtoMinor == 1 && r.ContentLength != 0
	}
	return nil
}

// apply takes one field into the framing.
func (fr *framing) apply(r *Request, f Field) error {
	switch {
	case strings.EqualFold(f.Name, "Content-Length"):
		n, err := parseContentLength(f.Value)
		if err != nil {
			return badRequest("Content-Length %q", clip(f.Value))
		}
		if fr.length >= 0 && n != fr.length {
			return badRequest("conflicting Content-Length values")
		}
		fr.length = n
	case strings.EqualFold(f.Name, "Transfer-Encoding"):
		if fr.chunked || !strings.EqualFold(f.Value, "chunked") {
			return &requestError{status: http.StatusNotImplemented, reason: fmt.Sprintf("unsupported Transfer-Encoding %q", clip(f.Value))}
		}
		fr.chunked = true
	case strings.EqualFold(f.Name, "Host"):
		fr.hosts++
		if !validHost(f.Value) {
			return badRequest("malformed Host header")
		}
		if r.Host == "" {
			r.Host = f.Value
		}
	case strings.EqualFold(f.Name, "Connection"):
		for tok := range strings.SplitSeq(f.Value, ",") {
			tok = strings.TrimSpace(tok)
			fr.close = fr.close || strings.EqualFold(tok, "close")
			fr.keepAlive = fr.keepAlive || strings.EqualFold(tok, "keep-alive")
		}
	case strings.EqualFold(f.Name, "Expect"):
		if fr.expect != "" {
			return badRequest("more than one Expect header")
		}
		fr.expect = f.Value // empty: no expectation, as net/http reads it
	}
	return nil
}

// validHost accepts an empty Host or an authority as validAuthority does.
func validHost(h string) bool { return h == "" || validAuthority(h) }
