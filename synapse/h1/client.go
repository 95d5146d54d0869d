package h1

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config configures a Client. Zero values select the defaults in brackets.
type Config struct {
	// Dial opens connections [net.Dialer with DialTimeout and 30 s keep-alive].
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// DialTimeout bounds connection setup [5 s]; the request's context also applies.
	DialTimeout time.Duration
	// MaxIdlePerHost keeps this many idle connections per address [16].
	MaxIdlePerHost int
	// MaxConnsPerHost caps concurrent requests, and so connections, per address
	// [0: no cap]. A request waiting for a slot spends its own context waiting.
	MaxConnsPerHost int
	// IdleTimeout retires connections idle for longer [90 s].
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a response head [64 KiB].
	MaxHeaderBytes int
}

// Client sends requests over pooled keep-alive connections. It is safe for concurrent
// use.
type Client struct {
	cfg   Config
	mu    sync.Mutex
	hosts map[string]*hostPool
	// lastSweep is when idle connections past IdleTimeout were last closed (unix ns).
	lastSweep atomic.Int64
	// watches holds, per context with requests in flight, the hook that cuts their
	// connections short when it ends (see watch).
	wmu     sync.Mutex
	watches map[context.Context]*watch
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.Dial == nil {
		cfg.Dial = (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	if cfg.MaxIdlePerHost <= 0 {
		cfg.MaxIdlePerHost = 16
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 90 * time.Second
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 64 << 10
	}
	return &Client{cfg: cfg, hosts: map[string]*hostPool{}, watches: map[context.Context]*watch{}}
}

// hostPool holds the idle connections to one address, most recently used last.
type hostPool struct {
	mu   sync.Mutex
	idle []*conn
	slot chan struct{} // nil: no cap
	// users counts requests between host and release; a pool is forgotten only
	// when it has none (and no idle connections).
	users atomic.Int32
}

func (c *Client) host(addr string) *hostPool {
	c.mu.Lock()
	defer c.mu.Unlock()
	hp := c.hosts[addr]
	if hp == nil {
		hp = &hostPool{}
		if c.cfg.MaxConnsPerHost > 0 {
			hp.slot = make(chan struct{}, c.cfg.MaxConnsPerHost)
		}
		c.hosts[addr] = hp
	}
	hp.users.Add(1)
	return hp
}

// acquire takes a request slot; on failure the request is over (released).
func (hp *hostPool) acquire(ctx context.Context) error {
	if hp.slot == nil {
		return nil
	}
	select {
	case hp.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		hp.users.Add(-1)
		return ctx.Err()
	}
}

// release ends a request: its slot and its use of the pool.
func (hp *hostPool) release() {
	if hp.slot != nil {
		<-hp.slot
	}
	hp.users.Add(-1)
}

// CloseIdle closes every idle connection.
func (c *Client) CloseIdle() {
	c.mu.Lock()
	hosts := make([]*hostPool, 0, len(c.hosts))
	for _, hp := range c.hosts {
		hosts = append(hosts, hp)
	}
	c.mu.Unlock()
	for _, hp := range hosts {
		hp.mu.Lock()
		idle := hp.idle
		hp.idle = nil
		hp.mu.Unlock()
		for _, cn := range idle {
			cn.nc.Close()
		}
	}
}

// conn is one connection and its read buffer.
type conn struct {
	c       *Client
	hp      *hostPool
	nc      net.Conn
	br      *bufio.Reader
	scratch []byte
	// fields holds a head's fields for DoView, reused from response to response.
	fields Header
	idleAt time.Time
	reused bool
	// w is the watch of the request's context (nil: none), and i the connection's
	// index in w.conns; both are guarded by c.wmu.
	w *watch
	i int
}

var errClosedBody = errors.New("h1: read on closed body")

// aLongTimeAgo is a deadline that has passed: setting it unblocks pending I/O.
var aLongTimeAgo = time.Unix(1, 0)

// Do writes req, a complete HTTP/1.1 request (head and body), to a connection to addr
// and reads the response head. The caller must close the response body. The context
// bounds the whole exchange, including reading the body. A request that fails on a
// reused connection before any response byte arrives (the server closed it while
// idle) is sent once more on a new connection.
func (c *Client) Do(ctx context.Context, addr string, req []byte) (*Response, error) {
	return c.do(ctx, addr, req, false, nil)
}

// DoView is Do for a caller that reads what it needs from the response's head before
// the body: the Header's fields and their strings are the connection's own buffers,
// not copies, and are valid only until the first Read or Close of the Body. It
// spares a response the copy of its head (a slice of fields and one string of their
// values, ~1.6 KiB for an axon's response).
func (c *Client) DoView(ctx context.Context, addr string, req []byte) (*Response, error) {
	return c.do(ctx, addr, req, true, nil)
}

// Slot is the memory of one response and its body, for DoViewIn.
type Slot struct{ rb responseBody }

// DoViewIn is DoView with the Response and its body in slot instead of a new
// allocation: the caller keeps slot, unused by anything else, until it has closed the
// body and is done with the Response (a fan-out keeps one in each call's pooled
// state). The connection never refers to slot, so a slot whose body was closed may be
// reused for the next request.
func (c *Client) DoViewIn(ctx context.Context, addr string, req []byte, slot *Slot) (*Response, error) {
	return c.do(ctx, addr, req, true, slot)
}

func (c *Client) do(ctx context.Context, addr string, req []byte, view bool, slot *Slot) (*Response, error) {
	hp := c.host(addr)
	if err := hp.acquire(ctx); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		cn, err := c.get(ctx, hp, addr)
		if err != nil {
			hp.release()
			return nil, err
		}
		resp, err := cn.roundTrip(ctx, req, view, slot)
		if err == nil {
			return resp, nil
		}
		if attempt == 0 && cn.reused && staleConn(err) && ctx.Err() == nil {
			continue
		}
		hp.release()
		return nil, contextError(ctx, err)
	}
}

// contextError reports the context's end instead of the I/O error it caused; the
// connection's deadline can fire a moment before the context's own timer.
func contextError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return err
}

