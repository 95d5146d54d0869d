package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Handler serves one request: it writes a response through w before it returns.
// It must not keep r or w after it returns.
type Handler interface {
	ServeH1(w *ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w *ResponseWriter, r *Request)

// ServeH1 calls f.
func (f HandlerFunc) ServeH1(w *ResponseWriter, r *Request) { f(w, r) }

// Server serves HTTP/1.x on keep-alive connections, one goroutine per connection,
// requests (pipelined ones too) answered in order. Set the fields before Serve.
type Server struct {
	Handler Handler
	// ReadHeaderTimeout bounds a request head, from the connection's start or the
	// head's first byte [5 s].
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a connection idle between requests [90 s].
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request head; past it the answer is 431 [64 KiB].
	MaxHeaderBytes int
	// Logger receives handler panics and refused requests (debug) [discard].
	Logger *slog.Logger
	// DisconnectWatchAfter is how long a handler runs before the server starts
	// watching its connection for the client hanging up [1 s; negative: never].
	// Shorter requests pay nothing for the watch; see disconnect.go. The watch ends
	// with a read deadline in the past, so a connection served with a watch must
	// unblock a pending Read at SetReadDeadline (the net package's all do).
	DisconnectWatchAfter time.Duration
	// ReuseHead keeps each request head in a per-connection buffer reused for the
	// next request instead of a string of its own (one allocation of the head's
	// size per request, ~1 KiB for a synapse call): the Request's strings (method,
	// target, path, field names and values) are then valid only until the handler
	// returns, and a handler that keeps one must copy it (strings.Clone).
	ReuseHead bool

	// onWatch, if set (tests), runs when a watcher starts reading ahead.
	onWatch func()

	mu         sync.Mutex
	listeners  map[net.Listener]struct{}
	conns      map[*serverConn]struct{}
	inShutdown atomic.Bool
}

// ErrServerClosed is Serve's result after Shutdown.
var ErrServerClosed = errors.New("h1: server closed")

// Connection states: a connection waiting for a request's first byte is idle, and
// Shutdown may close it; one serving a request is active.
const (
	stateIdle int32 = iota
	stateActive
	stateClosed
)

// maxDiscardBytes is how much of a body the handler left unread is read and
// dropped to keep the connection (net/http's server reads as much); past it, or on
// a read error, the connection closes instead.
const maxDiscardBytes = 256 << 10

// lingerTime bounds the wait for the client to see an error response before the
// connection closes (closing with its unread request bytes pending would reset it).
const lingerTime = 500 * time.Millisecond

// init fills the defaults and the registries; s.mu is held.
func (s *Server) init() {
	if s.listeners == nil {
		s.listeners, s.conns = map[net.Listener]struct{}{}, map[*serverConn]struct{}{}
	}
	if s.ReadHeaderTimeout <= 0 {
		s.ReadHeaderTimeout = 5 * time.Second
	}
	if s.IdleTimeout <= 0 {
		s.IdleTimeout = 90 * time.Second
	}
	if s.MaxHeaderBytes <= 0 {
		s.MaxHeaderBytes = 64 << 10
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.DisconnectWatchAfter == 0 {
		s.DisconnectWatchAfter = time.Second
	}
}

// Serve accepts connections on l until Shutdown (then it returns ErrServerClosed)
// or until Accept fails for good. l is closed when Serve returns.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.init()
	if s.inShutdown.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if backoff = nextBackoff(backoff); isTemporary(err) {
				s.Logger.Debug("h1: accept", "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if c := s.track(nc); c != nil {
			go c.serve()
		}
	}
}

// ServeConn serves one connection in the calling goroutine until it ends; Shutdown
// covers it like an accepted one.
func (s *Server) ServeConn(nc net.Conn) {
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	if c := s.track(nc); c != nil {
		c.serve()
	}
}

// isTemporary reports an Accept error worth retrying (out of descriptors, an
// aborted connection), as net/http's server does.
func isTemporary(err error) bool {
	var ne interface{ Temporary() bool }
	return errors.As(err, &ne) && ne.Temporary()
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	return min(2*d, time.Second)
}

// track registers a new connection, or closes it when the server is shutting down.
func (s *Server) track(nc net.Conn) *serverConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		nc.Close()
		return nil
	}
	c := &serverConn{s: s, nc: nc, remote: nc.RemoteAddr().String(), start: time.Now()}
	s.conns[c] = struct{}{}
	return c
}

