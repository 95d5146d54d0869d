package validator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/scoring"
)

// Chain is the node API the validator uses; *client.Client satisfies it.
type Chain interface {
	LatestBlock(ctx context.Context) (node.BlockSummary, error)
	Block(ctx context.Context, h uint64) (node.BlockSummary, error)
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	// MetagraphAt and CommitmentsAt read the chain as of a past block (the
	// step's seed block), so every validator sees the same view.
	MetagraphAt(ctx context.Context, netuid uint16, height uint64) (*chain.Metagraph, error)
	CommitmentsAt(ctx context.Context, netuid uint16, height uint64) ([]chain.Commitment, error)
	Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error)
}

// Hub is the model download API; *hub.Client satisfies it.
type Hub interface {
	Info(ctx context.Context, repo, revision string) (*hub.RepoInfo, error)
	Download(ctx context.Context, repo, revision, destDir string, progress func(done, total int64)) (*hub.Snapshot, error)
}

// Options configure a Validator.
type Options struct {
	Config  competition.Config
	Chain   Chain
	Hub     Hub
	Source  data.Source
	Signer  chain.Signer // the validator's hotkey; nil with SetWeights false
	Netuid  uint16
	DataDir string // state file; must not be shared between validators
	// SetWeights enables weight setting on chain.
	SetWeights bool
	// EvalBatch is the number of samples per forward pass (speed only).
	EvalBatch int
	Logger    *slog.Logger
	// Table receives the per-step table (nil: none).
	Table io.Writer
	// Metrics (nil: a private registry's metrics are still updated).
	Metrics *Metrics
	// Poll is the block polling interval of Run (0: 1 s).
	Poll time.Duration
	// KeepCache disables deleting the downloads of replaced, rejected and
	// deregistered models.
	KeepCache bool
	// BeforeEvaluate, when set, is called before each model's losses are
	// computed (tests use it to interrupt a step).
	BeforeEvaluate func(uid uint16)
	// Backend, when set, computes the losses instead of the built-in Go
	// engine (evaluate.OpenAI: an external inference server). Only the Go
	// engine guarantees bit-identical scores across validators.
	Backend LossBackend
	// AllowNondeterministic lets New start with settings that break
	// bit-identical scoring (Backend, TAONET_BLAS); it refuses them otherwise.
	AllowNondeterministic bool
}

// LossBackend computes a checked model directory's per-sample losses on a
// batch; a *evaluate.Rejection error rejects the model, any other error
// scores it +Inf with the error as the reason.
type LossBackend interface {
	Losses(ctx context.Context, dir string, k *competition.Competition, tok *tokenizer.Tokenizer, b evaluate.Batch) ([]float64, error)
}

// Validator runs finetuning validation steps. Step and Run must not be
// called concurrently; State may be read at any time.
type Validator struct {
	o      Options
	log    *slog.Logger
	m      *Metrics
	toks   map[string]*tokenizer.Tokenizer
	mu     sync.Mutex // guards state
	state  *State
	logged map[string]bool // commitments whose parse failure was logged
}

