package synapse

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/synapse/h1"
)

// AxonConfig configures an Axon. Zero values select the documented defaults.
type AxonConfig struct {
	// Hotkey is the axon's wallet hotkey: requests must be addressed to it, and it signs
	// responses. Required.
	Hotkey Signer
	// Verify checks sr25519 signatures. The default is upstream's Keypair.verify:
	// the raw message, then the polkadot-js "<Bytes>…</Bytes>" wrapping.
	Verify VerifyFunc
	// Version is the axon's version_as_int reported in bt_header_axon_version.
	Version int
	// MaxBodyBytes bounds a request body (default 4 MiB); larger requests get 413.
	MaxBodyBytes int64
	// MaxHeaderBytes bounds the request header block (default 64 KiB).
	MaxHeaderBytes int
	// MaxConcurrent is the number of handler slots (default 64).
	MaxConcurrent int
	// MaxQueue bounds the requests waiting for a slot (default 1024); beyond it, 503.
	MaxQueue int
	// MaxConns bounds open connections when serving through Serve (default: a
	// quarter of the process's file-descriptor limit, see package netserve).
	MaxConns int
	// MaxTimeout caps the timeout a caller may ask for (default 60 s).
	MaxTimeout time.Duration
	// ReadHeaderTimeout bounds reading the request headers (default 5 s).
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (default 90 s).
	IdleTimeout time.Duration
	// DisconnectWatchAfter is how long a request runs before Serve starts watching
	// its connection for the caller hanging up; a hang-up then cancels the handler's
	// context (as net/http's server and upstream's Starlette axon do), so a handler
	// stops working for a caller that is gone. 0 means the default 1 s; negative
	// disables the watch. Requests shorter than it pay nothing (see h1.Server).
	DisconnectWatchAfter time.Duration
	// AllowLegacyNonces accepts first-seen nonces without the freshness window from
	// dendrites reporting a version below 7.2.0 (upstream behaviour). Off by default:
	// the window then applies to every caller, which closes the replay gap after an
	// axon restart.
	AllowLegacyNonces bool
	// DisableResponseSignature skips signing bt_header_axon_signature (one sr25519
	// signature per verified request).
	DisableResponseSignature bool
	// Now is the clock (default time.Now); tests use it to age nonces.
	Now func() time.Time
	// Logger receives one debug line per request (default: discard).
	Logger *slog.Logger
	// Metrics, if set, receives taonet_axon_* Prometheus series.
	Metrics prometheus.Registerer
}

// BlacklistFunc decides from headers alone, before the body is read and before the
// signature is verified, whether to refuse a request (403) and why.
type BlacklistFunc func(ctx context.Context, r *Request) (blacklisted bool, reason string)

// PriorityFunc orders verified requests waiting for a handler slot; higher runs first
// (typically the caller's stake).
type PriorityFunc func(ctx context.Context, r *Request) float64

// Options are the per-synapse hooks registered with a handler.
type Options struct {
	Blacklist BlacklistFunc
	Priority  PriorityFunc
}

// Handler serves one synapse: it reads the request fields of s and fills the response
// fields in place. It must respect ctx, which ends at the request's timeout.
type Handler[T any] func(ctx context.Context, r *Request, s *T) error

// StreamHandler serves a streaming synapse by writing raw chunks to w.
type StreamHandler[T any] func(ctx context.Context, r *Request, s *T, w *StreamWriter) error

// StatusError lets a handler choose the status code and message of its failure.
type StatusError struct {
	Code    int
	Message string
}

