package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/node"
)

// Client talks to one or more taonet nodes. It is safe for concurrent use.
type Client struct {
	urls     []string
	hc       *http.Client
	cur      atomic.Int64 // index of the preferred node
	attempts int
	backoff  time.Duration

	chainMu sync.Mutex
	chainID string

	noncesMu sync.Mutex
	nonces   map[string]*nonceState
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: 60 s timeout per request
// apart from the block stream).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.hc = h } }

// WithRetry sets how many attempts a request gets in total (across nodes) and
// the first backoff (doubled per attempt, capped at 2 s, with jitter).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(c *Client) { c.attempts, c.backoff = max(attempts, 1), backoff }
}

// WithChainID fixes the chain id put into transactions (default: asked from
// the node once).
func WithChainID(id string) Option { return func(c *Client) { c.chainID = id } }

// New returns a client of the given node base URLs (e.g.
// "http://127.0.0.1:26680"). Each entry may itself be a comma-separated list.
func New(urls []string, opts ...Option) (*Client, error) {
	var clean []string
	for _, u := range urls {
		for _, p := range strings.Split(u, ",") {
			p = strings.TrimRight(strings.TrimSpace(p), "/")
			if p == "" {
				continue
			}
			if !strings.Contains(p, "://") {
				p = "http://" + p
			}
			pu, err := url.Parse(p)
			if err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https") {
				return nil, fmt.Errorf("client: bad node URL %q", p)
			}
			clean = append(clean, p)
		}
	}
	if len(clean) == 0 {
		return nil, errors.New("client: no node URL given")
	}
	c := &Client{urls: clean, hc: &http.Client{Timeout: 0}, attempts: 4 * len(clean), backoff: 100 * time.Millisecond,
		nonces: map[string]*nonceState{}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// URLs returns the node URLs in failover order.
func (c *Client) URLs() []string { return append([]string(nil), c.urls...) }

// Error is an error answered by a node (JSON {"code","codespace","message"}).
type Error struct {
	Status    int    // HTTP status
	Code      uint32 // chain rejection code when Codespace is "taonet", else HTTP status
	Codespace string
	Message   string
	Hash      string // tx hash, for transaction errors
	// URL is the request URL when the answer was not the node API's JSON
	// error (Codespace "http"): usually --node points at something else.
	URL string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Codespace == node.Codespace {
		return fmt.Sprintf("rejected by chain (code %d): %s", e.Code, e.Message)
	}
	if e.Codespace == "http" {
		msg := e.Message
		if msg == "" {
			msg = "empty body"
		} else if len(msg) > 200 {
			msg = strings.ToValidUTF8(msg[:200], "") + "…"
		}
		return fmt.Sprintf("%s answered HTTP %d without a taonet API error (is it a taonet node?): %s", e.URL, e.Status, msg)
	}
	return fmt.Sprintf("node error %d: %s", e.Status, e.Message)
}

// Is lets errors.Is classify a node's answer to a state query at a height
// (see MetagraphAt): node.ErrHeightPruned for 410 (older than the node's
// state history), node.ErrHeightFuture for a 404 about a block not
// committed yet, and node.ErrNotFound for any other 404 of the node API (at
// a past height: the subnet or object did not exist then). Answers that are
// not the node API's JSON errors match none of them.
func (e *Error) Is(target error) bool {
	if e.Codespace != "api" {
		return false
	}
	future := e.Status == http.StatusNotFound && strings.HasPrefix(e.Message, node.ErrHeightFuture.Error())
	switch target {
	case node.ErrHeightPruned:
		return e.Status == http.StatusGone
	case node.ErrHeightFuture:
		return future
	case node.ErrNotFound:
		return e.Status == http.StatusNotFound && !future
	}
	return false
}

// TxFailed is returned when a transaction was included in a block but its
// execution failed (the outcome's Code is non-zero).
type TxFailed struct{ Outcome node.TxOutcome }

// Error implements error.
func (e *TxFailed) Error() string {
	return fmt.Sprintf("tx %s failed in block %d (code %d): %s", e.Outcome.Hash, e.Outcome.Height, e.Outcome.Code, e.Outcome.Log)
}

// Code returns the chain rejection code carried by err (from CheckTx or from
// execution), or 0 and false.
func Code(err error) (uint32, bool) {
	var e *Error
	if errors.As(err, &e) && e.Codespace == node.Codespace {
		return e.Code, true
	}
	var f *TxFailed
	if errors.As(err, &f) {
		return f.Outcome.Code, true
	}
	return 0, false
}

// transient reports whether a request may succeed on retry or on another node.
func transient(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status == http.StatusServiceUnavailable || e.Status == http.StatusBadGateway ||
			e.Status == http.StatusTooManyRequests || e.Status >= 520
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, errBadBody) ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "connection reset")
}

