package synapse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse/h1"
)

// DendriteConfig configures a Dendrite. Zero values select the documented defaults.
type DendriteConfig struct {
	// ExternalIP is reported as bt_header_dendrite_ip (default "0.0.0.0"; the axon
	// overwrites it with the TCP peer anyway). Targets with this IP are dialled on
	// 127.0.0.1, as upstream dials 0.0.0.0 for its own IP. Targets at an unspecified
	// IP (0.0.0.0, ::) are not serving and get 503 without a dial.
	ExternalIP string
	// Version is the version_as_int reported (default DefaultVersion).
	Version int
	// UUID identifies this dendrite instance (default: random).
	UUID string
	// MaxResponseBytes bounds a response body or a whole stream (default 8 MiB).
	MaxResponseBytes int64
	// MaxIdleConnsPerHost keeps this many idle connections per axon (default 16).
	MaxIdleConnsPerHost int
	// MaxConnsPerHost limits concurrent calls, and so connections, per axon (default
	// 0 = no limit).
	MaxConnsPerHost int
	// DialTimeout bounds connection setup (default 5 s; the call timeout also applies).
	DialTimeout time.Duration
	// Dial replaces the TCP dialer (tests, tunnels); addr is the axon's "ip:port".
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Metrics, if set, receives taonet_dendrite_* Prometheus series.
	Metrics prometheus.Registerer
	// MaxInFlight caps concurrent calls across the whole dendrite (default 0: no cap,
	// as upstream). A call waiting for a slot spends its own timeout waiting.
	MaxInFlight int
	// KeepHeaders keeps every response's raw header fields in Response.Header (and
	// Stream.Header). Off by default: a call then parses what the synapse needs from
	// the head (status, process time, the axon's and dendrite's terminal infos, all
	// exactly as with it on) straight from the connection's buffer and keeps no copy
	// of the fields, ~1.6 KiB less garbage per call (TestDendriteHeadersOptIn). Tools
	// that show the exchange turn it on, or ask per call with WithResponseHeaders.
	KeepHeaders bool
}

// keepHeadersKey marks a context whose calls keep their response headers.
type keepHeadersKey struct{}

// WithResponseHeaders returns a context under which the dendrite's calls keep their
// raw response header fields (Response.Header, Stream.Header), as
// DendriteConfig.KeepHeaders does for every call.
func WithResponseHeaders(ctx context.Context) context.Context {
	return context.WithValue(ctx, keepHeadersKey{}, true)
}

// keepHeaders reports whether calls under ctx keep their response headers.
func (d *Dendrite) keepHeaders(ctx context.Context) bool {
	return d.cfg.KeepHeaders || ctx.Value(keepHeadersKey{}) != nil
}

// Dendrite is the synapse client. It is safe for concurrent use.
type Dendrite struct {
	signer    Signer
	hotkey    string
	cfg       DendriteConfig
	client    *h1.Client
	lastNonce atomic.Int64
	lanes     sync.Map // AxonInfo -> *laneSet
	met       *dendriteMetrics
	inflight  chan struct{} // nil: no cap
}

// laneSet hands out request "lanes" to one axon. The axon keeps one last nonce per
// (hotkey, uuid) and refuses anything not newer, so two concurrent calls on one uuid
// can race each other there and the later-verified one fails with a spurious 401. A
// lane is a uuid used by one call at a time: within a lane, nonces rise in send order.
// Lane 0 is the dendrite's own uuid (as upstream); more appear only under concurrency
// to the same axon and are reused afterwards.
//
// A laneSet also keeps the target's dial address (or why it has none), worked out
// once per target rather than once per call.
type laneSet struct {
	// seen: the strings the target's responses repeat (see ownStrings).
	seen    atomic.Pointer[seenStrings]
	addr    string
	addrErr error
	mu      sync.Mutex
	free    []string
}

