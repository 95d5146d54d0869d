package netserve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// ErrBodyTooSlow is returned by a request body that arrives slower than the
// configured minimum throughput.
var ErrBodyTooSlow = errors.New("request body arrived too slowly")

// Handler wraps h with the per-request rules of the package doc: body
// throughput, write progress, no further reading of bodies answered early,
// and panics answered with 500.
func Handler(h http.Handler, c Config) http.Handler {
	c = c.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &writer{ResponseWriter: w, rc: http.NewResponseController(w), cfg: &c}
		if r.Body != nil && r.Body != http.NoBody {
			rw.body = &body{src: r.Body, rc: rw.rc, cfg: &c, length: r.ContentLength}
			r.Body = rw.body
		}
		defer rw.finish(r)
		h.ServeHTTP(rw, r)
	})
}

// writer renews the write deadline on progress and stops reading bodies
// once the response starts.
type writer struct {
	http.ResponseWriter
	rc          *http.ResponseController
	cfg         *Config
	body        *body
	mu          sync.Mutex
	wroteHeader bool
	hijacked    bool
	renewed     time.Time
}

// renew pushes the write deadline WriteTimeout ahead; skipped when it was
// renewed very recently, to keep per-write cost low on chatty streams.
func (w *writer) renew() {
	now := time.Now()
	if now.Sub(w.renewed) < w.cfg.WriteTimeout/8 {
		return
	}
	w.renewed = now
	_ = w.rc.SetWriteDeadline(now.Add(w.cfg.WriteTimeout))
}

// startResponse runs once, before the header goes out: a body not read to
// its end will not be read further, so the connection cannot be reused.
func (w *writer) startResponse() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if w.body != nil && !w.body.complete() {
		w.Header().Set("Connection", "close")
		w.body.stop()
	}
}

// WriteHeader implements http.ResponseWriter.
func (w *writer) WriteHeader(code int) {
	if code >= 200 {
		w.startResponse()
	}
	w.renew()
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *writer) Write(p []byte) (int, error) {
	w.startResponse()
	w.renew()
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher for streaming handlers.
func (w *writer) Flush() {
	w.startResponse()
	w.renew()
	_ = w.rc.Flush()
}

// Hijack implements http.Hijacker (WebSocket). The hijacked connection's
// deadlines are cleared: its owner manages them from here on.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := w.rc.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.mu.Lock()
	w.hijacked, w.wroteHeader = true, true
	w.mu.Unlock()
	_ = conn.SetDeadline(time.Time{})
	return conn, brw, nil
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish answers a panic with 500 and gives the server's final flush a
// fresh write deadline.
func (w *writer) finish(r *http.Request) {
	p := recover()
	if p == nil {
		if !w.hijacked {
			w.startResponse()
			w.renewed = time.Time{}
			w.renew()
		}
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	w.cfg.Logger.Error("http handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	w.mu.Lock()
	started, hijacked := w.wroteHeader, w.hijacked
	w.mu.Unlock()
	if started || hijacked {
		// Too late for a status: abort the connection so the client sees
		// a truncated response rather than a complete-looking one.
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": http.StatusInternalServerError, "codespace": "http",
		"message": fmt.Sprintf("internal error: %v", p)})
}

// body enforces the minimum-throughput rule on a request body.
type body struct {
	src    io.ReadCloser
	rc     *http.ResponseController
	cfg    *Config
	length int64 // Content-Length, -1 if unknown

	start time.Time // first read; only Read's goroutine touches it

	mu  sync.Mutex
	n   int64
	eof bool
	err error
}

// Read implements io.Reader. Before each read the connection's read deadline
// is set to when the next byte is due: BodyGrace after the first read plus
// the bytes so far at MinBodyRate, and never more than BodyGrace from now.
func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.err != nil || b.eof {
		err := b.err
		b.mu.Unlock()
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	b.mu.Unlock()
	n, err := b.read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += int64(n)
	if err != nil && b.err == nil && err != io.EOF {
		b.err = err
	}
	b.eof = b.eof || err == io.EOF
	return n, err
}

// read does one deadline-bounded read of the source; it runs without the
// lock so complete and stop never wait for a slow client.
func (b *body) read(p []byte) (int, error) {
	now := time.Now()
	if b.start.IsZero() {
		b.start = now
	}
	due := b.start.Add(b.cfg.BodyGrace + time.Duration(float64(b.n)/float64(b.cfg.MinBodyRate)*float64(time.Second)))
	if due.Before(now) {
		return 0, fmt.Errorf("%w: %d bytes in %s, under %d bytes/s", ErrBodyTooSlow, b.n, now.Sub(b.start).Round(time.Millisecond), b.cfg.MinBodyRate)
	}
	if stall := now.Add(b.cfg.BodyGrace); due.After(stall) {
		due = stall
	}
	_ = b.rc.SetReadDeadline(due)
	n, err := b.src.Read(p)
	if err == io.EOF {
		// The server's background read starts now; it must not inherit a
		// deadline that would cancel the request's context.
		_ = b.rc.SetReadDeadline(time.Time{})
		return n, err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, fmt.Errorf("%w: %d bytes in %s, under %d bytes/s or stalled over %s", ErrBodyTooSlow, b.n+int64(n),
			time.Since(b.start).Round(time.Millisecond), b.cfg.MinBodyRate, b.cfg.BodyGrace)
	}
	return n, err
}

// complete reports whether the body was read to its end.
func (b *body) complete() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof || (b.length >= 0 && b.n >= b.length && b.err == nil)
}

// stop makes any further read (by the handler or the server's discard of an
// unread body) fail at once.
func (b *body) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = errors.New("request body not read: response already started")
	}
	_ = b.rc.SetReadDeadline(time.Now())
}

// Close implements io.Closer.
func (b *body) Close() error { return b.src.Close() }
