package chain

import (
	"errors"
	"fmt"
)

// Commitment history bounds. A commitment that a newer one replaced is kept
// while it can still be "in force" at a height inside the window, so a
// validator can ask which commitment decided its seed block after the miner
// has already recommitted; and at most MaxCommitmentHistory per hotkey, so a
// miner that recommits often cannot grow the state without bound.
const (
	// CommitmentHistoryBlocks is how far back CommitmentsAt can answer.
	CommitmentHistoryBlocks = 7200
	// MaxCommitmentHistory bounds the replaced versions kept per hotkey.
	MaxCommitmentHistory = 16
)

// ErrHistoryPruned means a height is older than the kept history.
var ErrHistoryPruned = errors.New("history pruned")

// ErrFutureHeight means a height is above the state's own height.
var ErrFutureHeight = errors.New("height not reached")

// commitmentVersion is a replaced commitment: its content and the block it
// was set at (it was in force until the next version's block).
type commitmentVersion struct {
	block  uint64
	fields []CommitmentField
}

// setCommitment installs a new commitment of hotkey at the current height,
// moving the one it replaces into the bounded history.
func (sn *subnet) setCommitment(hotkey string, height uint64, fields []CommitmentField) {
	cm := &commitment{block: height, fields: fields}
	if old := sn.commitments[hotkey]; old != nil {
		cm.history = append(old.history, commitmentVersion{block: old.block, fields: old.fields})
		cm.from = old.from
		cm.pruneHistory(height)
	}
	sn.commitments[hotkey] = cm
}

// pruneHistory drops the versions no longer in force at any height of the
// window ending at height, then the oldest beyond MaxCommitmentHistory. from
// records the first height the kept history answers exactly.
func (cm *commitment) pruneHistory(height uint64) {
	lo := uint64(0)
	if height > CommitmentHistoryBlocks {
		lo = height - CommitmentHistoryBlocks
	}
	drop := 0
	for drop < len(cm.history) {
		// Version drop was in force until its successor's block.
		next := cm.block
		if drop+1 < len(cm.history) {
			next = cm.history[drop+1].block
		}
		if next > lo && len(cm.history)-drop <= MaxCommitmentHistory {
			break
		}
		cm.from = next
		drop++
	}
	cm.history = append([]commitmentVersion(nil), cm.history[drop:]...)
}

// at returns the version in force at height h: its block and fields, and
// ok=false if the hotkey had no commitment then. An error means the kept
// history no longer reaches h.
func (cm *commitment) at(h uint64) (uint64, []CommitmentField, bool, error) {
	if cm.block <= h {
		return cm.block, cm.fields, true, nil
	}
	if h < cm.from {
		return 0, nil, false, fmt.Errorf("%w: commitments before block %d were dropped", ErrHistoryPruned, cm.from)
	}
	for i := len(cm.history) - 1; i >= 0; i-- {
		if v := cm.history[i]; v.block <= h {
			return v.block, v.fields, true, nil
		}
	}
	return 0, nil, false, nil
}

// CommitmentsAt lists the commitments of a subnet in force at block height
// (set at or before it), by hotkey, as Commitments does for the state's own
// height. Heights above the state's or older than the kept history (see
// CommitmentHistoryBlocks) are refused with ErrFutureHeight or
// ErrHistoryPruned. UID is the hotkey's uid now (-1 if deregistered): match
// commitments to a past metagraph by hotkey.
func (s *State) CommitmentsAt(netuid uint16, height uint64) ([]Commitment, error) {
	if height > s.height {
		return nil, fmt.Errorf("%w: block %d is above the chain's height %d", ErrFutureHeight, height, s.height)
	}
	if s.height > CommitmentHistoryBlocks && height < s.height-CommitmentHistoryBlocks {
		return nil, fmt.Errorf("%w: block %d is older than the %d-block commitment history (height %d)",
			ErrHistoryPruned, height, CommitmentHistoryBlocks, s.height)
	}
	out := []Commitment{}
	sn := s.subnets[netuid]
	if sn == nil {
		return out, nil
	}
	for _, hk := range sortedKeys(sn.commitments) {
		block, fields, ok, err := sn.commitments[hk].at(height)
		if err != nil {
			return nil, fmt.Errorf("hotkey %s: %w", hk, err)
		}
		if ok {
			out = append(out, sn.commitmentView(netuid, hk, block, fields))
		}
	}
	return out, nil
}

// encodeHistory appends cm's history to the state encoding (it is part of
// the app hash: every node answers CommitmentsAt alike).
func (cm *commitment) encodeHistory(w *writer) {
	w.u64(cm.from)
	w.u32(uint32(len(cm.history)))
	for _, v := range cm.history {
		w.u64(v.block)
		w.u32(uint32(len(v.fields)))
		for _, f := range v.fields {
			w.u8(uint8(f.Kind))
			w.bytes32(f.Data)
		}
	}
}

func (cm *commitment) decodeHistory(r *reader) {
	cm.from = r.u64()
	for k, m := 0, r.count(MaxCommitmentHistory, 12); k < m && r.err == nil; k++ {
		v := commitmentVersion{block: r.u64()}
		for j, n := 0, r.count(1<<10, 5); j < n && r.err == nil; j++ {
			v.fields = append(v.fields, CommitmentField{Kind: FieldKind(r.u8()), Data: r.bytes32(1 << 20)})
		}
		cm.history = append(cm.history, v)
	}
}

func (cm *commitment) cloneHistory() []commitmentVersion {
	if len(cm.history) == 0 {
		return nil
	}
	out := make([]commitmentVersion, len(cm.history))
	for i, v := range cm.history {
		out[i] = commitmentVersion{block: v.block, fields: cloneFields(v.fields)}
	}
	return out
}

func cloneFields(fs []CommitmentField) []CommitmentField {
	out := make([]CommitmentField, len(fs))
	for i, f := range fs {
		out[i] = CommitmentField{Kind: f.Kind, Data: append([]byte(nil), f.Data...)}
	}
	return out
}