func (d *Dendrite) acquireLane(target AxonInfo) (*laneSet, string) {
	k := target // comparable: no key string built per call
	v, ok := d.lanes.Load(k)
	if !ok {
		ls := &laneSet{free: []string{d.cfg.UUID}}
		ls.addr, ls.addrErr = d.dialAddr(target)
		v, _ = d.lanes.LoadOrStore(k, ls)
	}
	ls := v.(*laneSet)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if n := len(ls.free); n > 0 {
		id := ls.free[n-1]
		ls.free = ls.free[:n-1]
		return ls, id
	}
	return ls, newUUID()
}

func (ls *laneSet) release(id string) {
	ls.mu.Lock()
	ls.free = append(ls.free, id)
	ls.mu.Unlock()
}

// AxonInfo is the address and hotkey of a target axon (from the metagraph).
type AxonInfo struct {
	IP     string
	Port   int
	Hotkey string
}

// Response is the outcome of one call to one axon.
type Response[T any] struct {
	// Target is the axon that was called.
	Target AxonInfo
	// Synapse is a copy of the request, with the response payload merged in on 200.
	Synapse *T
	// StatusCode and StatusMessage are upstream's dendrite.status_code/message: the
	// axon's values when it answered, the client-side code (408, 422, 503) otherwise.
	StatusCode    int
	StatusMessage string
	// Started is when the call began; Latency is its wall time (upstream
	// dendrite.process_time).
	Started time.Time
	Latency time.Duration
	// Axon and Dendrite are the terminal infos: what was sent, overridden by the values
	// the axon reported in its response headers.
	Axon     TerminalInfo
	Dendrite TerminalInfo
	// Header holds the HTTP response header fields in wire order when the axon
	// answered and headers were kept (DendriteConfig.KeepHeaders or
	// WithResponseHeaders; for tools that show the exchange, e.g. `taonet synapse
	// query`; Header.HTTP() gives an http.Header). Otherwise it is nil.
	Header h1.Header
	// Streamed holds the raw bytes of a streaming response received before the end,
	// the timeout or the size limit.
	Streamed []byte
	// Err is the transport or decoding error behind a client-side status, if any.
	Err error
}

// OK reports a 200 response.
func (r *Response[T]) OK() bool { return r.StatusCode == http.StatusOK }

// ChunkReceiver is implemented by streaming synapses that accumulate chunks into their
// own fields (e.g. appending decoded text to a completion).
type ChunkReceiver interface {
	ReceiveChunk(chunk []byte)
}