// Shutdown stops accepting, closes idle connections, and waits for the active ones
// to finish their request until ctx is done (it then returns ctx's error and leaves
// them running).
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	var lerr error
	for l := range s.listeners {
		if err := l.Close(); err != nil && lerr == nil && !errors.Is(err, net.ErrClosed) {
			lerr = err
		}
	}
	s.mu.Unlock()
	poll := time.Millisecond
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		if s.closeIdle() {
			return lerr
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			poll = min(2*poll, 100*time.Millisecond)
			timer.Reset(poll)
		}
	}
}

// closeIdle closes the idle connections and reports whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.nc.Close()
		}
	}
	return len(s.conns) == 0
}

// serverConn is one connection and everything its requests reuse.
type serverConn struct {
	s       *Server
	nc      net.Conn
	remote  string
	start   time.Time
	state   atomic.Int32
	br      *bufio.Reader
	bw      *bufio.Writer
	scratch []byte
	head    []byte // the request head, with Server.ReuseHead
	req     Request
	body    requestBody
	w       ResponseWriter
	watch   hangWatch
}

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}
)

// serve answers requests until the client or the server ends the connection.
func (c *serverConn) serve() {
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(c.nc)
	c.bw = writerPool.Get().(*bufio.Writer)
	c.bw.Reset(c.nc)
	defer c.close()
	defer c.recoverPanic()
	for first := true; c.awaitRequest(first); first = false {
		if err := c.readRequest(); err != nil {
			c.refuse(err)
			return
		}
		c.handle()
		if !c.finishRequest() {
			return
		}
	}
}

// recoverPanic keeps a handler's panic from ending the process, as net/http does:
// the panic is logged, a response not yet begun is a 500, and the connection
// closes.
func (c *serverConn) recoverPanic() {
	p := recover()
	if p == nil {
		return
	}
	c.s.Logger.Error("h1: handler panic", "remote", c.remote, "panic", fmt.Sprint(p))
	if w := &c.w; w.c != nil && !w.started {
		w.WriteStatus(http.StatusInternalServerError)
		w.closeAfter = true
		w.EndHead(0)
		_ = c.bw.Flush()
	}
}

func (c *serverConn) close() {
	c.state.Store(stateClosed)
	c.nc.Close()
	c.br.Reset(nil)
	readerPool.Put(c.br)
	c.bw.Reset(nil)
	writerPool.Put(c.bw)
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
}

// awaitRequest waits for the first byte of the next request: within the header
// timeout on a new connection, within the idle timeout between requests. It marks
// the connection active, or reports false when the connection is over.
func (c *serverConn) awaitRequest(first bool) bool {
	if c.br.Buffered() == 0 {
		dl := c.start.Add(c.s.ReadHeaderTimeout)
		if !first {
			dl = time.Now().Add(c.s.IdleTimeout)
		}
		if c.nc.SetReadDeadline(dl) != nil {
			return false
		}
		if _, err := c.br.Peek(1); err != nil {
			return false
		}
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed it
	}
	if !first {
		// The head's time starts at its first byte.
		return c.nc.SetReadDeadline(time.Now().Add(c.s.ReadHeaderTimeout)) == nil
	}
	return true
}

// readRequest reads and parses a head and readies the request, its body and the
// response for the handler.
func (c *serverConn) readRequest() error {
	raw, err := c.readHead()
	if err != nil {
		return err
	}
	r := &c.req
	if err := parseRequest(raw, r); err != nil {
		return err
	}
	r.RemoteAddr = c.remote
	r.c, r.ctx, r.cancel = c, nil, nil
	c.body = requestBody{c: c, body: body{br: c.br, remaining: r.ContentLength}, continueDue: r.expectContinue}
	if r.ContentLength < 0 {
		c.body.body.chunked = true
	}
	r.Body = &c.body
	c.w.reset(c, r.Method == http.MethodHead, !r.keepAlive || c.s.inShutdown.Load())
	// The handler sets its own deadlines; until then nothing bounds its I/O, as
	// with net/http's server without ReadTimeout and WriteTimeout.
	if c.nc.SetReadDeadline(time.Time{}) != nil || c.nc.SetWriteDeadline(time.Time{}) != nil {
		return io.ErrClosedPipe
	}
	return nil
}