// Error renders the code and message.
func (e *StatusError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

// Axon is the synapse server. Serve runs it on package h1's server (bounded
// connections, header, idle and per-request timeouts); it is also an http.Handler,
// for mounting it on another server.
type Axon struct {
	cfg    AxonConfig
	hotkey string
	uuid   string
	nonces *nonceStore
	gate   *gate
	log    *slog.Logger
	met    *axonMetrics

	mu        sync.RWMutex
	endpoints map[string]*endpoint

	srvMu sync.Mutex
	srv   *h1.Server
}

type endpoint struct {
	sc        *schema
	blacklist BlacklistFunc
	priority  PriorityFunc
	run       func(ctx context.Context, c *call)
}

// NewAxon validates cfg and creates an Axon with no synapses attached.
func NewAxon(cfg AxonConfig) (*Axon, error) {
	if cfg.Hotkey == nil {
		return nil, errors.New("synapse: AxonConfig.Hotkey is required")
	}
	if cfg.Verify == nil {
		cfg.Verify = processKeys.verify
	}
	if cfg.Version == 0 {
		cfg.Version = DefaultVersion
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 64 << 10
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 64
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 1024
	}
	if cfg.MaxTimeout <= 0 {
		cfg.MaxTimeout = 60 * time.Second
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 5 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 90 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Axon{
		cfg:       cfg,
		hotkey:    cfg.Hotkey.SS58Address(),
		uuid:      newUUID(),
		nonces:    newNonceStore(cfg.MaxTimeout),
		gate:      newGate(cfg.MaxConcurrent, cfg.MaxQueue),
		log:       log,
		endpoints: map[string]*endpoint{},
	}
	met, err := newAxonMetrics(cfg.Metrics, a)
	if err != nil {
		return nil, fmt.Errorf("synapse: register axon metrics: %w", err)
	}
	a.met = met
	return a, nil
}

// Hotkey is the axon's ss58 hotkey address.
func (a *Axon) Hotkey() string { return a.hotkey }

// UUID is the axon's per-process identifier (bt_header_axon_uuid).
func (a *Axon) UUID() string { return a.uuid }

// Register attaches a handler for synapse type T at POST /{name of T}.
func Register[T any](a *Axon, h Handler[T], opt Options) error {
	if h == nil {
		return errors.New("synapse: nil handler")
	}
	sc, err := schemaOf[T]()
	if err != nil {
		return err
	}
	return a.attach(&endpoint{sc: sc, blacklist: opt.Blacklist, priority: opt.Priority,
		run: func(ctx context.Context, c *call) {
			s, ok := readSynapse[T](c, sc)
			if !ok {
				return
			}
			err := runHandler(func() error { return h(ctx, c.req, s) })
			if c.finishErr(ctx, err) {
				return
			}
			payload, err := marshalPayload(s)
			if err != nil {
				c.internalError(err)
				return
			}
			c.respondOK(sc, s, payload)
		}})
}

// RegisterStream attaches a streaming handler for synapse type T. The response is
// committed as 200 with content-type text/event-stream and the axon headers at the first
// write; chunks are raw bytes, not SSE-framed, as upstream.
func RegisterStream[T any](a *Axon, h StreamHandler[T], opt Options) error {
	if h == nil {
		return errors.New("synapse: nil handler")
	}
	sc, err := schemaOf[T]()
	if err != nil {
		return err
	}
	return a.attach(&endpoint{sc: sc, blacklist: opt.Blacklist, priority: opt.Priority,
		run: func(ctx context.Context, c *call) {
			s, ok := readSynapse[T](c, sc)
			if !ok {
				return
			}
			c.stream = true // sw may outlive the request: the call is not reused
			sw := &StreamWriter{c: c, sc: sc, ctx: ctx}
			err := runHandler(func() error { return h(ctx, c.req, s, sw) })
			if sw.committed {
				// Status is already on the wire; the stream simply ends.
				if err != nil {
					c.a.log.Debug("stream handler ended with error", "synapse", c.req.Name, "err", err)
				}
				return
			}
			if c.finishErr(ctx, err) {
				return
			}
			sw.commit() // empty stream: still a 200 with the axon headers
		}})
}

func (a *Axon) attach(ep *endpoint) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dup := a.endpoints[ep.sc.name]; dup {
		return fmt.Errorf("synapse: %q is already registered", ep.sc.name)
	}
	a.endpoints[ep.sc.name] = ep
	return nil
}

// runHandler converts a handler panic into an error so the slot is released and the
// caller gets a 500 instead of a dropped connection.
func runHandler(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return f()
}

// call is the state of one request moving through the pipeline. It reads the
// request and writes the response through h1's server (w1, fields) or, for
// ServeHTTP, an http.ResponseWriter (hw, header). Calls are pooled: nothing the
// handler sees points into one (its Request, context and the strings in them are
// the requestState's), and a call whose StreamWriter the handler held is not
// reused.
type call struct {
	a      *Axon
	w1     *h1.ResponseWriter
	r1     *h1.Request
	fields h1.Header
	hw     http.ResponseWriter
	header http.Header
	// body, length (-1: chunked) and remote are the request's.
	body     io.Reader
	length   int64
	remote   string
	parent   context.Context
	cancel   context.CancelFunc // the ServeHTTP path's context's
	ep       *endpoint
	req      *Request
	start    time.Time
	deadline time.Time
	timeout  time.Duration
	verified bool
	done     bool
	stream   bool
	st       *requestState
	// hashIn is the request synapse's body-hash input (appendHashInput), kept (if
	// keptHash) so that a response whose hash fields the handler left alone reuses
	// the request's checked hash instead of digesting them again.
	hashIn   []byte
	keptHash bool
	// msg and sig are scratch for the signed messages and the request's signature.
	// The VerifyFunc and Signer get msg only for the call's duration.
	msg []byte
	sig [64]byte
	// timer is the deadline timer of the contexts of the call's requests, made
	// once per pooled call.
	timer *deadlineTimer
}

// requestState is what one request owns and may leave with its handler: the Request,
// the h1 path's context, and the text of the response signature. It is allocated per
// request and never reused.
type requestState struct {
	req     Request
	ctx     requestContext
	sigText [2 + 2*64]byte
}

// maxPooledScratch bounds the scratch a pooled call keeps between requests.
const maxPooledScratch = 4 << 10

var callPool = sync.Pool{New: func() any { return new(call) }}

func getCall() *call { return callPool.Get().(*call) }

// putCall returns c to the pool, clearing every reference but its scratch. A call
// whose StreamWriter the handler held stays with the garbage collector.
func putCall(c *call) {
	if c.stream {
		return
	}
	msg, hashIn := c.msg[:0], c.hashIn[:0]
	if cap(hashIn) > maxPooledScratch {
		hashIn = nil
	}
	*c = call{msg: msg, hashIn: hashIn, timer: c.timer}
	callPool.Put(c)
}

// serveH1 is the h1 server's handler: the pipeline over the raw header fields,
// answering straight into the connection's writer.
func (a *Axon) serveH1(w *h1.ResponseWriter, r *h1.Request) {
	c := getCall()
	c.a, c.w1, c.r1, c.fields, c.body, c.length, c.remote, c.parent, c.start = a, w, r, r.Header, r.Body, r.ContentLength, r.RemoteAddr, context.Background(), time.Now()
	a.serve(c, r.Path)
	putCall(c)
}

// ServeHTTP runs the same pipeline for net/http's server.
func (a *Axon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := getCall()
	c.a, c.hw, c.header, c.body, c.length, c.remote, c.parent, c.start = a, w, r.Header, r.Body, r.ContentLength, r.RemoteAddr, r.Context(), time.Now()
	a.serve(c, r.URL.Path)
	putCall(c)
}

// serve runs the upstream pipeline: route + header parse, size limit, blacklist,
// verify, priority, then body integrity and the handler. Deadlines and
// process_time use the real clock (c.start); cfg.Now only drives nonces.
func (a *Axon) serve(c *call, path string) {
	now := a.cfg.Now()
	defer func() {
		a.met.observe(c.ep != nil, c.req.Name, c.req.Axon.StatusCode, time.Since(c.start))
		// Guarded: building the attribute list costs allocations even when discarded.
		if a.log.Enabled(context.Background(), slog.LevelDebug) {
			a.log.Debug("axon", "synapse", c.req.Name, "from", c.remote, "status", c.req.Axon.StatusCode, "message", c.req.Axon.StatusMessage)
		}
	}()
	c.st = &requestState{}
	c.st.req = Request{Timeout: DefaultTimeout, RemoteAddr: c.remote}
	c.req = &c.st.req
	if !a.preprocess(c, path, now) {
		return
	}
	// The handler's context ends at the request's deadline or when the caller hangs
	// up. net/http's request context carries the hang-up; h1's server instead calls
	// cancel when it sees one (OnHangUp), which costs no context per request.
	ctx := c.context()
	defer c.endContext()
	if !a.admit(ctx, c, now) {
		return
	}
	defer a.gate.release()
	// 6. run: body integrity and the handler.
	c.ep.run(ctx, c)
}

// preprocess is steps 1 and 2: the route, the header-only synapse with the axon's
// terminal info, the request's deadlines, and the size limit. It reports whether the
// request goes on (if not, it has answered).
func (a *Axon) preprocess(c *call, path string, now time.Time) bool {
	name := strings.TrimPrefix(path, "/")
	name, _, _ = strings.Cut(name, "/")
	a.mu.RLock()
	ep := a.endpoints[name]
	a.mu.RUnlock()
	if ep == nil {
		c.req.Name = c.own(name)
		c.fail(http.StatusNotFound, fmt.Sprintf("Synapse name '%s' not found. Available synapses %s", name, a.names()))
		return false
	}
	c.ep = ep
	req, err := c.parseHeaders()
	if err != nil {
		c.req.Name = c.own(name)
		c.fail(http.StatusBadRequest, fmt.Sprintf("Improperly formatted request. Could not parse headers into synapse of type %s: %v", name, err))
		return false
	}
	req.RemoteAddr = c.remote
	req.Name = name
	if c.r1 != nil {
		ownHeadStrings(req) // they point into the h1 connection's head buffer
	}
	c.req = req
	req.Axon.Version = a.cfg.Version
	req.Axon.UUID = a.uuid
	req.Axon.Nonce = now.UnixNano()
	req.Axon.StatusCode = 100
	req.Axon.Hotkey = a.hotkey
	if host, port, err := net.SplitHostPort(c.remote); err == nil {
		req.Dendrite.IP = host
		if p, err := parsePyInt(port); err == nil {
			req.Dendrite.Port = int(p)
		}
	}
	c.timeout = secondsToDuration(req.Timeout)
	if c.timeout <= 0 {
		c.timeout = secondsToDuration(DefaultTimeout)
	}
	c.timeout = min(c.timeout, a.cfg.MaxTimeout)
	c.deadline = c.start.Add(c.timeout)
	c.setDeadlines(c.deadline, c.deadline.Add(5*time.Second))

	// 2. size limit, from the declared length (chunked bodies are bounded while read).
	if c.length > a.cfg.MaxBodyBytes {
		c.fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: %d bytes exceeds the limit of %d bytes", c.length, a.cfg.MaxBodyBytes))
		return false
	}
	return true
}

// admit is steps 3 to 5: blacklist, verify, and a handler slot by priority. It
// reports whether the request holds a slot (the caller releases it); if not, it has
// answered.
func (a *Axon) admit(ctx context.Context, c *call, now time.Time) bool {
	ep, req := c.ep, c.req
	if ep.blacklist != nil {
		if black, reason := ep.blacklist(ctx, req); black {
			c.fail(http.StatusForbidden, fmt.Sprintf("Forbidden. Key is blacklisted: %s.", reason))
			return false
		}
	}
	if err := c.verify(now); err != nil {
		c.fail(http.StatusUnauthorized, "Not Verified with error: "+err.Error())
		return false
	}
	c.verified = true
	prio := 0.0
	if ep.priority != nil {
		prio = ep.priority(ctx, req)
		if math.IsNaN(prio) {
			prio = math.Inf(-1)
		}
	}
	if err := a.gate.acquire(ctx, prio); err != nil {
		if errors.Is(err, errQueueFull) {
			c.fail(http.StatusServiceUnavailable, "Axon at capacity: priority queue is full")
		} else {
			c.fail(http.StatusServiceUnavailable, fmt.Sprintf("Response timeout after: %ss", PyFloat(req.Timeout)))
		}
		return false
	}
	return true
}

// parseHeaders builds the header-only synapse from the raw fields (h1) or the
// header map (ServeHTTP). On failure c.req stays the request view of a call
// rejected before its headers parse.
func (c *call) parseHeaders() (*Request, error) {
	if c.hw != nil {
		return ParseHeaders(c.header)
	}
	early := c.st.req
	if err := c.st.req.parseFields(c.fields); err != nil {
		c.st.req = early
		return nil, err
	}
	return &c.st.req, nil
}

// own returns s, copied if it may point into the h1 connection's head buffer
// (h1.Server.ReuseHead), which the next request overwrites.
func (c *call) own(s string) string {
	if c.r1 != nil {
		return strings.Clone(s)
	}
	return s
}

// ownHeadStrings copies the strings of r that came from the request head into one
// allocation of their own: the h1 server reads each head into a buffer it reuses
// (h1.Server.ReuseHead), and the Request, its strings and whatever keeps them (the
// handler, the nonce store, the key cache, metrics labels) outlive the request.
// One right-sized block of the few strings kept costs a third of a string of the
// whole head (~1 KiB).
func ownHeadStrings(r *Request) {
	fields := [...]*string{&r.Name, &r.BodyHash,
		&r.Dendrite.StatusMessage, &r.Dendrite.IP, &r.Dendrite.UUID, &r.Dendrite.Hotkey, &r.Dendrite.Signature,
		&r.Axon.StatusMessage, &r.Axon.IP, &r.Axon.UUID, &r.Axon.Hotkey, &r.Axon.Signature}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	if n == 0 {
		return
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		if len(*f) == 0 {
			continue
		}
		at := len(b)
		b = append(b, *f...)
		// b is never written again past at+len: the string may share it.
		*f = unsafe.String(&b[at], len(*f))
	}
}

// context is the handler's context, ending at the request's deadline or when the
// caller hangs up, and its cancel. net/http's request context carries the hang-up;
// h1's server instead tells the request's own context (NotifyHangUp), which costs
// no allocation, and that context makes its Done channel and timer only if someone
// waits on it.
func (c *call) context() context.Context {
	if c.r1 == nil {
		var ctx context.Context
		ctx, c.cancel = context.WithDeadline(c.parent, c.deadline)
		return ctx
	}
	if c.timer == nil {
		c.timer = new(deadlineTimer)
	}
	ctx := &c.st.ctx
	ctx.deadline, ctx.shared = c.deadline, c.timer
	c.r1.NotifyHangUp(ctx)
	return ctx
}

// endContext cancels the handler's context when the request is over. (A method
// value of the request's context, returned as a CancelFunc, would cost an
// allocation.)
func (c *call) endContext() {
	if c.cancel != nil {
		c.cancel()
		return
	}
	c.st.ctx.cancel()
}

// setDeadlines bounds the connection's reads (the body, and the server's discard of
// an unread body) and writes for this request. Nothing before it reads or writes:
// the server has read the headers under ReadHeaderTimeout, and a request rejected
// before its own deadline is known gets the header timeout from fail.
func (c *call) setDeadlines(read, write time.Time) {
	if c.w1 != nil {
		_ = c.w1.SetReadDeadline(read)
		_ = c.w1.SetWriteDeadline(write)
		return
	}
	rc := http.NewResponseController(c.hw)
	_ = rc.SetReadDeadline(read)
	_ = rc.SetWriteDeadline(write)
}

// verify is upstream default_verify, with the signature required.
func (c *call) verify(now time.Time) error {
	a, req := c.a, c.req
	d := &req.Dendrite
	if d.Hotkey == "" {
		return errors.New("Missing dendrite hotkey")
	}
	if d.Nonce == 0 {
		return errors.New("Missing Nonce")
	}
	if d.Signature == "" {
		return errors.New("Missing Signature")
	}
	key := nonceKey{hotkey: d.Hotkey, uuid: d.UUID}
	strict := !a.cfg.AllowLegacyNonces || d.Version >= V720
	// The window uses the timeout the axon honours (capped by MaxTimeout), which also
	// keeps it within the nonce store's retention.
	timeout := min(req.Timeout, a.cfg.MaxTimeout.Seconds())
	if err := a.nonces.check(key, d.Nonce, now, timeout, strict); err != nil {
		return err
	}
	msg := appendDotted(c.msg[:0], d.Nonce, d.Hotkey, a.hotkey, d.UUID, req.BodyHash)
	c.msg = msg
	err := decodeSignatureInto(&c.sig, d.Signature)
	if err != nil || !a.cfg.Verify(d.Hotkey, msg, c.sig[:]) {
		return fmt.Errorf("Signature mismatch with %s and %s", msg, d.Signature)
	}
	return a.nonces.commit(key, d.Nonce, now)
}

func (a *Axon) names() string {
	a.mu.RLock()
	names := make([]string, 0, len(a.endpoints))
	for n := range a.endpoints {
		names = append(names, n)
	}
	a.mu.RUnlock()
	slices.Sort(names)
	s, _ := PyRepr(names)
	return s
}

// readSynapse reads the bounded body, decodes it into a new T and checks the body hash.
func readSynapse[T any](c *call, sc *schema) (*T, bool) {
	// The body is only decoded (json copies what it keeps), so its buffer is pooled.
	buf := getBuf()
	defer putBuf(buf)
	body, code, msg := c.readBody((*buf)[:0])
	if body != nil {
		*buf = body
	}
	if code != 0 {
		c.fail(code, msg)
		return nil, false
	}
	s := new(T)
	if err := decodeInto(sc, body, s); err != nil {
		c.fail(http.StatusBadRequest, fmt.Sprintf("Improperly formatted request body: %v", err))
		return nil, false
	}
	in, err := sc.appendHashInput((*buf)[:0], reflectValue(s))
	if err != nil {
		c.fail(http.StatusBadRequest, fmt.Sprintf("Could not hash request body: %v", err))
		return nil, false
	}
	*buf = in
	var h [64]byte
	if hexHashOfInput(&h, in); string(h[:]) != c.req.BodyHash {
		c.fail(http.StatusBadRequest, fmt.Sprintf("Hash mismatch between header body hash %s and parsed body hash %s", c.req.BodyHash, string(h[:])))
		return nil, false
	}
	if len(in) <= maxKeptHashInput {
		c.hashIn, c.keptHash = append(c.hashIn[:0], in...), true
	}
	return s, true
}

// readBody reads the bounded request body into buf's spare capacity. A body with a
// declared length is bounded by it (serve checked it against the limit); a chunked
// body is read to at most one byte past the limit.
func (c *call) readBody(buf []byte) ([]byte, int, string) {
	max := c.a.cfg.MaxBodyBytes
	if cl := c.length; cl > 0 && int64(cap(buf)) < cl+1 {
		buf = make([]byte, 0, cl+1)
	}
	for {
		if int64(len(buf)) > max {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: exceeds the limit of %d bytes", max)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):cap(buf)]
		if left := max + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := c.body.Read(room)
		buf = buf[:len(buf)+n]
		if err == io.EOF && int64(len(buf)) <= max {
			return buf, 0, ""
		}
		if err != nil && err != io.EOF {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				return nil, http.StatusRequestTimeout, fmt.Sprintf("Timeout reading the request body after: %ss", PyFloat(c.req.Timeout))
			default:
				return nil, http.StatusBadRequest, fmt.Sprintf("Could not read the request body: %v", err)
			}
		}
	}
}

// finishErr maps a handler outcome to an error response; it reports whether it
// responded.
func (c *call) finishErr(ctx context.Context, err error) bool {
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		c.fail(http.StatusRequestTimeout, fmt.Sprintf("Timeout after: %ss", PyFloat(c.req.Timeout)))
		return true
	}
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) && se.Code >= 400 && se.Code <= 599 {
		c.fail(se.Code, se.Message)
		return true
	}
	c.internalError(err)
	return true
}