// NewDendrite creates a client that signs with hotkey.
func NewDendrite(hotkey Signer, cfg DendriteConfig) (*Dendrite, error) {
	if hotkey == nil {
		return nil, errors.New("synapse: dendrite hotkey is required")
	}
	if cfg.ExternalIP == "" {
		cfg.ExternalIP = "0.0.0.0"
	}
	if cfg.Version == 0 {
		cfg.Version = DefaultVersion
	}
	if cfg.UUID == "" {
		cfg.UUID = newUUID()
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 8 << 20
	}
	if cfg.MaxIdleConnsPerHost <= 0 {
		cfg.MaxIdleConnsPerHost = 16
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	met, err := newDendriteMetrics(cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("synapse: register dendrite metrics: %w", err)
	}
	d := &Dendrite{signer: hotkey, hotkey: hotkey.SS58Address(), cfg: cfg, met: met}
	if cfg.MaxInFlight > 0 {
		d.inflight = make(chan struct{}, cfg.MaxInFlight)
	}
	// The dendrite's own HTTP/1.1 client (package h1): one write per request and no
	// per-call goroutine hand-offs or header maps, where net/http's client cost a
	// third of the dendrite's CPU in a fan-out. No redirects are followed and
	// nothing is decompressed: an axon answers plain JSON.
	d.client = h1.New(h1.Config{
		Dial:            cfg.Dial,
		DialTimeout:     cfg.DialTimeout,
		MaxIdlePerHost:  cfg.MaxIdleConnsPerHost,
		MaxConnsPerHost: cfg.MaxConnsPerHost,
		IdleTimeout:     90 * time.Second,
		MaxHeaderBytes:  64 << 10,
	})
	return d, nil
}

// Hotkey is the dendrite's ss58 hotkey address.
func (d *Dendrite) Hotkey() string { return d.hotkey }

// UUID is the dendrite's instance identifier.
func (d *Dendrite) UUID() string { return d.cfg.UUID }

// Close drops idle connections.
func (d *Dendrite) Close() { d.client.CloseIdle() }

// enter takes an in-flight slot (if capped) or gives up when ctx ends.
func (d *Dendrite) enter(ctx context.Context) error {
	if d.inflight == nil {
		return nil
	}
	select {
	case d.inflight <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Dendrite) leave() {
	if d.inflight != nil {
		<-d.inflight
	}
}

// nextNonce returns wall-clock nanoseconds, strictly increasing across calls, so
// back-to-back calls to one axon never reuse a nonce.
func (d *Dendrite) nextNonce() int64 {
	now := time.Now().UnixNano()
	for {
		last := d.lastNonce.Load()
		n := max(now, last+1)
		if d.lastNonce.CompareAndSwap(last, n) {
			return n
		}
	}
}

// prepared is the per-synapse work shared by every target of a fan-out.
type prepared struct {
	sc       *schema
	payload  []byte
	bodyHash string
	timeout  time.Duration
	tmpl     *requestTemplate
	cloner   any // *cloner[T] of the prepare call's T
	// keepHeaders: the calls keep their raw response headers (set per fan-out).
	keepHeaders bool
}

func prepare[T any](s *T, timeout time.Duration) (*prepared, error) {
	sc, err := schemaOf[T]()
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("synapse: nil synapse")
	}
	if timeout <= 0 {
		timeout = secondsToDuration(DefaultTimeout)
	}
	h, err := sc.bodyHash(reflectValue(s))
	if err != nil {
		return nil, err
	}
	payload, err := marshalPayload(s)
	if err != nil {
		return nil, err
	}
	cl, err := newCloner[T](payload)
	if err != nil {
		return nil, err
	}
	p := &prepared{sc: sc, payload: payload, bodyHash: h, timeout: timeout, cloner: cl}
	common := p.request()
	p.tmpl, err = newRequestTemplate(sc, &common, payload)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// request is the part of a request common to every target: what send fills in
// before the terminal infos.
func (p *prepared) request() Request {
	return Request{Name: p.sc.name, Timeout: p.timeout.Seconds(), BodyHash: p.bodyHash}
}

// outgoing is one call's request: signed in a batch with the other calls of its
// fan-out (signAll), then posted by the call's own goroutine (post).
type outgoing struct {
	target  AxonInfo
	started time.Time
	req     Request
	lanes   *laneSet
	lane    string
	err     error // why the request cannot be sent (address, signing)
	// slot holds the call's response and body (h1's DoViewIn), in the pooled
	// per-call state rather than a new allocation per call.
	slot h1.Slot
	// run and i are the call's fan-out and index in it (see fanOut).
	run *fanRun
	i   int
}

// release returns the call's lane.
func (c *outgoing) release() {
	if c.lanes != nil {
		c.lanes.release(c.lane)
		c.lanes = nil
	}
}

// signBatch is how many requests a fan-out signs before it starts their calls: enough
// for a batch signer to share work across them, few enough that the first requests
// leave while the rest are signed.
const signBatch = 32

// signAll fills in and signs the requests of calls (whose targets are set), each on a
// lane of its own; every call must end with release.
func (d *Dendrite) signAll(p *prepared, calls []outgoing) {
	sc := signScratchPool.Get().(*signScratch)
	defer sc.put()
	for i := range calls {
		c := &calls[i]
		c.started = time.Now()
		c.lanes, c.lane = d.acquireLane(c.target)
		c.err = c.lanes.addrErr
		c.req = p.request()
		c.req.Dendrite = TerminalInfo{IP: d.cfg.ExternalIP, Version: d.cfg.Version, Nonce: d.nextNonce(), UUID: c.lane, Hotkey: d.hotkey}
		c.req.Axon = TerminalInfo{IP: c.target.IP, Port: c.target.Port, Hotkey: c.target.Hotkey}
		sc.addMessage(c.req.Dendrite.Nonce, d.hotkey, c.target.Hotkey, c.lane, p.bodyHash)
	}
	sigs, err := d.signBatch(sc)
	for i := range calls {
		c := &calls[i]
		switch {
		case err != nil:
			c.err = cmp.Or(c.err, fmt.Errorf("synapse: sign request: %w", err))
		case c.err == nil:
			c.req.Dendrite.Signature = sc.signature(sigs, i)
		}
	}
}

// signScratch is the working memory of signing one batch: the messages written back
// to back into one buffer, and the signatures. It is pooled, so a batch allocates
// only the one string that holds its encoded signatures.
type signScratch struct {
	text    []byte   // the messages, back to back
	ends    []int    // where each message ends in text
	msgs    [][]byte // the messages as slices of text, once all are written
	sigs    [][sigSize]byte
	hex     []byte // the encoded signatures, back to back
	sigEnds []int  // where each signature ends in hex
}

// sigSize is an sr25519 signature's size (keys.SignatureSize).
const sigSize = keys.SignatureSize

var signScratchPool = sync.Pool{New: func() any { return new(signScratch) }}

// put empties sc and returns it to the pool.
func (sc *signScratch) put() {
	sc.text, sc.ends, sc.hex, sc.sigEnds = sc.text[:0], sc.ends[:0], sc.hex[:0], sc.sigEnds[:0]
	clear(sc.msgs)
	sc.msgs = sc.msgs[:0]
	signScratchPool.Put(sc)
}

// addMessage appends a RequestMessage.
func (sc *signScratch) addMessage(nonce int64, dendriteHotkey, axonHotkey, uuid, bodyHash string) {
	sc.text = appendDotted(sc.text, nonce, dendriteHotkey, axonHotkey, uuid, bodyHash)
	sc.ends = append(sc.ends, len(sc.text))
}

// messages returns the messages added so far.
func (sc *signScratch) messages() [][]byte {
	start := 0
	for _, end := range sc.ends {
		sc.msgs = append(sc.msgs, sc.text[start:end:end])
		start = end
	}
	return sc.msgs
}

// signBatch signs sc's messages with the hotkey, in one batch where it can, and
// returns the signatures as EncodeSignature renders them, all in one string (the
// i-th ends at sc.sigEnds[i]).
func (d *Dendrite) signBatch(sc *signScratch) (string, error) {
	msgs := sc.messages()
	if kp, ok := d.signer.(*keys.Keypair); ok {
		// The keypair's SignMany is SignManyInto plus a copy of each signature.
		if cap(sc.sigs) < len(msgs) {
			sc.sigs = make([][sigSize]byte, len(msgs))
		}
		sigs := sc.sigs[:len(msgs)]
		if err := kp.SignManyInto(sigs, msgs); err != nil {
			return "", err
		}
		for i := range sigs {
			sc.addSignature(sigs[i][:])
		}
	} else {
		sigs, err := d.signMany(msgs)
		if err != nil {
			return "", err
		}
		for _, sig := range sigs {
			sc.addSignature(sig)
		}
	}
	return string(sc.hex), nil
}

// addSignature appends sig as EncodeSignature renders it.
func (sc *signScratch) addSignature(sig []byte) {
	sc.hex = appendSignature(sc.hex, sig)
	sc.sigEnds = append(sc.sigEnds, len(sc.hex))
}

// signature returns the i-th encoded signature of all (signBatch's string).
func (sc *signScratch) signature(all string, i int) string {
	start := 0
	if i > 0 {
		start = sc.sigEnds[i-1]
	}
	return all[start:sc.sigEnds[i]]
}

// BatchSigner is a Signer that signs several messages at once for less than one
// Sign each (*keys.Keypair); a dendrite uses it when its hotkey has it.
type BatchSigner interface {
	SignMany(msgs [][]byte) ([][]byte, error)
}

// signMany signs msgs with the hotkey, in one batch where it can.
func (d *Dendrite) signMany(msgs [][]byte) ([][]byte, error) {
	if bs, ok := d.signer.(BatchSigner); ok {
		return bs.SignMany(msgs)
	}
	sigs := make([][]byte, len(msgs))
	for i, m := range msgs {
		sig, err := d.signer.Sign(m)
		if err != nil {
			return nil, err
		}
		sigs[i] = sig
	}
	return sigs, nil
}

// dialAddr is the host:port a target is dialled on, or why it cannot be.
func (d *Dendrite) dialAddr(target AxonInfo) (string, error) {
	host := target.IP
	if unspecifiedIP(host) {
		// A metagraph axon at 0.0.0.0 is not serving; dialling it would reach whatever
		// listens on this machine.
		return "", errNotServing
	}
	if host == d.cfg.ExternalIP {
		host = "127.0.0.1"
	}
	addr := net.JoinHostPort(host, strconv.Itoa(target.Port))
	if host == "" || !validHost(addr) {
		return "", fmt.Errorf("%w: %q", errBadAddress, addr)
	}
	return addr, nil
}

// unspecifiedIP reports an IP literal net.ParseIP reads as unspecified (0.0.0.0, ::,
// ::ffff:0.0.0.0), without its allocation.
func unspecifiedIP(host string) bool {
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsUnspecified()
}

// post sends a signed request; the caller owns resp.Body and keeps the lane until the
// call is over.
func (d *Dendrite) post(ctx context.Context, p *prepared, c *outgoing) (*h1.Response, error) {

	if c.err != nil {
		return nil, c.err
	}
	bodyBuf, wireBuf := getBuf(), getBuf()
	defer putBuf(bodyBuf)
	defer putBuf(wireBuf)
	body, err := p.tmpl.appendBody((*bodyBuf)[:0], &c.req)
	if err != nil {
		return nil, err
	}
	*bodyBuf = body
	*wireBuf = p.tmpl.appendRequest((*wireBuf)[:0], c.lanes.addr, &c.req, body)
	// The request bytes are not needed once Do returns (it resends them itself on a
	// stale connection), so the buffers go back to the pool here.
	if p.keepHeaders {
		return d.client.Do(ctx, c.lanes.addr, *wireBuf)
	}
	return d.client.DoViewIn(ctx, c.lanes.addr, *wireBuf, &c.slot)
}

// bufPool recycles request buffers: a 256-way fan-out would otherwise allocate
// two ~2 KiB buffers per target.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 { // a huge payload's buffer is left to the GC
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// errNotServing marks a target with an unspecified IP.
var errNotServing = errors.New("axon is not serving (unspecified IP)")

// errBadAddress marks a target whose IP is not an address or host name.
var errBadAddress = errors.New("invalid axon address")

// errTooLarge marks a response over MaxResponseBytes.
var errTooLarge = errors.New("response exceeds the size limit")

// classify maps a client-side failure to upstream's dendrite status codes.
func classify(err error, p *prepared, target AxonInfo) (int, string) {
	var ne net.Error
	switch {
	case errors.Is(err, errTooLarge):
		return 422, "Failed to parse response object with error: " + err.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return http.StatusRequestTimeout, fmt.Sprintf("Timedout after %s seconds.", PyFloat(p.timeout.Seconds()))
	case errors.Is(err, errNotServing), errors.Is(err, errBadAddress), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, context.Canceled), errors.As(err, &ne):
		return http.StatusServiceUnavailable, fmt.Sprintf("Service at %s:%d/%s unavailable.", target.IP, target.Port, p.sc.name)
	default:
		return 422, "Failed to parse response object with error: " + err.Error()
	}
}

// Query calls one axon and waits for its response, at most timeout.
func Query[T any](ctx context.Context, d *Dendrite, target AxonInfo, s *T, timeout time.Duration) Response[T] {
	return QueryMany(ctx, d, []AxonInfo{target}, s, timeout)[0]
}

// QueryMany calls every target concurrently with the same synapse and a per-call
// timeout; results are in target order.
func QueryMany[T any](ctx context.Context, d *Dendrite, targets []AxonInfo, s *T, timeout time.Duration) []Response[T] {
	out := make([]Response[T], len(targets))
	p, err := prepare(s, timeout)
	if err != nil {
		for i, t := range targets {
			out[i] = Response[T]{Target: t, StatusCode: 422, StatusMessage: err.Error(), Err: err}
		}
		return out
	}
	// The calls start together, as upstream's gather starts them, so one deadline
	// serves them all (a context and timer per call cost ~3% of the dendrite's CPU).
	p.keepHeaders = d.keepHeaders(ctx)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	d.fanOut(p, targets, func(i int, c *outgoing) { exchange(ctx, d, p, c, &out[i]) })
	return out
}

// fanOut signs the requests to targets in batches and runs call on a goroutine of its
// own for each as soon as its batch is signed; it returns when every call has.
func (d *Dendrite) fanOut(p *prepared, targets []AxonInfo, call func(i int, c *outgoing)) {
	calls := getCalls(len(targets))
	defer putCalls(calls)
	for i, t := range targets {
		calls[i].target = t
	}
	run := &fanRun{call: call}
	for lo := 0; lo < len(calls); lo += signBatch {
		hi := min(lo+signBatch, len(calls))
		d.signAll(p, calls[lo:hi])
		run.wg.Add(hi - lo)
		for i := lo; i < hi; i++ {
			calls[i].run, calls[i].i = run, i
			// A go statement allocates its arguments: one pointer here (16
			// bytes); wg, call and i as arguments were 48, wg.Go with a closure
			// two allocations.
			go runCall(&calls[i])
		}
	}
	run.wg.Wait()
}

// fanRun is what a fan-out's calls share: the wait for them and the call itself.
type fanRun struct {
	wg   sync.WaitGroup
	call func(i int, c *outgoing)
}

// runCall is one call of a fan-out on its own goroutine.
func runCall(c *outgoing) {
	run := c.run
	defer run.wg.Done()
	defer c.release()
	run.call(c.i, c)
}

// callsPool recycles a fan-out's per-call state (~540 bytes a call): nothing refers
// to it once the fan-out returns, as each call copies what its result keeps.
var callsPool sync.Pool // *[]outgoing

func getCalls(n int) []outgoing {
	if v, ok := callsPool.Get().(*[]outgoing); ok && cap(*v) >= n {
		return (*v)[:n]
	}
	return make([]outgoing, n)
}

func putCalls(calls []outgoing) {
	clear(calls[:cap(calls)]) // no lanes, strings or errors kept alive by the pool
	calls = calls[:0]
	callsPool.Put(&calls)
}

// exchange runs one signed call to the end (post, read and decode the response) and
// fills in res. It writes into the caller's slot rather than returning a Response:
// a big value in its frame made each call's goroutine outgrow its first stack.
func exchange[T any](ctx context.Context, d *Dendrite, p *prepared, c *outgoing, res *Response[T]) {
	res.Target, res.Started = c.target, c.started
	res.Axon, res.Dendrite = c.req.Axon, c.req.Dendrite
	defer func() {
		// A call without a decoded response still gets its own copy of the request,
		// made here, off the path that delays the request's arrival.
		if res.Synapse == nil {
			res.Synapse = p.cloner.(*cloner[T]).clone()
		}
		d.met.observe(p.sc.name, res.StatusCode, res.Latency)
	}()
	if err := d.enter(ctx); err != nil {
		res.fail(err, p, c)
		return
	}
	defer d.leave()
	resp, err := d.post(ctx, p, c)
	if err != nil {
		res.fail(err, p, c)
		return
	}
	defer resp.Body.Close()
	// The head first: without kept headers it is a view of the connection's buffer,
	// which reading the body reuses.
	code, msg, perr := takeTerminal(resp.Header, !p.keepHeaders, &res.Axon, &res.Dendrite, &c.lanes.seen)
	if p.keepHeaders {
		res.Header = resp.Header
	}
	// The body is only decoded (json copies what it keeps), so its buffer is pooled.
	buf := getBuf()
	defer putBuf(buf)
	body, err := d.readLimited(resp, (*buf)[:0])
	*buf = body
	if err != nil {
		// No complete response: the terminal infos stay as sent.
		res.Axon, res.Dendrite = c.req.Axon, c.req.Dendrite
		res.fail(err, p, c)
		return
	}
	res.Latency = time.Since(c.started)
	res.StatusCode, res.StatusMessage, res.Err = settle(resp.StatusCode, body, code, msg, perr, &res.Axon, &res.Dendrite)
	if res.Err == nil && resp.StatusCode == http.StatusOK {
		res.Synapse = p.cloner.(*cloner[T]).clone()
		if err := decodeInto(p.sc, body, res.Synapse); err != nil {
			res.Err = err
			res.StatusCode, res.StatusMessage = 422, "Failed to parse response object with error: "+err.Error()
		}
	}
}

// fail ends a call that got no usable response.
func (res *Response[T]) fail(err error, p *prepared, c *outgoing) {
	res.Err = err
	res.StatusCode, res.StatusMessage = classify(err, p, c.target)
	res.Latency = time.Since(c.started)
}

// readLimited reads a non-streaming response body up to MaxResponseBytes into body's
// spare capacity.
func (d *Dendrite) readLimited(resp *h1.Response, body []byte) ([]byte, error) {
	max := d.cfg.MaxResponseBytes
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: declared %d bytes > %d", errTooLarge, resp.ContentLength, max)
	}
	// A declared length sizes the buffer once (io.ReadAll would grow it from 512
	// bytes); the limit still applies to what actually arrives.
	size := int64(4096)
	if cl := resp.ContentLength; cl >= 0 {
		size = cl + 1 // +1 so EOF is seen without growing
	}
	if int64(cap(body)) < size {
		body = make([]byte, 0, size)
	}
	lr := io.LimitReader(resp.Body, max+1)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, err := lr.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return body[:0], err
		}
	}
	if int64(len(body)) > max {
		return body[:0], fmt.Errorf("%w: more than %d bytes", errTooLarge, max)
	}
	return body, nil
}

