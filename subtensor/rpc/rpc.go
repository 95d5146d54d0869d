package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Error is an error object returned by the node.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Data) > 0 && string(e.Data) != "null" {
		return fmt.Sprintf("%s (code %d): %s", e.Message, e.Code, strings.Trim(string(e.Data), `"`))
	}
	return fmt.Sprintf("%s (code %d)", e.Message, e.Code)
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("rpc: client closed")

// ErrNoSubscriptions is returned by Subscribe when no endpoint can carry a
// subscription (HTTP only): callers fall back to polling.
var ErrNoSubscriptions = errors.New("subscriptions need a ws:// or wss:// endpoint")

// ErrSlowConsumer ends a subscription whose reader fell more than its
// buffer behind; the connection itself stays up.
var ErrSlowConsumer = errors.New("notifications were not read in time and the subscription was dropped")

// UnreachableError is returned when no endpoint answers at the transport
// level (refused, DNS, TLS, timeout): one short reason per endpoint.
type UnreachableError struct {
	Reasons  []string // "ws://host:port: connect: connection refused"
	Attempts int
}

func (e *UnreachableError) Error() string {
	if e.Attempts == 1 {
		return strings.Join(e.Reasons, "; ")
	}
	return fmt.Sprintf("%s (%d attempts)", strings.Join(e.Reasons, "; "), e.Attempts)
}

// reason is the cause of a transport failure without the layers of wrapping
// (WebSocket handshake, HTTP request, dial) a person does not need.
func reason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.HasPrefix(s, "failed to WebSocket dial") {
		return s[i+2:]
	}
	return s
}

// MethodNotFound reports whether err is the node's JSON-RPC "method not
// found" (-32601): the node does not offer the method (e.g. an RPC proxy
// that refuses subscriptions).
func MethodNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == -32601
}

// Options configure a Client.
type Options struct {
	// Timeout bounds each request (default 30 s) and each dial (default 10 s).
	Timeout     time.Duration
	DialTimeout time.Duration
	// Retries is how many full passes over the endpoints a (re)connect makes
	// before giving up (default 3), sleeping Backoff, 2×Backoff, ... between.
	Retries int
	Backoff time.Duration
	// HTTPClient is used for http(s) endpoints (default: a client with Timeout).
	HTTPClient *http.Client
}

func (o *Options) fill() {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.Retries <= 0 {
		o.Retries = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.Timeout}
	}
}

// Client talks to one of several equivalent endpoints.
type Client struct {
	endpoints []string
	opts      Options

	mu      sync.Mutex
	cur     int     // index of the endpoint in use
	conn    *wsConn // nil until dialled or after a drop
	closed  bool
	dialing chan struct{} // non-nil while a dial is in progress
}

// New returns a client for endpoints (ws://, wss://, http:// or https://).
// Nothing is dialled until the first request.
func New(endpoints []string, opts Options) (*Client, error) {
	if len(endpoints) == 0 {
		return nil, errors.New("rpc: no endpoint given")
	}
	for _, e := range endpoints {
		if !strings.HasPrefix(e, "ws://") && !strings.HasPrefix(e, "wss://") &&
			!strings.HasPrefix(e, "http://") && !strings.HasPrefix(e, "https://") {
			return nil, fmt.Errorf("rpc: endpoint %q must start with ws://, wss://, http:// or https://", e)
		}
	}
	opts.fill()
	return &Client{endpoints: append([]string(nil), endpoints...), opts: opts}, nil
}

// Endpoint is the endpoint currently in use.
func (c *Client) Endpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoints[c.cur]
}

// Close closes the connection; further requests fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	conn := c.conn
	c.conn = nil
	c.mu.Unlock()
	if conn != nil {
		conn.close(ErrClosed)
	}
	return nil
}

func isWS(e string) bool { return strings.HasPrefix(e, "ws") }

// idempotent reports whether a failed request may be sent again.
func idempotent(method string) bool { return !strings.HasPrefix(method, "author_") }

