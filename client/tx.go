package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/node"
)

// nonceState tracks the next nonce of one signer. Its mutex is held from
// nonce allocation until the node accepted (or refused) the tx into its
// mempool, so one key's transactions reach the mempool in nonce order.
type nonceState struct {
	mu    sync.Mutex
	next  uint64
	known bool
}

func (c *Client) nonceFor(addr string) *nonceState {
	c.noncesMu.Lock()
	defer c.noncesMu.Unlock()
	ns := c.nonces[addr]
	if ns == nil {
		ns = &nonceState{}
		c.nonces[addr] = ns
	}
	return ns
}

// ResetNonce forgets the cached nonce of addr (the next submission asks the node).
func (c *Client) ResetNonce(addr string) {
	ns := c.nonceFor(addr)
	ns.mu.Lock()
	ns.known = false
	ns.mu.Unlock()
}

// NextNonce returns the nonce addr's next transaction must carry, counting
// transactions already in the node's mempool.
func (c *Client) NextNonce(ctx context.Context, addr string) (uint64, error) {
	var ni node.NonceInfo
	if err := c.get(ctx, "/api/v1/accounts/"+url.PathEscape(addr)+"/nonce", &ni); err != nil {
		return 0, err
	}
	return ni.Nonce, nil
}

// SubmitRaw submits an encoded signed transaction without waiting for
// inclusion and returns its hash once a node accepted it into the mempool.
// A transaction the node already has (resubmission after a lost answer)
// counts as accepted.
func (c *Client) SubmitRaw(ctx context.Context, raw []byte) (string, error) {
	var sr node.SubmitResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/tx", raw, "application/octet-stream", &sr)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusConflict && e.Hash != "" {
		return e.Hash, nil
	}
	if err != nil {
		return "", err
	}
	return sr.Hash, nil
}

// WaitTx waits until the transaction with the given hash is committed and
// returns its outcome; a failed execution is returned as *TxFailed too.
func (c *Client) WaitTx(ctx context.Context, hash string) (*node.TxOutcome, error) {
	for {
		var o node.TxOutcome
		wait := 20 * time.Second
		if d, ok := ctx.Deadline(); ok {
			wait = max(min(wait, time.Until(d)), 100*time.Millisecond)
		}
		err := c.get(ctx, "/api/v1/tx/"+url.PathEscape(hash)+"?wait=true&wait_timeout="+wait.Round(time.Millisecond).String(), &o)
		if err == nil {
			if o.Code != 0 {
				return &o, &TxFailed{Outcome: o}
			}
			return &o, nil
		}
		var e *Error
		if !errors.As(err, &e) || (e.Status != http.StatusGatewayTimeout && e.Status != http.StatusNotFound) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if e.Status == http.StatusNotFound {
			// The node does not know the hash yet (another node's mempool): poll.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// Sign builds and signs a transaction of call from s at the given nonce for
// this client's chain.
func (c *Client) Sign(ctx context.Context, s chain.Signer, nonce uint64, call chain.Call) ([]byte, error) {
	id, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	tx := chain.NewTx(s.SS58Address(), nonce, call)
	tx.ChainID = id
	if err := tx.Sign(s); err != nil {
		return nil, err
	}
	return tx.Encode(), nil
}

// Send signs call with the signer's next nonce and submits it, returning the
// tx hash once it is in a mempool (it does not wait for inclusion). Safe for
// concurrent use with the same signer: nonces are allocated in order; on a
// nonce mismatch the nonce is re-read from the chain and the submission retried.
func (c *Client) Send(ctx context.Context, s chain.Signer, call chain.Call) (string, error) {
	hash, _, err := c.send(ctx, s, call)
	return hash, err
}

func (c *Client) send(ctx context.Context, s chain.Signer, call chain.Call) (string, uint64, error) {
	addr := s.SS58Address()
	ns := c.nonceFor(addr)
	ns.mu.Lock()
	defer ns.mu.Unlock()
	var lastErr error
	for attempt := 0; attempt < 6; attempt++ {
		if !ns.known {
			nonce, err := c.NextNonce(ctx, addr)
			if err != nil {
				return "", 0, err
			}
			ns.next, ns.known = nonce, true
		}
		raw, err := c.Sign(ctx, s, ns.next, call)
		if err != nil {
			return "", 0, err
		}
		hash, err := c.SubmitRaw(ctx, raw)
		if err == nil {
			ns.next++
			return hash, ns.next - 1, nil
		}
		lastErr = err
		if code, ok := Code(err); ok && code == chain.CodeBadNonce {
			// Our view is stale (another process used the key, or a tx of
			// ours was dropped): re-read, after letting a block pass.
			ns.known = false
			select {
			case <-ctx.Done():
				return "", 0, ctx.Err()
			case <-time.After(time.Duration(attempt+1) * 300 * time.Millisecond):
			}
			continue
		}
		// Refused or unreachable: the nonce was not consumed.
		if !transient(err) {
			return "", 0, err
		}
		ns.known = false
		return "", 0, err
	}
	return "", 0, fmt.Errorf("nonce of %s kept changing: %w", addr, lastErr)
}

// Submit signs and submits call and waits for its inclusion. It returns the
// committed outcome, with *TxFailed if the execution failed and *Error if a
// node refused the transaction.
func (c *Client) Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	hash, nonce, err := c.send(ctx, s, call)
	if err != nil {
		return nil, err
	}
	return c.await(ctx, s.SS58Address(), hash, nonce)
}

// await waits for the tx (hash, from addr at nonce) to be committed, and
// notices when it was dropped.
func (c *Client) await(ctx context.Context, addr, hash string, nonce uint64) (*node.TxOutcome, error) {
	for {
		wctx, cancel := context.WithTimeout(ctx, dropCheckEvery)
		o, err := c.WaitTx(wctx, hash)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			if err != nil && ctx.Err() != nil {
				return o, ctx.Err()
			}
			return o, err
		}
		// Still not included: if no node holds the nonce any more (a node
		// restart empties its mempool), the transaction is gone.
		next, nerr := c.NextNonce(ctx, addr)
		if nerr == nil && next <= nonce {
			if _, terr := c.Tx(ctx, hash); terr != nil {
				c.ResetNonce(addr)
				return nil, fmt.Errorf("%w: tx %s (nonce %d)", ErrDropped, hash, nonce)
			}
		}
	}
}

// ErrDropped reports a transaction that left the mempool without being
// committed (for example when the node restarted); it may be resubmitted.
var ErrDropped = errors.New("transaction dropped before inclusion")

// dropCheckEvery is how often Submit checks that a pending tx still exists.
var dropCheckEvery = 10 * time.Second