func (c *call) internalError(err error) {
	id := newUUID()
	c.a.log.Error("synapse handler failed", "synapse", c.req.Name, "error_id", id, "err", err)
	c.fail(http.StatusInternalServerError, "Internal Server Error #"+id)
}

// stamp finishes the axon terminal info before headers are written.
func (c *call) stamp(code int, msg string) {
	c.req.Axon.StatusCode = code
	c.req.Axon.StatusMessage = msg
	c.req.Axon.ProcessTime = time.Since(c.start).Seconds()
	if c.verified {
		c.signAxon()
	}
}

// signAxon sets bt_header_axon_signature over "{axon_nonce}.{dendrite_hotkey}.
// {axon_hotkey}.{axon_uuid}". Upstream signs in preprocess, for every request; we sign
// only verified requests, so unauthenticated traffic cannot make the axon spend a
// signature each, and we sign when the response is written: under a fan-out burst the
// work before the handler is the critical path, while the work after it has slack.
func (c *call) signAxon() {
	if c.a.cfg.DisableResponseSignature {
		return
	}
	msg := appendDotted(c.msg[:0], c.req.Axon.Nonce, c.req.Dendrite.Hotkey, c.a.hotkey, c.a.uuid)
	c.msg = msg
	sig, err := c.a.cfg.Hotkey.Sign(msg)
	if err != nil {
		return
	}
	if len(sig) != len(c.sig) {
		c.req.Axon.Signature = EncodeSignature(sig)
		return
	}
	// The text goes into the request's own state, which is never reused or written
	// again, so the string may share it.
	t := appendSignature(c.st.sigText[:0], sig)
	c.req.Axon.Signature = unsafe.String(&t[0], len(t))
}

