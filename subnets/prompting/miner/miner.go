package miner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
)

// MetagraphSource reads a subnet's metagraph (client.Client satisfies it).
type MetagraphSource interface {
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
}

// Submitter submits a transaction and waits for inclusion (client.Client).
type Submitter interface {
	Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error)
}

// Defaults of Config.
const (
	DefaultChunkWords     = 12 // upstream streaming_batch_size
	DefaultMaxAnswerBytes = 64 << 10
	DefaultRefresh        = 30 * time.Second
)

// Config configures a Miner.
type Config struct {
	// Hotkey signs axon responses and identifies the miner. Required.
	Hotkey synapse.Signer
	// Netuid is the prompting subnet.
	Netuid uint16
	// Chain provides the metagraph for the blacklist and priority. Nil
	// disables both (every verified caller is served, priority 0).
	Chain MetagraphSource
	// Responder writes the answers. Required.
	Responder Responder
	// ChunkWords is how many words go into one stream chunk.
	ChunkWords int
	// MaxAnswerBytes caps one streamed answer.
	MaxAnswerBytes int
	// RequireValidatorPermit refuses callers without a validator permit
	// (upstream --blacklist.force_validator_permit).
	RequireValidatorPermit bool
	// AllowNonRegistered serves hotkeys absent from the metagraph
	// (upstream --blacklist.allow_non_registered).
	AllowNonRegistered bool
	// Refresh is the metagraph refresh period.
	Refresh time.Duration
	// Axon overrides the axon configuration (Hotkey is always Config.Hotkey).
	Axon synapse.AxonConfig
	// Logger (default: discard).
	Logger *slog.Logger
	// Metrics, if set, receives the axon's Prometheus series.
	Metrics prometheus.Registerer
}

type peer struct {
	stake  uint64
	permit bool
}

// Miner serves StreamPromptingSynapse requests.
type Miner struct {
	cfg   Config
	axon  *synapse.Axon
	peers atomic.Pointer[map[string]peer]
	log   *slog.Logger
	// Served counts answered requests.
	served atomic.Int64

	mu   sync.Mutex
	http *http.Server // the Epistula server, when started
}

