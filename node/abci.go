package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	bolt "go.etcd.io/bbolt"
)

// Codespace tags every ABCI result the node produces.
const Codespace = "taonet"

// TxOutcome is the committed result of one transaction.
type TxOutcome struct {
	Hash   string  `json:"hash"`
	Height uint64  `json:"height"`
	Index  int     `json:"index"`
	Code   uint32  `json:"code"`
	Log    string  `json:"log,omitempty"`
	Events []Event `json:"events,omitempty"`
	Fee    uint64  `json:"fee,omitempty"`
}

// BlockSummary describes one committed block; it is what the block stream sends.
type BlockSummary struct {
	Height  uint64    `json:"height"`
	Hash    string    `json:"hash"`
	Time    time.Time `json:"time"`
	AppHash string    `json:"app_hash"`
	NumTxs  int       `json:"num_txs"`
	Events  []Event   `json:"events,omitempty"`
}

// App is the ABCI application: it owns three machines — check (mempool view),
// working (the block being executed) and committed (what queries read) — and
// persists the committed one at every Commit.
type App struct {
	abci.BaseApplication

	factory Factory
	store   *store
	log     *slog.Logger
	metrics *Metrics

	// Only touched from ABCI calls, which CometBFT's local client serializes.
	check   Machine
	working Machine
	height  uint64 // last committed height
	block   *pendingBlock

	mu              sync.RWMutex // guards committed, lastBlock
	committed       Machine
	committedHeight uint64
	lastBlock       BlockSummary
	lastCommitAt    time.Time // wall clock of the last Commit (liveness)

	pendMu  sync.Mutex
	pending map[string]uint64 // signer -> next nonce after its mempool txs

	past pastCache // decoded past states (history.go)

	subMu   sync.Mutex
	waiters map[string][]chan TxOutcome
	subs    map[chan BlockSummary]struct{}
}

type pendingBlock struct {
	summary  BlockSummary
	outcomes []TxOutcome
	endStart time.Time
	// state and appHash are the post-block encoding and its hash, computed once
	// in FinalizeBlock and persisted by Commit (encoding the state is the
	// costliest part of a block at scale).
	state, appHash []byte
}

// hashEncoder is implemented by machines that encode and hash in one pass.
type hashEncoder interface {
	EncodeWithHash() (state, appHash []byte)
}

// txPreVerifier is implemented by machines that can check transactions'
// signatures without touching state, from any goroutine, and remember the
// result for CheckTx/DeliverTx (a pure check: outcomes do not change).
type txPreVerifier interface {
	PreVerifyTxs(txs [][]byte)
}

// preVerify runs the machine's stateless signature pre-check, if it has one.
// It only reads the working machine's shared cache, so API handlers may call
// it concurrently with ABCI calls.
func preVerify(m Machine, txs [][]byte) {
	if pv, ok := m.(txPreVerifier); ok {
		pv.PreVerifyTxs(txs)
	}
}

// PreVerifyTx checks tx's signature on the caller's goroutine (an API handler)
// so that CheckTx, which CometBFT runs one at a time, finds it done.
func (a *App) PreVerifyTx(tx []byte) {
	if c := a.Committed(); c != nil {
		preVerify(c, [][]byte{tx})
	}
}

func encodeWithHash(m Machine) ([]byte, []byte) {
	if he, ok := m.(hashEncoder); ok {
		return he.EncodeWithHash()
	}
	return m.Encode(), m.AppHash()
}

// NewApp opens (or creates) the state database at dbPath and loads the last
// committed state from it. A fresh database waits for InitChain.
func NewApp(dbPath string, f Factory, logger *slog.Logger, m *Metrics) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NewMetrics()
	}
	st, snap, ok, mach, err := openState(dbPath, f)
	if err != nil {
		return nil, err
	}
	a := &App{factory: f, store: st, log: logger, metrics: m,
		waiters: map[string][]chan TxOutcome{}, subs: map[chan BlockSummary]struct{}{}, pending: map[string]uint64{}}
	if ok {
		a.setCommitted(mach, snap.Height)
		a.lastBlock = BlockSummary{Height: snap.Height, AppHash: hex.EncodeToString(snap.AppHash)}
		m.height.Set(float64(snap.Height))
	}
	return a, nil
}

