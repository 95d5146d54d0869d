package subtensor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/scale"
)

// Header is a block header as the node's JSON carries it (chain_getHeader
// and head notifications). Notifications carry no block hash: the hash is
// blake2-256 of the SCALE-encoded header.
type Header struct {
	ParentHash     string `json:"parentHash"`
	Number         string `json:"number"`
	StateRoot      string `json:"stateRoot"`
	ExtrinsicsRoot string `json:"extrinsicsRoot"`
	Digest         struct {
		Logs []string `json:"logs"`
	} `json:"digest"`
}

// Encode is the header's SCALE encoding: parent hash, compact number, state
// root, extrinsics root, then the digest's logs (each already a SCALE
// DigestItem) as a vector.
func (h *Header) Encode() ([]byte, error) {
	var e scale.Encoder
	for _, f := range []struct{ name, hex string }{{"parentHash", h.ParentHash}, {"number", ""}, {"stateRoot", h.StateRoot}, {"extrinsicsRoot", h.ExtrinsicsRoot}} {
		if f.name == "number" {
			n, err := parseHexUint(h.Number)
			if err != nil {
				return nil, fmt.Errorf("header number %q: %w", h.Number, err)
			}
			e.CompactU64(n)
			continue
		}
		b, err := hash32(f.hex)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", f.name, err)
		}
		e.Raw(b[:])
	}
	e.CompactU64(uint64(len(h.Digest.Logs)))
	for _, l := range h.Digest.Logs {
		b, err := decodeHex(l)
		if err != nil {
			return nil, fmt.Errorf("header digest log: %w", err)
		}
		e.Raw(b)
	}
	return e.Bytes(), nil
}

// Head is the block the header describes (its number and hash).
func (h *Header) Head() (Head, error) {
	enc, err := h.Encode()
	if err != nil {
		return Head{}, fmt.Errorf("subtensor: %w", err)
	}
	n, _ := parseHexUint(h.Number)
	return Head{Number: n, Hash: [32]byte(metadata.Blake2(enc, 32))}, nil
}

// RuntimeUpdated reports whether the block enacts a new runtime: its digest
// has DigestItem::RuntimeEnvironmentUpdated (variant 8, no data).
func (h *Header) RuntimeUpdated() bool {
	for _, l := range h.Digest.Logs {
		if l == "0x08" {
			return true
		}
	}
	return false
}

// Header reads the header of block hash hs.
func (c *Client) Header(ctx context.Context, hs string) (*Header, error) {
	var h *Header
	if err := c.rpc.Call(ctx, &h, "chain_getHeader", hs); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("subtensor: the node has no header for block %s", hs)
	}
	return h, nil
}

// HeadsMode is how a Heads follower learns of new blocks.
type HeadsMode string

// The modes: notifications of a head subscription, or polling the head (for
// HTTP endpoints and nodes that refuse subscriptions).
const (
	HeadsSubscribed HeadsMode = "subscription"
	HeadsPolling    HeadsMode = "polling"
)

// ErrHeadsStopped is returned by a Heads follower's waits after Close.
var ErrHeadsStopped = errors.New("subtensor: head follower stopped")

// keepHeads is how many recent heads a follower remembers by number (older
// ones are read from the node when asked for).
const keepHeads = 1024

// maxResubscribeDelay caps the backoff between resubscription attempts.
const maxResubscribeDelay = 30 * time.Second

// Heads follows the chain's best (or finalized) heads: by subscription
// (chain_subscribeNewHeads / chain_subscribeFinalizedHeads), resubscribing
// with backoff after the connection drops, else by polling. Every block
// number from the first head on is seen, in order: a gap between two
// notifications (missed while reconnecting, or dropped) is filled by walking
// parent hashes back through chain_getHeader. A block that enacts a runtime
// upgrade has its new metadata fetched at once.
type Heads struct {
	c         *Client
	finalized bool
	log       *slog.Logger
	stop      context.CancelFunc
	done      chan struct{}

	mu      sync.Mutex
	have    bool
	latest  Head
	live    bool // the latest head is current (subscription up, or last poll answered)
	recent  map[uint64]Head
	changed chan struct{} // closed and replaced on every new head
	mode    HeadsMode
}

