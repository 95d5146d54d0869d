package node

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
)

// counterMachine is a test-only Machine: txs are decimal numbers that must be
// exactly last+1; the state is (last, sum, blocks).
type counterMachine struct {
	last, sum, blocks uint64
}

type counterFactory struct{}

func (counterFactory) FromGenesis(_ string, appState json.RawMessage) (Machine, error) {
	var g struct {
		Start uint64 `json:"start"`
	}
	if len(appState) > 0 {
		if err := json.Unmarshal(appState, &g); err != nil {
			return nil, err
		}
	}
	return &counterMachine{last: g.Start}, nil
}

func (counterFactory) Decode(b []byte) (Machine, error) {
	if len(b) != 24 {
		return nil, errors.New("bad counter state")
	}
	return &counterMachine{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint64(b[16:])}, nil
}

func (m *counterMachine) Clone() Machine { c := *m; return &c }
func (m *counterMachine) Encode() []byte {
	b := make([]byte, 24)
	binary.BigEndian.PutUint64(b, m.last)
	binary.BigEndian.PutUint64(b[8:], m.sum)
	binary.BigEndian.PutUint64(b[16:], m.blocks)
	return b
}
func (m *counterMachine) AppHash() []byte { h := sha256.Sum256(m.Encode()); return h[:] }
func (m *counterMachine) CheckTx(raw []byte) Result {
	v, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return Result{Code: 2, Log: "not a number"}
	}
	if v != m.last+1 {
		return Result{Code: 3, Log: "out of order"}
	}
	m.last = v
	m.sum += v
	return Result{}
}
func (m *counterMachine) BeginBlock(Block)            {}
func (m *counterMachine) DeliverTx(raw []byte) Result { return m.CheckTx(raw) }
func (m *counterMachine) EndBlock() []Event {
	m.blocks++
	return []Event{{Type: "block", Attrs: []Attr{{Key: "n", Value: strconv.FormatUint(m.blocks, 10)}}}}
}
