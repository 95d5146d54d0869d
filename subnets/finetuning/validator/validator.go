package validator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
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
	"github.com/taonet/taonet/subnets/finetuning/modelid"
	"github.com/taonet/taonet/subnets/finetuning/scoring"
)

// Chain is the node API the validator uses; *client.Client satisfies it.
type Chain interface {
	LatestBlock(ctx context.Context) (node.BlockSummary, error)
	Block(ctx context.Context, h uint64) (node.BlockSummary, error)
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error)
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
	// KeepCache disables deleting the downloads of models that left the
	// top-k (they are not evaluated again until their commitment changes).
	KeepCache bool
	// BeforeEvaluate, when set, is called before each model's losses are
	// computed (tests use it to interrupt a step).
	BeforeEvaluate func(uid uint16)
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
	WinRate    float64
	Wins       int
	StepWeight float64 // softmax of the win rate
	Weight     float64 // competition moving average after the step
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
	Keep        []uint16
	Weights     map[uint16]float64 // subnet weights after the step (all competitions)
	WeightsSet  bool
	LoadTime    time.Duration // reading and checking model weights
	EvalTime    time.Duration // time inside the LM engine (losses)
	Total       time.Duration
}

// ErrNoNewSeed means the seed block has not advanced since the last step.
var ErrNoNewSeed = errors.New("no new seed block since the last step")

// competitionAt picks the competition of a seed block: competitions
// alternate step by step (spec §2.2), decided by the seed so all agree.
func (v *Validator) competitionAt(seed uint64) *competition.Competition {
	ks := v.o.Config.Competitions
	return &ks[(seed/v.o.Config.StepInterval)%uint64(len(ks))]
}

type candidate struct {
	uid    uint16
	hotkey string
	c      modelid.Commitment
	raw    string
	block  uint64
}

// Step runs one validation step at the current seed block. A cancelled or
// failed step leaves the persisted state unchanged.
func (v *Validator) Step(ctx context.Context) (*StepReport, error) {
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest block: %w", err)
	}
	seed := v.o.Config.SeedBlock(head.Height)
	if seed == 0 {
		return nil, fmt.Errorf("%w: chain at %d, first seed block is %d", ErrNoNewSeed, head.Height, v.o.Config.StepInterval)
	}
	return v.StepAt(ctx, seed)
}