// openState opens the state database and decodes its last commit. Any
// failure — including bbolt's panics on a truncated or corrupt file — is one
// error naming the file and the way out.
func openState(dbPath string, f Factory) (st *store, snap snapshot, ok bool, mach Machine, err error) {
	err = recovered(func() error {
		var err error
		if st, err = openStore(dbPath); err != nil {
			return err
		}
		if snap, ok, err = st.load(); err != nil || !ok {
			return err
		}
		if mach, err = f.Decode(snap.State); err != nil {
			return fmt.Errorf("decode persisted state: %w", err)
		}
		if got := mach.AppHash(); !bytes.Equal(got, snap.AppHash) {
			return fmt.Errorf("persisted state at height %d has app hash %X, recorded %X", snap.Height, got, snap.AppHash)
		}
		return nil
	})
	if err == nil {
		return st, snap, ok, mach, nil
	}
	if st != nil {
		recovered(st.close)
	}
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, snap, false, nil, fmt.Errorf("state database %s is locked by another process (is a node already running on this home?)", dbPath)
	}
	return nil, snap, false, nil, fmt.Errorf("state database %s is unusable (%v): move it aside (mv %s %s.bad) and restart — the node replays the chain from its block store — or restore it from a backup", dbPath, err, dbPath, dbPath)
}

// Close closes the state database.
func (a *App) Close() error { return a.store.close() }

func (a *App) setCommitted(m Machine, height uint64) {
	a.mu.Lock()
	a.committed, a.committedHeight = m, height
	a.mu.Unlock()
	a.height = height
	a.working = m.Clone()
	a.check = m.Clone()
}

// Committed returns the last committed machine. Callers must only read it;
// the node never mutates a machine after it was committed.
func (a *App) Committed() Machine {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.committed
}

// CommittedAt returns the last committed machine together with its height.
func (a *App) CommittedAt() (Machine, uint64) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.committed, a.committedHeight
}

// LastCommitTime returns when this process last committed a block (zero
// before the first).
func (a *App) LastCommitTime() time.Time {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.lastCommitAt
}

// LastBlock returns the summary of the last committed block.
func (a *App) LastBlock() BlockSummary {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.lastBlock
}

// TxSigner is implemented by machines whose transactions carry a signer and
// nonce; the node then tracks each signer's next nonce including mempool txs.
type TxSigner interface {
	TxSignerNonce(raw []byte) (signer string, nonce uint64, ok bool)
}

// PendingNonce returns the next nonce of signer counting transactions in the
// mempool, or ok=false if the signer has none there.
func (a *App) PendingNonce(signer string) (uint64, bool) {
	a.pendMu.Lock()
	defer a.pendMu.Unlock()
	n, ok := a.pending[signer]
	return n, ok
}

// Tx returns the committed outcome of a transaction by its 32-byte hash.
func (a *App) Tx(hash []byte) (TxOutcome, bool, error) { return a.store.tx(hash) }

// TxHash is the hex hash CometBFT uses for a transaction (SHA-256 of its bytes).
func TxHash(tx []byte) string {
	h := sha256.Sum256(tx)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// Info tells CometBFT how far the application got, so the handshake replays
// any block the application has not committed.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	res := &abci.ResponseInfo{Data: "taonet", Version: "1", AppVersion: 1}
	if c := a.Committed(); c != nil {
		res.LastBlockHeight = int64(a.height)
		if a.height > 0 {
			res.LastBlockAppHash = c.AppHash()
		}
	}
	return res, nil
}

// InitChain builds the genesis state from the genesis document's app_state.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	m, err := a.factory.FromGenesis(req.ChainId, req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("genesis app state: %w", err)
	}
	a.setCommitted(m, 0)
	a.log.Info("init chain", "chain_id", req.ChainId, "app_hash", fmt.Sprintf("%X", m.AppHash()))
	return &abci.ResponseInitChain{AppHash: m.AppHash()}, nil
}

// CheckTx validates a transaction against the check state (mempool view).
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if a.check == nil {
		return &abci.ResponseCheckTx{Code: 1, Codespace: Codespace, Log: "node not initialized"}, nil
	}
	r := a.check.CheckTx(req.Tx)
	if req.Type == abci.CheckTxType_New {
		a.metrics.observeCheck(r)
	}
	if r.Code != 0 {
		a.log.Debug("check tx rejected", "code", r.Code, "log", r.Log)
	} else if ts, ok := a.check.(TxSigner); ok {
		if signer, nonce, ok := ts.TxSignerNonce(req.Tx); ok {
			a.pendMu.Lock()
			a.pending[signer] = max(a.pending[signer], nonce+1)
			a.pendMu.Unlock()
		}
	}
	return &abci.ResponseCheckTx{Code: r.Code, Log: r.Log, Codespace: Codespace, GasWanted: 1}, nil
}