// staleConn reports the errors of a kept-alive connection the server had closed.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// probeAfter is how long a connection may sit idle before it is checked for a close
// by the server (Python axons close idle connections after 5 s) instead of being
// trusted: a check costs a system call, a dead connection a wasted request.
const probeAfter = time.Second

// get takes the most recently used live idle connection or dials a new one.
func (c *Client) get(ctx context.Context, hp *hostPool, addr string) (*conn, error) {
	now := time.Now()
	c.maybeSweep(now)
	for {
		hp.mu.Lock()
		n := len(hp.idle)
		if n == 0 {
			hp.mu.Unlock()
			break
		}
		cn := hp.idle[n-1]
		hp.idle = hp.idle[:n-1]
		hp.mu.Unlock()
		idle := now.Sub(cn.idleAt)
		if idle < c.cfg.IdleTimeout && (idle < probeAfter || !peerClosed(cn)) {
			cn.reused = true
			return cn, nil
		}
		cn.nc.Close()
	}
	nc, err := c.cfg.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, hp: hp, nc: nc, br: bufio.NewReaderSize(nc, 4096)}, nil
}

// roundTrip writes req and reads the response head (its fields as views in cn.fields
// when view is set) into slot (nil: a new one); on error the connection is closed.
func (cn *conn) roundTrip(ctx context.Context, req []byte, view bool, slot *Slot) (*Response, error) {
	dl, _ := ctx.Deadline()
	if err := cn.nc.SetDeadline(dl); err != nil {
		cn.nc.Close()
		return nil, err
	}
	cn.c.watch(ctx, cn)
	if _, err := cn.nc.Write(req); err != nil {
		return cn.fail(err)
	}
	var fields *Header
	if view {
		fields = &cn.fields
	}
	h, err := readHeadInto(cn.br, &cn.scratch, fields, cn.c.cfg.MaxHeaderBytes)
	if err != nil {
		return cn.fail(err)
	}
	var rb *responseBody
	if slot != nil {
		rb = &slot.rb
	}
	return newResponseIn(h, cn, cn.br, rb), nil
}

// fail ends a request whose exchange failed: the connection is closed.
func (cn *conn) fail(err error) (*Response, error) {
	cn.c.unwatch(cn)
	cn.nc.Close()
	return nil, err
}

// A watch cuts short the I/O of every request in flight under one context when the
// context ends, by moving their connections' deadlines into the past. Each request
// used to register a context.AfterFunc of its own (three allocations, and a lock of
// the context shared by all of a fan-out's calls on each side); the requests of a
// fan-out share one context, so they share one watch. A watch lives while requests
// under its context are in flight, or until the context ends.
type watch struct {
	ctx   context.Context
	conns []*conn
	fired bool // the context ended: every connection in conns was cut short
	stop  func() bool
}