// StepAt runs a step at an explicit seed block (a multiple of the step
// interval, at or below the head, after the last step's seed). Step uses the
// latest such block; validators stepping at the same seed agree exactly.
func (v *Validator) StepAt(ctx context.Context, seed uint64) (*StepReport, error) {
	start := time.Now()
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest block: %w", err)
	}
	cfg := &v.o.Config
	st := v.State()
	switch {
	case seed == 0 || seed%cfg.StepInterval != 0:
		return nil, fmt.Errorf("seed block %d is not a positive multiple of the step interval %d", seed, cfg.StepInterval)
	case seed > head.Height:
		return nil, fmt.Errorf("seed block %d is above the head %d", seed, head.Height)
	case seed <= st.LastSeed:
		return nil, ErrNoNewSeed
	}
	sb, err := v.o.Chain.Block(ctx, seed)
	if err != nil {
		return nil, fmt.Errorf("seed block %d: %w", seed, err)
	}
	seedHash, err := hex.DecodeString(sb.Hash)
	if err != nil || len(seedHash) == 0 {
		return nil, fmt.Errorf("seed block %d: bad hash %q", seed, sb.Hash)
	}
	k := v.competitionAt(seed)
	tok := v.toks[k.ID]
	rep := &StepReport{SeedBlock: seed, SeedHash: sb.Hash, Head: head.Height, Competition: k.ID}

	// 1. Chain view.
	mg, err := v.o.Chain.Metagraph(ctx, v.o.Netuid)
	if err != nil {
		return nil, fmt.Errorf("metagraph: %w", err)
	}
	coms, err := v.o.Chain.Commitments(ctx, v.o.Netuid)
	if err != nil {
		return nil, fmt.Errorf("commitments: %w", err)
	}
	// Uids whose hotkey changed lose their weight and keep slot.
	for uid, hk := range mg.Hotkeys {
		if old, ok := st.UIDHotkey[uint16(uid)]; ok && old != hk {
			for _, w := range st.Weights {
				delete(w, uint16(uid))
			}
		}
		st.UIDHotkey[uint16(uid)] = hk
	}
	for u := range st.UIDHotkey {
		if int(u) >= len(mg.Hotkeys) {
			delete(st.UIDHotkey, u)
			for _, w := range st.Weights {
				delete(w, u)
			}
		}
	}
	registered := make(map[string]bool, len(mg.Hotkeys))
	for _, hk := range mg.Hotkeys {
		registered[hk] = true
	}
	for hk := range st.Models {
		if !registered[hk] {
			delete(st.Models, hk) // deregistered: forget its model
		}
	}
	var cands []candidate
	for _, c := range coms {
		if c.UID < 0 || c.UID >= len(mg.Hotkeys) || mg.Hotkeys[c.UID] != c.Hotkey {
			continue
		}
		if c.Block > seed || seed-c.Block < cfg.EvalBlockDelay {
			continue // too new for this seed: every validator skips it alike
		}
		id, err := modelid.Parse(c.Text)
		if err != nil {
			if !v.logged[c.Hotkey+"\x00"+c.Text] {
				v.logged[c.Hotkey+"\x00"+c.Text] = true
				v.log.Warn("malformed commitment ignored", "uid", c.UID, "hotkey", c.Hotkey, "reason", err)
			}
			rep.Rejected = append(rep.Rejected, Rejected{UID: uint16(c.UID), Hotkey: c.Hotkey, Commitment: clip(c.Text), Reason: err.Error()})
			v.m.rejected.WithLabelValues("commitment").Inc()
			continue
		}
		if id.CompetitionID != k.ID {
			continue
		}
		cands = append(cands, candidate{uid: uint16(c.UID), hotkey: c.Hotkey, c: id, raw: c.Text, block: c.Block})
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].uid < cands[b].uid })

	// 2. Pick: previous top-k plus new or changed commitments.
	keep := map[uint16]bool{}
	for _, u := range st.Keep[k.ID] {
		keep[u] = true
	}
	var picked []candidate
	for _, c := range cands {
		r := st.Models[c.hotkey]
		changed := r == nil || r.Commitment != c.raw || r.Block != c.block
		if changed || keep[c.uid] {
			picked = append(picked, c)
		}
	}

	// 3. Download and check.
	type ready struct {
		candidate
		dir string
	}
	var models []ready
	for _, c := range picked {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := st.Models[c.hotkey]
		if r != nil && r.Commitment == c.raw && r.Block == c.block && r.Rejected != "" {
			continue // rejected before: not retried until the commitment changes
		}
		rec := &Record{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Block: c.block, Competition: k.ID}
		same := r != nil && r.Commitment == c.raw && r.Block == c.block
		if same {
			rec.EvalSeed, rec.MeanLoss, rec.WinRate = r.EvalSeed, r.MeanLoss, r.WinRate
		}
		var dir string
		var err error
		if same && r.Dir != "" && dirExists(r.Dir) {
			dir = r.Dir // verified before (the cache index); the cache is content-addressed
		} else {
			dir, err = v.fetch(ctx, k, tok, c)
		}
		if err != nil {
			if evaluate.IsRejection(err) {
				rec.Rejected = err.Error()
				st.Models[c.hotkey] = rec
				rep.Rejected = append(rep.Rejected, Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()})
				v.m.rejected.WithLabelValues("model").Inc()
				v.log.Warn("model rejected", "uid", c.uid, "hotkey", c.hotkey, "commitment", c.raw, "reason", err)
			} else {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				rep.Skipped = append(rep.Skipped, Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()})
				v.log.Warn("model skipped this step", "uid", c.uid, "hotkey", c.hotkey, "error", err)
			}
			continue
		}
		rec.Dir = dir
		st.Models[c.hotkey] = rec
		models = append(models, ready{c, dir})
	}

	// 4. Data.
	since := uint64(0)
	if seed > cfg.DataWindow {
		since = seed - cfg.DataWindow
	}
	samples, err := v.o.Source.Samples(ctx, since, seed)
	if err != nil {
		return nil, fmt.Errorf("data window [%d, %d]: %w", since, seed, err)
	}
	chosen := data.Select(data.Dedup(samples), seedHash, k.EvalSamples)
	batch := evaluate.Encode(chosen, k, tok)
	if len(batch.Encoded) == 0 {
		return nil, fmt.Errorf("data window [%d, %d]: no usable samples (%d in window)", since, seed, len(samples))
	}
	rep.Samples, rep.Tokens = len(batch.Encoded), batch.Tokens

	// 5. Losses.
	var sm []scoring.Model
	for _, mr := range models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if v.o.BeforeEvaluate != nil {
			v.o.BeforeEvaluate(mr.uid)
		}
		res := ModelResult{UID: mr.uid, Hotkey: mr.hotkey, Commitment: mr.raw, Block: mr.block}
		t0 := time.Now()
		m, err := evaluate.Load(mr.dir, k, tok)
		rep.LoadTime += time.Since(t0)
		var losses []float64
		if err == nil {
			t1 := time.Now()
			losses, err = evaluate.Losses(m, batch, v.o.EvalBatch)
			rep.EvalTime += time.Since(t1)
		}
		if err != nil && evaluate.IsRejection(err) {
			// Weights broke a rule (non-finite, norms): the model leaves the step.
			st.Models[mr.hotkey].Rejected = err.Error()
			st.Models[mr.hotkey].Dir = ""
			rep.Rejected = append(rep.Rejected, Rejected{UID: mr.uid, Hotkey: mr.hotkey, Commitment: mr.raw, Reason: err.Error()})
			v.m.rejected.WithLabelValues("model").Inc()
			v.log.Warn("model rejected", "uid", mr.uid, "hotkey", mr.hotkey, "commitment", mr.raw, "reason", err)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			res.Failed = err.Error()
			losses = evaluate.InfLosses(len(batch.Encoded))
			v.log.Warn("loss computation failed; scored +Inf", "uid", mr.uid, "error", err)
		}
		res.MeanLoss = evaluate.Mean(losses)
		rep.Models = append(rep.Models, res)
		sm = append(sm, scoring.Model{UID: mr.uid, Block: mr.block, Losses: losses})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// 6. Scoring.
	wins, rates := scoring.ComputeWins(sm, func(b uint64) float64 { return k.Epsilon.At(seed, b) })
	stepW, err := scoring.StepWeights(sm, rates, k.Temperature)
	if err != nil {
		return nil, err
	}
	stepW = scoring.Normalize(stepW)
	if len(sm) > 0 {
		if old := st.Weights[k.ID]; len(old) == 0 {
			st.Weights[k.ID] = stepW
		} else {
			st.Weights[k.ID] = scoring.EMA(old, stepW, cfg.Alpha)
		}
	}
	rep.Keep = scoring.TopK(sm, rates, st.Weights[k.ID], cfg.KeepTop)
	st.Keep[k.ID] = rep.Keep
	for i := range rep.Models {
		m := &rep.Models[i]
		m.Wins, m.WinRate, m.StepWeight, m.Weight = wins[i], rates[i], stepW[m.UID], st.Weights[k.ID][m.UID]
		if r := st.Models[m.Hotkey]; r != nil {
			r.EvalSeed, r.WinRate = seed, m.WinRate
			r.MeanLoss = 0
			if !math.IsNaN(m.MeanLoss) && !math.IsInf(m.MeanLoss, 0) {
				r.MeanLoss = m.MeanLoss
			}
		}
	}
	rep.Weights = scoring.Compose(st.Weights, cfg.Shares())
	st.LastSeed = seed
	if !v.o.KeepCache {
		pruneCache(st, v.log)
	}
	if err := st.save(v.o.DataDir); err != nil {
		return nil, fmt.Errorf("save state: %w", err)
	}
	v.mu.Lock()
	v.state = st
	v.mu.Unlock()

	// 7. Weights on chain.
	if v.o.SetWeights && (st.LastWeightsBlock == 0 || head.Height-st.LastWeightsBlock >= cfg.WeightsInterval) {
		if err := v.setWeights(ctx, head.Height, rep.Weights, mg.Hyperparams); err != nil {
			v.log.Warn("set weights failed", "error", err)
		} else {
			rep.WeightsSet = true
		}
	}
	rep.Total = time.Since(start)
	v.m.observe(rep)
	if v.o.Table != nil {
		WriteTable(v.o.Table, rep)
	}
	v.log.Info("step done", "seed", seed, "competition", k.ID, "models", len(rep.Models), "rejected", len(rep.Rejected),
		"samples", rep.Samples, "weights_set", rep.WeightsSet, "took", rep.Total.Round(time.Millisecond))
	return rep, nil
}

