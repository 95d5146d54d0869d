package validator

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
	"github.com/taonet/taonet/subnets/finetuning/scoring"
)

// A step runs in phases, each a method below with its own test:
//
//	candidates → fetchAndCheck → evaluate → score → weights
//
// The phases work on a step value: the seed block, the competition and a
// private copy of the state. Only after score does StepAt publish that copy
// (persist, then swap), so a step that fails or is cancelled part way leaves
// the persisted state unchanged.
type step struct {
	seed     uint64
	seedHash []byte
	head     uint64
	k        *competition.Competition
	tok      *tokenizer.Tokenizer
	st       *State // working copy, published when the step completes
	rep      *StepReport
}

// candidate is a parsed commitment of the step's competition.
type candidate struct {
	uid    uint16
	hotkey string
	c      modelid.Commitment
	raw    string
	block  uint64
}

// fetched is a candidate whose snapshot passed the download checks.
type fetched struct {
	candidate
	dir string
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
	s, err := v.begin(ctx, seed)
	if err != nil {
		return nil, err
	}
	mg, err := v.o.Chain.Metagraph(ctx, v.o.Netuid)
	if err != nil {
		return nil, fmt.Errorf("metagraph: %w", err)
	}
	coms, err := v.o.Chain.Commitments(ctx, v.o.Netuid)
	if err != nil {
		return nil, fmt.Errorf("commitments: %w", err)
	}
	picked := v.candidates(s, mg, coms)
	models, err := v.fetchAndCheck(ctx, s, picked)
	if err != nil {
		return nil, err
	}
	batch, err := v.evalBatch(ctx, s)
	if err != nil {
		return nil, err
	}
	sm, err := v.evaluate(ctx, s, models, batch)
	if err != nil {
		return nil, err
	}
	if err := v.score(s, sm); err != nil {
		return nil, err
	}
	if err := v.commit(s); err != nil {
		return nil, err
	}
	if v.o.SetWeights {
		v.weights(ctx, s, mg.Hyperparams)
	}
	s.rep.Total = time.Since(start)
	v.m.observe(s.rep)
	if v.o.Table != nil {
		WriteTable(v.o.Table, s.rep)
	}
	v.log.Info("step done", "seed", seed, "competition", s.k.ID, "models", len(s.rep.Models), "rejected", len(s.rep.Rejected),
		"samples", s.rep.Samples, "weights_set", s.rep.WeightsSet, "took", s.rep.Total.Round(time.Millisecond))
	return s.rep, nil
}

// begin checks the seed block against the head and the last step, reads its
// hash and sets up the step on a copy of the state.
func (v *Validator) begin(ctx context.Context, seed uint64) (*step, error) {
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
	return &step{seed: seed, seedHash: seedHash, head: head.Height, k: k, tok: v.toks[k.ID], st: st,
		rep: &StepReport{SeedBlock: seed, SeedHash: sb.Hash, Head: head.Height, Competition: k.ID}}, nil
}

// candidates is phase 1: from the metagraph and commitments it forgets what
// belonged to replaced or deregistered hotkeys, parses the commitments of the
// step's competition old enough for the seed block (malformed ones are
// reported as rejected), and picks the models to evaluate: the previous
// step's top-k plus new or changed commitments, by uid.
func (v *Validator) candidates(s *step, mg *chain.Metagraph, coms []chain.Commitment) []candidate {
	st, cfg := s.st, &v.o.Config
	forgetReplaced(st, mg.Hotkeys)
	var cands []candidate
	for _, c := range coms {
		if c.UID < 0 || c.UID >= len(mg.Hotkeys) || mg.Hotkeys[c.UID] != c.Hotkey {
			continue
		}
		if c.Block > s.seed || s.seed-c.Block < cfg.EvalBlockDelay {
			continue // too new for this seed: every validator skips it alike
		}
		id, err := modelid.Parse(c.Text)
		if err != nil {
			if !v.logged[c.Hotkey+"\x00"+c.Text] {
				v.logged[c.Hotkey+"\x00"+c.Text] = true
				v.log.Warn("malformed commitment ignored", "uid", c.UID, "hotkey", c.Hotkey, "reason", err)
			}
			s.rep.Rejected = append(s.rep.Rejected, Rejected{UID: uint16(c.UID), Hotkey: c.Hotkey, Commitment: clip(c.Text), Reason: err.Error()})
			v.m.rejected.WithLabelValues("commitment").Inc()
			continue
		}
		if id.CompetitionID != s.k.ID {
			continue
		}
		cands = append(cands, candidate{uid: uint16(c.UID), hotkey: c.Hotkey, c: id, raw: c.Text, block: c.Block})
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].uid < cands[b].uid })

	keep := map[uint16]bool{}
	for _, u := range st.Keep[s.k.ID] {
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
	return picked
}