// FollowHeads starts following new heads (finalized heads when finalized).
// Close stops it; the client's Close stops it as well.
func (c *Client) FollowHeads(finalized bool) *Heads {
	ctx, cancel := context.WithCancel(context.Background())
	which := "best"
	if finalized {
		which = "finalized"
	}
	h := &Heads{c: c, finalized: finalized, log: c.log.With("heads", which), stop: cancel, done: make(chan struct{}),
		recent: map[uint64]Head{}, changed: make(chan struct{}), mode: HeadsSubscribed}
	c.mu.Lock()
	c.followers = append(c.followers, h)
	c.mu.Unlock()
	go h.run(ctx)
	return h
}

// Close stops following.
func (h *Heads) Close() {
	h.stop()
	<-h.done
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	for i, f := range h.c.followers {
		if f == h {
			h.c.followers = append(h.c.followers[:i], h.c.followers[i+1:]...)
			break
		}
	}
}

// Mode is how the follower currently learns of blocks.
func (h *Heads) Mode() HeadsMode {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.mode
}

// Current is the latest head and whether it is live (the subscription is up,
// or the last poll was answered); ok is false before the first head.
func (h *Heads) Current() (head Head, live, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest, h.live, h.have
}

// Latest waits for the first head and returns the latest.
func (h *Heads) Latest(ctx context.Context) (Head, error) {
	for {
		h.mu.Lock()
		latest, have, ch := h.latest, h.have, h.changed
		h.mu.Unlock()
		if have {
			return latest, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Head{}, fmt.Errorf("subtensor: waiting for the first head: %w", ctx.Err())
		case <-h.done:
			return Head{}, ErrHeadsStopped
		}
	}
}

// Wait returns block n once the followed chain has reached it.
func (h *Heads) Wait(ctx context.Context, n uint64) (Head, error) {
	for {
		h.mu.Lock()
		if h.have && h.latest.Number >= n {
			hd, ok := h.recent[n]
			h.mu.Unlock()
			if ok {
				return hd, nil
			}
			return h.c.HeadAt(ctx, n) // before the first head seen, or long ago
		}
		ch := h.changed
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Head{}, fmt.Errorf("subtensor: waiting for block %d: %w", n, ctx.Err())
		case <-h.done:
			return Head{}, ErrHeadsStopped
		}
	}
}

func (h *Heads) run(ctx context.Context) {
	defer close(h.done)
	delay := h.c.backoff
	for ctx.Err() == nil {
		progressed, refused, err := h.subscribe(ctx)
		if ctx.Err() != nil {
			return
		}
		if refused {
			h.log.Info("the node does not offer head subscriptions; polling", "every", h.c.poll, "reason", err)
			h.setMode(HeadsPolling)
			h.poll(ctx)
			return
		}
		if progressed {
			delay = h.c.backoff
		}
		h.log.Warn("head subscription lost; resubscribing", "in", delay, "error", err)
		if sleepCtx(ctx, delay) != nil {
			return
		}
		delay = min(2*delay, maxResubscribeDelay)
	}
}

func (h *Heads) setMode(m HeadsMode) {
	h.mu.Lock()
	h.mode = m
	h.mu.Unlock()
}

func (h *Heads) setLive(live bool) {
	h.mu.Lock()
	h.live = live
	h.mu.Unlock()
}

// subscribe follows one subscription until it ends. refused reports that
// the endpoint cannot carry subscriptions at all.
func (h *Heads) subscribe(ctx context.Context) (progressed, refused bool, err error) {
	method, unsub := "chain_subscribeNewHeads", "chain_unsubscribeNewHeads"
	if h.finalized {
		method, unsub = "chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads"
	}
	sub, err := h.c.rpc.Subscribe(ctx, method, unsub)
	if err != nil {
		return false, errors.Is(err, rpc.ErrNoSubscriptions) || rpc.MethodNotFound(err), err
	}
	defer sub.Close()
	defer h.setLive(false)
	for {
		msg, err := sub.Next(ctx)
		if err != nil {
			return progressed, false, err
		}
		var hdr Header
		if err := json.Unmarshal(msg, &hdr); err != nil {
			return progressed, false, fmt.Errorf("subtensor: head notification %.100s: %w", msg, err)
		}
		if err := h.advance(ctx, &hdr, ""); err != nil {
			return progressed, false, err
		}
		progressed = true
	}
}

