package validator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// stateVersion is bumped when State changes incompatibly. Version 1 held a
// moving average of weights; its remaining fields load as version 2 (the
// weights now come from the per-seed results, see results.go).
const stateVersion = 2

// StateFile is the validator state's file name in the data dir.
const StateFile = "validator-state.json"

// Record is what the validator knows about one hotkey's current commitment.
type Record struct {
	UID         uint16  `json:"uid"`
	Hotkey      string  `json:"hotkey"`
	Commitment  string  `json:"commitment"`
	Block       uint64  `json:"block"`
	Competition string  `json:"competition"`
	Dir         string  `json:"dir,omitempty"`      // verified snapshot directory
	Rejected    string  `json:"rejected,omitempty"` // rule violation; not retried until the commitment changes
	EvalSeed    uint64  `json:"eval_seed,omitempty"`
	MeanLoss    float64 `json:"mean_loss,omitempty"`
	WinRate     float64 `json:"win_rate,omitempty"`
}

// State is the validator's persisted state.
type State struct {
	Version int `json:"version"`
	// Models are keyed by hotkey: the verified download and any rule
	// violation of its current commitment (a cache: a fresh state finds
	// the same again).
	Models map[string]*Record `json:"models"`
	// LastSeed is the seed block of the last completed step.
	LastSeed uint64 `json:"last_seed"`
	// LastWeightsBlock is the head block when weights were last set.
	LastWeightsBlock uint64 `json:"last_weights_block"`
	// LastWeights is the last vector sent on chain (uids ascending).
	LastWeights []WeightEntry `json:"last_weights,omitempty"`
	// Pending is a weight commit awaiting its reveal (commit-reveal subnets).
	Pending *PendingReveal `json:"pending,omitempty"`
}

// PendingReveal is a committed weight vector to reveal in epoch RevealEpoch.
type PendingReveal struct {
	UIDs        []uint16 `json:"uids"`
	Values      []uint16 `json:"values"`
	Salt        []uint16 `json:"salt"`
	VersionKey  uint64   `json:"version_key"`
	RevealEpoch uint64   `json:"reveal_epoch"`
}

// WeightEntry is one (uid, weight) pair.
type WeightEntry struct {
	UID    uint16  `json:"uid"`
	Weight float64 `json:"weight"`
}

func newState() *State {
	return &State{Version: stateVersion, Models: map[string]*Record{}}
}

// clone deep-copies s (steps work on a copy so a cancelled step leaves the
// committed state untouched).
func (s *State) clone() *State {
	b, _ := json.Marshal(s)
	c := newState()
	json.Unmarshal(b, c)
	return c
}

// LoadState reads the state file of dir; a missing file gives a fresh state.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, err
	}
	s := newState()
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("validator state %s: %w", filepath.Join(dir, StateFile), err)
	}
	switch s.Version {
	case stateVersion:
	case 1:
		s.Version = stateVersion // its moving average is dropped (unknown field)
	default:
		return nil, fmt.Errorf("validator state version %d, want %d", s.Version, stateVersion)
	}
	if s.Models == nil {
		s.Models = map[string]*Record{}
	}
	return s, nil
}

// save writes the state atomically: temp file, fsync, rename.
func (s *State) save(dir string) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, StateFile), b)
}