// fetch checks the revision size, downloads, verifies the salted hash and
// the model constraints; it returns the snapshot directory.
func (v *Validator) fetch(ctx context.Context, k *competition.Competition, tok *tokenizer.Tokenizer, c candidate) (string, error) {
	repo := c.c.RepoID()
	info, err := v.o.Hub.Info(ctx, repo, c.c.Revision)
	if err != nil {
		if errors.Is(err, hub.ErrNotFound) {
			// Not remembered as a rejection: a miner's repo is private for a block
			// or two while it republishes, and a validator that cached "rejected"
			// then would disagree with one that fetched a moment later.
			return "", fmt.Errorf("revision %s of %s not found on the hub (retried next step): %w", c.c.Revision, repo, err)
		}
		return "", err
	}
	if n := info.TotalSize(); n > k.MaxBytes {
		return "", &evaluate.Rejection{Reason: fmt.Sprintf("revision is %d bytes, limit %d (checked before download)", n, k.MaxBytes)}
	}
	snap, err := v.o.Hub.Download(ctx, repo, c.c.Revision, "", nil)
	if err != nil {
		if errors.Is(err, hub.ErrTooLarge) || errors.Is(err, hub.ErrInvalid) {
			return "", &evaluate.Rejection{Reason: "download: " + err.Error()}
		}
		return "", err
	}
	h, err := hub.DirHash(snap.Dir)
	if err != nil {
		return "", err
	}
	if s := hub.SecureHash(h, c.hotkey); s != c.c.Hash {
		return "", &evaluate.Rejection{Reason: fmt.Sprintf("hash mismatch: files hash to %s salted with the hotkey, commitment says %s", s, c.c.Hash)}
	}
	// Config-level rules now; weight-level rules (finite, norms) when the
	// model is loaded for evaluation, so each model is loaded once.
	if _, err := evaluate.CheckConfig(snap.Dir, k, tok); err != nil {
		return "", err
	}
	return snap.Dir, nil
}

// pruneCache deletes the hub cache of models that are no longer kept for
// evaluation (upstream's clean thread). Only directories with the hub
// client's layout CACHE/models--NS--NAME/snapshots/REV are touched.
func pruneCache(st *State, log *slog.Logger) {
	kept := map[uint16]bool{}
	for _, uids := range st.Keep {
		for _, u := range uids {
			kept[u] = true
		}
	}
	for _, r := range st.Models {
		if r.Dir == "" || kept[r.UID] {
			continue
		}
		snaps := filepath.Dir(r.Dir)
		repoDir := filepath.Dir(snaps)
		if filepath.Base(snaps) != "snapshots" || !strings.HasPrefix(filepath.Base(repoDir), "models--") {
			continue
		}
		if err := os.RemoveAll(repoDir); err != nil {
			log.Warn("cache prune failed", "dir", repoDir, "error", err)
			continue
		}
		r.Dir = ""
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