// poll asks for the head every poll interval.
func (h *Heads) poll(ctx context.Context) {
	head := "chain_getBlockHash"
	if h.finalized {
		head = "chain_getFinalizedHead"
	}
	for {
		var hs string
		err := h.c.rpc.Call(ctx, &hs, head)
		var hdr *Header
		if err == nil {
			hdr, err = h.c.Header(ctx, hs)
		}
		if err == nil {
			err = h.advance(ctx, hdr, hs)
		}
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("polling the head failed", "error", err)
			}
			h.setLive(false)
		}
		if sleepCtx(ctx, h.c.poll) != nil {
			return
		}
	}
}

// advance takes a new head (want: its hash as the node named it, when
// known) and delivers it with every block between the last head and it.
func (h *Heads) advance(ctx context.Context, hdr *Header, want string) error {
	head, err := hdr.Head()
	if err != nil {
		return err
	}
	if want != "" && !equalHex(head.HashHex(), want) {
		return fmt.Errorf("subtensor: header of block %s hashes to %s: this chain's headers are not the Substrate layout this client knows", want, head.HashHex())
	}
	h.mu.Lock()
	have, last := h.have, h.latest
	h.mu.Unlock()
	heads := []Head{head}
	if have && head.Number > last.Number+1 {
		// A gap longer than the remembered window (a long outage) is walked
		// only for its last keepHeads blocks; Wait reads older ones by number.
		after := max(last.Number, head.Number-min(head.Number, keepHeads+1))
		gap, err := h.between(ctx, after, hdr)
		if err != nil {
			return err
		}
		h.log.Info("filled a gap between head notifications", "from", last.Number+1, "to", head.Number-1, "headers_read", len(gap))
		heads = append(gap, head)
	}
	h.deliver(heads)
	if hdr.RuntimeUpdated() {
		// Fetch the new metadata now, not in the middle of the next read.
		if rt, err := h.c.RuntimeAt(ctx, head); err == nil {
			h.log.Info("runtime upgraded", "block", head.Number, "spec_version", rt.SpecVersion)
		} else {
			h.log.Warn("runtime upgraded; its metadata could not be read yet", "block", head.Number, "error", err)
		}
	}
	return nil
}

// between reads the headers from block after+1 up to hdr's parent by
// following parent hashes (so a gap on a fork is filled with that fork's
// blocks), oldest first.
func (h *Heads) between(ctx context.Context, after uint64, hdr *Header) ([]Head, error) {
	n, _ := parseHexUint(hdr.Number)
	out := make([]Head, 0, n-after-1)
	parent := hdr.ParentHash
	for n--; n > after; n-- {
		ph, err := h.c.Header(ctx, parent)
		if err != nil {
			return nil, fmt.Errorf("subtensor: filling the gap before block %d: %w", n+1, err)
		}
		head, err := ph.Head()
		if err != nil {
			return nil, err
		}
		if head.Number != n || !equalHex(head.HashHex(), parent) {
			return nil, fmt.Errorf("subtensor: header %s is block %d (hash %s), expected block %d", parent, head.Number, head.HashHex(), n)
		}
		out = append(out, head)
		parent = ph.ParentHash
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// deliver records heads (ascending) and wakes waiters; the node just
// answered, so the follower is live. A head at or below the latest number (a
// re-announcement or a reorg of the best chain) replaces what was recorded
// for its number but does not move latest back.
func (h *Heads) deliver(heads []Head) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.live = true
	for _, hd := range heads {
		h.recent[hd.Number] = hd
		if hd.Number >= keepHeads {
			delete(h.recent, hd.Number-keepHeads)
		}
		if !h.have || hd.Number >= h.latest.Number {
			h.latest, h.have = hd, true
		}
	}
	close(h.changed)
	h.changed = make(chan struct{})
}

func equalHex(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }
