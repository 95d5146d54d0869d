package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

// ChainFactory builds taonet chain machines (the default Factory).
type ChainFactory struct{}

// GenesisFromJSON parses a chain genesis; fields absent from the JSON keep
// chain.DefaultGenesis values. Empty input is the default genesis.
func GenesisFromJSON(appState []byte) (chain.Genesis, error) {
	g := chain.DefaultGenesis()
	if len(bytes.TrimSpace(appState)) == 0 || string(bytes.TrimSpace(appState)) == "null" {
		return g, nil
	}
	dec := json.NewDecoder(bytes.NewReader(appState))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return g, fmt.Errorf("chain genesis: %w", err)
	}
	return g, nil
}

// FromGenesis implements Factory. The chain genesis must name the same chain
// as the CometBFT genesis (transactions are signed for it); an app state that
// leaves chain_id out gets the document's.
func (ChainFactory) FromGenesis(chainID string, appState json.RawMessage) (Machine, error) {
	g, err := GenesisFromJSON(appState)
	if err != nil {
		return nil, err
	}
	var raw struct {
		ChainID *string `json:"chain_id"`
	}
	_ = json.Unmarshal(appState, &raw)
	switch {
	case raw.ChainID == nil && chainID != "":
		g.ChainID = chainID
	case chainID != "" && g.ChainID != chainID:
		return nil, fmt.Errorf("chain genesis chain_id %q differs from the genesis document's %q", g.ChainID, chainID)
	}
	s, err := chain.NewState(g)
	if err != nil {
		return nil, err
	}
	return &ChainMachine{S: s, sigs: newSigCache(sigCacheGeneration)}, nil
}

// Decode implements Factory.
func (ChainFactory) Decode(b []byte) (Machine, error) {
	s, err := chain.DecodeState(b)
	if err != nil {
		return nil, err
	}
	return &ChainMachine{S: s, sigs: newSigCache(sigCacheGeneration)}, nil
}

// ChainMachine adapts *chain.State to Machine and Querier. Queries on one
// machine are serialized: chain.State is not documented as safe for
// concurrent readers, and the API serves many requests at once.
type ChainMachine struct {
	S  *chain.State
	mu sync.Mutex
	// sigs is shared by a machine and its clones (check, working, committed):
	// it is not state, only remembered signature checks. Nil verifies every time.
	sigs *sigCache
}

// Clone implements Machine.
func (m *ChainMachine) Clone() Machine { return &ChainMachine{S: m.S.Clone(), sigs: m.sigs} }

var _ txPreVerifier = (*ChainMachine)(nil)

// PreVerifyTxs checks the signatures of txs in parallel and remembers the
// valid ones for CheckTx/DeliverTx; it reads no state.
func (m *ChainMachine) PreVerifyTxs(txs [][]byte) { m.sigs.preVerifyAll(txs) }

// Encode implements Machine.
func (m *ChainMachine) Encode() []byte { return m.S.Encode() }

// AppHash implements Machine.
func (m *ChainMachine) AppHash() []byte { return m.S.AppHash() }

var _ hashEncoder = (*ChainMachine)(nil)

// EncodeWithHash encodes the state once for both persistence and the app hash.
func (m *ChainMachine) EncodeWithHash() ([]byte, []byte) { return m.S.EncodeWithHash() }

// CheckTx implements Machine.
func (m *ChainMachine) CheckTx(raw []byte) Result {
	return fromChainResult(m.S.ApplyRawTx(raw, m.sigs.verifier(raw)))
}

// DeliverTx implements Machine.
func (m *ChainMachine) DeliverTx(raw []byte) Result {
	return fromChainResult(m.S.ApplyRawTx(raw, m.sigs.verifier(raw)))
}

// BeginBlock implements Machine.
func (m *ChainMachine) BeginBlock(b Block) {
	m.S.BeginBlock(chain.BlockInfo{Height: b.Height, Time: b.Time, Hash: b.Hash})
}

// EndBlock implements Machine.
func (m *ChainMachine) EndBlock() []Event { return fromChainEvents(m.S.EndBlock()) }

func fromChainResult(r chain.TxResult) Result {
	return Result{Code: r.Code, Reason: chain.CodeName(r.Code), Log: r.Log, Fee: r.Fee, Events: fromChainEvents(r.Events)}
}

func fromChainEvents(evs []chain.Event) []Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = Event{Type: e.Type}
		for _, a := range e.Attrs {
			out[i].Attrs = append(out[i].Attrs, Attr{Key: a.Key, Value: a.Value})
		}
	}
	return out
}

// QueryAccount implements Querier.
func (m *ChainMachine) QueryAccount(addr string) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := keys.SS58Decode(addr); err != nil {
		return nil, fmt.Errorf("%w: address %q: %v", ErrInvalid, addr, err)
	}
	return m.S.Account(addr), nil
}

// QueryNonce implements Querier.
func (m *ChainMachine) QueryNonce(addr string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := keys.SS58Decode(addr); err != nil {
		return 0, fmt.Errorf("%w: address %q: %v", ErrInvalid, addr, err)
	}
	return m.S.Account(addr).Nonce, nil
}

// QuerySubnets implements Querier.
func (m *ChainMachine) QuerySubnets() (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.S.Subnets()
	if s == nil {
		s = []chain.SubnetInfo{}
	}
	return s, nil
}

// QueryHyperparameters implements Querier.
func (m *ChainMachine) QueryHyperparameters(netuid uint16) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, err := m.S.Hyperparameters(netuid)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return h, nil
}

// QueryMetagraph implements Querier.
func (m *ChainMachine) QueryMetagraph(netuid uint16) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mg, err := m.S.Metagraph(netuid)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return mg, nil
}

// QueryNeuron implements Querier.
func (m *ChainMachine) QueryNeuron(netuid, uid uint16) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.S.Neuron(netuid, uid)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return n, nil
}

// QueryCommitments implements Querier.
func (m *ChainMachine) QueryCommitments(netuid uint16) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.S.Hyperparameters(netuid); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	c := m.S.Commitments(netuid)
	if c == nil {
		c = []chain.Commitment{}
	}
	return c, nil
}

// QueryIssuance implements Querier.
func (m *ChainMachine) QueryIssuance() (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.S.Issuance(), nil
}

// TxSignerNonce implements TxSigner.
func (m *ChainMachine) TxSignerNonce(raw []byte) (string, uint64, bool) {
	tx, err := chain.DecodeTx(raw)
	if err != nil {
		return "", 0, false
	}
	return tx.Signer, tx.Nonce, true
}

// QueryCommitmentsAt implements CommitmentHistoryQuerier: the commitments in
// force at a past block, from the chain's commitment history.
func (m *ChainMachine) QueryCommitmentsAt(netuid uint16, height uint64) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.S.Hyperparameters(netuid); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	c, err := m.S.CommitmentsAt(netuid, height)
	switch {
	case errors.Is(err, chain.ErrHistoryPruned):
		return nil, fmt.Errorf("%w: %v", ErrHeightPruned, err)
	case errors.Is(err, chain.ErrFutureHeight):
		return nil, fmt.Errorf("%w: %v", ErrHeightFuture, err)
	case err != nil:
		return nil, err
	}
	return c, nil
}