// Call sends method(params...) and unmarshals the result into out (may be nil).
func (c *Client) Call(ctx context.Context, out any, method string, params ...any) error {
	if params == nil {
		params = []any{}
	}
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		raw, ep, err := c.call(ctx, method, params)
		if err == nil {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("rpc: %s on %s: cannot decode result %.200s: %w", method, ep, raw, err)
			}
			return nil
		}
		var rpcErr *Error
		if errors.As(err, &rpcErr) || errors.Is(err, ErrClosed) || ctx.Err() != nil || !idempotent(method) {
			return err
		}
		lastErr = err // transport failure: the next attempt redials (failover)
	}
	return lastErr
}

func (c *Client) call(ctx context.Context, method string, params []any) (json.RawMessage, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	c.mu.Lock()
	ep := c.endpoints[c.cur]
	c.mu.Unlock()
	if !anyWS(c.endpoints) {
		return c.httpCall(ctx, ep, method, params)
	}
	conn, err := c.connect(ctx)
	if err != nil {
		if hasHTTP(c.endpoints) && ctx.Err() == nil {
			// The WebSocket endpoints are down: fail over to the HTTP ones.
			raw, hep, herr := c.httpCall(ctx, ep, method, params)
			var wsDown, httpDown *UnreachableError
			if errors.As(err, &wsDown) && errors.As(herr, &httpDown) {
				httpDown.Reasons = append(append([]string(nil), wsDown.Reasons...), httpDown.Reasons...)
				httpDown.Attempts = max(httpDown.Attempts, wsDown.Attempts)
			}
			return raw, hep, herr
		}
		return nil, ep, err
	}
	raw, err := conn.request(ctx, method, params, nil)
	if err != nil {
		return nil, conn.endpoint, wrap(ctx, method, conn.endpoint, c.opts.Timeout, err)
	}
	return raw, conn.endpoint, nil
}

func hasHTTP(eps []string) bool {
	for _, e := range eps {
		if !isWS(e) {
			return true
		}
	}
	return false
}

func anyWS(eps []string) bool {
	for _, e := range eps {
		if isWS(e) {
			return true
		}
	}
	return false
}