// New loads (or creates) the validator state in o.DataDir.
func New(o Options) (*Validator, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Chain == nil || o.Hub == nil || o.Source == nil {
		return nil, errors.New("validator: chain, hub and data source are required")
	}
	if o.SetWeights && o.Signer == nil {
		return nil, errors.New("validator: setting weights needs a signer (hotkey)")
	}
	if o.DataDir == "" {
		return nil, errors.New("validator: data dir required")
	}
	if o.EvalBatch <= 0 {
		o.EvalBatch = 4
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	v := &Validator{o: o, log: o.Logger, m: o.Metrics, toks: map[string]*tokenizer.Tokenizer{}, logged: map[string]bool{}}
	if v.log == nil {
		v.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if v.m == nil {
		v.m = NewMetrics(nil)
	}
	if err := checkDeterminism(o, v.log); err != nil {
		return nil, err
	}
	for i := range o.Config.Competitions {
		k := &o.Config.Competitions[i]
		t, err := o.Config.LoadTokenizer(k)
		if err != nil {
			return nil, err
		}
		v.toks[k.ID] = t
	}
	st, err := LoadState(o.DataDir)
	if err != nil {
		return nil, err
	}
	v.state = st
	return v, nil
}

// State returns a copy of the current state.
func (v *Validator) State() *State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.clone()
}

// ModelResult is one model's outcome in a step.
type ModelResult struct {
	UID        uint16
	Hotkey     string
	Commitment string
	Block      uint64
	MeanLoss   float64 // over finite losses; NaN if none
	Failed     string  // loss computation failure (scored +Inf)
	Cached     bool    // losses from this seed block's results on disk (a restarted step)
	WinRate    float64
	Wins       int
	StepWeight float64 // softmax of the win rate
	Weight     float64 // the competition's aggregate over its window after the step
}

// Rejected is a model excluded from a step, with the reason.
type Rejected struct {
	UID        uint16
	Hotkey     string
	Commitment string
	Reason     string
}

// StepReport describes a completed step.
type StepReport struct {
	SeedBlock   uint64
	SeedHash    string
	Head        uint64
	Competition string
	Samples     int
	Tokens      int
	Models      []ModelResult
	Rejected    []Rejected
	Skipped     []Rejected // transient failures (not remembered)
	// WindowSeeds is how many of the competition's last aggregate_seeds
	// seed blocks have results (fewer only on a young chain, whose first
	// seed blocks are the same for every validator, or with Missing ones).
	WindowSeeds int
	Weights     map[uint16]float64 // subnet weights after the step (all competitions)
	// CaughtUp are the seed blocks of the window evaluated before the step
	// (missed by earlier steps or before this validator started).
	CaughtUp []CaughtUp
	// Missing are the seed blocks of the window (any competition's) without
	// results: with any, weights are not set (they would differ from other
	// validators').
	Missing    []Missing
	WeightsSet bool
	LoadTime   time.Duration // reading and checking model weights
	EvalTime   time.Duration // time inside the LM engine (losses)
	Total      time.Duration
}

// ErrNoNewSeed means the seed block has not advanced since the last step.
var ErrNoNewSeed = errors.New("no new seed block since the last step")

// competitionAt picks the competition of a seed block: competitions
// alternate step by step (spec §2.2), decided by the seed so all agree.
func (v *Validator) competitionAt(seed uint64) *competition.Competition {
	ks := v.o.Config.Competitions
	return &ks[(seed/v.o.Config.StepInterval)%uint64(len(ks))]
}

// dropDownloads deletes the hub cache of models no longer evaluated
// (upstream's clean thread): replaced, rejected or deregistered ones. Only
// directories with the hub client's layout CACHE/models--NS--NAME/
// snapshots/REV are touched, and never a repository a current model uses.
func dropDownloads(st *State, dirs []string, log *slog.Logger) {
	inUse := map[string]bool{}
	for _, r := range st.Models {
		if r.Dir != "" {
			inUse[filepath.Dir(filepath.Dir(r.Dir))] = true
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		snaps := filepath.Dir(d)
		repoDir := filepath.Dir(snaps)
		if inUse[repoDir] || filepath.Base(snaps) != "snapshots" || !strings.HasPrefix(filepath.Base(repoDir), "models--") {
			continue
		}
		if err := os.RemoveAll(repoDir); err != nil {
			log.Warn("cache prune failed", "dir", repoDir, "error", err)
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// setWeights sends the subnet weights (max-scaled to u16 as upstream): with
// set_weights, or on a commit-reveal subnet as a commit_weights whose reveal
// is kept in the state until its epoch (see Reveal).
func (v *Validator) setWeights(ctx context.Context, head uint64, w map[uint16]float64, hp chain.Hyperparams) error {
	uids, vals := scoring.Vector(w)
	if len(uids) == 0 {
		return errors.New("no positive weights")
	}
	u16, err := client.WeightsToU16(vals)
	if err != nil {
		return err
	}
	version := v.o.Config.VersionKey
	var pending *PendingReveal
	var call chain.Call = &chain.SetWeights{Netuid: v.o.Netuid, UIDs: uids, Values: u16, VersionKey: version}
	if hp.CommitRevealWeightsEnabled {
		var rnd [16]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return err
		}
		salt := make([]uint16, 8)
		for i := range salt {
			salt[i] = uint16(rnd[2*i])<<8 | uint16(rnd[2*i+1])
		}
		h, err := chain.CommitHashSS58(v.o.Signer.SS58Address(), v.o.Netuid, uids, u16, salt, version)
		if err != nil {
			return err
		}
		pending = &PendingReveal{UIDs: uids, Values: u16, Salt: salt, VersionKey: version}
		call = &chain.CommitWeights{Netuid: v.o.Netuid, Hash: h}
	}
	out, err := v.o.Chain.Submit(ctx, v.o.Signer, call)
	if err != nil {
		return err
	}
	if out.Code != 0 {
		return fmt.Errorf("%s code %d: %s", call.CallName(), out.Code, out.Log)
	}
	v.mu.Lock()
	st := v.state.clone()
	if pending != nil {
		pending.RevealEpoch = chain.EpochIndex(out.Height, v.o.Netuid, hp.Tempo) + hp.CommitRevealPeriod
		st.Pending = pending
	}
	st.LastWeightsBlock = head
	st.LastWeights = nil
	for i := range uids {
		st.LastWeights = append(st.LastWeights, WeightEntry{UID: uids[i], Weight: vals[i]})
	}
	err = st.save(v.o.DataDir)
	if err == nil {
		v.state = st
	}
	v.mu.Unlock()
	if pending == nil {
		v.m.weightsSet.Inc()
	}
	return err
}

// Reveal submits a pending weight commit once the chain is in its reveal
// epoch (and drops it once that epoch has passed). It reports whether a
// reveal was included. Step and Run call it.
func (v *Validator) Reveal(ctx context.Context) (bool, error) {
	st := v.State()
	p := st.Pending
	if p == nil || v.o.Signer == nil {
		return false, nil
	}
	mg, err := v.o.Chain.Metagraph(ctx, v.o.Netuid)
	if err != nil {
		return false, err
	}
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return false, err
	}
	// The node checks the reveal against the committed head's epoch; it is
	// executed in the next block, usually the same epoch (epochs are tempo+1
	// blocks long and Run polls faster than blocks).
	cur := chain.EpochIndex(head.Height, v.o.Netuid, mg.Hyperparams.Tempo)
	switch {
	case cur < p.RevealEpoch:
		return false, nil
	case cur > p.RevealEpoch:
		v.log.Warn("weight commit expired unrevealed", "reveal_epoch", p.RevealEpoch, "now", cur)
		return false, v.update(func(s *State) { s.Pending = nil })
	}
	out, err := v.o.Chain.Submit(ctx, v.o.Signer, &chain.RevealWeights{Netuid: v.o.Netuid, UIDs: p.UIDs, Values: p.Values, Salt: p.Salt, VersionKey: p.VersionKey})
	if err != nil {
		return false, err
	}
	if out.Code != 0 {
		if chain.EpochIndex(out.Height, v.o.Netuid, mg.Hyperparams.Tempo) > p.RevealEpoch {
			v.update(func(s *State) { s.Pending = nil })
		}
		return false, fmt.Errorf("reveal_weights code %d: %s", out.Code, out.Log)
	}
	v.m.weightsSet.Inc()
	return true, v.update(func(s *State) { s.Pending = nil })
}

// update applies f to a copy of the state and persists it.
func (v *Validator) update(f func(*State)) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.state.clone()
	f(st)
	if err := st.save(v.o.DataDir); err != nil {
		return err
	}
	v.state = st
	return nil
}

// Run steps whenever a new seed block is reached, until ctx ends. Step
// errors are logged and the loop goes on.
func (v *Validator) Run(ctx context.Context) error {
	t := time.NewTicker(v.o.Poll)
	defer t.Stop()
	for {
		if _, err := v.Reveal(ctx); err != nil && ctx.Err() == nil {
			v.log.Warn("weight reveal failed", "error", err)
		}
		_, err := v.Step(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && !errors.Is(err, ErrNoNewSeed):
			v.log.Error("step failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
