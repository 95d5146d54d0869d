package validator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// StateFile is the persisted score state inside the data directory.
const StateFile = "state.json"

// State is what survives a restart: the moving averages by UID with the
// hotkeys they belong to (so a re-registered UID starts from 0), the step
// counter and the block of the last weights this validator set.
type State struct {
	Step         uint64    `json:"step"`
	Block        uint64    `json:"block"`
	Hotkeys      []string  `json:"hotkeys"`
	Scores       []float64 `json:"scores"`
	WeightsBlock uint64    `json:"weights_block"`
}

// LoadState reads dir/state.json; a missing file is an empty state.
func LoadState(dir string) (State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("validator: state: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("validator: state %s: %w", filepath.Join(dir, StateFile), err)
	}
	if len(s.Scores) != len(s.Hotkeys) {
		return State{}, fmt.Errorf("validator: state: %d scores for %d hotkeys", len(s.Scores), len(s.Hotkeys))
	}
	for i, x := range s.Scores {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			s.Scores[i] = 0
		}
	}
	return s, nil
}

// Save writes the state atomically (temp file, fsync, rename).
func (s State) Save(dir string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("validator: state: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("validator: state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+StateFile+".tmp*")
	if err != nil {
		return fmt.Errorf("validator: state: %w", err)
	}
	name := tmp.Name()
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, filepath.Join(dir, StateFile))
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("validator: state: %w", err)
	}
	return nil
}