// forgetReplaced drops the weight of uids whose hotkey changed or that left
// the metagraph, and the records of hotkeys no longer registered.
func forgetReplaced(st *State, hotkeys []string) {
	for uid, hk := range hotkeys {
		if old, ok := st.UIDHotkey[uint16(uid)]; ok && old != hk {
			for _, w := range st.Weights {
				delete(w, uint16(uid))
			}
		}
		st.UIDHotkey[uint16(uid)] = hk
	}
	for u := range st.UIDHotkey {
		if int(u) >= len(hotkeys) {
			delete(st.UIDHotkey, u)
			for _, w := range st.Weights {
				delete(w, u)
			}
		}
	}
	registered := make(map[string]bool, len(hotkeys))
	for _, hk := range hotkeys {
		registered[hk] = true
	}
	for hk := range st.Models {
		if !registered[hk] {
			delete(st.Models, hk) // deregistered: forget its model
		}
	}
}

// fetchAndCheck is phase 2: each picked model is downloaded (or found in the
// verified cache) and checked. A rule violation is remembered with the
// commitment and reported; a transient failure skips the model this step.
func (v *Validator) fetchAndCheck(ctx context.Context, s *step, picked []candidate) ([]fetched, error) {
	st := s.st
	var models []fetched
	for _, c := range picked {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := st.Models[c.hotkey]
		same := r != nil && r.Commitment == c.raw && r.Block == c.block
		if same && r.Rejected != "" {
			continue // rejected before: not retried until the commitment changes
		}
		rec := &Record{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Block: c.block, Competition: s.k.ID}
		if same {
			rec.EvalSeed, rec.MeanLoss, rec.WinRate = r.EvalSeed, r.MeanLoss, r.WinRate
		}
		var dir string
		var err error
		if same && r.Dir != "" && dirExists(r.Dir) {
			dir = r.Dir // verified before (the cache index); the cache is content-addressed
		} else {
			dir, err = v.fetch(ctx, s.k, s.tok, c)
		}
		switch {
		case err == nil:
			rec.Dir = dir
			st.Models[c.hotkey] = rec
			models = append(models, fetched{c, dir})
		case evaluate.IsRejection(err):
			rec.Rejected = err.Error()
			st.Models[c.hotkey] = rec
			v.reject(s, c, err)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			s.rep.Skipped = append(s.rep.Skipped, Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()})
			v.log.Warn("model skipped this step", "uid", c.uid, "hotkey", c.hotkey, "error", err)
		}
	}
	return models, nil
}

// reject reports a model that broke a rule.
func (v *Validator) reject(s *step, c candidate, err error) {
	s.rep.Rejected = append(s.rep.Rejected, Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()})
	v.m.rejected.WithLabelValues("model").Inc()
	v.log.Warn("model rejected", "uid", c.uid, "hotkey", c.hotkey, "commitment", c.raw, "reason", err)
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

// evalBatch selects the step's evaluation samples from the data window
// ending at the seed block, deterministically from the seed block's hash,
// and tokenizes them once for all models.
func (v *Validator) evalBatch(ctx context.Context, s *step) (evaluate.Batch, error) {
	cfg := &v.o.Config
	since := uint64(0)
	if s.seed > cfg.DataWindow {
		since = s.seed - cfg.DataWindow
	}
	samples, err := v.o.Source.Samples(ctx, since, s.seed)
	if err != nil {
		return evaluate.Batch{}, fmt.Errorf("data window [%d, %d]: %w", since, s.seed, err)
	}
	chosen := data.Select(data.Dedup(samples), s.seedHash, s.k.EvalSamples)
	batch := evaluate.Encode(chosen, s.k, s.tok)
	if len(batch.Encoded) == 0 {
		return evaluate.Batch{}, fmt.Errorf("data window [%d, %d]: no usable samples (%d in window)", since, s.seed, len(samples))
	}
	s.rep.Samples, s.rep.Tokens = len(batch.Encoded), batch.Tokens
	return batch, nil
}