// maxKeptHead bounds the head buffer a connection keeps between requests (with
// ReuseHead): a rare long head is not held for the connection's life.
const maxKeptHead = 8 << 10

// readHead reads the next request head: a string of its own, or with ReuseHead one
// in the connection's head buffer.
func (c *serverConn) readHead() (string, error) {
	if !c.s.ReuseHead {
		return readRequestHead(c.br, &c.scratch, c.s.MaxHeaderBytes)
	}
	if cap(c.head) > maxKeptHead {
		c.head = nil
	}
	return readRequestHeadInto(c.br, &c.scratch, &c.head, c.s.MaxHeaderBytes)
}

// finishRequest completes the response and reports whether the connection can
// carry another request: the response was whole, the client and the server both
// keep the connection, and the request body was read to its end (what the handler
// left is read here, up to maxDiscardBytes; a body the client holds back for a 100
// Continue that was never sent cannot be skipped).
func (c *serverConn) finishRequest() bool {
	w := &c.w
	if !w.started {
		w.WriteStatus(http.StatusInternalServerError)
		w.closeAfter = true
		w.EndHead(0)
	}
	whole := w.complete()
	if c.bw.Flush() != nil || !whole || w.closeAfter || c.s.inShutdown.Load() {
		return false
	}
	if !c.body.ended() {
		if c.body.continueDue {
			return false
		}
		if n, err := io.CopyN(io.Discard, &c.body.body, maxDiscardBytes+1); err != io.EOF || n > maxDiscardBytes {
			return false
		}
	}
	return c.state.CompareAndSwap(stateActive, stateIdle)
}

// refuse answers a request the server could not read with its status and reason
// and Connection: close. A head cut short or timed out gets no answer: the client
// is gone or stalled.
func (c *serverConn) refuse(err error) {
	var re *requestError
	if !errors.As(err, &re) {
		return
	}
	c.s.Logger.Debug("h1: refused request", "remote", c.remote, "err", err)
	text := strconv.Itoa(re.status) + " " + http.StatusText(re.status) + ": " + re.reason
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.ReadHeaderTimeout))
	c.req.ProtoMinor = 1 // the head may not have said; the answer is HTTP/1.1
	c.w.reset(c, false, true)
	c.w.WriteStatus(re.status)
	c.w.WriteField("Content-Type", "text/plain; charset=utf-8")
	c.w.EndHead(int64(len(text)))
	_, _ = c.w.Write([]byte(text))
	if c.bw.Flush() == nil {
		c.linger()
	}
}

// linger half-closes the connection and reads what the client still sends for a
// moment, so the error response is not lost to a reset caused by unread bytes.
func (c *serverConn) linger() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.CopyN(io.Discard, c.nc, maxDiscardBytes)
}

// requestBody is h1's body reader over the connection's buffer, with the 100
// Continue an expecting client waits for sent at the first Read.
type requestBody struct {
	body
	c           *serverConn
	continueDue bool
}

// malformedPrefix is how ErrMalformed's errors begin: body.go reads response and
// request bodies alike, and a request's error should say "request".
var malformedPrefix = ErrMalformed.Error() + ": "

func (b *requestBody) Read(p []byte) (int, error) {
	if b.continueDue {
		b.continueDue = false
		if !b.c.w.started {
			if err := b.c.sendContinue(); err != nil {
				return 0, err
			}
		}
	}
	n, err := b.body.Read(p)
	if b.c != nil && b.ended() {
		b.c.watch.bodyEnded.Store(true) // the watcher may now read ahead
	}
	if err != nil && errors.Is(err, ErrMalformed) {
		err = errors.New("h1: malformed request body: " + strings.TrimPrefix(err.Error(), malformedPrefix))
	}
	return n, err
}

// ended reports whether the body was read to its end (or had none).
func (b *requestBody) ended() bool {
	return b.err == io.EOF || !b.chunked && b.remaining == 0
}

func (c *serverConn) sendContinue() error {
	if _, err := c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
		return err
	}
	return c.bw.Flush()
}