// New validates cfg and builds the miner's axon.
func New(cfg Config) (*Miner, error) {
	if cfg.Hotkey == nil {
		return nil, errors.New("miner: no hotkey")
	}
	if cfg.Responder == nil {
		return nil, errors.New("miner: no responder")
	}
	if cfg.ChunkWords <= 0 {
		cfg.ChunkWords = DefaultChunkWords
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	m := &Miner{cfg: cfg, log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	ac := cfg.Axon
	ac.Hotkey = cfg.Hotkey
	if ac.Metrics == nil {
		ac.Metrics = cfg.Metrics
	}
	ax, err := synapse.NewAxon(ac)
	if err != nil {
		return nil, fmt.Errorf("miner: %w", err)
	}
	if err := synapse.RegisterStream(ax, m.handle, synapse.Options{Blacklist: m.blacklist, Priority: m.priority}); err != nil {
		return nil, fmt.Errorf("miner: %w", err)
	}
	m.axon = ax
	return m, nil
}

// Axon returns the miner's axon (an http.Handler).
func (m *Miner) Axon() *synapse.Axon { return m.axon }

// Served returns the number of requests answered so far.
func (m *Miner) Served() int64 { return m.served.Load() }

// Start serves the axon on addr ("host:port", port 0 picks one) in the
// background and returns the bound address. Stop it with Shutdown.
func (m *Miner) Start(addr string) (*net.TCPAddr, error) { return m.axon.Start(addr) }

// Shutdown stops the axon and the Epistula server.
func (m *Miner) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	srv := m.http
	m.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	return errors.Join(err, m.axon.Shutdown(ctx))
}

// Refresh reloads the metagraph used by the blacklist and priority.
func (m *Miner) Refresh(ctx context.Context) error {
	if m.cfg.Chain == nil {
		return nil
	}
	mg, err := m.cfg.Chain.Metagraph(ctx, m.cfg.Netuid)
	if err != nil {
		return fmt.Errorf("miner: metagraph: %w", err)
	}
	p := make(map[string]peer, len(mg.Hotkeys))
	for i, hk := range mg.Hotkeys {
		var pe peer
		if i < len(mg.Stake) {
			pe.stake = mg.Stake[i]
		}
		if i < len(mg.ValidatorPermit) {
			pe.permit = mg.ValidatorPermit[i]
		}
		p[hk] = pe
	}
	m.peers.Store(&p)
	return nil
}

// Run refreshes the metagraph every Config.Refresh until ctx ends (errors
// are logged; the last good metagraph stays in use).
func (m *Miner) Run(ctx context.Context) error {
	t := time.NewTicker(m.cfg.Refresh)
	defer t.Stop()
	for {
		if err := m.Refresh(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("metagraph refresh failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ServeOnChain publishes the axon endpoint (ServeAxon) with the miner's
// hotkey and waits for inclusion.
func ServeOnChain(ctx context.Context, c Submitter, hotkey chain.Signer, netuid uint16, ip string, port int) error {
	addr, ipType, err := chain.AxonIP(ip)
	if err != nil {
		return fmt.Errorf("miner: axon ip %q: %w", ip, err)
	}
	if port <= 0 || port > 65535 {
		return fmt.Errorf("miner: axon port %d", port)
	}
	_, err = c.Submit(ctx, hotkey, &chain.ServeAxon{Netuid: netuid, Version: 1, IP: addr, Port: uint16(port), IPType: ipType, Protocol: 4})
	if err != nil {
		return fmt.Errorf("miner: serve axon: %w", err)
	}
	return nil
}

func (m *Miner) blacklist(_ context.Context, r *synapse.Request) (bool, string) {
	return m.refuse(r.Dendrite.Hotkey)
}

// refuse is the blacklist of both protocols: unregistered callers (unless
// allowed) and, optionally, callers without a validator permit.
func (m *Miner) refuse(hotkey string) (bool, string) {
	if m.cfg.Chain == nil {
		return false, ""
	}
	pp := m.peers.Load()
	if pp == nil {
		return !m.cfg.AllowNonRegistered, "Metagraph not loaded yet"
	}
	pe, ok := (*pp)[hotkey]
	if !ok {
		if m.cfg.AllowNonRegistered {
			return false, ""
		}
		return true, "Unrecognized hotkey"
	}
	if m.cfg.RequireValidatorPermit && !pe.permit {
		return true, "Non-validator hotkey"
	}
	return false, ""
}

func (m *Miner) priority(_ context.Context, r *synapse.Request) float64 {
	if pp := m.peers.Load(); pp != nil {
		return float64((*pp)[r.Dendrite.Hotkey].stake)
	}
	return 0
}

func (m *Miner) handle(ctx context.Context, r *synapse.Request, s *protocol.StreamPrompting, w *synapse.StreamWriter) error {
	if err := s.Validate(); err != nil {
		return &synapse.StatusError{Code: 400, Message: err.Error()}
	}
	c := &chunker{w: w, words: m.cfg.ChunkWords, max: m.cfg.MaxAnswerBytes}
	err := m.cfg.Responder.Respond(ctx, s, c.emit)
	if ferr := c.flush(); err == nil {
		err = ferr
	}
	if err == nil && c.sent == 0 {
		err = errEmpty
	}
	if err != nil {
		m.log.Debug("answer failed", "validator", r.Dendrite.Hotkey, "err", err)
		return err
	}
	m.served.Add(1)
	return nil
}

// chunker re-chunks emitted text into stream writes of about `words` words,
// cut at whitespace so words are never split across chunks, and stops at
// max bytes.
type chunker struct {
	w     io.Writer
	words int
	max   int
	buf   strings.Builder
	sent  int
}

var errAnswerTooLong = errors.New("miner: answer too long")

func (c *chunker) emit(s string) error {
	if c.sent+c.buf.Len()+len(s) > c.max {
		s = s[:max(0, c.max-c.sent-c.buf.Len())]
		c.buf.WriteString(s)
		if err := c.flush(); err != nil {
			return err
		}
		return errAnswerTooLong
	}
	c.buf.WriteString(s)
	for {
		b := c.buf.String()
		cut := cutAfterWords(b, c.words)
		if cut <= 0 {
			return nil
		}
		if err := c.write(b[:cut]); err != nil {
			return err
		}
		rest := b[cut:]
		c.buf.Reset()
		c.buf.WriteString(rest)
	}
}

func (c *chunker) flush() error {
	if c.buf.Len() == 0 {
		return nil
	}
	b := c.buf.String()
	c.buf.Reset()
	return c.write(b)
}

func (c *chunker) write(s string) error {
	n, err := c.w.Write([]byte(s))
	c.sent += n
	return err
}

// cutAfterWords returns the byte offset just after the whitespace following
// the n-th word of s, or 0 when s does not yet hold n complete words.
func cutAfterWords(s string, n int) int {
	words, inWord := 0, false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if inWord && sp {
			words++
			if words == n {
				// include this whitespace rune
				for j, r2 := range s[i:] {
					if !unicode.IsSpace(r2) {
						return i + j
					}
				}
				return 0 // trailing whitespace: wait, more may follow
			}
		}
		inWord = !sp
	}
	return 0
}

// newID returns a random hex id for chat completions.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