// Upstream process_server_response, in two steps: takeTerminal reads the response's
// head, settle adds the body's part once it has arrived. Server terminal values
// override what was sent, and the dendrite status becomes the axon's status.

// takeTerminal parses the synapse fields of a response head and merges the axon's and
// dendrite's terminal infos into axon and dendrite; it returns the axon's reported
// status (0, "" if none) or the parse error (nothing merged). A view head (h1's
// DoView) is the connection's buffer: the strings kept from it are copied first.
//
// seen (nil: none) is the target's record of the strings that repeat from response to
// response, which a view head's values are matched against before being copied.
func takeTerminal(h h1.Header, view bool, axon, dendrite *TerminalInfo, seen *atomic.Pointer[seenStrings]) (int, string, error) {
	var srv Request
	if err := srv.parseFields(h); err != nil {
		if he := (*HeaderError)(nil); view && errors.As(err, &he) {
			he.Value = strings.Clone(he.Value)
		}
		return 0, "", err
	}
	if view {
		ownStrings(&srv, axon, dendrite, seen)
	}
	mergeTerminal(axon, &srv.Axon)
	mergeTerminal(dendrite, &srv.Dendrite)
	return srv.Axon.StatusCode, srv.Axon.StatusMessage, nil
}

// statusSuccess is the status message of an axon's every 200.
const statusSuccess = "Success"