// evaluate is phase 3: each fetched model's per-sample losses on the batch.
// A model whose weights break a rule (non-finite, norms) leaves the step as
// rejected; one whose loss computation fails scores +Inf on every sample.
// The models come back in uid order with their report rows.
func (v *Validator) evaluate(ctx context.Context, s *step, models []fetched, batch evaluate.Batch) ([]scoring.Model, error) {
	var sm []scoring.Model
	for _, mr := range models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if v.o.BeforeEvaluate != nil {
			v.o.BeforeEvaluate(mr.uid)
		}
		losses, err := v.losses(ctx, s, mr, batch)
		switch {
		case err != nil && evaluate.IsRejection(err):
			s.st.Models[mr.hotkey].Rejected = err.Error()
			s.st.Models[mr.hotkey].Dir = ""
			v.reject(s, mr.candidate, err)
			continue
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		}
		res := ModelResult{UID: mr.uid, Hotkey: mr.hotkey, Commitment: mr.raw, Block: mr.block}
		if err != nil {
			res.Failed = err.Error()
			losses = evaluate.InfLosses(len(batch.Encoded))
			v.log.Warn("loss computation failed; scored +Inf", "uid", mr.uid, "error", err)
		}
		res.MeanLoss = evaluate.Mean(losses)
		s.rep.Models = append(s.rep.Models, res)
		sm = append(sm, scoring.Model{UID: mr.uid, Block: mr.block, Losses: losses})
	}
	return sm, ctx.Err()
}

// losses loads one model (weight rules checked) and computes its losses,
// or hands the directory to the configured external backend.
func (v *Validator) losses(ctx context.Context, s *step, mr fetched, batch evaluate.Batch) ([]float64, error) {
	if v.o.Backend != nil {
		t0 := time.Now()
		defer func() { s.rep.EvalTime += time.Since(t0) }()
		return v.o.Backend.Losses(ctx, mr.dir, s.k, s.tok, batch)
	}
	t0 := time.Now()
	m, err := evaluate.Load(mr.dir, s.k, s.tok)
	s.rep.LoadTime += time.Since(t0)
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	defer func() { s.rep.EvalTime += time.Since(t1) }()
	return evaluate.Losses(m, batch, v.o.EvalBatch)
}

// score is phase 4: pairwise wins with the epsilon advantage of the earlier
// commitment (evaluated at the seed block), win rates, softmax step weights,
// the competition's aggregate, the top-k kept for the next step, and the
// subnet weights composed over competitions.
func (v *Validator) score(s *step, sm []scoring.Model) error {
	st, k, cfg := s.st, s.k, &v.o.Config
	wins, rates := scoring.ComputeWins(sm, func(b uint64) float64 { return k.Epsilon.At(s.seed, b) })
	stepW, err := scoring.StepWeights(sm, rates, k.Temperature)
	if err != nil {
		return err
	}
	stepW = scoring.Normalize(stepW)
	if len(sm) > 0 {
		if old := st.Weights[k.ID]; len(old) == 0 {
			st.Weights[k.ID] = stepW
		} else {
			st.Weights[k.ID] = scoring.EMA(old, stepW, cfg.Alpha)
		}
	}
	s.rep.Keep = scoring.TopK(sm, rates, st.Weights[k.ID], cfg.KeepTop)
	st.Keep[k.ID] = s.rep.Keep
	for i := range s.rep.Models {
		m := &s.rep.Models[i]
		m.Wins, m.WinRate, m.StepWeight, m.Weight = wins[i], rates[i], stepW[m.UID], st.Weights[k.ID][m.UID]
		if r := st.Models[m.Hotkey]; r != nil {
			r.EvalSeed, r.WinRate = s.seed, m.WinRate
			r.MeanLoss = 0
			if !math.IsNaN(m.MeanLoss) && !math.IsInf(m.MeanLoss, 0) {
				r.MeanLoss = m.MeanLoss
			}
		}
	}
	s.rep.Weights = scoring.Compose(st.Weights, cfg.Shares())
	st.LastSeed = s.seed
	return nil
}

// commit prunes the download cache, persists the step's state atomically
// and makes it the validator's state.
func (v *Validator) commit(s *step) error {
	if !v.o.KeepCache {
		pruneCache(s.st, v.log)
	}
	if err := s.st.save(v.o.DataDir); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	v.mu.Lock()
	v.state = s.st
	v.mu.Unlock()
	return nil
}

// weights is phase 5: every weights_interval blocks the subnet weights go on
// chain. A failure is logged, not fatal: the step's results stand and the
// next step tries again.
func (v *Validator) weights(ctx context.Context, s *step, hp chain.Hyperparams) {
	last := s.st.LastWeightsBlock
	if last != 0 && s.head-last < v.o.Config.WeightsInterval {
		return
	}
	if err := v.setWeights(ctx, s.head, s.rep.Weights, hp); err != nil {
		v.log.Warn("set weights failed", "error", err)
		return
	}
	s.rep.WeightsSet = true
}