// fail writes an upstream-style error response: {"message": ...} with the synapse headers.
func (c *call) fail(code int, msg string) {
	if c.done {
		return
	}
	c.done = true
	if c.deadline.IsZero() {
		// Rejected before the request's own deadline was known: bound the reply and
		// the discard of the unread body by the header timeout, so no rejected client
		// can hold the connection goroutine.
		early := c.start.Add(c.a.cfg.ReadHeaderTimeout)
		c.setDeadlines(early, early)
	}
	c.stamp(code, msg)
	body, _ := json.Marshal(map[string]string{"message": msg})
	var sc *schema
	if c.ep != nil {
		sc = c.ep.sc
	}
	c.writeHeader(code, sc, "application/json", int64(len(body)))
	_, _ = c.write(body)
}

// writeHeader sends the status and the synapse headers with the content type and,
// for a body of known length, Content-Length (-1: streamed). Through h1 the fields
// go straight into the connection's writer.
func (c *call) writeHeader(code int, sc *schema, contentType string, length int64) {
	var e headerEncoder
	if c.w1 != nil {
		e.encode(nil, sc, c.req, max(length, 0))
		e.add("Content-Type", contentType)
		c.w1.WriteStatus(code)
		e.writeTo(c.w1)
		c.w1.EndHead(length)
		return
	}
	// net/http would switch a body over its 2 KiB buffer to chunked encoding
	// without Content-Length.
	h := c.hw.Header()
	e.encode(h, sc, c.req, max(length, 0))
	e.add("Content-Type", contentType)
	if length >= 0 {
		e.addInt("Content-Length", length)
	}
	e.store(h)
	c.hw.WriteHeader(code)
}