func wrap(ctx context.Context, method, ep string, timeout time.Duration, err error) error {
	var rpcErr *Error
	if errors.As(err, &rpcErr) {
		return fmt.Errorf("rpc: %s on %s: %w", method, ep, err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("rpc: %s on %s: no answer within %s: %w", method, ep, timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("rpc: %s on %s: %w", method, ep, err)
}

type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type response struct {
	ID     *uint64         `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
	Method string          `json:"method"`
	Params *struct {
		Subscription json.RawMessage `json:"subscription"`
		Result       json.RawMessage `json:"result"`
		Error        *Error          `json:"error"`
	} `json:"params"`
}

func (c *Client) httpCall(ctx context.Context, ep, method string, params []any) (json.RawMessage, string, error) {
	body, err := json.Marshal(request{JSONRPC: "2.0", ID: 1, Method: method, Params: params})
	if err != nil {
		return nil, ep, fmt.Errorf("rpc: %s: %w", method, err)
	}
	var lastErr error
	down := &UnreachableError{Attempts: 1}
	for i := range c.endpoints {
		ep := c.endpoints[(c.cur+i)%len(c.endpoints)]
		if isWS(ep) {
			continue
		}
		raw, err := c.httpOnce(ctx, ep, body)
		if err == nil {
			var r response
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, ep, fmt.Errorf("rpc: %s on %s: not a JSON-RPC response: %.200s", method, ep, raw)
			}
			if r.Error != nil {
				return nil, ep, fmt.Errorf("rpc: %s on %s: %w", method, ep, r.Error)
			}
			return r.Result, ep, nil
		}
		var status *httpStatusError
		if errors.As(err, &status) || ctx.Err() != nil {
			lastErr = wrap(ctx, method, ep, c.opts.Timeout, err)
		} else {
			down.Reasons = append(down.Reasons, ep+": "+reason(err))
			lastErr = down
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, ep, lastErr
}

func (c *Client) httpOnce(ctx context.Context, ep string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &httpStatusError{fmt.Sprintf("HTTP %s: %.200s", resp.Status, raw)}
	}
	return raw, nil
}

// httpStatusError: the endpoint answered, but not with 200 OK.
type httpStatusError struct{ msg string }

func (e *httpStatusError) Error() string { return e.msg }

// connect returns the live connection, dialling (with failover and backoff)
// when there is none. Concurrent callers share one dial.
func (c *Client) connect(ctx context.Context) (*wsConn, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, ErrClosed
		}
		if c.conn != nil && !c.conn.isDead() {
			conn := c.conn
			c.mu.Unlock()
			return conn, nil
		}
		if wait := c.dialing; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.dialing = done
		start := c.cur
		c.mu.Unlock()

		conn, idx, err := c.dialAny(ctx, start)
		c.mu.Lock()
		c.dialing = nil
		if err == nil {
			c.conn, c.cur = conn, idx
		}
		c.mu.Unlock()
		close(done)
		return conn, err
	}
}

func (c *Client) dialAny(ctx context.Context, start int) (*wsConn, int, error) {
	var errs []string
	delay := c.opts.Backoff
	for round := 0; round < c.opts.Retries; round++ {
		for i := range c.endpoints {
			idx := (start + i) % len(c.endpoints)
			ep := c.endpoints[idx]
			if !isWS(ep) {
				continue
			}
			conn, err := dialWS(ctx, ep, c.opts.DialTimeout)
			if err == nil {
				return conn, idx, nil
			}
			errs = append(errs, fmt.Sprintf("%s: %s", ep, reason(err)))
			if ctx.Err() != nil {
				return nil, 0, &UnreachableError{Reasons: dedupe(errs), Attempts: round + 1}
			}
		}
		if round+1 < c.opts.Retries {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return nil, 0, &UnreachableError{Reasons: dedupe(errs), Attempts: round + 1}
			}
			delay *= 2
		}
	}
	return nil, 0, &UnreachableError{Reasons: dedupe(errs), Attempts: c.opts.Retries}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Subscription delivers a subscription's notifications.
type Subscription struct {
	conn   *wsConn
	id     string
	ch     chan json.RawMessage
	once   sync.Once
	unsub  string
	reason error // why ch was closed while the connection lives (set before close)
}

// Next returns the next notification, or an error when the connection drops
// or ctx ends.
func (s *Subscription) Next(ctx context.Context) (json.RawMessage, error) {
	select {
	case m, ok := <-s.ch:
		if !ok {
			why := s.conn.err()
			if why == nil {
				why = s.reason
			}
			return nil, fmt.Errorf("rpc: subscription %s on %s ended: %w", s.id, s.conn.endpoint, why)
		}
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close unsubscribes (best effort).
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.conn.dropSub(s.id)
		if s.unsub != "" && !s.conn.isDead() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = s.conn.request(ctx, s.unsub, []any{json.RawMessage(s.id)}, nil)
		}
	})
}

// Subscribe calls a subscribing method (e.g. author_submitAndWatchExtrinsic,
// chain_subscribeFinalizedHeads) and returns its notification stream. It needs
// a WebSocket endpoint.
func (c *Client) Subscribe(ctx context.Context, method, unsubscribe string, params ...any) (*Subscription, error) {
	if params == nil {
		params = []any{}
	}
	if !anyWS(c.endpoints) {
		return nil, fmt.Errorf("rpc: %s: %w (subscriptions do not work over HTTP)", method, ErrNoSubscriptions)
	}
	ctx2, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	conn, err := c.connect(ctx2)
	if err != nil {
		return nil, err
	}
	sub := &Subscription{conn: conn, ch: make(chan json.RawMessage, 64), unsub: unsubscribe}
	raw, err := conn.request(ctx2, method, params, sub)
	if err != nil {
		return nil, wrap(ctx2, method, conn.endpoint, c.opts.Timeout, err)
	}
	sub.id = string(raw)
	return sub, nil
}

// wsConn is one WebSocket connection with its read loop.
type wsConn struct {
	endpoint string
	ws       *websocket.Conn

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]*pendingReq
	subs    map[string]*Subscription
	early   map[string][]json.RawMessage // notifications that beat their subscription's registration
	dead    error
	deadCh  chan struct{}
}

type pendingReq struct {
	ch  chan response
	sub *Subscription
}

func dialWS(ctx context.Context, ep string, timeout time.Duration) (*wsConn, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, ep, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(128 << 20) // finney metadata is ~1 MB hex; neuron lists several MB
	c := &wsConn{endpoint: ep, ws: ws, pending: map[uint64]*pendingReq{}, subs: map[string]*Subscription{}, early: map[string][]json.RawMessage{}, deadCh: make(chan struct{})}
	go c.readLoop()
	return c, nil
}

func (c *wsConn) isDead() bool {
	select {
	case <-c.deadCh:
		return true
	default:
		return false
	}
}

func (c *wsConn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *wsConn) close(err error) {
	c.mu.Lock()
	if c.dead != nil {
		c.mu.Unlock()
		return
	}
	c.dead = err
	close(c.deadCh)
	for id, p := range c.pending {
		delete(c.pending, id)
		close(p.ch)
	}
	for id, s := range c.subs {
		delete(c.subs, id)
		close(s.ch)
	}
	c.mu.Unlock()
	_ = c.ws.Close(websocket.StatusNormalClosure, "")
}

func (c *wsConn) dropSub(id string) {
	c.mu.Lock()
	delete(c.subs, id)
	c.mu.Unlock()
}

func (c *wsConn) request(ctx context.Context, method string, params []any, sub *Subscription) (json.RawMessage, error) {
	c.mu.Lock()
	if c.dead != nil {
		err := c.dead
		c.mu.Unlock()
		return nil, fmt.Errorf("connection lost: %w", err)
	}
	c.nextID++
	id := c.nextID
	p := &pendingReq{ch: make(chan response, 1), sub: sub}
	c.pending[id] = p
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	body, err := json.Marshal(request{JSONRPC: "2.0", ID: id, Method: method, Params: params})
	if err != nil {
		return nil, err
	}
	if err := c.ws.Write(ctx, websocket.MessageText, body); err != nil {
		c.close(fmt.Errorf("write: %w", err))
		return nil, fmt.Errorf("connection lost: %w", err)
	}
	select {
	case r, ok := <-p.ch:
		if !ok {
			return nil, fmt.Errorf("connection lost: %w", c.err())
		}
		if r.Error != nil {
			return nil, r.Error
		}
		return r.Result, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *wsConn) readLoop() {
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.close(fmt.Errorf("read: %w", err))
			return
		}
		var r response
		if err := json.Unmarshal(data, &r); err != nil {
			continue // not JSON-RPC: ignore rather than kill the connection
		}
		if r.ID != nil {
			c.deliver(*r.ID, r)
		} else if r.Params != nil {
			c.notify(r)
		}
	}
}

func (c *wsConn) deliver(id uint64, r response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pending[id]
	if !ok {
		return
	}
	if p.sub != nil && r.Error == nil {
		// Register before the caller sees the id, so that notifications the
		// read loop handles next cannot be lost.
		sid := string(r.Result)
		c.subs[sid] = p.sub
		for _, m := range c.early[sid] {
			select {
			case p.sub.ch <- m:
			default:
			}
		}
		delete(c.early, sid)
	}
	p.ch <- r
}

func (c *wsConn) notify(r response) {
	sid := string(r.Params.Subscription)
	msg := r.Params.Result
	if r.Params.Error != nil {
		msg, _ = json.Marshal(map[string]any{"error": r.Params.Error})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.subs[sid]
	if !ok {
		if len(c.early) < 64 && len(c.early[sid]) < 64 {
			c.early[sid] = append(c.early[sid], msg)
		}
		return
	}
	select {
	case s.ch <- msg:
	default:
		// A consumer that stopped reading must not block the connection;
		// drop the subscription instead of stalling every request.
		delete(c.subs, sid)
		s.reason = ErrSlowConsumer
		close(s.ch)
	}
}
