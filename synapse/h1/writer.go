package h1

import (
	"bufio"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// ResponseWriter writes one response straight into the connection's buffered
// writer: WriteStatus, then the fields (WriteField, WriteFieldBytes), then EndHead,
// then the body (Write). The server adds Date, the framing field and Connection;
// the handler's fields must be valid (token names, no CR, LF or other control bytes
// in values): they are copied as given. The response reaches the client when the
// handler returns, or at Flush. It belongs to the connection and is reused.
type ResponseWriter struct {
	c  *serverConn
	bw *bufio.Writer

	started, headDone bool
	streaming         bool  // EndHead(-1): the body length is not known
	chunked           bool  // streaming to an HTTP/1.1 client: chunked coding
	noBody            bool  // a HEAD request: the body is not sent
	length            int64 // declared body length, -1 when streaming
	written           int64
	closeAfter        bool // the connection ends after this response
}

// ErrBodyLength is a Write past the declared Content-Length.
var ErrBodyLength = errors.New("h1: body longer than its declared Content-Length")

// errNoHead is a Write or field outside the order WriteStatus, fields, EndHead.
var errNoHead = errors.New("h1: response written out of order")

func (w *ResponseWriter) reset(c *serverConn, noBody, closeAfter bool) {
	*w = ResponseWriter{c: c, bw: c.bw, noBody: noBody, closeAfter: closeAfter}
}

// SetReadDeadline bounds the reads of the request body (and the server's discard of
// what the handler leaves unread).
func (w *ResponseWriter) SetReadDeadline(t time.Time) error {
	w.c.watch.readDeadline = t // restored after a disconnect watch
	return w.c.nc.SetReadDeadline(t)
}

// SetWriteDeadline bounds the writes of the response.
func (w *ResponseWriter) SetWriteDeadline(t time.Time) error { return w.c.nc.SetWriteDeadline(t) }

// WriteStatus starts the response with its status line (code 200..999; 1xx
// responses are the server's). A second call is ignored.
func (w *ResponseWriter) WriteStatus(code int) {
	if w.started {
		return
	}
	w.started = true
	_, _ = w.bw.WriteString(statusLine(code))
}

// WriteField appends one header field.
func (w *ResponseWriter) WriteField(name, value string) {
	if w.started && !w.headDone {
		w.appendField(name, value, nil)
	}
}

// WriteFieldBytes appends one header field whose value is bytes. The bytes are
// copied into the connection's buffer and never handed to the connection itself,
// so a caller's stack buffer stays on its stack.
func (w *ResponseWriter) WriteFieldBytes(name string, value []byte) {
	if w.started && !w.headDone {
		w.appendField(name, "", value)
	}
}

func (w *ResponseWriter) appendField(name, s string, b []byte) {
	buf := w.bw.AvailableBuffer()
	buf = append(buf, name...)
	buf = append(buf, ':', ' ')
	buf = append(buf, s...)
	buf = append(buf, b...)
	buf = append(buf, '\r', '\n')
	_, _ = w.bw.Write(buf)
}

// EndHead ends the head. length is the body's exact length, or -1 when it is not
// known: the body then goes out in chunks flushed at each Flush (HTTP/1.1), or until
// the connection closes (HTTP/1.0).
func (w *ResponseWriter) EndHead(length int64) {
	if !w.started || w.headDone {
		return
	}
	w.headDone = true
	w.appendField("Date", "", httpDate())
	switch {
	case length >= 0:
		w.length = length
		var num [20]byte
		w.appendField("Content-Length", "", strconv.AppendInt(num[:0], length, 10))
	case w.c.req.ProtoMinor == 1:
		w.length, w.streaming, w.chunked = -1, true, true
		w.appendField("Transfer-Encoding", "chunked", nil)
	default:
		w.length, w.streaming, w.closeAfter = -1, true, true
	}
	switch {
	case w.closeAfter:
		w.appendField("Connection", "close", nil)
	case w.c.req.ProtoMinor == 0:
		w.appendField("Connection", "keep-alive", nil)
	}
	_, _ = w.bw.WriteString("\r\n")
}

// Write appends body bytes; when streaming, p is one chunk.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if !w.headDone {
		return 0, errNoHead
	}
	if w.length >= 0 && w.written+int64(len(p)) > w.length {
		return 0, ErrBodyLength
	}
	w.written += int64(len(p))
	if w.noBody || len(p) == 0 {
		return len(p), nil
	}
	if w.chunked {
		var size [18]byte
		buf := strconv.AppendInt(size[:0], int64(len(p)), 16)
		_, _ = w.bw.Write(append(buf, '\r', '\n'))
		n, err := w.bw.Write(p)
		if err == nil {
			_, err = w.bw.WriteString("\r\n")
		}
		return n, err
	}
	return w.bw.Write(p)
}

// Flush sends what is buffered to the client.
func (w *ResponseWriter) Flush() error { return w.bw.Flush() }

// complete finishes the body framing; it reports whether the response was whole
// (a head, and exactly the declared body), so the connection can carry another.
func (w *ResponseWriter) complete() bool {
	if !w.headDone {
		return false
	}
	if w.chunked {
		if !w.noBody {
			_, _ = w.bw.WriteString("0\r\n\r\n")
		}
		return true
	}
	return w.streaming || w.written == w.length
}

// statusLines holds "HTTP/1.1 code text\r\n" for every code net/http names.
var statusLines = func() (t [600]string) {
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			t[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + text + "\r\n"
		}
	}
	return t
}()

func statusLine(code int) string {
	if code < 200 || code > 999 {
		code = http.StatusInternalServerError
	}
	if code < len(statusLines) && statusLines[code] != "" {
		return statusLines[code]
	}
	return "HTTP/1.1 " + strconv.Itoa(code) + " \r\n"
}

// dateCache is the Date value for the current second, shared by every connection:
// formatting it per response would cost more than the rest of the head.
type dateCache struct {
	sec int64
	val []byte
}

var lastDate atomic.Pointer[dateCache]

// httpDate is now in IMF-fixdate, as RFC 9110 asks an origin server to send.
func httpDate() []byte {
	now := time.Now()
	if d := lastDate.Load(); d != nil && d.sec == now.Unix() {
		return d.val
	}
	d := &dateCache{sec: now.Unix(), val: now.UTC().AppendFormat(nil, http.TimeFormat)}
	lastDate.Store(d)
	return d.val
}