// write sends body bytes.
func (c *call) write(p []byte) (int, error) {
	if c.w1 != nil {
		return c.w1.Write(p)
	}
	return c.hw.Write(p)
}

// flush sends what is buffered to the client.
func (c *call) flush() error {
	if c.w1 != nil {
		return c.w1.Flush()
	}
	return http.NewResponseController(c.hw).Flush()
}

func (c *call) respondOK(sc *schema, s any, payload []byte) {
	if c.done {
		return
	}
	c.done = true
	if h, err := c.responseHash(sc, s); err == nil {
		c.req.BodyHash = h
	}
	c.stamp(http.StatusOK, "Success")
	buf := getBuf()
	defer putBuf(buf)
	body, err := appendEnvelopeBody((*buf)[:0], sc, c.req, payload)
	if err != nil {
		c.done = false
		c.internalError(err)
		return
	}
	*buf = body // the writer copies it; the buffer goes back to the pool
	c.writeHeader(http.StatusOK, sc, "application/json", int64(len(body)))
	_, _ = c.write(body)
}

// maxKeptHashInput bounds the request hash input a call keeps for its response: past
// it the response's hash is computed afresh rather than holding a second copy of
// large hash fields while the handler runs.
const maxKeptHashInput = 64 << 10

// responseHash is the body hash of the response synapse s. If the handler left every
// hash field rendering as the request's did, it is the request's hash, which
// readSynapse computed and checked.
func (c *call) responseHash(sc *schema, s any) (string, error) {
	buf := getBuf()
	defer putBuf(buf)
	in, err := sc.appendHashInput((*buf)[:0], reflectValue(s))
	if err != nil {
		return "", err
	}
	*buf = in
	if c.keptHash && bytes.Equal(in, c.hashIn) {
		return c.req.BodyHash, nil
	}
	return hashOfInput(in), nil
}