var errBadBody = errors.New("client: node answered an unreadable body")

// do sends one request with retries and failover; out (if non-nil) receives
// the JSON body of a 2xx answer.
func (c *Client) do(ctx context.Context, method, path string, body []byte, ctype string, out any) error {
	var last error
	start := int(c.cur.Load())
	for attempt := 0; attempt < c.attempts; attempt++ {
		idx := (start + attempt) % len(c.urls)
		err := c.once(ctx, c.urls[idx], method, path, body, ctype, out)
		if err == nil {
			if idx != start {
				c.cur.Store(int64(idx))
			}
			return nil
		}
		last = err
		if !transient(err) || ctx.Err() != nil {
			return err
		}
		if attempt+1 < c.attempts {
			d := min(c.backoff<<min(attempt/len(c.urls), 5), 2*time.Second)
			d += time.Duration(rand.Int64N(int64(d)/2 + 1))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
	}
	return fmt.Errorf("after %d attempts: %w", c.attempts, last)
}

// attemptTimeout bounds one HTTP attempt (inclusion waits last ≤ 20 s), so a
// hung node is given up on even when the caller's context has no deadline.
const attemptTimeout = 90 * time.Second

func (c *Client) once(ctx context.Context, base, method, path string, body []byte, ctype string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", errBadBody, err)
	}
	if resp.StatusCode/100 != 2 {
		var ae node.APIError
		if json.Unmarshal(data, &ae) != nil || ae.Message == "" {
			return &Error{Status: resp.StatusCode, Code: uint32(resp.StatusCode), Codespace: "http", Message: strings.TrimSpace(string(data)), URL: base + path}
		}
		return &Error{Status: resp.StatusCode, Code: ae.Code, Codespace: ae.Codespace, Message: ae.Message, Hash: ae.Hash}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: %v", errBadBody, err)
		}
	}
	return nil
}

func (c *Client) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, "", out)
}

// Status returns the status of the first reachable node.
func (c *Client) Status(ctx context.Context) (node.Status, error) {
	var s node.Status
	err := c.get(ctx, "/api/v1/status", &s)
	return s, err
}

// ChainID returns the chain id (asked once, then cached).
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.chainMu.Lock()
	defer c.chainMu.Unlock()
	if c.chainID != "" {
		return c.chainID, nil
	}
	s, err := c.Status(ctx)
	if err != nil {
		return "", err
	}
	c.chainID = s.ChainID
	return c.chainID, nil
}

// Account returns an address's balance, nonce and stake.
func (c *Client) Account(ctx context.Context, addr string) (chain.AccountInfo, error) {
	var a chain.AccountInfo
	err := c.get(ctx, "/api/v1/accounts/"+url.PathEscape(addr), &a)
	return a, err
}

// Subnets lists the subnets.
func (c *Client) Subnets(ctx context.Context) ([]chain.SubnetInfo, error) {
	var s []chain.SubnetInfo
	err := c.get(ctx, "/api/v1/subnets", &s)
	return s, err
}