// watch puts cn, about to exchange a request under ctx (whose deadline it already
// has), under ctx's watch. A context that cannot end early needs none.
func (c *Client) watch(ctx context.Context, cn *conn) {
	if ctx.Done() == nil {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	w := c.watches[ctx]
	if w == nil {
		w = &watch{ctx: ctx}
		c.watches[ctx] = w
		// An ended context runs fire at once (on its own goroutine, which waits
		// for wmu), so a request never misses its context's end; a fired watch is
		// no longer in the map.
		w.stop = context.AfterFunc(ctx, func() { c.fire(w) })
	}
	cn.w, cn.i = w, len(w.conns)
	w.conns = append(w.conns, cn)
}

// fire cuts short every connection under w: its context has ended.
func (c *Client) fire(w *watch) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	w.fired = true
	for _, cn := range w.conns {
		_ = cn.nc.SetDeadline(aLongTimeAgo)
	}
	if c.watches[w.ctx] == w {
		delete(c.watches, w.ctx)
	}
}

// unwatch takes cn out of its watch at the end of its request; false means its
// context ended meanwhile (its deadline may have been moved: it is not reusable).
func (c *Client) unwatch(cn *conn) bool {
	w := cn.w
	if w == nil {
		return true
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	cn.w = nil
	last := len(w.conns) - 1
	moved := w.conns[last]
	w.conns[cn.i], moved.i = moved, cn.i
	w.conns[last] = nil
	w.conns = w.conns[:last]
	if w.fired {
		return false
	}
	if last == 0 {
		// No request left under this context: drop the watch, so contexts that
		// never end leave nothing behind. Should the context be ending right now,
		// fire finds no connection and the watch gone.
		w.stop()
		delete(c.watches, w.ctx)
	}
	return true
}

// newResponse frames the body of a parsed head read from br; cn (if any) is handed
// back when the body ends.
func newResponse(h head, cn *conn, br *bufio.Reader) *Response {
	return newResponseIn(h, cn, br, nil)
}

// newResponseIn is newResponse into r (nil: a new one), which it overwrites.
func newResponseIn(h head, cn *conn, br *bufio.Reader, r *responseBody) *Response {
	if r == nil {
		r = &responseBody{}
	}
	b := &r.body
	*b = body{cn: cn, br: br, remaining: h.length, chunked: h.chunked, keepAlive: h.keepAlive}
	if h.chunked {
		b.remaining = -1
	}
	r.resp = Response{StatusCode: h.status, Header: h.header, ContentLength: b.remaining, Body: b}
	return &r.resp
}

// responseBody is a Response and its body in one allocation.
type responseBody struct {
	resp Response
	body body
}

// maybeSweep closes, at most twice per IdleTimeout, the idle connections that
// outlived it, and forgets addresses left without any, so axons that left the
// metagraph do not keep descriptors open.
func (c *Client) maybeSweep(now time.Time) {
	last := c.lastSweep.Load()
	if now.UnixNano()-last < int64(c.cfg.IdleTimeout/2) || !c.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	var stale []*conn
	c.mu.Lock()
	for addr, hp := range c.hosts {
		hp.mu.Lock()
		keep := hp.idle[:0]
		for _, cn := range hp.idle {
			if now.Sub(cn.idleAt) >= c.cfg.IdleTimeout {
				stale = append(stale, cn)
			} else {
				keep = append(keep, cn)
			}
		}
		clear(hp.idle[len(keep):])
		hp.idle = keep
		if len(keep) == 0 && hp.users.Load() == 0 {
			delete(c.hosts, addr)
		}
		hp.mu.Unlock()
	}
	c.mu.Unlock()
	for _, cn := range stale {
		cn.nc.Close()
	}
}

// done ends a request on cn: a reusable connection goes back to the idle pool,
// anything else is closed. The request's slot is released either way.
func (cn *conn) done(reusable bool) {
	hp := cn.hp
	if !cn.c.unwatch(cn) {
		reusable = false // the context ended: the deadline was poisoned
	}
	if reusable {
		cn.idleAt = time.Now()
		hp.mu.Lock()
		if len(hp.idle) < cn.c.cfg.MaxIdlePerHost {
			hp.idle = append(hp.idle, cn)
			reusable = false
			cn = nil
		}
		hp.mu.Unlock()
	}
	if cn != nil {
		cn.nc.Close()
	}
	hp.release()
}