// seenStrings are the strings of a target's responses that repeat from call to call
// but differ from what the dendrite sent: the axon's uuid and the dendrite's IP as the
// axon saw it. A laneSet keeps the last ones (immutable; replaced when they change).
type seenStrings struct{ axonUUID, dendriteIP string }

// ownStrings makes the strings mergeTerminal will keep from srv's terminal infos,
// views of a head that the connection reuses, the dendrite's own: a value equal to
// what axon or dendrite already hold (as sent) becomes theirs, one equal to the
// target's seen strings (if seen is not nil) those, "Success" the constant, and the
// rest (the axon's signature, usually) are copied together into one new string.
func ownStrings(srv *Request, axon, dendrite *TerminalInfo, seen *atomic.Pointer[seenStrings]) {
	var copies [10]*string
	n, size := 0, 0
	own := func(s *string, sent, known string) {
		switch {
		case *s == "":
		case *s == sent:
			*s = sent
		case *s == known:
			*s = known
		case *s == statusSuccess:
			*s = statusSuccess
		default:
			copies[n] = s
			n++
			size += len(*s)
		}
	}
	var last *seenStrings
	if seen != nil {
		last = seen.Load()
	}
	var known seenStrings
	if last != nil {
		known = *last
	}
	own(&srv.Axon.StatusMessage, axon.StatusMessage, "")
	own(&srv.Axon.IP, axon.IP, "")
	own(&srv.Axon.UUID, axon.UUID, known.axonUUID)
	own(&srv.Axon.Hotkey, axon.Hotkey, "")
	own(&srv.Axon.Signature, axon.Signature, "")
	own(&srv.Dendrite.StatusMessage, dendrite.StatusMessage, "")
	own(&srv.Dendrite.IP, dendrite.IP, known.dendriteIP)
	own(&srv.Dendrite.UUID, dendrite.UUID, "")
	own(&srv.Dendrite.Hotkey, dendrite.Hotkey, "")
	own(&srv.Dendrite.Signature, dendrite.Signature, "")
	if n > 0 {
		copyOut(copies[:n], size)
	}
	if seen != nil && (srv.Axon.UUID != known.axonUUID || srv.Dendrite.IP != known.dendriteIP) {
		// Now owned: the next call to this target keeps these instead of copying.
		seen.Store(&seenStrings{axonUUID: srv.Axon.UUID, dendriteIP: srv.Dendrite.IP})
	}
}

