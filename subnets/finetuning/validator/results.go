package validator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/scoring"
)

// ResultsDir is the directory (under the data dir) of the per-seed results.
const ResultsDir = "results"

// SeedResults are the losses of every model evaluated at one seed block:
// what the weights of the next K seed blocks are computed from. A file per
// seed block, rewritten after each model, so a restarted validator neither
// recomputes a model of an interrupted step nor the seed blocks it already
// finished.
type SeedResults struct {
	Seed        uint64 `json:"seed"`
	SeedHash    string `json:"seed_hash"`
	Competition string `json:"competition"`
	// Samples is the number of evaluation samples (every model's losses
	// have this length).
	Samples int `json:"samples"`
	// Complete is set when every model of the step was evaluated.
	Complete bool `json:"complete"`
	// Note says why a complete seed block has no models, when that is the
	// same on every validator (subnet not registered at it, no usable
	// samples in its data window).
	Note   string       `json:"note,omitempty"`
	Models []SeedResult `json:"models"`
	// Skipped are the models a transient failure (hub unreachable, revision
	// not found) kept out of the seed block: while it is in the window,
	// later steps retry them (catchup.go), so a validator whose hub failed
	// for a moment comes back to the others' results.
	Skipped []Rejected `json:"skipped,omitempty"`
}

// SeedResult is one model's losses at a seed block.
type SeedResult struct {
	UID        uint16 `json:"uid"`
	Hotkey     string `json:"hotkey"`
	Commitment string `json:"commitment"`
	Block      uint64 `json:"block"`
	// LossBits are the per-sample losses as IEEE-754 bits: exact, and +Inf
	// (a failed model) survives JSON.
	LossBits []uint64 `json:"loss_bits"`
	Failed   string   `json:"failed,omitempty"`
}

// Losses decodes the per-sample losses.
func (r *SeedResult) Losses() []float64 {
	out := make([]float64, len(r.LossBits))
	for i, b := range r.LossBits {
		out[i] = math.Float64frombits(b)
	}
	return out
}

func lossBits(l []float64) []uint64 {
	out := make([]uint64, len(l))
	for i, v := range l {
		out[i] = math.Float64bits(v)
	}
	return out
}

// find returns the cached result of a model (same hotkey, commitment and
// commit block), or nil.
func (r *SeedResults) find(hotkey, commitment string, block uint64) *SeedResult {
	for i := range r.Models {
		m := &r.Models[i]
		if m.Hotkey == hotkey && m.Commitment == commitment && m.Block == block {
			return m
		}
	}
	return nil
}

// put adds or replaces a model's result, keeping uid order.
func (r *SeedResults) put(m SeedResult) {
	for i := range r.Models {
		if r.Models[i].Hotkey == m.Hotkey {
			r.Models[i] = m
			return
		}
	}
	r.Models = append(r.Models, m)
	sort.Slice(r.Models, func(a, b int) bool { return r.Models[a].UID < r.Models[b].UID })
}

func resultsPath(dataDir string, seed uint64) string {
	return filepath.Join(dataDir, ResultsDir, fmt.Sprintf("seed-%012d.json", seed))
}

// LoadSeedResults reads the results of a seed block (nil, nil if none).
func LoadSeedResults(dataDir string, seed uint64) (*SeedResults, error) {
	b, err := os.ReadFile(resultsPath(dataDir, seed))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r SeedResults
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results of seed %d: %w", seed, err)
	}
	if r.Seed != seed {
		return nil, fmt.Errorf("results file of seed %d holds seed %d", seed, r.Seed)
	}
	return &r, nil
}

// save writes the results atomically.
func (r *SeedResults) save(dataDir string) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return writeAtomic(resultsPath(dataDir, r.Seed), b)
}

// pruneResults deletes result files of seed blocks before keepFrom.
func pruneResults(dataDir string, keepFrom uint64) error {
	ents, err := os.ReadDir(filepath.Join(dataDir, ResultsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := strings.TrimSuffix(strings.TrimPrefix(e.Name(), "seed-"), ".json")
		seed, err := strconv.ParseUint(n, 10, 64)
		if err != nil || seed >= keepFrom {
			continue
		}
		if err := os.Remove(filepath.Join(dataDir, ResultsDir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// SeedWeights are the step weights of one seed block's results: pairwise
// wins with the epsilon advantage of the earlier commitment (epsilon at that
// seed block), win rates, softmax at the competition's temperature,
// normalized; with the win counts and rates in the order of r.Models.
func SeedWeights(k *competition.Competition, r *SeedResults) (w map[uint16]float64, wins []int, rates []float64, err error) {
	sm := make([]scoring.Model, len(r.Models))
	for i := range r.Models {
		m := &r.Models[i]
		sm[i] = scoring.Model{UID: m.UID, Block: m.Block, Losses: m.Losses()}
	}
	wins, rates = scoring.ComputeWins(sm, func(b uint64) float64 { return k.Epsilon.At(r.Seed, b) })
	w, err = scoring.StepWeights(sm, rates, k.Temperature)
	if err != nil {
		return nil, nil, nil, err
	}
	return scoring.Normalize(w), wins, rates, nil
}

// AggregateWeights is a competition's weights at a seed block: the sum of
// the step weights of its seed blocks in the window (oldest first, so the
// float sum is the same everywhere), counting a uid's weight only while the
// uid still belongs to the hotkey that earned it (hotkeys: the metagraph at
// the seed block), normalized. It is a pure function of the results: every
// validator holding the same seed blocks' results gets the same weights bit
// for bit.
func AggregateWeights(k *competition.Competition, window []*SeedResults, hotkeys []string) (map[uint16]float64, error) {
	sorted := append([]*SeedResults(nil), window...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Seed < sorted[b].Seed })
	sum := map[uint16]float64{}
	for _, r := range sorted {
		w, _, _, err := SeedWeights(k, r)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", r.Seed, err)
		}
		for _, m := range r.Models {
			if int(m.UID) < len(hotkeys) && hotkeys[m.UID] == m.Hotkey && w[m.UID] > 0 {
				sum[m.UID] += w[m.UID]
			}
		}
	}
	return scoring.Normalize(sum), nil
}

// windowSeeds lists the seed blocks of competition comp whose results make
// its weights at seed: its last aggregate_seeds seed blocks at or before
// seed (competitions alternate seed by seed).
func windowSeeds(cfg *competition.Config, comp string, seed uint64) []uint64 {
	n := uint64(len(cfg.Competitions))
	var out []uint64
	for t := seed; t > 0 && len(out) < cfg.AggregateSeeds; t -= cfg.StepInterval {
		if cfg.Competitions[(t/cfg.StepInterval)%n].ID == comp {
			out = append(out, t)
		}
		if t < cfg.StepInterval {
			break
		}
	}
	return out
}

// writeAtomic writes a file through a synced temporary and a rename.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// index returns the position of uid in r.Models (-1 if absent).
func (r *SeedResults) index(uid uint16) int {
	for i := range r.Models {
		if r.Models[i].UID == uid {
			return i
		}
	}
	return -1
}

// WeightsKey renders a weight vector exactly (uids ascending, each weight as its
// float64 bits): two validators agree on weights iff their keys are equal.
func WeightsKey(w map[uint16]float64) string {
	uids := make([]int, 0, len(w))
	for u := range w {
		uids = append(uids, int(u))
	}
	sort.Ints(uids)
	var b strings.Builder
	for _, u := range uids {
		fmt.Fprintf(&b, "%d:%016x ", u, math.Float64bits(w[uint16(u)]))
	}
	return b.String()
}