// Hyperparameters returns a subnet's hyperparameters.
func (c *Client) Hyperparameters(ctx context.Context, netuid uint16) (chain.Hyperparams, error) {
	var h chain.Hyperparams
	err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/hyperparameters", netuid), &h)
	return h, err
}

// Metagraph returns a subnet's metagraph at the latest committed block.
func (c *Client) Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error) {
	var m chain.Metagraph
	if err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/metagraph", netuid), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// MetagraphAt returns a subnet's metagraph as committed at block height (the
// node keeps the last node.DefaultStateHistory blocks' states by default).
// A height not committed yet fails with HTTP 404, one the node no longer
// keeps with 410 (see Error.Status).
func (c *Client) MetagraphAt(ctx context.Context, netuid uint16, height uint64) (*chain.Metagraph, error) {
	var m chain.Metagraph
	if err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/metagraph?height=%d", netuid, height), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Neuron returns one uid of a subnet.
func (c *Client) Neuron(ctx context.Context, netuid, uid uint16) (*chain.NeuronInfo, error) {
	var n chain.NeuronInfo
	if err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/neurons/%d", netuid, uid), &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// Commitments lists a subnet's commitments.
func (c *Client) Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error) {
	var cs []chain.Commitment
	err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/commitments", netuid), &cs)
	return cs, err
}

// CommitmentsAt lists a subnet's commitments in force at block height: for
// each hotkey the last one set at or before it, from the chain's commitment
// history (chain.CommitmentHistoryBlocks deep). Errors as MetagraphAt.
func (c *Client) CommitmentsAt(ctx context.Context, netuid uint16, height uint64) ([]chain.Commitment, error) {
	var cs []chain.Commitment
	err := c.get(ctx, fmt.Sprintf("/api/v1/subnets/%d/commitments?height=%d", netuid, height), &cs)
	return cs, err
}

// Commitment returns hotkey's commitment on netuid, or ok=false.
func (c *Client) Commitment(ctx context.Context, netuid uint16, hotkey string) (chain.Commitment, bool, error) {
	cs, err := c.Commitments(ctx, netuid)
	if err != nil {
		return chain.Commitment{}, false, err
	}
	for _, x := range cs {
		if x.Hotkey == hotkey {
			return x, true, nil
		}
	}
	return chain.Commitment{}, false, nil
}

// Issuance returns the issuance accounting.
func (c *Client) Issuance(ctx context.Context) (chain.IssuanceInfo, error) {
	var i chain.IssuanceInfo
	err := c.get(ctx, "/api/v1/issuance", &i)
	return i, err
}

// LatestBlock returns the last committed block.
func (c *Client) LatestBlock(ctx context.Context) (node.BlockSummary, error) {
	var b node.BlockSummary
	err := c.get(ctx, "/api/v1/block", &b)
	return b, err
}

// Block returns the committed block at height h.
func (c *Client) Block(ctx context.Context, h uint64) (node.BlockSummary, error) {
	var b node.BlockSummary
	err := c.get(ctx, fmt.Sprintf("/api/v1/block/%d", h), &b)
	return b, err
}

// Tx returns the committed outcome of a transaction by hash.
func (c *Client) Tx(ctx context.Context, hash string) (node.TxOutcome, error) {
	var o node.TxOutcome
	err := c.get(ctx, "/api/v1/tx/"+url.PathEscape(hash), &o)
	return o, err
}

// WaitHeight polls until the chain reaches height h. progress (may be nil)
// is called with each new height seen.
func (c *Client) WaitHeight(ctx context.Context, h uint64, progress func(uint64)) error {
	var last uint64
	for {
		b, err := c.LatestBlock(ctx)
		if err != nil && !transient(err) {
			return err
		}
		if err == nil {
			if b.Height != last && progress != nil {
				progress(b.Height)
			}
			last = b.Height
			if b.Height >= h {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