// FinalizeBlock executes a decided block and returns the post-block app hash.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	if a.working == nil {
		return nil, errors.New("finalize block before init chain")
	}
	if req.Height <= 0 || uint64(req.Height) != a.height+1 {
		return nil, fmt.Errorf("finalize block: height %d after committed height %d", req.Height, a.height)
	}
	b := Block{Height: uint64(req.Height), Time: req.Time.UTC()}
	copy(b.Hash[:], req.Hash)
	a.working.BeginBlock(b)
	p := &pendingBlock{summary: BlockSummary{Height: b.Height, Hash: strings.ToUpper(hex.EncodeToString(req.Hash)), Time: b.Time, NumTxs: len(req.Txs)}}
	res := &abci.ResponseFinalizeBlock{TxResults: make([]*abci.ExecTxResult, len(req.Txs))}
	preVerify(a.working, req.Txs) // parallel; application below stays in block order
	for i, tx := range req.Txs {
		r := a.working.DeliverTx(tx)
		a.metrics.observeDeliver(r)
		res.TxResults[i] = &abci.ExecTxResult{Code: r.Code, Log: r.Log, Codespace: Codespace, Events: toABCIEvents(r.Events), GasUsed: 1,
			Data: feeData(r.Fee)} // fee under LastResultsHash: the tx index is checked against it
		p.outcomes = append(p.outcomes, TxOutcome{Hash: TxHash(tx), Height: b.Height, Index: i, Code: r.Code, Log: r.Log, Events: r.Events, Fee: r.Fee})
	}
	start := time.Now()
	evs := a.working.EndBlock()
	a.metrics.observeEndBlock(time.Since(start), evs)
	res.Events = toABCIEvents(evs)
	p.state, p.appHash = encodeWithHash(a.working)
	res.AppHash = p.appHash
	p.summary.AppHash = strings.ToUpper(hex.EncodeToString(res.AppHash))
	p.summary.Events = evs
	a.block = p
	return res, nil
}

// Commit persists the executed block's state; only after it is durable does
// it become the committed (queried) state and are waiters notified. A crash
// before this point is repaired by CometBFT replaying the block.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	p := a.block
	if p == nil {
		return nil, errors.New("commit without finalized block")
	}
	snap := snapshot{State: p.state, Height: p.summary.Height, AppHash: p.appHash}
	if err := a.store.save(snap, p.outcomes); err != nil {
		// The state can not be made durable: stop rather than diverge.
		return nil, fmt.Errorf("persist state at height %d: %w", snap.Height, err)
	}
	a.block = nil
	a.pendMu.Lock()
	a.pending = map[string]uint64{} // rechecks after this commit refill it
	a.pendMu.Unlock()
	done := a.working
	a.setCommitted(done, p.summary.Height)
	a.mu.Lock()
	a.lastBlock, a.lastCommitAt = p.summary, time.Now()
	a.mu.Unlock()
	a.metrics.height.Set(float64(p.summary.Height))
	a.publish(p)
	return &abci.ResponseCommit{}, nil
}

// Query is not used by taonet clients (they use the JSON API) but answers
// the app hash and height for CometBFT tooling.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	lb := a.LastBlock()
	switch req.Path {
	case "/height":
		return &abci.ResponseQuery{Value: []byte(fmt.Sprint(lb.Height)), Height: int64(lb.Height)}, nil
	case "/app_hash":
		return &abci.ResponseQuery{Value: []byte(lb.AppHash), Height: int64(lb.Height)}, nil
	}
	return &abci.ResponseQuery{Code: 1, Codespace: Codespace, Log: "unknown query path " + req.Path}, nil
}

func (a *App) publish(p *pendingBlock) {
	a.subMu.Lock()
	defer a.subMu.Unlock()
	for _, o := range p.outcomes {
		for _, ch := range a.waiters[o.Hash] {
			select {
			case ch <- o:
			default:
			}
		}
		delete(a.waiters, o.Hash)
	}
	for ch := range a.subs {
		select {
		case ch <- p.summary:
		default: // slow subscriber: drop rather than stall consensus
		}
	}
}

// watchTx registers interest in the committed outcome of the tx with the
// given hash; cancel must be called when no longer interested.
func (a *App) watchTx(hash string) (ch chan TxOutcome, cancel func()) {
	ch = make(chan TxOutcome, 1)
	a.subMu.Lock()
	a.waiters[hash] = append(a.waiters[hash], ch)
	a.subMu.Unlock()
	return ch, func() {
		a.subMu.Lock()
		defer a.subMu.Unlock()
		ws := a.waiters[hash]
		for i, w := range ws {
			if w == ch {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(a.waiters, hash)
		} else {
			a.waiters[hash] = ws
		}
	}
}

// SubscribeBlocks returns a channel receiving every committed block summary
// (dropped if the reader falls more than buf behind) and a cancel function.
func (a *App) SubscribeBlocks(buf int) (<-chan BlockSummary, func()) {
	ch := make(chan BlockSummary, buf)
	a.subMu.Lock()
	a.subs[ch] = struct{}{}
	a.subMu.Unlock()
	return ch, func() {
		a.subMu.Lock()
		delete(a.subs, ch)
		a.subMu.Unlock()
	}
}

func toABCIEvents(evs []Event) []abci.Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]abci.Event, len(evs))
	for i, e := range evs {
		out[i] = abci.Event{Type: e.Type}
		for _, at := range e.Attrs {
			out[i].Attributes = append(out[i].Attributes, abci.EventAttribute{Key: at.Key, Value: at.Value, Index: true})
		}
	}
	return out
}
