package node

import (
	"encoding/json"
	"time"
)

// Block identifies the block being executed; it is passed to Machine.BeginBlock.
type Block struct {
	Height uint64
	Time   time.Time
	Hash   [32]byte
}

// Attr is one key/value attribute of an Event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is something the state machine reports while executing (a transfer,
// an epoch, an emission).
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attrs,omitempty"`
}

// Result is the outcome of checking or delivering one transaction. Code 0 is
// success; any other code is a rejection whose meaning the state machine owns.
type Result struct {
	Code uint32 `json:"code"`
	// Reason names the code ("bad_signature", ...) for metrics and API
	// callers; it is not part of consensus.
	Reason string  `json:"reason,omitempty"`
	Log    string  `json:"log,omitempty"`
	Events []Event `json:"events,omitempty"`
	Fee    uint64  `json:"fee,omitempty"`
}

// Machine is the deterministic state machine the node drives. All methods are
// called from one goroutine at a time; a Machine is never shared between the
// check, deliver and committed roles (Clone separates them).
type Machine interface {
	// Clone returns an independent deep copy.
	Clone() Machine
	// Encode returns the deterministic serialization of the whole state.
	Encode() []byte
	// AppHash is the 32-byte commitment to the state.
	AppHash() []byte
	// CheckTx validates raw and applies it to this state (the node calls it
	// on a check-state copy so consecutive nonces pass the mempool).
	CheckTx(raw []byte) Result
	// BeginBlock starts executing block b.
	BeginBlock(b Block)
	// DeliverTx applies one transaction of the current block.
	DeliverTx(raw []byte) Result
	// EndBlock runs the per-block step (emission, epochs).
	EndBlock() []Event
}

// Factory creates machines: from the genesis app state (the app_state field
// of CometBFT's genesis document, with that document's chain id) and from a
// persisted encoding.
type Factory interface {
	FromGenesis(chainID string, appState json.RawMessage) (Machine, error)
	Decode(b []byte) (Machine, error)
}