// StreamWriter writes the chunks of a streaming response; each Write is flushed to
// the client at once. It is not safe for concurrent use.
type StreamWriter struct {
	c         *call
	sc        *schema
	ctx       context.Context
	committed bool
	written   int64
}

func (sw *StreamWriter) commit() {
	if sw.committed {
		return
	}
	sw.committed = true
	c := sw.c
	c.done = true
	c.stamp(http.StatusOK, "Success")
	c.writeHeader(http.StatusOK, sw.sc, "text/event-stream", -1)
	_ = c.flush()
}

// Write sends p as one chunk. It fails once the request's timeout has passed or the
// client has gone away, so handlers stop producing.
func (sw *StreamWriter) Write(p []byte) (int, error) {
	if err := sw.ctx.Err(); err != nil {
		return 0, err
	}
	sw.commit()
	n, err := sw.c.write(p)
	sw.written += int64(n)
	if err != nil {
		return n, err
	}
	return n, sw.c.flush()
}

// Written is the number of body bytes streamed so far.
func (sw *StreamWriter) Written() int64 { return sw.written }

// Serve accepts connections on l until Shutdown, with bounded connections and
// slow-loris-safe timeouts (header read timeout, per-request read and write deadlines
// derived from the request's timeout, idle timeout).
func (a *Axon) Serve(l net.Listener) error {
	srv := &h1.Server{
		Handler:           h1.HandlerFunc(a.serveH1),
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    a.cfg.MaxHeaderBytes,
		Logger:            a.log,

		DisconnectWatchAfter: a.cfg.DisconnectWatchAfter,
		// The head's strings are copied out by ownHeadStrings, so the head itself can be
		// a reused buffer instead of an allocation per request.
		ReuseHead: true,
	}
	a.srvMu.Lock()
	if a.srv != nil {
		a.srvMu.Unlock()
		return errors.New("synapse: axon already serving")
	}
	a.srv = srv
	a.srvMu.Unlock()
	// netserve's listener also counts against the process-wide budget, so
	// a flood on the axon cannot starve the process of descriptors.
	err := srv.Serve(netserve.LimitListener(l, a.cfg.MaxConns))
	if errors.Is(err, h1.ErrServerClosed) {
		return nil
	}
	return err
}

// Start listens on addr (e.g. ":8091" or "127.0.0.1:0") and serves in the background
// until Shutdown; it returns the bound address.
func (a *Axon) Start(addr string) (*net.TCPAddr, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("synapse: listen %s: %w", addr, err)
	}
	go func() {
		if err := a.Serve(l); err != nil {
			a.log.Error("axon stopped", "err", err)
		}
	}()
	return l.Addr().(*net.TCPAddr), nil
}

// Shutdown stops Serve, waiting for in-flight requests until ctx is done.
func (a *Axon) Shutdown(ctx context.Context) error {
	a.srvMu.Lock()
	srv := a.srv
	a.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// newUUID returns a random RFC 4122 version-4 UUID string.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