// copyOut replaces the strings strs point to (size bytes in all) by substrings of
// one new string holding them back to back.
func copyOut(strs []*string, size int) {
	var b strings.Builder
	b.Grow(size)
	for _, s := range strs {
		b.WriteString(*s)
	}
	kept, off := b.String(), 0
	for _, s := range strs {
		*s, off = kept[off:off+len(*s)], off+len(*s)
	}
}

// settle finishes takeTerminal's work on a response whose body has arrived: the
// status (the reported one unless absent, or claiming success on a failed response)
// and, for errors, the body's {"message": ...}. perr is takeTerminal's error.
func settle(httpCode int, body []byte, code int, msg string, perr error, axon, dendrite *TerminalInfo) (int, string, error) {
	if perr != nil {
		return 422, "Failed to parse response object with error: " + perr.Error(), perr
	}
	if code == 0 || (httpCode != http.StatusOK && code == http.StatusOK) {
		// No status header, or one that claims success on a failed response.
		code = httpCode
	}
	if msg == "" && httpCode != http.StatusOK {
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &m) == nil {
			msg = m.Message
		}
	}
	axon.StatusCode, axon.StatusMessage = code, msg
	dendrite.StatusCode, dendrite.StatusMessage = code, msg
	return code, msg, nil
}

// mergeTerminal overrides dst with the non-zero fields of src.
func mergeTerminal(dst, src *TerminalInfo) {
	if src.StatusCode != 0 {
		dst.StatusCode = src.StatusCode
	}
	if src.StatusMessage != "" {
		dst.StatusMessage = src.StatusMessage
	}
	if src.ProcessTime != 0 {
		dst.ProcessTime = src.ProcessTime
	}
	if src.IP != "" {
		dst.IP = src.IP
	}
	if src.Port != 0 {
		dst.Port = src.Port
	}
	if src.Version != 0 {
		dst.Version = src.Version
	}
	if src.Nonce != 0 {
		dst.Nonce = src.Nonce
	}
	if src.UUID != "" {
		dst.UUID = src.UUID
	}
	if src.Hotkey != "" {
		dst.Hotkey = src.Hotkey
	}
	if src.Signature != "" {
		dst.Signature = src.Signature
	}
}
